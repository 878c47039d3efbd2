"""The services' panel on the street official's console (grids.console): the late
applications of the official's areas — how many, and the most overdue."""
from __future__ import annotations

from django.db.models import Count, Window

from gis_core.roles import role_allows
from services import selectors

CONSOLE_LATE_ROWS = 10


def late_applications_panel(request) -> dict | None:
    """None for a role that does not read applications. One query: the rows and, on
    each, the count of all."""
    if not role_allows(request.user, "services.view_application"):
        return None
    late = list(selectors.applications_late(selectors.applications_for(request.user))
                .select_related("item", "area").only("id", "number", "due_date", "item__name", "area__name")
                .annotate(late_total=Window(Count("id")))[:CONSOLE_LATE_ROWS])
    return {"count": late[0].late_total if late else 0, "rows": late}


def register_console_late_panel() -> None:
    from grids.console import ConsolePanel, register_console_panel

    register_console_panel(ConsolePanel("late-applications", "services/console_late.html", late_applications_panel,
                                        order=60))
