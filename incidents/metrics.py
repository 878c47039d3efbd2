"""Case metrics as local assessments define them, per cell, community, street, department,
category or period, in one SQL statement over the user's cases.

For a period [since, until):
- filed: cases filed in the period; due (应结案数): cases whose deadline falls in it;
- deferred: due cases that were deferred (缓办); closed / closed on time: due cases closed
  (by now) / closed by their deadline;
- closure rate 结案率 = closed ÷ (due − deferred); on-time closure rate 按期结案率 =
  closed on time ÷ (due − deferred); extension rate 延期率 = extended ÷ (due − deferred);
  rework rate 返工率 = reworked ÷ closed (all in %, two decimals);
- handling time: hours from filing to closing of the cases closed in the period, mean and p90.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from incidents.models import CaseStatus

# group -> (key expression, label expression) over the scoped cases' columns
GROUPS: dict[str, tuple[F, F]] = {
    "cell": (F("cell__code"), F("cell__name")),
    "community": (F("community__code"), F("community__name")),
    "street": (F("street__code"), F("street__name")),
    "department": (F("department__code"), F("department__name")),
    "category": (F("category__code"), F("category__name")),
    "main_category": (F("category__parent__code"), F("category__parent__name")),
}
PERIODS = {"day": "day", "week": "week", "month": "month"}
GROUP_LABELS = {
    "cell": _("grid cell"), "community": _("community"), "street": _("street"), "department": _("department"),
    "category": _("category"), "main_category": _("main category"), "day": _("day"), "week": _("week"),
    "month": _("month"),
}


@dataclass(frozen=True)
class MetricsRow:
    key: str | None   # None: the total over all groups
    name: str
    filed: int
    due: int
    deferred: int
    closed: int
    closed_on_time: int
    reworked: int
    extended: int
    mean_hours: float | None
    p90_hours: float | None

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 2) if whole > 0 else None

    @property
    def closure_rate(self) -> float | None:
        return self._rate(self.closed, self.due - self.deferred)

    @property
    def on_time_rate(self) -> float | None:
        return self._rate(self.closed_on_time, self.due - self.deferred)

    @property
    def extension_rate(self) -> float | None:
        return self._rate(self.extended, self.due - self.deferred)

    @property
    def rework_rate(self) -> float | None:
        return self._rate(self.reworked, self.closed)

    def as_dict(self) -> dict:
        return {**self.__dict__, "closure_rate": self.closure_rate, "on_time_rate": self.on_time_rate,
                "rework_rate": self.rework_rate, "extension_rate": self.extension_rate}


def case_metrics(cases: QuerySet, *, by: str, since: dt.datetime, until: dt.datetime) -> list[MetricsRow]:
    """Metrics of ``cases`` (already scoped to the user) grouped ``by`` a GROUPS or PERIODS
    name; the last row (key None) is the total."""
    if by not in GROUPS and by not in PERIODS:
        raise ValueError(by)
    columns = {"m_filed": F("filed_at"), "m_due": F("due_at"), "m_closed": F("closed_at"),
               "m_deferred": F("deferred_at"), "m_on_time": F("closed_on_time"),
               "m_reworks": F("rework_count"), "m_extensions": F("extension_count")}
    if by in GROUPS:
        key, label = GROUPS[by]
        columns |= {"m_key": key, "m_name": label}
    inner, params = (cases.exclude(status__in=[CaseStatus.REJECTED, CaseStatus.DUPLICATE])
                     .filter(filed_at__isnull=False).order_by().values(**columns).query.sql_with_params())
    if by in PERIODS:
        # The period of each count is that of its own date (filed, due or closed).
        key_sql, key_params = f"to_char(date_trunc('{PERIODS[by]}', r.at AT TIME ZONE %s), 'YYYY-MM-DD')", [
            settings.TIME_ZONE]
        name_sql = "NULL"
    else:
        key_sql, key_params, name_sql = "c.m_key", [], "c.m_name"
    sql = f"""
        SELECT k.key, max(k.name),
            count(*) FILTER (WHERE k.role = 'filed'),
            count(*) FILTER (WHERE k.role = 'due'),
            count(*) FILTER (WHERE k.role = 'due' AND k.m_deferred IS NOT NULL),
            count(*) FILTER (WHERE k.role = 'due' AND k.m_closed IS NOT NULL),
            count(*) FILTER (WHERE k.role = 'due' AND k.m_on_time),
            count(*) FILTER (WHERE k.role = 'due' AND k.m_closed IS NOT NULL AND k.m_reworks > 0),
            count(*) FILTER (WHERE k.role = 'due' AND k.m_extensions > 0),
            avg(k.hours) FILTER (WHERE k.role = 'closed'),
            percentile_cont(0.9) WITHIN GROUP (ORDER BY k.hours) FILTER (WHERE k.role = 'closed'),
            GROUPING(k.key) AS total
        FROM (
            SELECT {key_sql} AS key, {name_sql} AS name, c.*, r.role, r.hours
            FROM ({inner}) c
            CROSS JOIN LATERAL (VALUES
                ('filed', c.m_filed, NULL::float8),
                ('due', c.m_due, NULL::float8),
                ('closed', c.m_closed, extract(epoch FROM c.m_closed - c.m_filed) / 3600)) r(role, at, hours)
            WHERE r.at >= %s AND r.at < %s
        ) k
        GROUP BY GROUPING SETS ((k.key), ())
        ORDER BY total, k.key
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key_params, *params, since, until])
        rows = cursor.fetchall()
    result = []
    for key, name, *counts, mean, p90, total in rows:
        result.append(MetricsRow(
            key=None if total else (key or ""), name=str(_("total")) if total else (name or key or ""),
            filed=counts[0], due=counts[1], deferred=counts[2], closed=counts[3], closed_on_time=counts[4],
            reworked=counts[5], extended=counts[6],
            mean_hours=round(mean, 2) if mean is not None else None,
            p90_hours=round(p90, 2) if p90 is not None else None))
    return result
