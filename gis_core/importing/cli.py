"""What the import commands share (manage.py import_layer here, import_people in assets):
the acting user, progress bars per phase, the printed report, refusals as CommandError."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from gis_core.importing.report import ImportReport
from gis_core.models import User


def command_actor(username: str | None) -> User:
    """``--as`` user, or an unrestricted operator (a superuser without areas)."""
    if username:
        try:
            return User.objects.get(username=username, is_active=True)
        except User.DoesNotExist:
            raise CommandError(f"No active user {username}.") from None
    operator = User.objects.filter(is_superuser=True, is_active=True, area_prefixes=[]).order_by("id").first()
    if operator is None:
        raise CommandError("No unrestricted operator (a superuser without areas): create one with "
                           "`manage.py createsuperuser`, or name a user with --as.")
    return operator


class PhaseBars:
    """progress(phase, done, total) as one tqdm bar per phase, on stderr."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.bars = enabled, {}

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        bar = self.bars.get(phase)
        if bar is None:
            bar = self.bars[phase] = tqdm(total=total, desc=phase, unit="rows", unit_scale=True, file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()


def report_print(command: BaseCommand, report: ImportReport, path: Path) -> None:
    """The counts on stdout; the issues CSV next to the input."""
    if report.issues:
        report.issues_write(path.with_name(f"{path.stem}.import-issues.csv"))
    mode = " (dry run: nothing was written)" if report.dry_run else ""
    command.stdout.write(
        f"{report.file} → {report.layer}{mode}: {report.total} rows; created {report.created}, updated "
        f"{report.updated}, unchanged {report.unchanged}, rejected {report.rejected}, repaired {report.repaired} "
        f"(CRS {report.crs}{', offset ' + report.offset if report.offset else ''}; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items()) + ")")
    for issue in sorted(report.issues, key=lambda i: i.row)[:20]:
        command.stdout.write(f"  row {issue.row} [{issue.key}] {issue.status}: {issue.reason}")
    if len(report.issues) > 20:
        command.stdout.write(f"  … {len(report.issues) - 20} more")
    if report.issues_file:
        command.stdout.write(f"Rejected and repaired rows with their reasons: {report.issues_file}")


def import_run(command: BaseCommand, file: Path, run: Callable[[], ImportReport]) -> ImportReport:
    """Run an import of ``file``: refusals become a CommandError, the report is printed."""
    if not file.exists():
        raise CommandError(f"{file} does not exist.")
    try:
        report = run()
    except ValidationError as error:
        raise CommandError("; ".join(error.messages)) from error
    except PermissionDenied as error:
        raise CommandError(str(error)) from error
    report_print(command, report, file)
    return report
