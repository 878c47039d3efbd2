"""Writes of the second factor: a user's authenticator (TOTP device) — enrolled,
confirmed by a first code, or set from a known secret (the demo)."""
from __future__ import annotations

from base64 import b32decode

from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR = "authenticator"  # the device's name: one per user


@transaction.atomic
def totp_device_enrol(*, user) -> TOTPDevice:
    """The user's authenticator awaiting its first code: the one begun before (its QR code
    stays valid while the page is reloaded), else a new one with a random secret."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


@transaction.atomic
def totp_device_confirm(*, device: TOTPDevice, token: str) -> bool:
    """Confirm the authenticator with its first code (django-otp's verification: time
    window, replay, throttling); any other authenticator of the user is removed."""
    if verify_token(device.user, device.persistent_id, token) is None:
        return False
    TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    device.confirmed = True
    return True


@transaction.atomic
def totp_device_set(*, user, secret_base32: str) -> TOTPDevice:
    """The user's only authenticator, confirmed, with a given secret (the demo's published
    one). Replaces any other."""
    TOTPDevice.objects.filter(user=user).delete()
    key = b32decode(secret_base32.replace(" ", "").upper()).hex()
    return TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, key=key, confirmed=True)
