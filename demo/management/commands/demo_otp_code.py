"""manage.py demo_otp_code: the current 6-digit code of the demo's published authenticator
secret (DEMO_TOTP_SECRET), for signing in to the demo without an authenticator app."""
from __future__ import annotations

import time
from base64 import b32decode

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current code of the demo logins' authenticator (valid for the rest of its 30 s)."

    def handle(self, *args, **options) -> None:
        totp = TOTP(b32decode(DEMO_TOTP_SECRET))
        code = f"{totp.token():06d}"
        self.stdout.write(f"{code}  (valid for {30 - int(time.time()) % 30} s more)")
