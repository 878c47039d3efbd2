"""The iot app's map overlays: pages draw the elders' terminals from the API
(/api/v1/terminals/), and their popup is declared here like a tile layer's (tiles.popups)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tiles.popups import Popup, Row, register_popup

ZONE_STATES = [("inside", _("inside the safe zone")), ("outside", _("outside the safe zone"))]


def register_terminal_popups() -> None:
    from iot.models import AlertKind
    from iot.serializers import LiveTerminalSerializer

    popup = Popup(title="elder", rows=[
        Row("device_id", _("device id")), Row("open_alert_kind", _("open alert"), "choice", AlertKind.choices),
        Row("battery", _("battery %")), Row("last_seen_at", _("last seen"), "age"),
        Row("last_fix_at", _("last fix"), "datetime"), Row("zone_state", _("safe zone"), "choice", ZONE_STATES)])
    properties = LiveTerminalSerializer.Meta.fields
    # The grid leader's workspace and the dispatcher's console draw the same list.
    for layer_id in ("my-terminals", "terminals"):
        register_popup(layer_id, title=_("Elders' terminals"), permission="iot.view_terminal", popup=popup,
                       properties=properties)
