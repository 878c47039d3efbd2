"""/my-cell/'s tasks are those of the user's own grid cells: a dispatcher, whose areas are
the district, gets none (not the district's), a grid leader gets their cell's only."""
from __future__ import annotations

from assets import services as assets_services


def test_a_dispatcher_gets_no_district_wide_tasks(world):
    tasks = world.client("dispatcher").get("/api/v1/my-tasks/").json()
    assert [tasks[name]["count"] for name in ("unvisited_alone", "empty_houses", "unverified")] == [0, 0, 0]


def test_a_grid_leader_gets_the_tasks_of_their_cell_only(world):
    root = world.users["root"]
    for key in ("bA", "bB"):  # an empty house in cell A and one in cell B
        assets_services.house_create(actor=root, building=world.buildings[key], unit=1, floor=5, room="501", use="vacant")
    tasks = world.client("leader_a").get("/api/v1/my-tasks/").json()
    labels = [item["label"] for item in tasks["empty_houses"]["items"]]
    assert tasks["empty_houses"]["count"] == 1 and "楼bA" in labels[0]
    alone = [item["label"] for item in tasks["unvisited_alone"]["items"]]
    assert alone == [str(world.people["pA"])]  # pA lives alone in cell A
