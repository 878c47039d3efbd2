"""Who a notice reaches: residents of the target areas (their subtrees), of a drawn polygon
or circle, a key group, the staff of the target — people counted once, phones
deduplicated in SQL; the preview says so before anything is saved."""
from __future__ import annotations

from notices.models import Notice
from tests.fixtures.notices import notice_body


def preview(world, user="community", **overrides) -> dict:
    answer = world.client(user).post("/api/v1/notices/preview/", notice_body(**overrides), format="json")
    assert answer.status_code == 200, answer.json()
    return answer.json()


def test_a_community_reaches_its_residents_and_their_distinct_phones(world, housemate):
    reach = preview(world)
    assert (reach["people"], reach["phones"]) == (3, 2)  # pA, pA2 (pA's phone again), pB
    assert reach["target"]["type"] == "MultiPolygon"
    assert Notice.objects.count() == 0  # the preview saved nothing


def test_a_cell_reaches_only_its_own_residents(world, housemate):
    reach = preview(world, user="leader_a", target_areas=["530103001001001"])
    assert (reach["people"], reach["phones"]) == (2, 1)


def test_a_drawn_polygon_reaches_the_buildings_it_meets(world):
    square = {"type": "Polygon", "coordinates": [[[102.719, 25.009], [102.722, 25.009], [102.722, 25.012],
                                                  [102.719, 25.012], [102.719, 25.009]]]}
    reach = preview(world, target_areas=[], polygon=square)  # around bB only
    assert (reach["people"], reach["phones"]) == (1, 1)


def test_a_circle_reaches_the_buildings_within_its_radius(world):
    near = preview(world, user="admin", target_areas=[], circle={"lon": 102.7402, "lat": 25.0202, "radius_m": 100})
    assert (near["people"], near["phones"]) == (1, 1)  # bF
    both = preview(world, user="admin", target_areas=[], circle={"lon": 102.73, "lat": 25.015, "radius_m": 1500})
    assert (both["people"], both["phones"]) == (2, 2)  # bB and bF; bA is 2.5 km away


def test_a_key_group_narrows_the_residents(world, housemate):
    reach = preview(world, group="living_alone")
    assert (reach["people"], reach["phones"]) == (1, 1)  # pA


def test_staff_of_the_target_are_counted(world):
    reach = preview(world, to_staff=True, to_residents=False)
    assert (reach["people"], reach["staff"]) == (0, 3)  # community (C1), leader_a (A), leader_b (B)
