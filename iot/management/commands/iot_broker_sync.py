"""manage.py iot_broker_sync: regenerate the broker's terminal credentials and reload it."""
from django.core.management.base import BaseCommand, CommandError

from iot.broker import broker_credentials_write


class Command(BaseCommand):
    help = ("Write the broker's password and ACL files (IOT_BROKER_DIR) from the terminal registry: every "
            "active terminal with a password may publish to its own uplink topics only. Then SIGHUP the broker.")

    def handle(self, *args, **options) -> None:
        written = broker_credentials_write()
        if written is None:
            raise CommandError("IOT_BROKER_DIR is not set (an external broker manages its own credentials).")
        self.stdout.write(f"{written.terminals} terminals written to {written.directory}"
                          f"{'; broker reloaded' if written.reloaded else '; broker not running'}")
