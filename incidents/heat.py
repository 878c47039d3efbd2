"""The "cases" heat metric (street officials' console): where problems are reported.
Without a time window, the open cases; with one, the cases reported in it. ``category``
(a main or sub category code) narrows it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import F, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incidents.models import OPEN_STATUSES, Case, Category
from tiles.heat.metrics import HeatMetric, HeatWindow, PointsSQL, queryset_points, register_metric, scoped


def cases_parse(user, query: Mapping[str, str]) -> dict[str, str]:
    code = (query.get("category") or "").strip()
    if code and not Category.objects.filter(code=code).exists():
        raise ValidationError({"category": [_("Unknown category.")]})
    return {"category": code} if code else {}


def cases_points(user, window: HeatWindow, params: dict) -> PointsSQL:
    cases = Case.objects.exclude(status__in=["rejected", "duplicate"])
    if not window.timed:
        cases = cases.filter(status__in=OPEN_STATUSES)
    tz = timezone.get_current_timezone()
    if window.since is not None:
        cases = cases.filter(reported_at__gte=dt.datetime.combine(window.since, dt.time(), tz))
    if window.until is not None:
        cases = cases.filter(reported_at__lt=dt.datetime.combine(window.until + dt.timedelta(days=1), dt.time(), tz))
    if params.get("category"):
        cases = cases.filter(Q(category__code=params["category"]) | Q(category__parent__code=params["category"]))
    cases = scoped(cases, user, window, geometry="location")
    return queryset_points(cases.values(geom=F("location"), weight=Value(1)), window)


def register_case_heat() -> None:
    register_metric(HeatMetric("cases", gettext_lazy("Cases"), "incidents.view_case", cases_points,
                               parse=cases_parse, noun="cases",
                               unit=gettext_lazy("cases per km²")))
