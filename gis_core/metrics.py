"""Set-wise metrics in one SQL statement, shared by the apps' assessments (incidents' case
metrics, services' application metrics).

The rows are an app's already scoped queryset as ``values()`` with its dates (and, to group
by a column, ``m_key``: the id of a row of a ``labels`` model, whose code and name label the
group). Each figure (an Aggregate) belongs to one date and tests it against the period
[since, until): a row is flagged ``in_<date>`` for each of its dates in the period. Grouped
by a key, every figure is computed per key and for the total. Grouped by a period (day,
week, month), each date falls in the local period that holds it — a bucket found by binary
search (``width_bucket``) among the periods' starts computed here, not a time zone
conversion per row — and each figure is read from the grouping by its own date's bucket
(GROUPING SETS: one per date, and the total).

Near the bare SQL's speed because the figures are one pass of hash aggregation: no row
repeated per date, no text built or sorted per row, labels joined to the few groups after
grouping. Only a percentile (an ordered-set aggregate, which sorts its values and so
cannot be hashed) has a second pass over the same rows, narrowed to its date's.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Model, QuerySet
from django.utils import timezone

PERIODS = {"day": "day", "week": "week", "month": "month"}


@dataclass(frozen=True)
class Dated:
    """One date a figure tests: ``name`` (its flag is ``k.in_<name>``) and ``column``, SQL
    of a timestamptz over ``c`` (the values' row). ``measure``: SQL of a number that
    belongs to this date (the handling time of the closing date), ``k.measure``; at most
    one date has one."""

    name: str
    column: str
    measure: str | None = None


@dataclass(frozen=True)
class Aggregate:
    """One figure: SQL of an aggregate over ``k`` (the flags, ``k.measure``, the values'
    columns) that counts only rows of its ``date`` (a Dated name) in the period, i.e.
    filters on ``k.in_<date>``; ``empty``: its value for a period none of whose rows has
    that date (a count's 0). ``ordered``: an ordered-set aggregate (a percentile), which
    sorts its values: computed in a pass of its own over the rows of its date alone."""

    date: str
    sql: str
    empty: object = None
    ordered: bool = False


def counted(date: str, condition: str = "") -> Aggregate:
    """The rows with ``date`` in the period (and ``condition``, SQL over ``k``)."""
    return Aggregate(date, f"count(*) FILTER (WHERE k.in_{date}{f' AND {condition}' if condition else ''})", 0)


def percentile(date: str, fraction: float, value: str = "k.measure") -> Aggregate:
    """The continuous percentile of ``value`` over the rows with ``date`` in the period."""
    return Aggregate(date, f"percentile_cont({float(fraction)}) WITHIN GROUP (ORDER BY {value})", ordered=True)


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


def local_midnight_sql(date_sql: str) -> str:
    """A ``date`` column as the timestamptz of its local midnight (to test it like a time)."""
    return f"(({date_sql})::timestamp AT TIME ZONE {local_time_zone_sql()})"


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
    flag_params = [v for _ in dates for v in (since, until)]
    if period is None:
        keys, columns, column_params = [], "c.m_key AS key, ", []
        grouped = ["k.key"]
        sets = "(k.key)"
    else:
        keys, bounds = period_starts(PERIODS[period], since, until)
        columns = "".join(f"width_bucket({d.column}, %s::timestamptz[]) AS b_{d.name}, " for d in dates)
        column_params = [bounds for _ in dates]
        grouped = [f"k.b_{name}" for name in names]
        sets = ", ".join(f"({column})" for column in grouped)
    # GROUPING(): one bit per grouped column, the first the highest; all set for the total.
    everything = (1 << len(grouped)) - 1
    plain = [a for a in aggregates if not a.ordered]
    passes = [(plain, f"GROUPING({', '.join(grouped)})", grouped, sets, "")]
    ordered_dates = sorted({a.date for a in aggregates if a.ordered}, key=names.index)
    for date in ordered_dates:
        # A percentile sorts its values: a pass of its own over the rows of its date alone.
        chosen = [a for a in aggregates if a.ordered and a.date == date]
        if period is None:
            passes.append((chosen, "GROUPING(k.key)", grouped, sets, f"WHERE k.in_{date}"))
        else:
            i = names.index(date)
            bit = 1 << (len(names) - 1 - i)  # as GROUPING() of the first pass's set of this date
            passes.append((chosen, f"CASE WHEN GROUPING({grouped[i]}) = 1 THEN {everything} ELSE {everything & ~bit} END",
                           [c if j == i else "NULL::int" for j, c in enumerate(grouped)], f"({grouped[i]})",
                           f"WHERE k.in_{date}"))
    parts = []
    for number, (chosen, grouping, columns_out, grouping_sets, where) in enumerate(passes):
        values = ", ".join(f"{a.sql if a in chosen else 'NULL'} AS v{i}" for i, a in enumerate(aggregates))
        names_out = ", ".join(f"{c} AS {g[2:]}" for c, g in zip(columns_out, grouped, strict=True))
        parts.append(f"SELECT {number} AS part, {grouping} AS g, {names_out}, {values} FROM k {where} "
                     f"GROUP BY GROUPING SETS ({grouping_sets}, ())")
    union = "\nUNION ALL\n".join(parts)
    if labels is None:
        outer = f"SELECT * FROM ({union}) a"
    else:
        table = connection.ops.quote_name(labels._meta.db_table)
        outer = (f"SELECT a.part, a.g, l.code, l.name, {', '.join(f'a.v{i}' for i in range(len(aggregates)))} "
                 f"FROM ({union}) a LEFT JOIN {table} l ON l.id = a.key")
    sql = f"""
        WITH {with_sql + ', ' if with_sql else ''}k AS (
            SELECT {columns}c.*, ({measure})::float8 AS measure{flags} FROM ({inner}) c {joins})
        {outer}"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*with_params, *column_params, *flag_params, *params])
        fetched = cursor.fetchall()

    total = [a.empty for a in aggregates]
    groups: dict[object, list] = {}
    for part, g, *rest in fetched:
        group, values = rest[:len(rest) - len(aggregates)], rest[len(rest) - len(aggregates):]
        taken = passes[part][0]
        if g == everything:
            figures = total
        elif period is None:
            figures = groups.setdefault((group[0] or "", group[1] or group[0] or ""), [a.empty for a in aggregates])
        else:
            i = next(j for j in range(len(names)) if not g & (1 << (len(names) - 1 - j)))
            if group[i] is None or not 1 <= group[i] <= len(keys):
                continue  # its date outside the period
            figures = groups.setdefault(group[i], [a.empty for a in aggregates])
            taken = [a for a in taken if a.date == names[i]]
        for j, a in enumerate(aggregates):
            if a in taken:
                figures[j] = values[j]
    if period is None:
        result = [MetricsTotal(key=key, name=name, values=tuple(values))
                  for (key, name), values in sorted(groups.items(), key=lambda group: (group[0][0] == "", group[0][0]))]
    else:
        result = [MetricsTotal(key=keys[b - 1].isoformat(), name=keys[b - 1].isoformat(), values=tuple(values))
                  for b, values in sorted(groups.items())]
    result.append(MetricsTotal(key=None, name=None, values=tuple(total)))
    return result
