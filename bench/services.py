"""Benchmark: public-service applications at district scale — 200,000 over a year.

    .venv/bin/python bench/services.py [--applications 200000] [--runs 15] [--seed 2026] [--keep] [--quick]

In the database grid_bench, N bench applications (numbers ``BJB…``) are loaded with COPY,
after deleting those of an earlier run, with their logs (ApplicationStep: filed, accepted,
forwarded, decided, issued, collected as far as each got) and the applicants' ratings
(好差评, about two in three collected; the poor ones with their follow-ups): received on
the working days of the last 12 months in the communities of the demo district, under
the default catalogue (services.defaults), in the states a year of work leaves — most
collected on time, some late, refused, withdrawn, a backlog of late open ones and the last
weeks' still in the flow. Then, as ``bench-services`` (a district administrator), each
against its bare SQL in the same run, taking turns within each round (p50 and p90 over
--runs):

- the desk queue's first page: GET /api/v1/applications/?open=true&ordering=due_date&page_size=50
  through Django's test Client — vs the bare ``SELECT … WHERE state IN (open) ORDER BY
  due_date LIMIT 50`` and its count;
- metrics: services.metrics.application_metrics(applications_for(user), group_by=item|month)
  over the 12 months — vs the bare ``count(*) FILTER (…) GROUP BY item_id`` (or the month
  of receipt) over the same rows;
- tracking by number: services.selectors.application_public(number, check=key) (the
  portal's lookup) for random numbers — vs the bare ``SELECT … WHERE number = %s``.
The bench applications are deleted at the end unless --keep (their append-only logs with
the trigger ignored for that statement only). ``--quick``: 20,000 applications, 5 runs.

Needs the database grid_bench (`.venv/bin/python bench/seed.py`); waits while a seed runs.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.cases import header, row  # the tables' layout, shared
from bench.lib.database import bare_connection, use_bench_database
from bench.lib.report import Results, say
from bench.lib.timing import interleaved
from bench.lib.users import bench_user

PREFIX = "BJB"  # bench application numbers (real ones: BJ + the community's code)
DAYS = 365
QUEUE_URL = "/api/v1/applications/?open=true&ordering=due_date&page_size=50"
OPEN = ["received", "correction", "accepted", "forwarded", "approved", "suspended"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
COLUMNS = ["id", "number", "tracking_key", "item_id", "applicant_name", "applicant_id_number", "applicant_phone",
           "area_id", "state", "department_id", "level", "channel", "note", "received_at", "promised_days",
           "due_date", "paused_from", "paused_days", "accepted_at", "decided_at", "decided_on_time", "closed_at",
           "version", "updated_at"]
STEP_COLUMNS = ["application_id", "at", "action", "from_state", "to_state", "note", "data"]

BARE_QUEUE = """
SELECT a.id, a.number, a.item_id, a.applicant_name, a.area_id, a.state, a.department_id, a.received_at, a.due_date,
       a.version, i.name, r.name
FROM services_application a JOIN services_serviceitem i ON i.id = a.item_id JOIN gis_core_area r ON r.id = a.area_id
WHERE a.state = ANY(%(open)s) ORDER BY a.due_date, a.id LIMIT 50
"""
BARE_COUNT = "SELECT count(*) FROM services_application WHERE state = ANY(%(open)s)"
BARE_METRICS = """
SELECT {key},
       count(*) FILTER (WHERE received_at >= %(since)s AND received_at < %(until)s),
       count(*) FILTER (WHERE decided_at >= %(since)s AND decided_at < %(until)s),
       count(*) FILTER (WHERE decided_at >= %(since)s AND decided_at < %(until)s AND decided_on_time),
       avg(r.level) FILTER (WHERE r.rated_at >= %(since)s AND r.rated_at < %(until)s)
FROM services_application a LEFT JOIN services_applicationrating r ON r.application_id = a.id
WHERE a.received_at >= %(since)s AND a.received_at < %(until)s OR a.decided_at >= %(since)s AND a.decided_at < %(until)s
GROUP BY 1
"""
BARE_METRIC_KEYS = {"item": "a.item_id", "month": "date_trunc('month', a.received_at AT TIME ZONE 'Asia/Shanghai')"}
BARE_TRACK = "SELECT id, number, tracking_key, applicant_phone, state, item_id FROM services_application WHERE number = %s"


def working_days_after(day: dt.date, n: int) -> dt.date:
    """Mon–Fri arithmetic without the calendar's exceptions (no query per row)."""
    while n > 0:
        day += dt.timedelta(days=1)
        n -= day.weekday() < 5
    return day


# --------------------------------------------------------------------------- loading

def bench_applications_delete() -> int:
    import pgtrigger
    from django.db import connection, transaction

    like = [PREFIX + "%"]
    with transaction.atomic(), connection.cursor() as cursor:
        mine = "SELECT id FROM services_application WHERE number LIKE %s"
        cursor.execute(f"DELETE FROM services_followup WHERE application_id IN ({mine})", like)
        cursor.execute(f"DELETE FROM services_applicationrating WHERE application_id IN ({mine})", like)
        with pgtrigger.ignore("services.ApplicationStep:append_only"):
            cursor.execute(f"DELETE FROM services_applicationstep WHERE application_id IN ({mine})", like)
        cursor.execute("DELETE FROM services_application WHERE number LIKE %s", like)
        return cursor.rowcount


def life(rng: random.Random, received: dt.datetime, promised: int, today: dt.date) -> dict:
    """Where a year of work has taken an application received at ``received``."""
    tz = received.tzinfo
    day = received.date()
    due = working_days_after(day, promised)
    age = (today - day).days
    steps = [("file", "", "received", received)]
    a = {"due": due, "accepted": None, "decided": None, "on_time": None, "closed": None, "paused": 0,
         "state": "received", "forwarded": False}
    at = received

    def step(action, to, hours):
        nonlocal at
        at = at + dt.timedelta(hours=hours)
        steps.append((action, a["state"], to, at))
        a["state"] = to
        return at

    if rng.random() < 0.15:  # 补正 first
        step("request_materials", "correction", 0.2)
        if age < 3 and rng.random() < 0.6:
            return a | {"steps": steps}
        a["paused"] = rng.randint(1, 4)
        a["due"] = working_days_after(due, a["paused"])
        step("supplement", "received", 24 * a["paused"] * 1.4)
    if rng.random() < 0.02:
        a["closed"] = step("not_accept", "not_accepted", 1)
        return a | {"steps": steps}
    a["accepted"] = step("accept", "accepted", 0.5)
    if rng.random() < 0.03:
        a["closed"] = step("withdraw", "withdrawn", 24 * rng.uniform(1, 10))
        return a | {"steps": steps}
    step("forward", "forwarded", rng.uniform(1, 30))
    a["forwarded"] = True
    late = rng.random() < 0.12
    span = promised * 1.4 * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.2, 0.95))
    decided = at + dt.timedelta(days=span)
    if decided.date() > today:
        return a | {"steps": steps}  # still with the department (late if past due)
    at = decided - dt.timedelta(hours=0)
    refused = rng.random() < 0.05
    steps.append(("reject" if refused else "approve", "forwarded", "rejected" if refused else "approved", at))
    a["state"] = "rejected" if refused else "approved"
    a["decided"], a["on_time"] = at, at.astimezone(tz).date() <= a["due"]
    if refused:
        a["closed"] = at
        return a | {"steps": steps}
    if (at + dt.timedelta(days=1)).date() > today:
        return a | {"steps": steps}
    step("issue", "issued", 24)
    if (at + dt.timedelta(days=2)).date() > today:
        return a | {"steps": steps}
    a["closed"] = step("collect", "collected", 24 * rng.uniform(0.2, 5))
    return a | {"steps": steps}


def applications_load(n: int, seed: int) -> int:
    """Delete earlier bench applications, generate N with their logs and ratings, COPY them
    in; VACUUM ANALYZE. Returns how many were rated."""
    from django.db import connection, transaction
    from django.utils import timezone

    from gis_core.models import Area, AreaLevel
    from services.models import ItemStatus, ServiceItem

    started = time.perf_counter()
    removed = bench_applications_delete()
    if removed:
        say(f"  deleted {removed:,} bench applications of an earlier run")
    rng = random.Random(seed)
    communities = list(Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("id", flat=True))
    items = list(ServiceItem.objects.filter(status=ItemStatus.IN_FORCE).values_list("id", "promised_days",
                                                                                    "department_id"))
    if not communities or not items:
        sys.exit("grid_bench has no communities or no service items: is it seeded and migrated?")
    tz = timezone.get_default_timezone()
    now = timezone.now()
    today = timezone.localdate(now)
    weekdays = [today - dt.timedelta(days=d) for d in range(DAYS) if (today - dt.timedelta(days=d)).weekday() < 5]
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('services_application', 'id')) "
                       "FROM generate_series(1, %s)", [n])
        ids = [r[0] for r in cursor.fetchall()]
    lives = []
    for i in range(n):
        day = rng.choice(weekdays)
        received = dt.datetime.combine(day, dt.time(9), tz) + dt.timedelta(minutes=rng.randint(0, 8 * 60))
        item_id, promised, department_id = rng.choice(items)
        lives.append((ids[i], item_id, promised, department_id, received,
                      life(rng, received, promised, today)))
    say(f"  generated {n:,} applications in {time.perf_counter() - started:.1f} s; loading with COPY …")

    def stamp(t):
        return None if t is None else t.astimezone(dt.UTC)

    rated = 0
    with transaction.atomic():
        raw = connection.connection
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY services_application ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for pk, item_id, promised, department_id, received, a in lives:
                    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                    copy.write_row([
                        pk, f"{PREFIX}{pk:09d}", f"{rng.getrandbits(64):016x}", item_id, name, "",
                        f"139{rng.randint(0, 99_999_999):08d}", rng.choice(communities), a["state"],
                        department_id if a["forwarded"] else None, "street" if a["forwarded"] else "", "desk", "",
                        stamp(received), promised, a["due"], "correction" if a["state"] == "correction" else "",
                        a["paused"], stamp(a["accepted"]), stamp(a["decided"]), a["on_time"], stamp(a["closed"]),
                        len(a["steps"]), stamp(now)])
            with cursor.copy(f"COPY services_applicationstep ({', '.join(STEP_COLUMNS)}) FROM STDIN") as copy:
                for pk, *_rest, a in lives:
                    for action, before, after, at in a["steps"]:
                        copy.write_row([pk, stamp(at), action, before, after, "", "{}"])
            ratings = []
            for pk, *_rest, a in lives:
                if a["state"] == "collected" and rng.random() < 0.66:
                    level = rng.choices([5, 4, 3, 2, 1], [60, 25, 9, 4, 2])[0]
                    rated_at = a["closed"] + dt.timedelta(hours=rng.uniform(0.01, 48))
                    ratings.append((pk, level, "desk" if rng.random() < 0.5 else "sms", stamp(min(rated_at, now))))
            with cursor.copy("COPY services_applicationrating (application_id, level, channel, comment, rated_at) "
                             "FROM STDIN") as copy:
                for pk, level, channel, at in ratings:
                    copy.write_row([pk, level, channel, "", at])
        rated = len(ratings)
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO services_followup (rating_id, application_id, area_id, state, opened_at, outcome)
                   SELECT r.id, a.id, a.area_id, 'open', r.rated_at, '' FROM services_applicationrating r
                   JOIN services_application a ON a.id = r.application_id
                   WHERE a.number LIKE %s AND r.level <= 2""", [PREFIX + "%"])
    with connection.cursor() as cursor:
        for table in ("services_application", "services_applicationstep", "services_applicationrating",
                      "services_followup"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    say(f"  loaded in {time.perf_counter() - started:.1f} s: {n:,} applications, "
        f"{sum(len(a['steps']) for *_r, a in lives):,} steps, {rated:,} ratings")
    return rated


def applications_describe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT state, count(*) FROM services_application WHERE number LIKE %s GROUP BY 1 "
                       "ORDER BY 2 DESC", [PREFIX + "%"])
        say("  " + ", ".join(f"{state} {count:,}" for state, count in cursor.fetchall()))


# --------------------------------------------------------------------------- measures

def bench_queue(bare, client, runs: int, results: Results) -> None:
    from django.db import connection

    def run_app(i):
        response = client.get(QUEUE_URL)
        assert response.status_code == 200, (response.status_code, response.content[:300])
        return response

    def run_bare(i):
        with bare.cursor() as cursor:
            cursor.execute(BARE_COUNT, {"open": OPEN})
            cursor.fetchall()
            cursor.execute(BARE_QUEUE, {"open": OPEN})
            return cursor.fetchall()

    body = run_app(0).json()
    run_bare(0)
    queries = []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: queries.append(sql)
                                    or execute(sql, params, many, context)):
        run_app(0)
    times = interleaved(runs, {"app": run_app, "bare": run_bare})
    say(f"\ndesk queue: GET {QUEUE_URL} as bench-services, {runs} runs")
    header("endpoint")
    row(results, "desk queue", "first page of 50", times["app"], times["bare"],
        f"{len(body['results'])} of {body['count']:,} open; {len(queries)} SQL queries per request")


def bench_metrics(bare, user, runs: int, results: Results) -> None:
    from django.utils import timezone

    from services.metrics import application_metrics
    from services.selectors import applications_for

    tz = timezone.get_default_timezone()
    first = (timezone.localdate() - dt.timedelta(days=DAYS - 31)).replace(day=1)
    since = dt.datetime.combine(first, dt.time(), tz)
    until = dt.datetime.combine((timezone.localdate().replace(day=28) + dt.timedelta(days=4)).replace(day=1),
                                dt.time(), tz)
    say(f"\nmetrics: application_metrics(applications_for(user), group_by=…) over {since:%Y-%m} – {until:%Y-%m} "
        f"(exclusive), {runs} runs")
    header("application_metrics")
    for group_by in ("item", "month"):
        sql = BARE_METRICS.format(key=BARE_METRIC_KEYS[group_by])
        params = {"since": since, "until": until}

        def run_app(i, group_by=group_by):
            return application_metrics(applications_for(user), group_by=group_by, since=since, until=until)

        def run_bare(i, sql=sql):
            with bare.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        rows = run_app(0)
        run_bare(0)
        times = interleaved(runs, {"app": run_app, "bare": run_bare})
        total = rows[-1]
        row(results, "metrics", f"district, by {group_by}", times["app"], times["bare"],
            f"{len(rows) - 1} groups; {total.applications:,} applications, on time {total.on_time_rate} %, "
            f"{total.mean_working_days} working days, satisfied {total.satisfaction_rate} %")


def bench_tracking(bare, runs: int, seed: int, results: Results) -> None:
    from django.db import connection

    from services.selectors import application_public

    with connection.cursor() as cursor:
        cursor.execute("SELECT number, tracking_key FROM services_application WHERE number LIKE %s "
                       "ORDER BY random() LIMIT %s", [PREFIX + "%", runs])
        picks = cursor.fetchall()
    picks = picks * (runs // max(1, len(picks)) + 1)

    def run_app(i):
        return application_public(picks[i][0], check=picks[i][1])

    def run_bare(i):
        with bare.cursor() as cursor:
            cursor.execute(BARE_TRACK, [picks[i][0]])
            return cursor.fetchone()

    times = interleaved(runs, {"app": run_app, "bare": run_bare})
    say(f"\ntracking by number: application_public(number, check=key), {runs} random numbers")
    header("application_public")
    row(results, "tracking", "by number and query code", times["app"], times["bare"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=None, help="default 200,000; --quick 20,000")
    parser.add_argument("--runs", type=int, default=None, help="timed runs per measure (default 15; --quick 5)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the bench applications afterwards")
    parser.add_argument("--quick", action="store_true", help="a smoke test: 20,000 applications, 5 runs")
    args = parser.parse_args()
    n = args.applications or (20_000 if args.quick else 200_000)
    runs = args.runs or (5 if args.quick else 15)
    bench_url = use_bench_database()

    from django.test import Client

    from gis_core.models import Area, Role

    started = time.perf_counter()
    results = Results()
    user = bench_user("bench-services", Role.DISTRICT_ADMIN, Area.objects.get(parent=None))
    say(f"grid_bench: loading {n:,} bench applications ({PREFIX}…) over the last {DAYS} days, seed {args.seed}")
    try:
        applications_load(n, args.seed)
        applications_describe()
        client = Client()
        client.force_login(user)
        with bare_connection(bench_url) as bare:
            bench_queue(bare, client, runs, results)
            bench_metrics(bare, user, runs, results)
            bench_tracking(bare, runs, args.seed, results)
        say("\nratio: app p50 / bare SQL p50 (bare: no scoping, no ORM, no serialization, plain psycopg)")
    finally:
        if args.keep:
            say(f"\nkept the bench applications ({PREFIX}…); the next run replaces them")
        else:
            removing = time.perf_counter()
            removed = bench_applications_delete()
            say(f"\nremoved {removed:,} bench applications in {time.perf_counter() - removing:.1f} s")
    say(f"wall time {time.perf_counter() - started:.0f} s")
    results.print()


if __name__ == "__main__":
    main()
