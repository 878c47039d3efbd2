"""manage.py import_people: people, houses and residences from a CSV or XLSX roll
(assets/people_import.py)."""
from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from assets.people_import import people_import
from gis_core.importing.cli import PhaseBars, command_actor, import_run


class Command(BaseCommand):
    help = ("Import people with their houses and residences from a CSV or XLSX file: name, ID number (身份证号, "
            "checked), phone, address (or building) with unit/floor/room, relation. A known ID number updates the "
            "person (and moves them if their home differs); rows whose address matches no building in your areas "
            "are reported in <file>.import-issues.csv next to the input.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")
        parser.add_argument("--as", dest="username", help="import as this user, within their areas")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, file: Path, dry_run: bool, username, no_progress: bool, verbosity: int, **options):
        report = import_run(self, file, lambda: people_import(
            actor=command_actor(username), path=file, dry_run=dry_run, url=f"manage.py import_people {file.name}",
            progress=PhaseBars(verbosity > 0 and not no_progress)))
        if report.counts:
            self.stdout.write(", ".join(f"{k}: {v}" for k, v in report.counts.items()))
