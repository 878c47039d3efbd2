"""manage.py seed_demo: load the synthetic demo district (see demo), then every app's demo
part (gis_core.demo: iot's terminals, incidents' cases …)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo import CITY_CODE, CITY_DISTRICTS, CITY_NAME, CITY_USER, DEFAULT_PEOPLE, DEFAULT_SEED
from demo.loader import city_load
from gis_core.demo import demo_parts
from gis_core.models import Area

MIN_PEOPLE = 100


class Command(BaseCommand):
    help = (
        "Load the synthetic demo district 盘龙区 (Kunming): 4 streets, 20 communities, 200 grid cells, "
        "buildings (~people/10), houses (~people/2.5), people with residences and tags, organizations "
        "(~people/200), key sites, the demo logins (see `manage.py demo_banner`), one grid leader per "
        "cell, elderly-care terminals for elders living alone or in empty nests (iot.demo), and cases in "
        "every state of the workflow (incidents.demo). The same "
        "--seed and --people always give the same district. Refuses to run when areas "
        "already exist, unless --if-empty (then it does nothing) or --replace (then it first empties the "
        "areas, buildings, houses, people, tags assigned, residences, organizations and key sites with "
        "their history, and every table referencing them — users' area assignments, the personal-data "
        "access log — and deletes every user that has a role; users without a role, such as operators "
        "made with createsuperuser, are kept, and a demo login whose username they hold is not created). "
        f"--districts K (up to {len(CITY_DISTRICTS)}) loads K such districts side by side under one city area "
        f"{CITY_CODE} {CITY_NAME} — 盘龙区 first, then Kunming's other districts' codes — each with --people "
        f"residents and its own seed, one transaction per district; the login `{CITY_USER}` administers the "
        "whole city and `admin_<district code>` each further district."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE,
                            help=f"number of residents (default {DEFAULT_PEOPLE:,}; at least {MIN_PEOPLE})")
        parser.add_argument("--districts", type=int, default=1,
                            help=f"districts side by side under one city (default 1; at most {len(CITY_DISTRICTS)})")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument("--if-empty", action="store_true",
                              help="do nothing (successfully) when any area exists")
        existing.add_argument("--replace", action="store_true",
                              help="delete the existing district first (see above)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bars")

    def handle(self, *args, people: int, seed: int, if_empty: bool, replace: bool, no_progress: bool,
               verbosity: int, districts: int = 1, **options) -> None:
        if people < MIN_PEOPLE:
            raise CommandError(f"--people must be at least {MIN_PEOPLE}.")
        if not 1 <= districts <= len(CITY_DISTRICTS):
            raise CommandError(f"--districts must be between 1 and {len(CITY_DISTRICTS)}.")
        if Area.objects.exists():
            if if_empty:
                self.stdout.write("Areas already exist: the demo district was not loaded (--if-empty).")
                return
            if not replace:
                raise CommandError("Areas already exist. Use --replace to delete them and load the demo district "
                                   "again, or --if-empty to skip loading when the database is not empty.")
        log = self.stderr.write if verbosity > 0 else (lambda message: None)
        loads = city_load(districts=districts, people=people, seed=seed, replace=replace,
                          progress=verbosity > 0 and not no_progress, log=log)
        while True:
            try:
                place, report = next(loads)
            except StopIteration:
                break
            except Exception as error:
                kept = "" if districts == 1 else " (the districts loaded before it are kept)"
                raise CommandError(f"Loading the demo district failed and was rolled back{kept}: {error}") from error
            if districts > 1:
                self.stdout.write(f"{place.code} {place.name}")
            self._summary(report)
        for part in demo_parts():
            part.load(seed=seed, log=self.stdout.write)

    def _summary(self, report) -> None:
        self.stdout.write(f"{'table':<26}{'rows':>12}{'seconds':>10}")
        for table, rows in report.rows.items():
            seconds = report.seconds.get(table)
            self.stdout.write(f"{table:<26}{rows:>12,}{'' if seconds is None else f'{seconds:.1f}':>10}")
        for phase in ("generate", "areas and users", "analyze"):
            self.stdout.write(f"{'(' + phase + ')':<26}{'':>12}{report.seconds[phase]:>10.1f}")
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {report.total_rows:,} rows in {report.total_seconds:.1f} s "
            f"({report.total_rows / report.total_seconds:,.0f} rows/s)."))
