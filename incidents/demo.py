"""Cases for the demo district: reported by the cells' grid leaders over the last two months
and taken through the workflow (by the demo dispatcher and handler) to a spread of states,
so the desk, the map layer, the metrics and public tracking have something to show.

Unlike the rest of the demo this goes through incidents.services (a few hundred calls),
so every case has a real log; the demo handler belongs to every department. An Open311
client with a known key (DEMO_OPEN311_KEY) lets one try the Open311 endpoints at once.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone

from gis_core.models import AreaLevel, Role, User
from gis_core.scoping import code_in_scope, user_area_prefixes
from incidents import services
from incidents.models import Case, Category, Department, Open311Client

DEMO_CASES = 120
DEMO_OPEN311_KEY = "demo-open311-key"

# Where a demo case ends, with weights: the steps of the main path it goes through.
MAIN_PATH = ["file", "dispatch", "accept", "report_back", "close", "evaluate"]
ENDS = {"collected": 8, "filed": 6, "dispatched": 10, "handling": 18, "reported_back": 8, "closed": 25,
        "evaluated": 20, "suspended": 3, "rejected": 2}
STEPS_TO = {"collected": 0, "filed": 1, "dispatched": 2, "handling": 3, "reported_back": 4, "closed": 5,
            "evaluated": 6}
NOTES = {"report_back": "已处理完毕，现场已恢复", "reject": "不属于网格化管理事项", "suspend": "等待产权单位确认"}


@transaction.atomic
def demo_cases_load(*, count: int = DEMO_CASES, seed: int,
                    log: Callable[[str], None] = print) -> int:
    """Replace every case with ``count`` demo cases; returns how many were made."""
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        # TRUNCATE fires no row triggers: the log is append-only for everything else.
        cursor.execute("TRUNCATE incidents_caseattachment, incidents_caseevent, incidents_case, "
                       "incidents_trackingsequence RESTART IDENTITY CASCADE")
    users = {u.username: u for u in User.objects.filter(username__in=["dispatcher", "handler", "admin"])}
    if len(users) < 3:
        log("Demo cases skipped: the demo users dispatcher, handler and admin are missing.")
        return 0
    users["handler"].departments.set(Department.objects.all())
    Open311Client.objects.get_or_create(key_hash=services.key_hash(DEMO_OPEN311_KEY),
                                        defaults={"name": "Demo app"})
    leaders = _leaders_by_cell(within=users["dispatcher"])
    points = _points_in_cells(list(leaders), count, seed)
    categories = list(Category.objects.filter(parent__isnull=False, active=True).order_by("code"))
    ends = rng.choices(list(ENDS), weights=list(ENDS.values()), k=count)
    now = timezone.now()
    for i, ((cell_id, lon, lat), end) in enumerate(zip(points, ends, strict=True)):
        at = now - dt.timedelta(days=rng.uniform(0.2, 60))
        case = services.case_report(actor=leaders[cell_id], category=rng.choice(categories),
                                    description=f"演示案件 {i + 1}：{rng.choice(['现场发现', '群众反映', '巡查发现'])}",
                                    location=Point(lon, lat, srid=4326), source="grid_leader", at=at)
        _walk(case, end, at, now, users, rng)
        if (i + 1) % 40 == 0:
            log(f"  demo cases: {i + 1}/{count}")
    flagged = services.cases_clock_tick(now=now)
    log(f"Demo cases: {count} ({flagged['late']} late, {flagged['due_soon']} due soon); "
        f"Open311 api_key {DEMO_OPEN311_KEY}")
    return count


def _walk(case: Case, end: str, at: dt.datetime, now: dt.datetime, users: dict[str, User],
          rng: random.Random) -> None:
    """Take the case along the main path to ``end``, each step some hours after the last
    (never after now)."""
    actions = MAIN_PATH[:STEPS_TO.get(end, 3 if end == "suspended" else 0)]
    if end == "suspended":
        actions.append("suspend")
    elif end == "rejected":
        actions = ["reject"]
    for action in actions:
        at = min(at + dt.timedelta(hours=rng.uniform(0.2, 6)), now)
        actor = users["handler"] if action in ("accept", "report_back") else users["dispatcher"]
        params = services.ActionInput(rating=rng.choice([3, 4, 5, 5]) if action == "evaluate" else None)
        case = services.case_act(actor=actor, case_id=case.pk, action=action, version=case.version,
                                 note=NOTES.get(action, ""), params=params, at=at)


def _leaders_by_cell(*, within: User) -> dict[int, User]:
    """Each grid cell with a grid leader, and that leader, in the areas of ``within`` (the
    demo dispatcher, who takes the cases on: with a city of several districts, the cells
    of the demo district)."""
    prefixes = user_area_prefixes(within)
    leaders = {}
    for user in User.objects.filter(role=Role.GRID_LEADER).prefetch_related("areas").order_by("username"):
        for area in user.areas.all():
            if area.level == AreaLevel.GRID and code_in_scope(area.code, prefixes):
                leaders.setdefault(area.pk, user)
    return leaders


def _points_in_cells(cell_ids: list[int], count: int, seed: int) -> list[tuple[int, float, float]]:
    """``count`` random points, each inside a random one of the cells (PostGIS draws them)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
        cursor.execute(
            """SELECT c.id, ST_X(p.geom), ST_Y(p.geom)
               FROM (SELECT n, (%(cells)s::int[])[1 + floor(random() * cardinality(%(cells)s::int[]))::int] AS id
                     FROM generate_series(1, %(count)s) n) pick
               JOIN gis_core_area c ON c.id = pick.id
               CROSS JOIN LATERAL (SELECT (ST_Dump(ST_GeneratePoints(c.boundary, 1, %(seed)s + pick.n))).geom) p
               ORDER BY pick.n""",
            {"cells": cell_ids, "count": count, "seed": seed})
        return cursor.fetchall()


def demo_banner(base: str) -> list[str]:
    return [f"Open311: {base}open311/v2/discovery.json (demo api_key {DEMO_OPEN311_KEY})"]
