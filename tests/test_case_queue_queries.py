"""The desk queue's page costs three queries however many cases, cells and communities it
shows, signed in as in the browser: the session, the user, and the page — its rows with
their areas joined and the count of all the rows in the same query (permissions from the
role table). A page past the end is a 404, the count still right on the last page."""
from __future__ import annotations

from gis_core import services as gis_services
from gis_core.models import Role
from tests.helpers import IN_A, IN_B, query_count, session_client

QUEUE = "/api/v1/cases/"
PAGE = {"open": "true", "ordering": "due_at", "page_size": 50}


def test_the_queue_page_takes_three_queries(world, desk, django_assert_max_num_queries):
    for at in (IN_A, IN_B, IN_A):
        desk.report("community", at=at)
    client = session_client(world.users["dispatcher"])
    with django_assert_max_num_queries(3):
        page = client.get(QUEUE, PAGE).json()
    assert page["count"] == 3
    cells = {f["properties"]["cell_name"] for f in page["features"]}
    assert len(cells) == 2 and all(cells)  # the area names came with the rows
    # scoped as before: leader_a's cell only
    client = session_client(world.users["leader_a"])
    with django_assert_max_num_queries(3):
        page = client.get(QUEUE, PAGE).json()
    assert page["count"] == 2 and len(page["features"]) == 2


def test_more_cases_take_no_more_queries(world, desk):
    client = world.client("dispatcher")
    desk.report()
    one = query_count(client, QUEUE, open="true")
    for _ in range(4):
        desk.report("community", at=IN_B)
    assert query_count(client, QUEUE, open="true") == one


def test_pages_count_all_rows(world, desk):
    from incidents.models import Case

    for at in (IN_A, IN_B, IN_A, IN_B, IN_A):
        desk.report("community", at=at)
    Case.objects.update(due_at=Case.objects.first().due_at)  # ties (all reported at night) must not cross pages
    client = session_client(world.users["dispatcher"])
    seen = []
    for number in (1, 2, 3):
        page = client.get(QUEUE, {**PAGE, "page_size": 2, "page": number}).json()
        assert page["count"] == 5
        assert (page["next"] is None) == (number == 3)
        seen += [f["id"] for f in page["features"]]
    assert len(seen) == len(set(seen)) == 5
    assert client.get(QUEUE, {**PAGE, "page_size": 2, "page": 4}).status_code == 404
    empty = client.get(QUEUE, {**PAGE, "status": "archived"}).json()
    assert (empty["count"], empty["features"]) == (0, [])


def test_no_areas_no_rows(world, desk):
    """A user without areas reads an empty page (the scope is .none(): no query for it)."""
    desk.report()
    nobody = gis_services.user_create(username="nobody", password="pw-nobody-1A", role=Role.DISPATCHER, areas=[])
    client = session_client(nobody)
    page = client.get(QUEUE, PAGE).json()
    assert (page["count"], page["features"]) == (0, [])
