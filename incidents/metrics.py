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

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from gis_core.metrics import PERIODS, Dated, counted, grouped_metrics, mean, percentile, rate
from gis_core.models import Area
from incidents.models import CaseStatus, Category, Department

# group -> (the id grouped by, over the scoped cases' columns; the model whose code and name
# label it, joined to the groups after grouping)
GROUPS: dict[str, tuple[F, type]] = {
    "cell": (F("cell_id"), Area),
    "community": (F("community_id"), Area),
    "street": (F("street_id"), Area),
    "department": (F("department_id"), Department),
    "category": (F("category_id"), Category),
    "main_category": (F("category__parent_id"), Category),
}
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

    @property
    def closure_rate(self) -> float | None:
        return rate(self.closed, self.due - self.deferred)

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.closed_on_time, self.due - self.deferred)

    @property
    def extension_rate(self) -> float | None:
        return rate(self.extended, self.due - self.deferred)

    @property
    def rework_rate(self) -> float | None:
        return rate(self.reworked, self.closed)

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
    labels = None
    if by in GROUPS:
        key, labels = GROUPS[by]
        columns["m_key"] = key
    # Only cases with one of their dates in the period (indexed), whatever the history.
    in_period = (Q(filed_at__gte=since, filed_at__lt=until) | Q(due_at__gte=since, due_at__lt=until)
                 | Q(closed_at__gte=since, closed_at__lt=until))
    rows = (cases.exclude(status__in=[CaseStatus.REJECTED, CaseStatus.DUPLICATE])
            .filter(in_period, filed_at__isnull=False).order_by().values(**columns))
    # date_part: float arithmetic (extract() gives numeric, far slower to divide and sort)
    hours = "date_part('epoch', c.m_closed - c.m_filed) / 3600"
    totals = grouped_metrics(rows, dates=[Dated("filed", "c.m_filed"), Dated("due", "c.m_due"),
                                          Dated("closed", "c.m_closed", measure=hours)],
                             period=None if by in GROUPS else by, labels=labels, since=since, until=until,
                             aggregates=[
        counted("filed"),
        counted("due"),
        counted("due", "k.m_deferred IS NOT NULL"),
        counted("due", "k.m_closed IS NOT NULL"),
        counted("due", "k.m_on_time"),
        counted("due", "k.m_closed IS NOT NULL AND k.m_reworks > 0"),
        counted("due", "k.m_extensions > 0"),
        mean("closed"),
        percentile("closed", 0.9),
    ])
    result = []
    for row in totals:
        *counts, mean_hours, p90 = row.values
        result.append(MetricsRow(
            key=row.key, name=str(_("total")) if row.key is None else row.name,
            filed=counts[0], due=counts[1], deferred=counts[2], closed=counts[3], closed_on_time=counts[4],
            reworked=counts[5], extended=counts[6],
            mean_hours=round(mean_hours, 2) if mean_hours is not None else None,
            p90_hours=round(p90, 2) if p90 is not None else None))
    return result
