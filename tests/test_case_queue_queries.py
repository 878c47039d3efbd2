"""The desk queue's page costs three queries however many cases, cells and communities it
shows: the session, the count and the rows (areas joined, permissions from the role table)."""
from __future__ import annotations

from tests.helpers import IN_A, IN_B, query_count

QUEUE = "/api/v1/cases/"


def test_the_queue_page_takes_three_queries(world, desk):
    for at in (IN_A, IN_B, IN_A):
        desk.report("community", at=at)
    client = world.client("dispatcher")
    page = client.get(QUEUE, {"open": "true", "ordering": "due_at", "page_size": 50}).json()
    assert page["count"] == 3
    cells = {f["properties"]["cell_name"] for f in page["features"]}
    assert len(cells) == 2 and all(cells)  # the area names came with the rows
    assert query_count(client, QUEUE, open="true", ordering="due_at", page_size=50) == 3


def test_more_cases_take_no_more_queries(world, desk):
    client = world.client("dispatcher")
    desk.report()
    one = query_count(client, QUEUE, open="true")
    for _ in range(4):
        desk.report("community", at=IN_B)
    assert query_count(client, QUEUE, open="true") == one
