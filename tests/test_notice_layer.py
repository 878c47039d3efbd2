"""The map's notices layer: the targets of the notices in force (not drafts, not
withdrawn ones), scoped like every layer, with the attributes its popup labels; and the
public list of an area's notices (JSON and the page the portal can include)."""
from __future__ import annotations

from tests.fixtures.notices import notice_body, notice_publish, warning_body
from tests.helpers import tile_features, tile_get, tile_xy


def test_the_layer_draws_active_notices_in_scope(world):
    published = notice_publish(world, warning_body())
    world.client("community").post("/api/v1/notices/", notice_body(title="草稿"), format="json")  # a draft
    x, y = tile_xy(102.715, 25.015, 14)
    features = tile_features(tile_get(world.client("street"), "notices", 14, x, y), "notices")
    assert [f["properties"]["title"] for f in features] == ["暴雨红色预警"]
    assert features[0]["properties"]["severity"] == "Severe" and features[0]["id"] == published["id"]
    assert "valid_until" in features[0]["properties"]
    other = tile_get(world.client("handler"), "notices", 14, x, y)  # a department handler of the district
    assert other.status_code in (200, 204)
    world.client("street").post(f"/api/v1/notices/{published['id']}/withdraw/", {"note": "解除"}, format="json")
    assert tile_get(world.client("street"), "notices", 14, x, y).status_code == 204


def test_the_public_list_of_an_area(world, client):
    notice_publish(world, notice_body())
    answer = client.get("/api/v1/public/notices/", {"area": "530103001001002"})  # cell B, in C1
    assert answer.status_code == 200 and [n["title"] for n in answer.json()] == ["停水通知"]
    assert "people_count" not in answer.json()[0]
    assert client.get("/api/v1/public/notices/", {"area": "530103002000"}).json() == []
    unknown = client.get("/api/v1/public/notices/", {"area": "1234"})
    assert unknown.status_code == 400 and "area" in unknown.json()
    page = client.get("/notices/area/530103001001/")
    assert page.status_code == 200 and "停水通知" in page.content.decode()
