"""Downsample old days of positions into the history and drop them; drop old history
(iot.retention.positions_retain). The worker's clock runs it daily (iot.tasks)."""
from __future__ import annotations

from django.core.management.base import BaseCommand

from iot.retention import positions_retain


class Command(BaseCommand):
    help = "Downsample positions older than IOT_POSITION_FULL_DAYS into the history, drop their partitions, " \
           "drop history older than IOT_HISTORY_DAYS."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")

    def handle(self, *, dry_run: bool, **options):
        report = positions_retain(dry_run=dry_run, progress=self.stdout.write)
        if report.busy:
            return
        self.stdout.write(
            f"{'would archive' if dry_run else 'archived'} {len(report.archived)} partition(s) "
            f"({sum(report.archived.values()):,} history rows), {report.default_rows:,} old row(s) of the default "
            f"partition, {'would drop' if dry_run else 'dropped'} {len(report.history_dropped)} history partition(s)")
