"""Staff see and target only their areas: a community worker cannot target beyond their
community (areas or a drawn shape), lists and details are scoped (another street's notice
is a 404), and only an approver of the notice's areas approves it."""
from __future__ import annotations

from tests.fixtures.notices import notice_body


def test_a_community_worker_cannot_target_beyond_their_community(world):
    community = world.client("community")
    other = community.post("/api/v1/notices/", notice_body(target_areas=["530103001002"]), format="json")
    assert other.status_code == 400 and "target_areas" in other.json()
    across = {"type": "Polygon", "coordinates": [[[102.72, 25.02], [102.74, 25.02], [102.74, 25.025],
                                                  [102.72, 25.025], [102.72, 25.02]]]}  # C1 into C3
    drawn = community.post("/api/v1/notices/", notice_body(target_areas=[], polygon=across), format="json")
    assert drawn.status_code == 400 and "polygon" in drawn.json()
    circle = community.post("/api/v1/notices/", notice_body(target_areas=[], circle={
        "lon": 102.725, "lat": 25.02, "radius_m": 2000}), format="json")
    assert circle.status_code == 400 and "circle" in circle.json()


def test_lists_and_details_are_scoped(world):
    admin = world.client("admin")
    s2 = admin.post("/api/v1/notices/", notice_body(target_areas=["530103002000"]), format="json").json()
    mine = world.client("community").post("/api/v1/notices/", notice_body(), format="json").json()
    assert s2["area"] == "530103002000" and mine["area"] == "530103001001"
    community = world.client("community")
    assert [n["id"] for n in community.get("/api/v1/notices/").json()["results"]] == [mine["id"]]
    assert community.get(f"/api/v1/notices/{s2['id']}/").status_code == 404
    assert world.client("street").get(f"/api/v1/notices/{s2['id']}/").status_code == 404  # S1's official
    assert {n["id"] for n in admin.get("/api/v1/notices/").json()["results"]} == {s2["id"], mine["id"]}


def test_an_approver_approves_only_in_their_areas(world):
    admin = world.client("admin")
    s2 = admin.post("/api/v1/notices/", notice_body(target_areas=["530103002000"]), format="json").json()
    admin.post(f"/api/v1/notices/{s2['id']}/submit/", {}, format="json")
    assert world.client("street").post(f"/api/v1/notices/{s2['id']}/approve/", {}, format="json").status_code == 404
    assert admin.post(f"/api/v1/notices/{s2['id']}/approve/", {}, format="json").status_code == 200
