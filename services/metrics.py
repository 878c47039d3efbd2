"""Application metrics per item, department, community (its service centre), street or
month, in one SQL statement over the user's applications (gis_core.metrics, as the cases').

For a period [since, until) — each count tests its own date:
- applications: received (收件) in the period; accepted (受理): accepted in it;
- due: accepted applications, not withdrawn, whose due date falls in it; on time: of those,
  decided (准予, 不予批准, 出证 …) by their due date; on-time completion rate 按期办结率 =
  on time ÷ due;
- decided: decided in the period; average working days from receipt to decision (the
  district's working calendar, the days the clock stopped — 补正, suspension — left out);
- rated: ratings given in the period; satisfaction rate 满意率 = (非常满意 + 满意 + 基本满意)
  ÷ rated; poor: 不满意 and 非常不满意 (each opened a follow-up).
Rates in %, two decimals; None when nothing to divide by.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from gis_core.metrics import (
    PERIODS,
    Dated,
    counted,
    grouped_metrics,
    mean,
    rate,
)
from gis_core.models import Area
from incidents.models import Department
from incidents.workcalendar import working_day_numbers_sql
from services.models import POOR_LEVELS, AppState, ServiceItem

# group -> (the id grouped by; the model whose code and name label it, after grouping)
GROUPS: dict[str, tuple] = {
    "item": (F("item_id"), ServiceItem),
    # where it was forwarded to decide, else the item's deciding department
    "department": (Coalesce(F("department_id"), F("item__department_id")), Department),
    "community": (F("area_id"), Area),
    "street": (F("area__parent_id"), Area),
}
GROUP_BY = [*GROUPS, "month"]
GROUP_LABELS = {"item": _("service item"), "department": _("department"), "community": _("community"),
                "street": _("street"), "month": _("month")}
# The calendar reaches this far before the period: receipts of what is decided in it.
CALENDAR_BEFORE = dt.timedelta(days=800)


@dataclass(frozen=True)
class ApplicationMetricsRow:
    key: str | None   # None: the total
    name: str
    applications: int
    accepted: int
    due: int
    on_time: int
    decided: int
    mean_working_days: float | None
    rated: int
    satisfied: int
    poor: int

    @property
    def on_time_rate(self) -> float | None:
        return rate(self.on_time, self.due)

    @property
    def satisfaction_rate(self) -> float | None:
        return rate(self.satisfied, self.rated)

    def as_dict(self) -> dict:
        return {**self.__dict__, "on_time_rate": self.on_time_rate, "satisfaction_rate": self.satisfaction_rate}


def application_metrics(applications: QuerySet, *, group_by: str, since: dt.datetime,
                        until: dt.datetime) -> list[ApplicationMetricsRow]:
    """Metrics of ``applications`` (already scoped to the user) by ``group_by`` (GROUP_BY);
    the last row (key None) is the total."""
    if group_by not in GROUP_BY:
        raise ValueError(group_by)
    columns = {"m_received": F("received_at"), "m_accepted": F("accepted_at"), "m_due": F("due_date"),
               "m_decided": F("decided_at"), "m_on_time": F("decided_on_time"), "m_paused": F("paused_days"),
               "m_state": F("state"), "m_rated": F("rating__rated_at"), "m_level": F("rating__level")}
    labels = None
    if group_by in GROUPS:
        key, labels = GROUPS[group_by]
        columns["m_key"] = key
    first, last = since.date(), until.date()
    in_period = (Q(received_at__gte=since, received_at__lt=until) | Q(accepted_at__gte=since, accepted_at__lt=until)
                 | Q(due_date__gte=first, due_date__lte=last) | Q(decided_at__gte=since, decided_at__lt=until)
                 | Q(rating__rated_at__gte=since, rating__rated_at__lt=until))
    rows = applications.filter(in_period).order_by().values(**columns)
    days = "cal.n[width_bucket(c.m_decided, cal.starts)] - cal.n[width_bucket(c.m_received, cal.starts)] - c.m_paused"
    joins = "CROSS JOIN calendar cal"
    satisfied = "k.m_level >= 3"
    poor = ", ".join(str(int(level)) for level in POOR_LEVELS)
    totals = grouped_metrics(
        rows, dates=[Dated("received", "c.m_received"), Dated("accepted", "c.m_accepted"),
                     Dated("due", "c.m_due", day=True), Dated("decided", "c.m_decided", measure=days),
                     Dated("rated", "c.m_rated")],
        period=None if group_by in GROUPS else PERIODS[group_by], labels=labels, since=since, until=until,
        with_sql=working_day_numbers_sql("calendar"), with_params=(first - CALENDAR_BEFORE, last),
        joins=joins, aggregates=[
            counted("received"),
            counted("accepted"),
            counted("due", f"k.m_accepted IS NOT NULL AND k.m_state <> '{AppState.WITHDRAWN}'"),
            counted("due", f"k.m_accepted IS NOT NULL AND k.m_state <> '{AppState.WITHDRAWN}' AND k.m_on_time"),
            counted("decided"),
            mean("decided"),
            counted("rated"),
            counted("rated", satisfied),
            counted("rated", f"k.m_level IN ({poor})"),
        ])
    result = []
    for row in totals:
        received, accepted, due, on_time, decided, mean_days, rated, satisfied_n, poor_n = row.values
        result.append(ApplicationMetricsRow(
            key=row.key, name=str(_("total")) if row.key is None else row.name, applications=received,
            accepted=accepted, due=due, on_time=on_time, decided=decided,
            mean_working_days=round(float(mean_days), 2) if mean_days is not None else None,
            rated=rated, satisfied=satisfied_n, poor=poor_n))
    return result
