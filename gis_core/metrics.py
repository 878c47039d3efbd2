"""Set-wise metrics in one SQL statement, shared by the apps' assessments (incidents' case
metrics, services' application metrics).

The rows are an app's already scoped queryset as ``values()`` with its dates (and, to group
by a column, ``m_key`` and ``m_name``). Each count tests its own date against the period
[since, until): grouped by a key, a row is flagged ``in_<date>`` for each of its dates in
the period; grouped by a period (day, week, month), a row is repeated for each of its dates
in the period, in that date's day, week or month (local time). The aggregates (SQL over
``k``: the flags, ``k.measure``, the values' columns) are computed per group and for the
total (GROUPING SETS): the last row.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

from gis_core.replicas import read_alias

PERIODS = {"day": "day", "week": "week", "month": "month"}


@dataclass(frozen=True)
class Dated:
    """One date a count tests: ``name`` (its flag is ``k.in_<name>``) and ``column``, SQL
    of a timestamptz over ``c`` (the values' row). ``measure``: SQL of a number that
    belongs to this date (the handling time of the closing date), ``k.measure``; at most
    one date has one."""

    name: str
    column: str
    measure: str | None = None


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


def grouped_metrics(rows: QuerySet, *, dates: list[Dated], aggregates: list[str], period: str | None,
                    since: dt.datetime, until: dt.datetime, with_sql: str = "", with_params: tuple = (),
                    joins: str = "") -> list[MetricsTotal]:
    """The ``aggregates`` per group of ``rows`` — by ``period`` (a PERIODS name) or, when
    None, by its ``m_key`` — then the total. ``with_sql`` (``name AS (…)``, with its
    params) and ``joins`` (over ``c``) bring tables a measure needs (a working calendar)."""
    inner, params = rows.query.sql_with_params()
    measured = [d for d in dates if d.measure]
    if len(measured) > 1:
        raise ValueError("at most one date has a measure")
    if period is None:
        flags = ", ".join(f"{d.column} >= %s AND {d.column} < %s AS in_{d.name}" for d in dates)
        measure = measured[0].measure if measured else "NULL::float8"
        rows_sql = f"""
            SELECT c.m_key AS key, c.m_name AS name, c.*, ({measure})::float8 AS measure, {flags}
            FROM ({inner}) c {joins}"""
        rows_params = [*[v for _ in dates for v in (since, until)], *params]
    else:
        values = ", ".join(f"('{d.name}', {d.column}, ({d.measure or 'NULL'})::float8)" for d in dates)
        flags = ", ".join(f"r.role = '{d.name}' AS in_{d.name}" for d in dates)
        rows_sql = f"""
            SELECT to_char(date_trunc('{PERIODS[period]}', r.at AT TIME ZONE {local_time_zone_sql()}), 'YYYY-MM-DD')
                   AS key, NULL AS name, c.*, r.measure, {flags}
            FROM ({inner}) c {joins}
            CROSS JOIN LATERAL (VALUES {values}) r(role, at, measure)
            WHERE r.at >= %s AND r.at < %s"""
        rows_params = [*params, since, until]
    sql = f"""
        {"WITH " + with_sql if with_sql else ""}
        SELECT k.key, max(k.name), {", ".join(aggregates)}, GROUPING(k.key) AS total
        FROM ({rows_sql}) k
        GROUP BY GROUPING SETS ((k.key), ())
        ORDER BY total, k.key
    """
    with connections[read_alias()].cursor() as cursor:  # a replica inside replica_reads()
        cursor.execute(sql, [*with_params, *rows_params])
        return [MetricsTotal(key=None if total else (key or ""), name=None if total else (name or key or ""),
                             values=tuple(values))
                for key, name, *values, total in cursor.fetchall()]
