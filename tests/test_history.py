import pytest

"""Trace information (痕迹): who changed which fields of a record, when, old and new values."""
from pghistory.models import Events

from assets.models import Building
from gis_core import services as area_services
from tests.helpers import box


def history(client, url):
    response = client.get(url + "history/")
    assert response.status_code == 200, response.content
    return response.json()


def test_an_api_edit_records_who_which_fields_old_and_new(world):
    client = world.client("leader_a")
    url = f"/api/v1/buildings/{world.buildings['bA'].pk}/"
    response = client.patch(url, {"name": "新名字", "floors": 7}, format="json")
    assert response.status_code == 200, response.content

    latest, *older = history(client, url)
    assert latest["event"] == "update"
    assert latest["user"] == str(world.users["leader_a"])
    assert latest["url"] == url
    assert latest["changes"] == {"name": ["楼bA", "新名字"], "floors": [6, 7]}
    assert older[-1]["event"] == "create"


def test_bulk_recomputation_is_recorded_too(world):
    area_services.area_update(area=world.areas["A"], boundary=box(102.70, 25.00, 102.703, 25.03))
    events = list(Events.objects.tracks(world.buildings["bA"]).order_by("pgh_id"))
    assert events[-1].pgh_diff == {"area_id": [world.areas["A"].pk, world.areas["C1"].pk]}


def test_history_masks_personal_fields_for_roles_without_access(world):
    person = world.people["pB"]
    root = world.client("root")
    assert root.patch(f"/api/v1/people/{person.pk}/", {"phone": "13911112222"}, format="json").status_code == 200

    entries = history(world.client("street"), f"/api/v1/people/{person.pk}/")
    assert entries[0]["changes"]["phone"] == ["139****2222", "139****2222"]
    entries = history(world.client("community"), f"/api/v1/people/{person.pk}/")
    assert entries[0]["changes"]["phone"] == ["13900002222", "13911112222"]


def test_deletion_is_recorded(world):
    building = Building.objects.create(name="临时", footprint=box(102.741, 25.041, 102.742, 25.042))
    pk = building.pk
    building.delete()
    labels = [e.pgh_label for e in Events.objects.filter(pgh_obj_model="assets.Building", pgh_obj_id=str(pk))]
    assert sorted(labels) == ["delete", "snapshot"]


def test_history_of_a_record_outside_my_areas_is_404(world):
    response = world.client("leader_b").get(f"/api/v1/buildings/{world.buildings['bA'].pk}/history/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_history_tables_index_only_what_reads_them():
    """History is read by record (pgh_obj), with its context: no index on the foreign keys
    or geometries it copies, which every tracked write would keep up for nothing."""
    from django.apps import apps
    from django.db import connection
    from pghistory.models import Event

    tables = [m._meta.db_table for m in apps.get_models() if issubclass(m, Event) and not m._meta.abstract
              and m._meta.managed and not m._meta.proxy]
    assert "assets_buildingevent" in tables
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        indexed = {}
        for table, definition in cursor.fetchall():
            indexed.setdefault(table, set()).add(definition.rsplit("(", 1)[1].rstrip(")"))
    for table in tables:
        assert indexed[table] <= {"pgh_id", "pgh_obj_id", "pgh_context_id"}, (table, indexed[table])
