"""The portal's own records: SMS codes (验证码) and residents' sign-ins.

Residents are people of the roll, not staff users: a resident signs in with their phone
and an SMS code and gets a ResidentSession (its token in a cookie, only its hash stored),
never a django.contrib.auth login.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CodePurpose(models.TextChoices):
    REPORT = "report", _("reporting a problem")
    SIGN_IN = "sign_in", _("signing in to my applications")


class PhoneCode(models.Model):
    """A 6-digit code texted to a phone (its HMAC stored, never the code): valid until
    ``expires_at``, used once, at most PORTAL_CODE_ATTEMPTS wrong tries."""

    phone = models.CharField(_("phone"), max_length=11)
    purpose = models.CharField(_("purpose"), max_length=10, choices=CodePurpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS code")
        verbose_name_plural = _("SMS codes")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="phone_code_latest_idx",
                                condition=Q(used_at__isnull=True))]


class ResidentSession(models.Model):
    """A resident signed in with their phone: the cookie holds the token, the table its
    SHA-256; signing out or PORTAL_SESSION_MINUTES end it."""

    token_hash = models.CharField(max_length=64, unique=True)
    phone = models.CharField(_("phone"), max_length=11)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("signed out"), null=True, blank=True)

    class Meta:
        verbose_name = _("resident sign-in")
        verbose_name_plural = _("resident sign-ins")
