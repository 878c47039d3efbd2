"""ID numbers, phones, birth dates and sensitive tags: masked unless the role needs them;
every unmasked read logged, searchable by district administrators."""
import pytest
from django.db import ProgrammingError, transaction

from gis_core.models import PersonalDataAccess


def person_json(world, role, key="pA"):
    response = world.client(role).get(f"/api/v1/people/{world.people[key].pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_grid_leader_sees_and_the_read_is_logged(world):
    person = world.people["pA"]
    data = person_json(world, "leader_a")
    assert data["id_number"] == person.id_number
    assert data["phone"] == "13800001111"
    assert data["birth_date"] == "1945-03-12"
    assert set(data["tags"]) == {"living_alone", "disabled"}

    entry = PersonalDataAccess.objects.get()
    assert entry.user == world.users["leader_a"]
    assert (entry.object_id, entry.record) == (person.pk, "居民pA")
    assert entry.fields == ["birth_date", "id_number", "phone", "tags"]
    assert entry.area == world.areas["A"]
    assert entry.channel == f"GET /api/v1/people/{person.pk}/"


def test_a_street_official_sees_masked_values_and_nothing_is_logged(world):
    person = world.people["pA"]
    data = person_json(world, "street")
    assert data["id_number"] == person.id_number[:4] + "*" * 10 + person.id_number[-4:]
    assert data["phone"] == "138****1111"
    assert data["birth_date"] == "1945-**-**"
    assert data["age"] >= 80
    assert data["tags"] == ["living_alone"]  # "disabled" is a sensitive (health) tag
    assert not PersonalDataAccess.objects.exists()


def test_nested_residents_of_a_building_are_masked_too(world):
    response = world.client("street").get(f"/api/v1/buildings/{world.buildings['bA'].pk}/")
    resident = response.json()["properties"]["houses"][0]["residents"][0]
    assert resident["phone"] == "138****1111"
    response = world.client("leader_a").get(f"/api/v1/buildings/{world.buildings['bA'].pk}/")
    assert response.json()["properties"]["houses"][0]["residents"][0]["phone"] == "13800001111"
    assert PersonalDataAccess.objects.get().area == world.areas["A"]


def test_a_list_logs_one_row_per_person_read(world):
    response = world.client("dispatcher").get("/api/v1/people/")
    assert response.json()["count"] == 3
    assert PersonalDataAccess.objects.filter(user=world.users["dispatcher"]).count() == 3


def test_looking_up_by_id_number_needs_the_right_to_see_it(world):
    number = world.people["pB"].id_number
    assert world.client("community").get("/api/v1/people/", {"id_number": number}).json()["count"] == 1
    refused = world.client("street").get("/api/v1/people/", {"id_number": number})
    assert refused.status_code == 400 and list(refused.json()) == ["id_number"]


def test_the_access_log_is_for_district_administrators(world):
    person_json(world, "leader_a")
    person_json(world, "community", key="pB")
    response = world.client("admin").get("/api/v1/access-log/", {"user": world.users["leader_a"].pk})
    assert [e["record"] for e in response.json()["results"]] == ["居民pA"]
    assert world.client("admin").get("/api/v1/access-log/", {"search": "居民pB"}).json()["count"] == 1
    assert world.client("leader_a").get("/api/v1/access-log/").status_code == 403
    assert world.client("street").get("/api/v1/access-log/").status_code == 403


def test_the_access_log_is_append_only(world):
    person_json(world, "leader_a")
    entry = PersonalDataAccess.objects.get()
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        PersonalDataAccess.objects.filter(pk=entry.pk).update(username="someone-else")
    with pytest.raises(ProgrammingError, match="Cannot update or delete"), transaction.atomic():
        entry.delete()


def test_admin_pages_mask_and_log_the_same_way(world, client):
    person = world.people["pA"]
    client.force_login(world.users["street"])
    page = client.get(f"/admin/assets/person/{person.pk}/change/").content.decode()
    assert person.id_number not in page and "138****1111" in page
    assert not PersonalDataAccess.objects.exists()

    client.force_login(world.users["leader_a"])
    page = client.get(f"/admin/assets/person/{person.pk}/change/").content.decode()
    assert person.id_number in page
    entry = PersonalDataAccess.objects.get()
    assert entry.channel == f"GET /admin/assets/person/{person.pk}/change/"
    assert entry.area == world.areas["A"]
