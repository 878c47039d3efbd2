"""The live map layer of open cases, coloured by lateness, for the handling desk."""
from __future__ import annotations

from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from tiles.layers import TileLayer, match_expression, register_layer
from tiles.popups import Popup, Row

# Late cases in a deep purple: red-magenta (--alert) is kept for SOS and falls alone.
TIME_STATE_COLORS = {"late": "#6a1b9a", "due_soon": "#e67e22", "on_time": "#2874a6"}


def _open_cases() -> QuerySet:
    from incidents.models import OPEN_STATUSES, Case

    return Case.objects.filter(status__in=OPEN_STATUSES)


def register_case_layer() -> None:
    from incidents.models import CaseKind, CaseStatus, TimeState, Urgency

    register_layer(TileLayer(
        name="cases", title=_("Open cases"), queryset=_open_cases, geometry="location", minzoom=10, maxzoom=16,
        permission="incidents.view_case", cache_seconds=0, order=60,
        attributes=[(10, {"time_state": "time_state", "kind": "kind", "urgency": "urgency", "status": "status"}),
                    (13, {"tracking_number": "tracking_number", "category": F("category__code"),
                          "category_name": F("category__name")})],
        description=_("Open cases by category and lateness (live)."),
        style=[{"type": "circle", "paint": {
            "circle-color": match_expression("time_state", TIME_STATE_COLORS, "#2874a6"),
            "circle-radius": ["interpolate", ["linear"], ["zoom"], 10, 3, 16, 8],
            "circle-stroke-color": ["match", ["get", "kind"], "component", "#1c2833", "#ffffff"],
            "circle-stroke-width": ["match", ["get", "urgency"], "normal", 1, 2.5]}}],
        legend=[(TimeState(k).label, color) for k, color in TIME_STATE_COLORS.items()],
        popup=Popup(title="tracking_number", rows=[
            Row("category_name", _("category")), Row("kind", _("kind"), "choice", CaseKind.choices),
            Row("status", _("status"), "choice", CaseStatus.choices),
            Row("time_state", _("deadline"), "choice", TimeState.choices),
            Row("urgency", _("urgency"), "choice", Urgency.choices)])))
