"""The sign-in audit as the admin shows it: django-axes' tables under names of our own
(proxies, no tables of their own). axes writes them: AccessLog one row per sign-in (with
the sign-out time), AccessFailureLog one per failure, AccessAttempt the running counts
that lock an account or an address."""
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils.translation import gettext_lazy as _


class SignInRecord(AccessLog):
    class Meta:
        proxy = True
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")


class SignInFailure(AccessFailureLog):
    class Meta:
        proxy = True
        verbose_name = _("failed sign-in")
        verbose_name_plural = _("failed sign-ins")


class SignInLockout(AccessAttempt):
    class Meta:
        proxy = True
        verbose_name = _("failed sign-in count")
        verbose_name_plural = _("failed sign-in counts")
