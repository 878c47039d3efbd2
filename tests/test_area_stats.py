"""Statistics of an area and its sub-areas, for the official's console drill-down."""
import pytest


def stats(world, role, area_key):
    response = world.client(role).get(f"/api/v1/area-stats/{world.areas[area_key].pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_street_with_its_communities(world):
    body = stats(world, "street", "S1")
    assert body["area"]["code"] == "530103001000"
    children = {c["name"]: c for c in body["children"]}
    assert set(children) == {"社区一", "社区二"}
    assert (children["社区一"]["people"], children["社区一"]["buildings"], children["社区一"]["houses"]) == (2, 2, 2)
    assert children["社区二"]["people"] == 0
    assert body["totals"]["people"] == 2 and body["totals"]["buildings"] == 2


def test_key_groups_count_people_and_hide_sensitive_groups_from_officials(world):
    street = stats(world, "street", "C1")
    assert street["totals"]["tags"] == {"living_alone": 1, **{t["code"]: 0 for t in street["tags"] if t["code"] != "living_alone"}}
    assert "disabled" not in {t["code"] for t in street["tags"]}
    leader = stats(world, "community", "C1")
    assert leader["totals"]["tags"]["disabled"] == 1


def test_a_cell_has_no_children_and_counts_itself(world):
    body = stats(world, "leader_a", "A")
    assert body["children"] == []
    assert (body["totals"]["people"], body["totals"]["buildings"]) == (1, 1)


@pytest.mark.parametrize("role, area", [("leader_a", "B"), ("street", "S2"), ("community", "C2")])
def test_areas_outside_my_scope_are_404(world, role, area):
    assert world.client(role).get(f"/api/v1/area-stats/{world.areas[area].pk}/").status_code == 404


def test_the_district_totals_in_few_queries(world, django_assert_max_num_queries):
    client = world.client("admin")
    client.get(f"/api/v1/area-stats/{world.areas['D'].pk}/")
    with django_assert_max_num_queries(12):
        body = client.get(f"/api/v1/area-stats/{world.areas['D'].pk}/").json()
    assert body["totals"]["people"] == 3 and len(body["children"]) == 2
