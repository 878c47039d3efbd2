"""Benchmark: the incidents app at district scale — 200,000 cases over a year.

    .venv/bin/python bench/cases.py [--cases 200000] [--runs 15] [--seed 2026] [--keep] [--quick]

In the database grid_bench, N bench cases (tracking numbers ``B…``) are loaded with COPY,
after deleting those of an earlier run: spread over the 200 grid cells of the demo
district in proportion to their residents (60 % at a building, 40 % anywhere in the
cell), reported over the last 12 months (more by day than by night, fewer at weekends),
under the default categories and departments (incidents.defaults) with their time
limits counted in working hours, and in the states a year of work leaves: most closed on
time, evaluated and archived, some closed late, reworked or extended, a few rejected,
duplicates, deferred (缓办) or suspended, a backlog of late open cases, and the last
days' cases still in the workflow. No case log (CaseEvent) is written. Then, as the
bench users ``bench-dispatcher`` (the district) and ``bench-street`` (one street),
created once with gis_core.services.user_create, each against a baseline measured in the
same run, the two taking turns within each round (warm; p50 and p90 over --runs):

- metrics: incidents.metrics.case_metrics(cases_for(user), by=community|month) over the
  last 12 months, for the district and for the street user, and by community over the
  last 30 days — vs the bare SQL ``count(*) FILTER (…) … GROUP BY community_id`` (or the
  month of filing) over the same rows;
- the desk queue: GET /api/v1/cases/?open=true&ordering=due_at&page_size=50 through
  Django's test Client as the dispatcher — vs the bare ``SELECT … WHERE status IN (open)
  ORDER BY due_at LIMIT 50``;
- nearby duplicates: incidents.selectors.cases_nearby(…)[:20] (what the report page
  calls) at random points, half near open cases — vs a bare ``ST_DWithin`` geography
  query with the same bounding box;
- the live "cases" vector tile at z14 over the densest area: GET /tiles/cases/14/x/y.pbf
  — vs the bare ST_AsMVT of the same rows.
Bare SQL runs on a plain psycopg connection with Django's settings (no automatic
prepared statements). Then the plans (EXPLAIN ANALYZE, BUFFERS) of the queue's and the
nearby search's queries: top node and the indexes used. The bench cases are deleted at
the end unless --keep. ``--quick``: 20,000 cases and 5 runs, a smoke test.

Needs the database grid_bench (`.venv/bin/python bench/seed.py`); waits while a seed runs.
"""
from __future__ import annotations

import argparse
import bisect
import datetime as dt
import math
import random
import sys
import time
import unicodedata
import uuid
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.lib.database import bare_connection, use_bench_database
from bench.lib.report import Results, say
from bench.lib.timing import interleaved, p50, p90
from bench.lib.users import bench_user

PREFIX = "B"  # bench tracking numbers: B20250314-530103001-000123 (real ones start with a digit)
DAYS = 365
HOUR = 3600.0
DAY = 86400.0
QUEUE_URL = "/api/v1/cases/?open=true&ordering=due_at&page_size=50"
TILE_Z = 14

# How often each subcategory is reported (others: 1).
CATEGORY_WEIGHTS = {
    "garbage": 14, "illegal_parking": 11, "street_vending": 9, "noise": 7, "street_light": 7, "road_damage": 5,
    "neighbour_dispute": 5, "property_dispute": 5, "sewage": 3, "manhole": 3, "illegal_building": 3,
    "ebike_charging": 3, "elder_care": 3, "fire_escape": 2, "green_damage": 2, "water_pipe": 2, "traffic_sign": 2,
    "dead_animal": 2, "gas_leak": 0.2, "dangerous_building": 0.3, "rehabilitation": 0.5,
}
HOUR_WEIGHTS = [1, .5, .3, .3, .3, .5, 1, 3, 6, 9, 10, 10, 8, 8, 9, 9, 9, 8, 7, 6, 5, 4, 3, 2]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"

COLUMNS = [
    "id", "tracking_number", "tracking_key", "kind", "category_id", "description", "address", "location", "cell_id",
    "community_id", "street_id", "department_id", "urgency", "source", "status", "time_state", "duplicate_of_id",
    "reporter_id", "reporter_name", "reporter_phone", "reporter_email", "open311_token", "time_limit_hours",
    "round_the_clock", "warn_at", "due_at", "paused_at", "paused_from", "pending_request", "pending_hours",
    "reported_at", "filed_at", "dispatched_at", "reported_back_at", "closed_at", "closed_on_time", "evaluated_at",
    "archived_at", "deferred_at", "rework_count", "extension_count", "supervision_count", "rating",
    "reporter_rating", "version", "updated_at",
]

BARE_METRICS = """
SELECT {key},
       count(*) FILTER (WHERE filed_at >= %(since)s AND filed_at < %(until)s),
       count(*) FILTER (WHERE due_at >= %(since)s AND due_at < %(until)s),
       count(*) FILTER (WHERE closed_at >= %(since)s AND closed_at < %(until)s)
FROM incidents_case
WHERE status NOT IN ('rejected', 'duplicate') AND filed_at IS NOT NULL {scope}
GROUP BY 1
"""
BARE_METRIC_KEYS = {"community": "community_id",
                    "month": "date_trunc('month', filed_at AT TIME ZONE 'Asia/Shanghai')"}
BARE_QUEUE = """
SELECT id, tracking_number, kind, category_id, description, address, location, status, time_state, urgency,
       source, department_id, cell_id, community_id, street_id, reported_at, filed_at, due_at, closed_at,
       pending_request, supervision_count, version
FROM incidents_case WHERE status = ANY(%(open)s) ORDER BY due_at LIMIT 50
"""
BARE_NEARBY = """
SELECT id, ST_Distance(location::geography, %(point)s::geography) AS d
FROM incidents_case
WHERE status = ANY(%(open)s) AND location && ST_Expand(%(point)s::geometry, %(degrees)s)
  AND ST_DWithin(location::geography, %(point)s::geography, %(radius)s)
ORDER BY d, reported_at DESC LIMIT 20
"""
BARE_NEARBY_NO_BOX = """
SELECT id, ST_Distance(location::geography, %(point)s::geography) AS d
FROM incidents_case
WHERE status = ANY(%(open)s) AND ST_DWithin(location::geography, %(point)s::geography, %(radius)s)
ORDER BY d, reported_at DESC LIMIT 20
"""
BARE_TILE = """
SELECT ST_AsMVT(t.*, 'cases', 4096, 'geom', 'id') FROM (
    SELECT c.id, c.time_state, c.kind, c.urgency, c.status, c.tracking_number, k.code AS category,
           k.name AS category_name,
           ST_AsMVTGeom(ST_Transform(c.location, 3857), ST_TileEnvelope(%(z)s, %(x)s, %(y)s), 4096, 64, true) AS geom
    FROM incidents_case c JOIN incidents_category k ON k.id = c.category_id
    WHERE c.status = ANY(%(open)s) AND c.location && %(envelope)s::geometry
) t
"""


# --------------------------------------------------------------------------- helpers

def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (CJK characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - columns)


def row(results: Results, what: str, label: str, app: list[float], bare: list[float], note: str = "") -> None:
    """One line of a table, and the figure of ``what`` (the table's subject), ``label``."""
    say(f"  {pad(label, 30)}{p50(app):9.1f}{p90(app):9.1f}   {p50(bare):9.1f}{p90(bare):9.1f}"
        f"{p50(app) / p50(bare):8.2f}   {note}")
    results.ratio(f"{what}, {label}, p50", p50(app), p50(bare), unit="ms", against="bare SQL")


def header(what: str) -> None:
    say(f"  {'':<30}{what:>18}   {'bare SQL':>18}")
    say(f"  {'':<30}{'p50 ms':>9}{'p90 ms':>9}   {'p50 ms':>9}{'p90 ms':>9}{'ratio':>8}")


class WorkingClock:
    """incidents.workcalendar's arithmetic (working periods, weekends, WorkCalendarDay
    exceptions) over a fixed range of days, on epoch seconds, without a query per call:
    the loader computes half a million deadlines."""

    def __init__(self, first: dt.date, last: dt.date):
        from django.utils import timezone

        from incidents.models import WorkCalendarDay
        from incidents.workcalendar import work_periods

        tz = timezone.get_default_timezone()
        exceptions = dict(WorkCalendarDay.objects.filter(date__range=(first, last))
                          .values_list("date", "is_workday"))
        self.starts: list[float] = []
        self.cum: list[float] = []      # working seconds before each span
        self.cum_end: list[float] = []  # … up to its end
        self.ends: list[float] = []
        total = 0.0
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            if not exceptions.get(day, day.weekday() < 5):
                continue
            for begin, end in work_periods():
                start = dt.datetime.combine(day, begin, tz).timestamp()
                stop = dt.datetime.combine(day, end, tz).timestamp()
                self.starts.append(start)
                self.ends.append(stop)
                self.cum.append(total)
                total += stop - start
                self.cum_end.append(total)

    def position(self, t: float) -> float:
        """Working seconds from the start of the range to ``t``."""
        i = bisect.bisect_right(self.ends, t)
        if i == len(self.ends):
            raise ValueError("beyond the working clock's range")
        return self.cum[i] + max(0.0, t - self.starts[i])

    def deadline(self, t: float, hours: float, round_the_clock: bool) -> float:
        """``hours`` of working time after ``t``; infinity beyond the range (never)."""
        if round_the_clock or t == math.inf:
            return t + hours * HOUR
        target = self.position(t) + hours * HOUR
        j = bisect.bisect_left(self.cum_end, target)
        if j == len(self.cum_end):
            return math.inf
        return max(t, self.starts[j] + (target - self.cum[j]))

    def hours_between(self, a: float, b: float, round_the_clock: bool) -> float:
        if b <= a:
            return 0.0
        return (b - a) / HOUR if round_the_clock else (self.position(b) - self.position(a)) / HOUR


# --------------------------------------------------------------------------- users

def bench_users():
    """bench-dispatcher (the district, as in bench/sos_latency.py) and bench-street (a
    street official with the first street)."""
    from gis_core.models import Area, AreaLevel, Role

    street_area = Area.objects.filter(level=AreaLevel.STREET).order_by("code").first()
    return (bench_user("bench-dispatcher", Role.DISPATCHER, Area.objects.get(parent=None)),
            bench_user("bench-street", Role.STREET_OFFICIAL, street_area), street_area)


# --------------------------------------------------------------------------- the cases

def cells_and_points(rng: random.Random, n: int, seed: int) -> tuple[list, dict]:
    """The grid cells (id, code, community, street) and, per cell, its cases' locations:
    cells chosen in proportion to their residents (plus a floor: shops, roads and parks
    have cases too), 60 % at a building of the cell (its anchor, moved up to ~10 m, kept
    inside the cell), the rest uniformly over the cell (ST_GeneratePoints)."""
    from django.contrib.gis.geos import Point
    from django.db import connection

    from gis_core.models import Area, AreaLevel

    cells = list(Area.objects.filter(level=AreaLevel.GRID).select_related("parent")
                 .order_by("code").only("id", "code", "boundary", "parent_id", "parent__parent_id"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT area_id, coalesce(sum(resident_count), 0), count(*) FROM assets_building "
                       "WHERE area_id = ANY(%s) GROUP BY area_id", [[c.id for c in cells]])
        residents = {area: (people, buildings) for area, people, buildings in cursor.fetchall()}
    mean = sum(p for p, _ in residents.values()) / max(1, len(cells))
    weights = [residents.get(c.id, (0, 0))[0] + 0.3 * mean for c in cells]
    chosen = Counter(c.id for c in rng.choices(cells, weights, k=n))
    at_building = {c.id: sum(rng.random() < 0.6 for _ in range(chosen[c.id])) if residents.get(c.id) else 0
                   for c in cells}
    uniform = {c.id: chosen[c.id] - at_building[c.id] for c in cells}
    points: dict[int, list[tuple[float, float]]] = defaultdict(list)
    with connection.cursor() as cursor:
        ids = [c for c, k in uniform.items() if k > 0]
        cursor.execute(
            """SELECT w.id, ST_X(d.geom), ST_Y(d.geom)
               FROM unnest(%s::bigint[], %s::int[]) AS w(id, k) JOIN gis_core_area a ON a.id = w.id
               CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(a.boundary, w.k, %s)) d""",
            [ids, [uniform[c] for c in ids], seed])
        for cell, x, y in cursor.fetchall():
            points[cell].append((x, y))
        cursor.execute("SELECT area_id, ST_X(anchor), ST_Y(anchor) FROM assets_building "
                       "WHERE area_id = ANY(%s) ORDER BY id", [[c.id for c in cells]])
        anchors: dict[int, list[tuple[float, float]]] = defaultdict(list)
        for cell, x, y in cursor.fetchall():
            anchors[cell].append((x, y))
    for cell in cells:
        prepared = cell.boundary.prepared
        for _ in range(at_building[cell.id]):
            x, y = rng.choice(anchors[cell.id])
            jx, jy = x + rng.uniform(-1e-4, 1e-4), y + rng.uniform(-9e-5, 9e-5)
            points[cell.id].append((jx, jy) if prepared.covers(Point(jx, jy, srid=4326)) else (x, y))
        rng.shuffle(points[cell.id])
    return cells, points


def reported_times(rng: random.Random, n: int, now: float) -> list[float]:
    """Report times over the last DAYS days: by the hour of day and fewer at weekends."""
    from django.utils import timezone

    tz = timezone.get_default_timezone()
    top = max(HOUR_WEIGHTS)
    times = []
    while len(times) < n:
        t = now - rng.random() * DAYS * DAY
        local = dt.datetime.fromtimestamp(t, tz)
        accept = HOUR_WEIGHTS[local.hour] / top * (0.7 if local.weekday() >= 5 else 1.0)
        if rng.random() < accept:
            times.append(t)
    times.sort()
    return times


def expo(rng: random.Random, mean_s: float) -> float:
    return rng.expovariate(1 / mean_s)


def case_life(rng: random.Random, category, reported: float, now: float, clock: WorkingClock) -> dict:
    """Where a case reported at ``reported`` stands ``now``: its status, clock and times
    (epoch seconds), as the workflow and the clock (incidents_clock) would have left them."""
    c = {"status": "collected", "time_state": "on_time", "version": 1, "updated": reported, "department": None,
         "time_limit": None, "warn": None, "due": None, "paused_at": None, "paused_from": "",
         "pending_request": "", "pending_hours": None, "filed": None, "dispatched": None, "reported_back": None,
         "closed": None, "closed_on_time": None, "evaluated": None, "archived": None, "deferred": None,
         "reworks": 0, "extensions": 0, "supervisions": 0, "rating": None, "reporter_rating": None}
    draw = rng.random()
    source = "grid_leader" if draw < 0.65 else "desk" if draw < 0.9 else "open311"
    c["source"] = source
    intake = expo(rng, {"grid_leader": 20 * 60, "desk": 40 * 60, "open311": 2 * HOUR}[source])
    rtc = category.round_the_clock
    if rtc:
        intake = min(intake, 15 * 60)
    decided = reported + intake
    if decided > now:
        return c                                              # still being looked at (信息收集)
    fate = rng.random()
    if fate < 0.02:
        c.update(status="rejected", updated=decided, version=2)
        return c
    if fate < 0.045:
        c.update(status="duplicate", updated=decided, version=2)
        return c
    limit = category.time_limit_hours
    c.update(status="filed", filed=decided, time_limit=limit, version=2, updated=decided)
    c["due"] = clock.deadline(decided, limit, rtc)
    c["warn"] = clock.deadline(decided, limit * 0.8, rtc)
    dispatched = decided + expo(rng, 10 * 60 if rtc else 40 * 60)
    if dispatched > now:
        return _flag(c, now)
    c.update(status="dispatched", dispatched=dispatched, department=category.department_id, version=3,
             updated=dispatched)
    accepted = dispatched + expo(rng, 10 * 60 if rtc else 60 * 60)
    if accepted > now:
        return _flag(c, now)
    c.update(status="handling", version=4, updated=accepted)

    # How much work (in the category's clock) the case takes, as a share of its limit.
    share = math.exp(rng.gauss(math.log(0.4), 0.55))
    if rng.random() < 0.012:
        share = rng.uniform(2, 200)                           # stuck: the backlog of late cases
    if rng.random() < 0.04:                                   # an extension (延期), approved
        hours = rng.choice([8, 16, 24, 40])
        asked = clock.deadline(dispatched, limit * rng.uniform(0.3, 0.7), rtc)
        if asked <= now:
            c["due"] = clock.deadline(c["due"], hours, rtc)
            c["warn"] = clock.deadline(c["warn"], hours, rtc)
            c.update(time_limit=limit + hours, extensions=1, version=c["version"] + 2)
            share = rng.uniform(0.8, (limit + hours) / limit * 1.05)
        elif rng.random() < 0.5:
            c.update(pending_request="extension", pending_hours=hours)
    reworks = 0
    if rng.random() < 0.05:
        reworks = 2 if rng.random() < 0.1 else 1
        share += reworks * rng.uniform(0.1, 0.3)
    back = clock.deadline(dispatched, max(share * limit, 0.05), rtc)

    pause = rng.random()
    if pause < 0.015 or pause > 0.997:                        # deferred (缓办) or suspended (挂起)
        paused = min(back, clock.deadline(dispatched, limit * rng.uniform(0.1, 0.6), rtc))
        if paused <= now:
            deferral = pause < 0.015
            length = rng.uniform(5, 60) * DAY if deferral else rng.uniform(1, 20) * DAY
            resumed = paused + length
            if deferral:
                c["deferred"] = paused
            if resumed > now:                                 # still paused
                _flag(c, paused)
                c.update(status="deferred" if deferral else "suspended", paused_at=paused,
                         paused_from="handling", pending_request="", pending_hours=None,
                         version=c["version"] + (2 if deferral else 1), updated=paused)
                return c
            lost = clock.hours_between(paused, resumed, rtc)
            c["due"] = clock.deadline(c["due"], lost, rtc)
            c["warn"] = clock.deadline(c["warn"], lost, rtc)
            back = clock.deadline(back, lost, rtc)
            c["version"] += 3 if deferral else 2
    if back > now:
        _flag(c, now)
        if c["time_state"] == "late":
            c["supervisions"] = rng.choice([0, 1, 1, 2])
            c["version"] += c["supervisions"]
        return c
    closed = clock.deadline(back, min(expo(rng, 0.5), 0.15 * limit), rtc)  # verified by the dispatcher
    c.update(reported_back=back, status="reported_back", reworks=reworks, updated=back,
             version=c["version"] + 1 + 2 * reworks)
    if closed > now:
        return _flag(c, now)
    _flag(c, closed)                                          # the clock stops at closing
    on_time = closed <= c["due"]
    c.update(status="closed", closed=closed, closed_on_time=on_time, pending_request="", pending_hours=None,
             updated=closed, version=c["version"] + 1)
    if not on_time and rng.random() < 0.5:
        c["supervisions"] = 1
    if rng.random() < 0.85:
        evaluated = closed + expo(rng, DAY)
        if evaluated <= now:
            c.update(status="evaluated", evaluated=evaluated, rating=rng.choice([3, 4, 4, 5, 5, 5]),
                     updated=evaluated, version=c["version"] + 1)
    if rng.random() < 0.4:
        c["reporter_rating"] = rng.choice([2, 3, 4, 4, 5, 5, 5])
    if closed < now - 15 * DAY:                               # incidents_clock archives after 15 days
        archived = closed + 15 * DAY + rng.uniform(0, 60)
        c.update(status="archived", archived=archived, updated=archived, version=c["version"] + 1)
    return c


def _flag(c: dict, at: float) -> dict:
    """The lateness the clock shows at ``at``."""
    if c["due"] is not None and at >= c["due"]:
        c["time_state"] = "late"
    elif c["warn"] is not None and at >= c["warn"]:
        c["time_state"] = "due_soon"
    else:
        c["time_state"] = "on_time"
    return c


def bench_cases_delete() -> int:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_caseevent e JOIN incidents_case c ON c.id = e.case_id "
                       "WHERE c.tracking_number LIKE %s", [PREFIX + "%"])
        if cursor.fetchone()[0]:
            sys.exit("bench cases (B…) have case log entries (someone acted on them): the log is append-only, "
                     "so they cannot be deleted; recreate grid_bench (`.venv/bin/python bench/seed.py`)")
        cursor.execute("DELETE FROM incidents_case WHERE tracking_number LIKE %s", [PREFIX + "%"])
        return cursor.rowcount


def cases_load(n: int, seed: int, now: float) -> None:
    """Delete earlier bench cases, generate N and COPY them in; VACUUM ANALYZE."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gis_core.models import Role, User
    from incidents.models import Category

    started = time.perf_counter()
    removed = bench_cases_delete()
    if removed:
        say(f"  deleted {removed:,} bench cases of an earlier run")
    rng = random.Random(seed)
    categories = list(Category.objects.filter(parent__isnull=False, active=True).order_by("code"))
    if not categories:
        sys.exit("no case categories in grid_bench: is the incidents data migration applied?")
    weights = [CATEGORY_WEIGHTS.get(c.code, 1) for c in categories]
    cells, points = cells_and_points(rng, n, seed)
    cell_of = {c.id: c for c in cells}
    queue = [cell for cell, pts in points.items() for _ in pts]
    rng.shuffle(queue)
    leaders = {}
    for user_id, prefixes in User.objects.filter(role=Role.GRID_LEADER).values_list("id", "area_prefixes"):
        if len(prefixes) == 1:
            leaders.setdefault(prefixes[0], user_id)
    tz = timezone.get_default_timezone()
    today = dt.datetime.fromtimestamp(now, tz).date()
    clock = WorkingClock(today - dt.timedelta(days=DAYS + 2), today + dt.timedelta(days=3 * 366))
    times = reported_times(rng, n, now)
    say(f"  generated locations and report times in {time.perf_counter() - started:.1f} s; loading with COPY …")

    def stamp(t: float | None):
        return None if t is None else dt.datetime.fromtimestamp(t, dt.UTC)

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('incidents_case', 'id')) "
                           "FROM generate_series(1, %s)", [n])
            ids = [r[0] for r in cursor.fetchall()]
        earlier_in_cell: dict[int, list[int]] = defaultdict(list)   # filed case ids per cell, for duplicates
        raw = connection.connection
        copy_started = time.perf_counter()
        step = max(10_000, n // 10)
        with raw.cursor() as cursor, cursor.copy(
                f"COPY incidents_case ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for i in range(n):
                cell = cell_of[queue[i]]
                x, y = points[cell.id].pop()
                category = rng.choices(categories, weights)[0]
                c = case_life(rng, category, times[i], now, clock)
                duplicate_of = None
                if c["status"] == "duplicate":
                    earlier = earlier_in_cell[cell.id]
                    if earlier:
                        duplicate_of = rng.choice(earlier[-50:])
                    else:
                        c["status"] = "rejected"
                elif c["filed"] is not None:
                    earlier_in_cell[cell.id].append(ids[i])
                source = c["source"]
                name = phone = email = ""
                reporter = None
                token = None
                if source == "grid_leader":
                    reporter = leaders.get(cell.code)
                else:
                    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < .6 else "")
                    phone = f"1{rng.choice('3578')}{rng.randrange(10 ** 9):09d}"
                    if source == "open311":
                        email = f"r{rng.randrange(10 ** 6)}@example.cn" if rng.random() < 0.3 else ""
                        token = uuid.UUID(int=rng.getrandbits(128), version=4)
                reported = dt.datetime.fromtimestamp(times[i], tz)
                copy.write_row((
                    ids[i], f"{PREFIX}{reported:%Y%m%d}-{cell.code[:9]}-{i:06d}", f"{rng.getrandbits(64):016x}", category.kind, category.id,
                    f"{category.name}（基准测试案件）", "", f"SRID=4326;POINT({x!r} {y!r})", cell.id,
                    cell.parent_id, cell.parent.parent_id, c["department"], category.urgency, source, c["status"],
                    c["time_state"], duplicate_of, reporter, name, phone, email, token, c["time_limit"],
                    category.round_the_clock, stamp(c["warn"]), stamp(c["due"]), stamp(c["paused_at"]),
                    c["paused_from"], c["pending_request"], c["pending_hours"], stamp(times[i]), stamp(c["filed"]),
                    stamp(c["dispatched"]), stamp(c["reported_back"]), stamp(c["closed"]), c["closed_on_time"],
                    stamp(c["evaluated"]), stamp(c["archived"]), stamp(c["deferred"]), c["reworks"],
                    c["extensions"], c["supervisions"], c["rating"], c["reporter_rating"], c["version"],
                    stamp(c["updated"])))
                if (i + 1) % step == 0 or i + 1 == n:
                    rate = (i + 1) / (time.perf_counter() - copy_started)
                    say(f"  {i + 1:>9,} / {n:,} cases  ({100 * (i + 1) / n:3.0f} %, {rate:,.0f} rows/s)")
    copy_seconds = time.perf_counter() - copy_started
    say("  VACUUM ANALYZE incidents_case …")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) incidents_case")
    say(f"  loaded {n:,} cases in {time.perf_counter() - started:.1f} s "
        f"(COPY incl. generation and index upkeep {copy_seconds:.1f} s, {n / copy_seconds:,.0f} rows/s)")


def cases_describe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FILTER (WHERE tracking_number NOT LIKE %s) FROM incidents_case",
                       [PREFIX + "%"])
        others = cursor.fetchone()[0]
        cursor.execute("SELECT status, count(*) FROM incidents_case WHERE tracking_number LIKE %s "
                       "GROUP BY 1 ORDER BY 2 DESC", [PREFIX + "%"])
        by_status = cursor.fetchall()
        cursor.execute(
            """SELECT count(*) FILTER (WHERE closed_on_time), count(*) FILTER (WHERE NOT closed_on_time),
                      count(*) FILTER (WHERE status = ANY(%(open)s)),
                      count(*) FILTER (WHERE status = ANY(%(open)s) AND time_state = 'late'),
                      count(*) FILTER (WHERE status = ANY(%(open)s) AND time_state = 'due_soon'),
                      count(*) FILTER (WHERE rework_count > 0), count(*) FILTER (WHERE extension_count > 0),
                      count(*) FILTER (WHERE deferred_at IS NOT NULL)
               FROM incidents_case WHERE tracking_number LIKE %(prefix)s""",
            {"open": open_statuses(), "prefix": PREFIX + "%"})
        on_time, late, open_, open_late, open_soon, reworked, extended, deferred = cursor.fetchone()
    total = sum(n for _, n in by_status)
    say("  " + ", ".join(f"{status} {count:,}" for status, count in by_status))
    say(f"  closed on time {on_time:,} ({100 * on_time / max(1, on_time + late):.1f} % of closed), late {late:,}; "
        f"open {open_:,} ({open_late:,} late, {open_soon:,} due soon); "
        f"reworked {reworked:,}, extended {extended:,}, deferred {deferred:,}")
    if others:
        say(f"  (and {others:,} other cases in grid_bench, not the benchmark's; they count in every figure)")
    assert total > 0


def open_statuses() -> list[str]:
    from incidents.models import OPEN_STATUSES

    return [str(s) for s in OPEN_STATUSES]


# --------------------------------------------------------------------------- plans

def plan_summary(label: str, sql: str, params) -> None:
    """The top node of EXPLAIN (ANALYZE, BUFFERS), the scans of incidents_case (index or
    sequential), sorts, and the execution time."""
    from django.db import connection

    with connection.cursor() as cursor:
        for _ in range(2):  # the second: warm caches
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [r[0] for r in cursor.fetchall()]
    top = lines[0].strip()
    buffers = next((ln.strip() for ln in lines[1:3] if ln.strip().startswith("Buffers:")), "")
    scans, sorts = [], []
    for line in lines:
        text = line.strip().removeprefix("->").strip()
        if " on incidents_case" in text or (" Scan" in text and "case" in text):
            scans.append(text.split("  (")[0])
        elif text.startswith("Sort Method"):
            sorts.append(text)
    indexes = sorted({t.split(" using ")[1].split(" ")[0] for t in scans if " using " in t}
                     | {t.split(" on ")[1].split(" ")[0] for t in scans if t.startswith("Bitmap Index Scan on ")})
    sequential = [t for t in scans if t.startswith(("Seq Scan", "Parallel Seq Scan"))]
    timing = ", ".join(ln.strip() for ln in lines if ln.startswith(("Planning Time", "Execution Time")))
    verdict = ("indexes used: " + ", ".join(indexes)) if indexes else "NO index used"
    if sequential:
        verdict += "; sequential scan: " + "; ".join(sequential)
    say(f"  {label}")
    say(f"    top:    {top}")
    if buffers:
        say(f"            {buffers}")
    say(f"    scans:  {verdict}")
    for sort in sorts:
        say(f"    sort:   {sort}")
    say(f"    time:   {timing}")


# --------------------------------------------------------------------------- measures

def bench_metrics(bare, dispatcher, street_user, street_area, runs: int, results: Results) -> None:
    from django.utils import timezone

    from incidents.metrics import case_metrics
    from incidents.selectors import cases_for

    tz = timezone.get_default_timezone()
    today = timezone.localdate()
    until = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tz)
    year = dt.datetime.combine(today - dt.timedelta(days=DAYS), dt.time(), tz)
    month = dt.datetime.combine(today - dt.timedelta(days=29), dt.time(), tz)
    street_scope = "AND street_id = %(street)s"
    measures = [("district, by community", dispatcher, "", "community", year),
                ("district, by month", dispatcher, "", "month", year),
                (f"street {street_area.name}, by community", street_user, street_scope, "community", year),
                (f"street {street_area.name}, by month", street_user, street_scope, "month", year),
                ("district, by community, 30 d", dispatcher, "", "community", month)]
    say(f"\nmetrics: case_metrics(cases_for(user), by=…) over the 12 months {year:%Y-%m-%d} – {until:%Y-%m-%d} "
        f"(the last line: 30 days), {runs} runs")
    header("case_metrics")
    for label, user, scope, by, since in measures:
        sql = BARE_METRICS.format(key=BARE_METRIC_KEYS[by], scope=scope)
        params = {"since": since, "until": until, "street": street_area.id}

        def run_app(i, user=user, by=by, since=since):
            return case_metrics(cases_for(user), by=by, since=since, until=until)

        def run_bare(i, sql=sql, params=params):
            with bare.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        rows = run_app(0)
        run_bare(0)
        times = interleaved(runs, {"app": run_app, "bare": run_bare})
        total = rows[-1]
        row(results, "metrics", label, times["app"], times["bare"], f"{len(rows) - 1} groups; filed {total.filed:,}, due {total.due:,}, "
            f"closed on time {total.on_time_rate} %")


def bench_queue(bare, client, runs: int, results: Results) -> list[tuple[str, object]]:
    """Times the queue; returns the SQL (and parameters) one request runs."""
    from django.db import connection

    def run_app(i):
        response = client.get(QUEUE_URL)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response

    def run_bare(i):
        with bare.cursor() as cursor:
            cursor.execute(BARE_QUEUE, {"open": open_statuses()})
            return cursor.fetchall()

    body = run_app(0).json()
    run_bare(0)
    queries: list[tuple[str, object]] = []

    def capture(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        run_app(0)
    times = interleaved(runs, {"app": run_app, "bare": run_bare})
    say(f"\ndesk queue: GET {QUEUE_URL} as bench-dispatcher, {runs} runs")
    header("endpoint")
    row(results, "desk queue", "first page of 50", times["app"], times["bare"],
        f"{len(body['features'])} of {body['count']:,} open cases; {len(queries)} SQL queries per request")
    return queries


def bench_nearby(bare, dispatcher, points, runs: int, results: Results) -> None:
    from django.conf import settings
    from django.contrib.gis.geos import Point

    from gis_core.spatial import degrees_reaching
    from incidents.selectors import cases_for, cases_nearby

    radius = settings.INCIDENTS_NEARBY_M
    found = []

    def run_app(i):
        x, y = points[i % len(points)]
        cases = list(cases_nearby(cases_for(dispatcher), point=Point(x, y, srid=4326))[:20])
        found.append(len(cases))
        return cases

    def params(i):
        x, y = points[i % len(points)]
        degrees = degrees_reaching(radius, y)
        return {"point": f"SRID=4326;POINT({x!r} {y!r})", "open": open_statuses(), "radius": radius,
                "degrees": degrees}

    def run_bare(i, sql=BARE_NEARBY):
        with bare.cursor() as cursor:
            cursor.execute(sql, params(i))
            return cursor.fetchall()

    run_app(0)
    run_bare(0)
    found.clear()
    rounds = runs * 4  # cheap; more points
    times = interleaved(rounds, {"app": run_app, "bare": run_bare})
    naive = interleaved(max(3, runs // 3), {"bare": lambda i: run_bare(i, BARE_NEARBY_NO_BOX)})["bare"]
    say(f"\nnearby duplicates: cases_nearby(cases_for(bench-dispatcher), point, {radius:g} m)[:20] "
        f"at {rounds} points (half near open cases)")
    header("cases_nearby")
    row(results, "cases_nearby", "nearby open cases", times["app"], times["bare"],
        f"{sum(found) / len(found):.1f} cases found on average, at most {max(found)}")
    say(f"  (bare, ST_DWithin on geography alone, without the && box for the GiST index: p50 {p50(naive):.1f} ms)")


def densest_tile(z: int) -> tuple[int, int, int]:
    from django.db import connection

    from tiles.tilemath import tiles_covering

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X(location), ST_Y(location) FROM incidents_case WHERE status = ANY(%s)",
                       [open_statuses()])
        counts: Counter = Counter()
        for lon, lat in cursor.fetchall():
            (x, y), = tiles_covering((lon, lat, lon, lat), z)
            counts[(x, y)] += 1
    (x, y), _ = counts.most_common(1)[0]
    return z, x, y


def bench_tile(bare, client, runs: int, results: Results) -> None:
    import mapbox_vector_tile

    from tiles.tilemath import tile_envelope_4326

    z, x, y = densest_tile(TILE_Z)
    url = f"/tiles/cases/{z}/{x}/{y}.pbf"
    params = {"z": z, "x": x, "y": y, "open": open_statuses(),
              "envelope": tile_envelope_4326(z, x, y, margin=64 / 4096).hexewkb.decode()}

    def run_app(i):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200, response.status_code
        return response

    def run_bare(i):
        with bare.cursor() as cursor:
            cursor.execute(BARE_TILE, params, binary=True)
            return cursor.fetchone()[0]

    size = len(run_bare(0))
    run_app(0)
    times = interleaved(runs, {"app": run_app, "bare": run_bare})
    features = mapbox_vector_tile.decode(client.get(url).content)["cases"]["features"]
    say(f"\nlive cases tile: GET {url} (densest z{z} tile of open cases) as bench-dispatcher, {runs} runs")
    header("endpoint")
    row(results, "live cases tile", f"z{z}/{x}/{y}", times["app"], times["bare"], f"{len(features):,} open cases, {size / 1024:.0f} KiB")


def plans(queue_queries, dispatcher, points) -> None:
    from django.contrib.gis.geos import Point

    from incidents.selectors import cases_for, cases_nearby

    say("\nplans (EXPLAIN ANALYZE, BUFFERS; planning and execution time of one warm run):")
    case_queries = [(sql, params) for sql, params in queue_queries if "incidents_case" in sql]
    for sql, params in case_queries:
        kind = "count" if sql.startswith("SELECT COUNT(*)") else "page"
        plan_summary(f"desk queue, {kind} query (one of {len(queue_queries)} queries of the request)", sql, params)
    x, y = points[0]
    sql, params = cases_nearby(cases_for(dispatcher), point=Point(x, y, srid=4326))[:20].query.sql_with_params()
    plan_summary("nearby duplicates (cases_nearby)", sql, params)


def nearby_points(rng: random.Random, n: int) -> list[tuple[float, float]]:
    """Half near open cases (within ~40 m: where a duplicate would be reported), half
    uniformly over the district's cells."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT ST_X(location), ST_Y(location) FROM incidents_case WHERE status = ANY(%s) "
                       "ORDER BY id", [open_statuses()])
        open_points = cursor.fetchall()
        cursor.execute("SELECT ST_X(d.geom), ST_Y(d.geom) FROM (SELECT ST_Union(boundary) AS g FROM gis_core_area "
                       "WHERE level = 5) u CROSS JOIN LATERAL ST_Dump(ST_GeneratePoints(u.g, %s, %s)) d",
                       [n, rng.randrange(1, 10 ** 6)])
        uniform = cursor.fetchall()
    points = []
    for i in range(n):
        if i % 2 == 0 and open_points:
            x, y = rng.choice(open_points)
            points.append((x + rng.uniform(-4e-4, 4e-4), y + rng.uniform(-3.6e-4, 3.6e-4)))
        else:
            points.append(uniform[i])
    return points


# --------------------------------------------------------------------------- main

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=None, help="cases to load (default 200,000; --quick 20,000)")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per measure (default 15; --quick 5)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the bench cases afterwards")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 20,000 cases, 5 runs")
    args = parser.parse_args()
    n = args.cases or (20_000 if args.quick else 200_000)
    runs = args.runs or (5 if args.quick else 15)
    bench_url = use_bench_database()

    from django.test import Client
    from django.utils import timezone

    started = time.perf_counter()
    results = Results()
    dispatcher, street_user, street_area = bench_users()
    now = timezone.now().timestamp()
    say(f"grid_bench: loading {n:,} bench cases ({PREFIX}…) over the last {DAYS} days, seed {args.seed}")
    try:
        cases_load(n, args.seed, now)
        cases_describe()
        client = Client()
        client.force_login(dispatcher)
        points = nearby_points(random.Random(args.seed + 1), runs * 4)
        with bare_connection(bench_url) as bare:
            bench_metrics(bare, dispatcher, street_user, street_area, runs, results)
            queue_queries = bench_queue(bare, client, runs, results)
            bench_nearby(bare, dispatcher, points, runs, results)
            bench_tile(bare, client, runs, results)
        plans(queue_queries, dispatcher, points)
        say("\nratio: app p50 / bare SQL p50 (bare: no scoping, no ORM, no serialization, plain psycopg)")
    finally:
        if args.keep:
            say(f"\nkept the bench cases ({PREFIX}…); the next run replaces them")
        else:
            removing = time.perf_counter()
            removed = bench_cases_delete()
            say(f"\nremoved {removed:,} bench cases in {time.perf_counter() - removing:.1f} s")
    say(f"wall time {time.perf_counter() - started:.0f} s")
    results.print()


if __name__ == "__main__":
    main()
