"""Set-wise metrics in one SQL statement, shared by the apps' assessments (incidents' case
metrics, services' application metrics).

The rows are an app's already scoped queryset as ``values()`` with its dates (and, to group
by a column, ``m_key``: the id of a row of a ``labels`` model, whose code and name label the
group). Each figure (an Aggregate) belongs to one date and counts the rows with that date
in the period [since, until): a row is flagged ``in_<date>`` for each of its dates in it.
Grouped by a key, every figure is computed per key. Grouped by a period (day, week,
month), each date falls in the local period that holds it — a bucket found by binary
search (``width_bucket``) among the periods' starts, computed here, not a time zone
conversion per row — and each date's figures are grouped by its own bucket, over the rows
of that date only. The total (the last row) is combined from the groups' counts and sums.

Near the bare SQL's speed because it is one hash aggregation per grouping, each row
aggregated once per date: no row repeated per date, no text built or sorted per row, no
second aggregation for the total, labels joined to the few groups after grouping. A
percentile (an ordered-set aggregate: it sorts its values, so cannot be hashed nor
combined) makes a key's grouping one sorted pass (with the total), and has a pass of its
own over its date's rows in a period's grouping. Measures in float8, not numeric.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import Model, QuerySet
from django.utils import timezone

from gis_core.replicas import read_alias

PERIODS = {"day": "day", "week": "week", "month": "month"}


@dataclass(frozen=True)
class Dated:
    """One date a figure tests: ``name`` (its flag is ``k.in_<name>``) and ``column``, SQL
    of a timestamptz over ``c`` (the values' row) or, with ``day``, of a date (a calendar
    day, counted as its local midnight: compared with dates, no conversion per row).
    ``measure``: SQL of a number that belongs to this date (the handling time of the
    closing date), ``k.measure``; at most one date has one."""

    name: str
    column: str
    measure: str | None = None
    day: bool = False


@dataclass(frozen=True)
class Aggregate:
    """One figure over the rows that have its ``date`` (a Dated name) in the period: SQL of
    an aggregate over ``k`` (the flags, ``k.measure``, the values' columns) of a ``kind`` —
    "count" and "mean" combine from the groups' into the total (no second aggregation per
    row), "ordered" (a percentile, which sorts its values) runs in a pass of its own over
    its date's rows, with the total. Build them with counted, mean and percentile."""

    date: str
    sql: str
    kind: str
    type: str  # its SQL type, for the other passes' NULL in its column


def counted(date: str, condition: str = "") -> Aggregate:
    """The rows with ``date`` in the period (and ``condition``, SQL over ``k``)."""
    return Aggregate(date, f"count(*) FILTER (WHERE k.in_{date}{f' AND {condition}' if condition else ''})",
                     "count", "bigint")


def mean(date: str, value: str = "k.measure") -> Aggregate:
    """The mean of ``value`` over the rows with ``date`` in the period (None without any):
    sum and count per group, divided here."""
    within = f"FILTER (WHERE k.in_{date})"
    return Aggregate(date, f"ARRAY[sum({value}) {within}, count({value}) {within}]::float8[]", "mean", "float8[]")


def percentile(date: str, fraction: float, value: str = "k.measure") -> Aggregate:
    """The continuous percentile of ``value`` over the rows with ``date`` in the period."""
    return Aggregate(date, f"percentile_cont({float(fraction)}) WITHIN GROUP (ORDER BY {value})", "ordered", "float8")


def _finished(aggregate: Aggregate, value):
    if aggregate.kind == "count":
        return value or 0
    if aggregate.kind == "mean":
        return value[0] / value[1] if value and value[1] else None
    return value


def _combined(aggregate: Aggregate, values: list):
    if aggregate.kind == "count":
        return sum(v for v in values if v)
    return [sum(v[0] for v in values if v and v[1]), sum(v[1] for v in values if v)]


@dataclass(frozen=True)
class MetricsTotal:
    key: str | None  # None: the total over all groups
    name: str | None
    values: tuple


def rate(part: int, whole: int) -> float | None:
    """``part`` of ``whole`` in %, two decimals; None when there is no whole."""
    return round(100 * part / whole, 2) if whole > 0 else None


def local_time_zone_sql() -> str:
    """The district's time zone as an SQL literal (a setting, checked: never user input)."""
    if not re.fullmatch(r"[A-Za-z0-9_/+-]+", settings.TIME_ZONE):
        raise ValueError(settings.TIME_ZONE)
    return f"'{settings.TIME_ZONE}'"


def day_from(moment: dt.datetime) -> dt.date:
    """The first local day whose midnight is at or after ``moment``: a day column is in
    [since, until) when it is in [day_from(since), day_from(until))."""
    local = timezone.localtime(moment, timezone.get_default_timezone())
    return local.date() + dt.timedelta(days=0 if local.time() == dt.time() else 1)


def period_starts(period: str, since: dt.datetime, until: dt.datetime) -> tuple[list[dt.date], list[dt.datetime]]:
    """The local days, weeks (from Monday) or months that [since, until) touches: each one's
    first day (its key) and the bounds of the buckets — since, each later period's local
    midnight, until."""
    tz = timezone.get_default_timezone()
    if since >= until:
        return [], [since]
    day = since.astimezone(tz).date()
    start = {"day": day, "week": day - dt.timedelta(days=day.weekday()), "month": day.replace(day=1)}[period]
    keys, bounds = [start], [since]
    while True:
        if period == "month":
            start = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        else:
            start += dt.timedelta(days=7 if period == "week" else 1)
        moment = dt.datetime.combine(start, dt.time(), tz)
        if moment >= until:
            break
        keys.append(start)
        bounds.append(moment)
    bounds.append(until)
    return keys, bounds


def grouped_metrics(rows: QuerySet, *, dates: list[Dated], aggregates: list[Aggregate], period: str | None,
                    since: dt.datetime, until: dt.datetime, labels: type[Model] | None = None, with_sql: str = "",
                    with_params: tuple = (), joins: str = "") -> list[MetricsTotal]:
    """The ``aggregates`` per group of ``rows`` — by ``period`` (a PERIODS name) or, when
    None, by its ``m_key`` labelled by ``labels`` (a model with ``code`` and ``name``) —
    then the total. ``with_sql`` (``name AS (…)``, with its params) and ``joins`` (over
    ``c``) bring tables a measure needs (a working calendar)."""
    inner, params = rows.query.sql_with_params()
    measured = [d for d in dates if d.measure]
    if len(measured) > 1:
        raise ValueError("at most one date has a measure")
    names = [d.name for d in dates]
    if any(a.date not in names for a in aggregates):
        raise ValueError("an aggregate of an unknown date")
    if (period is None) != (labels is not None):
        raise ValueError("labels go with a key, not a period")
    measure = measured[0].measure if measured else "NULL"
    flags = "".join(f", {d.column} >= %s AND {d.column} < %s AS in_{d.name}" for d in dates)
    flag_params = [v for d in dates for v in ((day_from(since), day_from(until)) if d.day else (since, until))]
    if period is None:
        # "+ 0": an expression, so that no index on the column feeds the sorted pass (below) in
        # key order — random reads of every row, which the planner picks at 200,000 cases.
        keys, columns, column_params, grouped = [], "c.m_key + 0 AS key, ", [], ["k.key"]
    else:
        keys, bounds = period_starts(PERIODS[period], since, until)
        columns = "".join(f"width_bucket({d.column}, %s::{'date' if d.day else 'timestamptz'}[]) AS b_{d.name}, "
                          for d in dates)
        column_params = [[day_from(b) for b in bounds] if d.day else bounds for d in dates]
        grouped = [f"k.b_{name}" for name in names]
    # One hash-aggregated pass per grouping (by key; by each date's period: only its own
    # figures over only its rows); a percentile sorts: by key, all in one sorted pass, by
    # period, one more pass per date that has one. Each pass yields (part, total?, group,
    # its figures and NULL for the others').
    plain = [a for a in aggregates if a.kind != "ordered"]
    ordered_dates = sorted({a.date for a in aggregates if a.kind == "ordered"}, key=names.index)

    def select(part: int, chosen: list[Aggregate], group: str, where: str, group_by: str, total: str = "0",
               sql=lambda a: a.sql) -> str:
        values = ", ".join(f"{sql(a) if a in chosen else f'NULL::{a.type}'} AS v{i}" for i, a in enumerate(aggregates))
        return f"SELECT {part} AS part, {total} AS total, {group} AS key, {values} FROM k {where} GROUP BY {group_by}"

    passes: list[list[Aggregate]] = []  # the figures of each
    parts = []
    if period is None and ordered_dates:
        # A percentile sorts the rows by group anyway: every figure in that one sorted pass,
        # the total too (cheaper than a hash pass and a second pass over the same rows).
        parts.append(select(0, aggregates, "k.key", "", "GROUPING SETS ((k.key), ())", total="GROUPING(k.key)",
                            sql=lambda a: f"{a.sql} FILTER (WHERE k.in_{a.date})" if a.kind == "ordered" else a.sql))
        passes.append(aggregates)
        ordered_dates = []
    elif period is None:
        parts.append(select(0, plain, "k.key", "", "k.key"))
        passes.append(plain)
    else:
        for i, date in enumerate(names):
            chosen = [a for a in plain if a.date == date]
            if chosen:
                parts.append(select(len(passes), chosen, grouped[i], f"WHERE k.in_{date}", grouped[i]))
                passes.append(chosen)
    for date in ordered_dates:
        chosen = [a for a in aggregates if a.kind == "ordered" and a.date == date]
        column = "k.key" if period is None else grouped[names.index(date)]
        parts.append(select(len(passes), chosen, column, f"WHERE k.in_{date}", f"GROUPING SETS (({column}), ())",
                            total=f"GROUPING({column})"))
        passes.append(chosen)
    union = "\nUNION ALL\n".join(parts)
    values = ", ".join(f"a.v{i}" for i in range(len(aggregates)))
    if labels is None:
        outer = f"SELECT a.part, a.total, a.key, NULL AS name, {values} FROM ({union}) a"
    else:  # the labels of the few groups, joined after grouping
        table = connections[read_alias()].ops.quote_name(labels._meta.db_table)
        outer = f"SELECT a.part, a.total, l.code, l.name, {values} FROM ({union}) a LEFT JOIN {table} l ON l.id = a.key"
    sql = f"""
        WITH {with_sql + ', ' if with_sql else ''}k AS (
            SELECT {columns}c.*, ({measure})::float8 AS measure{flags} FROM ({inner}) c {joins})
        {outer}"""
    with connections[read_alias()].cursor() as cursor:  # a replica inside replica_reads()
        cursor.execute(sql, [*with_params, *column_params, *flag_params, *params])
        fetched = cursor.fetchall()

    raw: dict[object, list] = {}  # group -> its figures as aggregated
    totals: dict[int, object] = {}  # the figures whose total the database computed
    for part, is_total, key, name, *values in fetched:
        chosen = passes[part]
        if is_total:
            totals.update({j: values[j] for j, a in enumerate(aggregates) if a in chosen})
            continue
        group = (key or "", name or key or "") if period is None else key
        if period is not None and not 1 <= key <= len(keys):
            continue  # cannot happen (the rows are in the period); a guard for the keys' index
        figures = raw.setdefault(group, [None] * len(aggregates))
        for j, a in enumerate(aggregates):
            if a in chosen:
                figures[j] = values[j]
    groups = {group: [_finished(a, v) for a, v in zip(aggregates, figures, strict=True)]
              for group, figures in raw.items()}
    total = [_finished(a, totals[j] if j in totals else _combined(a, [figures[j] for figures in raw.values()]))
             for j, a in enumerate(aggregates)]
    if period is None:
        result = [MetricsTotal(key=key, name=name, values=tuple(values))
                  for (key, name), values in sorted(groups.items(), key=lambda group: (group[0][0] == "", group[0][0]))]
    else:
        result = [MetricsTotal(key=keys[b - 1].isoformat(), name=keys[b - 1].isoformat(), values=tuple(values))
                  for b, values in sorted(groups.items())]
    result.append(MetricsTotal(key=None, name=None, values=tuple(total)))
    return result
