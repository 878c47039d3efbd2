"""A visit's house_label in the visits API: the house's name when the visit has one, null
when it has none (it was the repr of a method-wrapper: DRF resolved ``None.__str__``)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_house_label_is_null_without_a_house_and_the_house_otherwise(world):
    client = world.client("leader_a")
    house = next(h for h in world.houses.values() if h.building.area_id == world.areas["A"].pk)
    without = client.post("/api/v1/visits/", {"kind": "sentiment", "notes": "路灯不亮", "lon": 102.705, "lat": 25.02},
                          format="json")
    with_house = client.post("/api/v1/visits/", {"notes": "入户走访", "house": house.pk}, format="json")
    assert without.status_code == 201 and with_house.status_code == 201, (without.json(), with_house.json())
    assert without.json()["house_label"] is None
    assert with_house.json()["house_label"] == str(house)
    listed = {v["id"]: v["house_label"] for v in client.get("/api/v1/visits/").json()["results"]}
    assert listed[without.json()["id"]] is None and listed[with_house.json()["id"]] == str(house)
