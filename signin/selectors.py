"""Who needs a second factor, and their authenticator."""
from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from gis_core.roles import PERSONAL_DATA_ROLES


def otp_required_for(user) -> bool:
    """Roles that see personal data unmasked, and superusers (who see everything), must
    give a code while OTP_REQUIRED is on."""
    return settings.OTP_REQUIRED and (user.is_superuser or user.role in PERSONAL_DATA_ROLES)


def totp_device_confirmed(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def otp_needed_for(user) -> bool:
    """A code is asked of those who must give one and of anyone who set up an
    authenticator of their own accord."""
    return otp_required_for(user) or totp_device_confirmed(user) is not None
