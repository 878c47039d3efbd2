"""The iot app's pages: the dispatcher's console (its live stream is iot/live.py)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from gis_core.navigation import page_view
from gis_core.roles import role_allows
from gis_core.services import DUTY_ROLES
from tiles.maps import map_page_config


@page_view("dispatch-console")
def dispatch_console(request):
    """The dispatcher's console: live alert queue, live terminals, alert detail, track."""
    if not role_allows(request.user, "iot.view_alert"):
        raise PermissionDenied
    config = map_page_config(request, extra={
        "alertsUrl": "/api/v1/alerts/", "terminalsUrl": "/api/v1/terminals/", "streamUrl": "/live/alerts/",
        "mayAct": role_allows(request.user, "iot.change_alert"),
        "consoleLabels": _console_labels(),
    })
    return render(request, "iot/dispatch_console.html", {
        "map_config": config, "may_be_on_duty": request.user.role in DUTY_ROLES})


def _console_labels() -> dict[str, str]:
    return {
        "acknowledge": _("Acknowledge"), "dispatch": _("Responder dispatched"), "on_scene": _("On scene"),
        "resolve": _("Resolve"), "false_alarm": _("False alarm"), "note": _("Note"),
        "elder": _("Elder"), "age": _("age"), "home": _("Home address"), "device": _("Device"), "battery": _("battery"),
        "signal": _("signal"), "lastFix": _("last fix"), "accuracy": _("accuracy"), "contacts": _("Family"),
        "responders": _("Nearest responders"), "log": _("Log"), "noAlerts": _("No open alerts."),
        "gridLeader": _("grid leader"), "volunteer": _("volunteer"), "track": _("Track"),
        "play": _("Play"), "from": _("from"), "to": _("to"), "repeats": _("repeats"),
        "live": _("live"), "offline": _("reconnecting…"), "conflict": _("Someone else changed this alert; reloaded."),
    }
