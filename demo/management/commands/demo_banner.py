"""manage.py demo_banner: where the platform runs and how to sign in to the demo (`make run`)."""
from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError
from django.urls import reverse
from django.utils import translation

from demo import (
    CITY_USER,
    DEMO_PASSWORD,
    DEMO_TOTP_SECRET,
    DEMO_USERS,
    DISTRICT_ADMIN_PREFIX,
    GRID_LEADER_PREFIX,
    DemoUser,
)
from gis_core.demo import demo_parts
from gis_core.models import Role, User
from gis_core.navigation import all_pages
from signin.selectors import otp_needed_for


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]


class Command(BaseCommand):
    help = "Print the site, admin and API addresses and the demo logins (from DEMO_USERS and the database)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, port: int, host: str, **options) -> None:
        base = f"http://{host}:{port}/"
        self.stdout.write(self.style.SUCCESS("Grid management platform"))
        for label, path in (("site", ""), ("admin", "admin/"), ("API", "api/v1/"), ("API docs", "api/docs/")):
            self.stdout.write(f"  {label:<9} {base}{path}")
        self.stdout.write("")
        with translation.override(settings.LANGUAGE_CODE):
            try:
                rows, leaders = self._logins()
            except DatabaseError as error:
                self.stdout.write(f"Demo logins unavailable (database: {error}).")
                return
        if not rows:
            self.stdout.write("No demo logins in the database: load the demo with `manage.py seed_demo`.")
            return
        self.stdout.write("Demo logins:")
        for line in _table([("username", "role", "area", "password"), *(row[:4] for row in rows)]):
            self.stdout.write(line)
        if leaders:
            self.stdout.write(f"  (+ {leaders} grid leaders {GRID_LEADER_PREFIX}<cell code>, without a password)")
        if coded := [row[0] for row in rows if row[4]]:
            secret = " ".join(DEMO_TOTP_SECRET[i:i + 4] for i in range(0, len(DEMO_TOTP_SECRET), 4))
            self.stdout.write(f"Second factor for {', '.join(coded)}: after the password, the 6-digit code of an "
                              f"authenticator app (TOTP) set up with the demo secret {secret}, or the code "
                              "`manage.py demo_otp_code` prints.")
        self.stdout.write("Pages:")
        with translation.override(settings.LANGUAGE_CODE):
            pages = [(str(page.title), base + reverse(page.url_name).lstrip("/")) for page in all_pages()]
        for line in _table(pages):
            self.stdout.write(line)
        for part in demo_parts():
            for line in part.banner(base):
                self.stdout.write(line)

    def _logins(self) -> tuple[list[tuple], int]:
        """One row per demo user present in the database (username, role, area, password,
        whether a code is asked); an account that was not made by the demo (another role)
        is flagged instead of showing the demo password. With a city of districts
        (`seed_demo --districts`), its administrators too."""
        users = {u.username: u for u in User.objects.filter(username__in=[d.username for d in DEMO_USERS])
                 .prefetch_related("areas")}
        city = (User.objects.filter(username=CITY_USER) | User.objects.filter(
            username__startswith=DISTRICT_ADMIN_PREFIX)).filter(role=Role.DISTRICT_ADMIN).order_by("username")
        city_admins = [DemoUser(u.username, Role.DISTRICT_ADMIN, "", u.name) for u in city]
        users.update((u.username, u) for u in city.prefetch_related("areas"))
        rows = []
        for demo in [*DEMO_USERS, *city_admins]:
            user = users.get(demo.username)
            if user is None:
                continue
            areas = ", ".join(a.name for a in user.areas.all()) or "—"
            role = str(Role(user.role).label) if user.role else "—"
            password = DEMO_PASSWORD if user.role == demo.role else "(existing account)"
            code = user.role == demo.role and otp_needed_for(user)
            rows.append((user.username, role, areas, password, code))
        leaders = User.objects.filter(username__startswith=GRID_LEADER_PREFIX, role=Role.GRID_LEADER).count()
        return rows, leaders
