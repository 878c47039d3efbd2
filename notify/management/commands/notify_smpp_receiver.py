from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from notify.smpp_receiver import idle_forever, receive_forever


class Command(BaseCommand):
    help = _("Receive SMS delivery receipts and residents' replies from the SMPP gateway (SMPP_URL).")

    def handle(self, *args, **options):
        if not settings.SMPP_URL:
            self.stdout.write("SMPP_URL is not set: no SMS receipts or replies to receive")
            idle_forever()
        receive_forever(settings.SMPP_URL)
