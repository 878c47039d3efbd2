"""Late applications (open, the clock running, past the due date) surface on the desk page
(a badge that filters the queue) and on the officials' console (services' panel through
grids' console hook): counted and listed for the user's areas only; a paused application
is not late."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from services.models import Application


def _late(service_desk, *, state="accepted", area="C1") -> Application:
    a = service_desk.file()
    Application.objects.filter(pk=a["id"]).update(state=state, area=service_desk.world.areas[area],
                                                   due_date=timezone.localdate() - dt.timedelta(days=3))
    return Application.objects.get(pk=a["id"])


def test_desk_badge_and_filter(service_desk):
    late = _late(service_desk)
    _late(service_desk, state="correction")  # clock stopped: not late
    service_desk.file()  # on time
    client = service_desk.world.client("community")
    page = client.get("/services/desk/").content.decode()
    assert 'data-testid="late-count"' in page and ">1 late<" in page
    rows = client.get("/api/v1/applications/?time_state=late").json()["results"]
    assert [r["number"] for r in rows] == [late.number]


def test_console_panel_for_the_officials_areas(service_desk, django_assert_max_num_queries):
    world = service_desk.world
    late = _late(service_desk)
    _late(service_desk, area="C3")
    page = world.client("street").get("/console/official/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="late-applications"' in html and late.number in html
    assert html.count("?application=") == 1  # S2's is not the S1 official's

    from django.test import RequestFactory

    from grids.console import console_panels

    request = RequestFactory().get("/")
    request.user = world.users["admin"]
    with django_assert_max_num_queries(1):
        panels = console_panels(request)
    [panel] = [p for p in panels if p["template"] == "services/console_late.html"]
    assert panel["context"]["count"] == 2

    request.user = world.users["dispatcher"]  # reads no applications: no panel
    assert not [p for p in console_panels(request) if p["template"] == "services/console_late.html"]
