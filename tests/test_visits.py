"""Visits (走访记录) and public-sentiment notes (民情日志): recorded in the leader's own
cells, with GPS and photos; my tasks follow them."""
from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from assets import services as assets_services
from grids.models import Visit

pytestmark = pytest.mark.django_db


def jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, "JPEG")
    return SimpleUploadedFile("v.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_visit_a_person_with_gps_and_a_photo(world):
    person = world.people["pA"]
    response = world.client("leader_a").post("/api/v1/visits/", {
        "person": person.pk, "notes": "身体状况良好", "lon": 102.7052, "lat": 25.0102, "photos": [jpeg()]},
        format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["cell_name"], body["person_name"], body["kind"]) == ("网格A", person.name, "visit")
    visit = Visit.objects.get(pk=body["id"])
    assert visit.cell == world.areas["A"] and visit.visitor == world.users["leader_a"]
    assert abs(visit.location.x - 102.7052) < 1e-9
    photo = world.client("leader_a").get(body["photos"][0])
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert world.client("leader_b").get(body["photos"][0]).status_code == 404


def test_sentiment_note_by_gps_only(world):
    response = world.client("leader_a").post("/api/v1/visits/", {
        "kind": "sentiment", "notes": "居民反映路灯不亮", "lon": 102.705, "lat": 25.02}, format="json")
    assert response.status_code == 201 and response.json()["cell_name"] == "网格A"


@pytest.mark.parametrize("body,field", [
    ({"person": "pB", "notes": "x"}, "person"),                # another cell's resident
    ({"notes": "x", "lon": 102.72, "lat": 25.01}, "location"),  # a point in cell B
    ({"notes": "x"}, "location"),                              # nowhere
    ({"person": "pA", "notes": " "}, "notes"),
])
def test_refused_visits_name_the_field(world, body, field):
    if "person" in body:
        body = {**body, "person": world.people[body["person"]].pk}
    response = world.client("leader_a").post("/api/v1/visits/", body, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert Visit.objects.count() == 0


def test_roles_without_visits_are_refused(world):
    response = world.client("handler").post("/api/v1/visits/", {"notes": "x", "lon": 102.705, "lat": 25.02},
                                            format="json")
    assert response.status_code == 403


def test_visits_are_listed_in_scope_only(world):
    world.client("leader_a").post("/api/v1/visits/", {"notes": "a", "person": world.people["pA"].pk}, format="json")
    world.client("leader_b").post("/api/v1/visits/", {"notes": "b", "person": world.people["pB"].pk}, format="json")
    assert [v["notes"] for v in world.client("leader_a").get("/api/v1/visits/").json()["results"]] == ["a"]
    assert len(world.client("street").get("/api/v1/visits/").json()["results"]) == 2


def test_my_tasks_follow_visits_houses_and_verification(world):
    leader = world.client("leader_a")
    tasks = leader.get("/api/v1/my-tasks/").json()
    assert [i["id"] for i in tasks["unvisited_alone"]["items"]] == [world.people["pA"].pk]  # tagged living alone
    assert tasks["empty_houses"]["count"] == 0 and tasks["unverified"]["count"] == 1
    assets_services.house_create(actor=world.users["root"], building=world.buildings["bA"], unit=1, floor=4,
                                 room="402", use="rented")
    leader.post("/api/v1/visits/", {"notes": "看望", "person": world.people["pA"].pk}, format="json")
    tasks = leader.get("/api/v1/my-tasks/").json()
    assert tasks["unvisited_alone"]["count"] == 0 and tasks["empty_houses"]["count"] == 1
    assert leader.get("/api/v1/my-tasks/", {"days": 0}).status_code == 400


def test_building_rooms_page(world):
    assets_services.house_create(actor=world.users["root"], building=world.buildings["bA"], unit=1, floor=4,
                                 room="402", use="rented")
    page = world.client("leader_a").get(f"/my-cell/buildings/{world.buildings['bA'].pk}/")
    html = page.content.decode()
    assert page.status_code == 200 and "居民pA" in html and 'class="room vacant rented"' in html
    assert world.client("leader_b").get(f"/my-cell/buildings/{world.buildings['bA'].pk}/").status_code == 404


def test_person_page_masks_for_roles_without_personal_data(world):
    from gis_core import services as gis_services
    from gis_core.models import PersonalDataAccess, Role

    world.client("leader_a").get(f"/my-cell/people/{world.people['pA'].pk}/")
    assert PersonalDataAccess.objects.filter(user=world.users["leader_a"], object_id=world.people["pA"].pk).exists()
    street = gis_services.user_create(username="street2", password="pw", role=Role.STREET_OFFICIAL,
                                      areas=[world.areas["S1"]], name="S")
    world.users["street2"] = street
    html = world.client("street2").get(f"/my-cell/people/{world.people['pA'].pk}/").content.decode()
    assert "138****1111" in html and "13800001111" not in html


def test_workspace_pages_for_the_leader_and_refusals(world):
    leader = world.client("leader_a")
    assert leader.get("/my-cell/").status_code == 200
    html = leader.get(f"/my-cell/buildings/{world.buildings['bA'].pk}/").content.decode()
    assert 'id="add-house"' in html and 'id="move-in"' in html
    street_html = world.client("street").get(f"/my-cell/buildings/{world.buildings['bA'].pk}/").content.decode()
    assert 'id="add-house"' not in street_html  # street officials read only
    assert world.client("leader_a").get(f"/my-cell/people/{world.people['pB'].pk}/").status_code == 404
