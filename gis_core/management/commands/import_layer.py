"""manage.py import_layer: a GIS file or spreadsheet into buildings, areas, key sites or
organizations (gis_core.importing)."""
from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from gis_core.importing.layers import import_layers
from gis_core.importing.offsets import OFFSETS
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


class Command(BaseCommand):
    help = ("Import a GIS file or spreadsheet — GeoJSON, zipped Shapefile, GeoPackage, CSV or XLSX with lon/lat "
            "or WKT columns — into " + ", ".join(layer.name for layer in import_layers()) + ". Re-importing "
            "updates the records by their source key and creates no duplicates. Rows that cannot be imported "
            "are reported and written to <file>.import-issues.csv next to the input.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("layer", choices=[layer.name for layer in import_layers()])
        parser.add_argument("file", type=Path)
        parser.add_argument("--crs", help="coordinate system of the file, overriding its own (e.g. EPSG:4543)")
        parser.add_argument("--offset", choices=OFFSETS, help="coordinates are GCJ-02 or BD-09 web-map coordinates")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")
        parser.add_argument("--as", dest="username", help="import as this user, within their areas")
        parser.add_argument("--source", help="namespace of the source keys (default: the file name)")
        parser.add_argument("--key", help="the column holding each feature's key (default: id, 编号, code, …)")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, layer: str, file: Path, crs, offset, dry_run: bool, username, source, key,
               no_progress: bool, verbosity: int, **options) -> None:
        from gis_core.importing.services import layer_import

        import_run(self, file, lambda: layer_import(
            actor=command_actor(username), layer=layer, path=file, crs=crs, offset=offset, dry_run=dry_run,
            source=source, key_column=key, url=f"manage.py import_layer {layer} {file.name}",
            progress=PhaseBars(verbosity > 0 and not no_progress)))
