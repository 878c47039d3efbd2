"""The map layer of active notices: their targets, warnings by severity (tiles/layers.py)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from tiles.layers import TileLayer, match_expression, register_layer
from tiles.popups import Popup, Row

SEVERITY_COLORS = {"Extreme": "#7b241c", "Severe": "#c0392b", "Moderate": "#e67e22", "Minor": "#f1c40f"}
NOTICE_COLOR = "#1f77b4"  # policies and community notices


def _active_notices() -> QuerySet:
    from notices.selectors import notices_active

    return notices_active()


def register_notice_layer() -> None:
    from notices.models import CapSeverity, NoticeKind

    color = ["case", ["==", ["get", "kind"], "warning"],
             match_expression("severity", SEVERITY_COLORS, "#c0392b"), NOTICE_COLOR]
    register_layer(TileLayer(
        name="notices", title=_("Active notices"), queryset=_active_notices, geometry="target", minzoom=8,
        maxzoom=16, permission="notices.view_notice", cache_seconds=0, order=25, visible=False,
        attributes=[(8, {"kind": "kind", "severity": "severity", "title": "title", "valid_until": "valid_until"})],
        description=_("Targets of the notices and warnings in force (live)."),
        style=[{"type": "fill", "paint": {"fill-color": color, "fill-opacity": 0.18}},
               {"type": "line", "paint": {"line-color": color, "line-width": 2, "line-dasharray": [2, 1]}}],
        legend=[(_("notice"), NOTICE_COLOR)] + [(CapSeverity(k).label, c) for k, c in SEVERITY_COLORS.items()],
        detail_url="/api/v1/notices/{id}/",
        popup=Popup(title="title", link="/notices/{id}/", rows=[
            Row("kind", _("kind"), "choice", NoticeKind.choices),
            Row("severity", _("severity"), "choice", CapSeverity.choices),
            Row("valid_until", _("valid until"), "datetime")])))
