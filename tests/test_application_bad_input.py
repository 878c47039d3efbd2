"""Bad filings are 400s naming the field, and nothing is written: an item withdrawn from
the catalogue, an unknown material, no applicant, a wrong ID number."""
from __future__ import annotations

from services.models import Application, ItemStatus


def test_withdrawn_item_is_refused(service_desk):
    item = service_desk.item()
    item.status = ItemStatus.WITHDRAWN
    item.save()
    answer = service_desk.file(expect=400)
    assert "withdrawn" in answer["item"][0]
    assert not Application.objects.exists()


def test_unknown_material_and_unknown_item(service_desk):
    other = service_desk.material_ids("senior_card")
    assert "received" in service_desk.file(received=other, expect=400)
    assert "item" in service_desk.file(item="no_such_item", expect=400)


def test_registered_at_the_desk(service_desk):
    world = service_desk.world
    client = world.client("community")
    answer = client.post("/api/v1/applications/", {"item": "senior_card", "received": []}, format="json").json()
    assert "applicant_name" in answer and "area" in answer
    answer = client.post("/api/v1/applications/", {"item": "senior_card", "applicant_name": "王五",
                                                   "applicant_id_number": "530103195001010000",
                                                   "area": world.areas["C1"].pk}, format="json").json()
    assert "applicant_id_number" in answer
    response = client.post("/api/v1/applications/", {"item": "senior_card", "applicant_name": "王五",
                                                     "applicant_phone": "13600000000", "area": world.areas["C1"].pk,
                                                     "received": service_desk.material_ids("senior_card")},
                           format="json")
    assert response.status_code == 201 and response.json()["state"] == "received"
    # a community outside the desk's areas
    response = client.post("/api/v1/applications/", {"item": "senior_card", "applicant_name": "王五",
                                                     "area": world.areas["C3"].pk}, format="json")
    assert response.status_code == 400 and "area" in response.json()
