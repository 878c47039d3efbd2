"""Input a fuzzer or an attacker sends gets a 400 naming the parameter — never a 500 —
and writes nothing: malformed boxes, NUL characters, GeoJSON Features in multipart forms,
people without a house, malformed ids and dates, 3D and enormous geometries, dates far in
the future."""
import json

import pytest

from assets.models import Building, Person, Residence
from incidents.models import Case

GEO_LISTS = ["areas", "cells", "buildings", "organizations", "key-sites", "cases"]


@pytest.mark.parametrize("name", GEO_LISTS)
@pytest.mark.parametrize("box", ["NaN,NaN,NaN,NaN", "1,2,3", "a,b,c,d", "inf,0,1,1", "103,25,102,26", "0,-100,1,1"])
def test_a_malformed_box_is_a_400_naming_in_bbox(world, name, box):
    client = world.client("admin")
    for url in (f"/api/v1/{name}/", f"/api/v1/{name}/export.geojson"):
        response = client.get(url, {"in_bbox": box})
        assert response.status_code == 400, (url, response.content[:200])
        assert "in_bbox" in response.json()


def test_a_box_returns_what_it_touches(world):
    # Cell A spans 102.700–102.715; a box over its east edge still returns it.
    body = world.client("admin").get("/api/v1/cells/", {"in_bbox": "102.714,25.01,102.716,25.02"}).json()
    assert {f["properties"]["code"] for f in body["features"]} == {"530103001001001", "530103001001002"}


@pytest.mark.parametrize("url, params", [
    ("/api/v1/buildings/", {"search": "楼\x00"}),
    ("/api/v1/people/", {"search": "\x00"}),
    ("/api/v1/search/", {"q": "盘龙\x00"}),
    ("/api/v1/cases/nearby/", {"lon": "102.7\x00", "lat": "25.0"}),
    ("/api/v1/track/2026\x00/", {}),
    ("/open311/v2/requests.json", {"service_request_id": "1\x00"}),
    ("/track/", {"number": "2026\x00"}),
])
def test_a_nul_character_is_a_400_naming_where_it_was(world, url, params):
    response = world.client("admin").get(url, params)
    assert response.status_code == 400, response.content[:300]
    body = response.content.decode()
    assert ("path" if "\x00" in url else next(iter(params))) in body


def test_a_nul_character_in_a_form_post_writes_nothing(world):
    response = world.client("admin").post("/open311/v2/requests.json", {
        "api_key": "k", "service_code": "manhole", "lat": "25.01", "long": "102.705", "description": "井盖\x00"})
    assert response.status_code == 400 and "description" in response.json()
    assert not Case.objects.exists()


@pytest.mark.parametrize("name, geometry_field", [("buildings", "footprint"), ("key-sites", "geometry"),
                                                  ("organizations", "location")])
def test_a_geojson_feature_in_a_multipart_form_is_a_400(world, name, geometry_field):
    before = Building.objects.count()
    response = world.client("admin").post(f"/api/v1/{name}/", {
        "type": "Feature", "geometry": json.dumps({"type": "Point", "coordinates": [102.705, 25.01]}),
        "name": "表单楼"}, format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert Building.objects.count() == before


def test_a_person_without_a_house_is_refused_and_nothing_is_left(world):
    from gis_core import services as core_services
    from gis_core.models import Role
    world.users["super_admin"] = core_services.user_create(
        username="super_admin", password="pw", role=Role.DISTRICT_ADMIN, areas=[world.areas["D"]], name="超管")
    world.users["super_admin"].is_superuser = True
    world.users["super_admin"].save()
    for user in ("admin", "leader_a", "super_admin"):
        before = Person.objects.count()
        response = world.client(user).post("/api/v1/people/", {"name": "无房者"}, format="json")
        assert response.status_code == 400 and "house" in response.json()
        assert Person.objects.count() == before


@pytest.mark.parametrize("url", ["/api/v1/cases/x1/act/", "/api/v1/cases/1e3/act/"])
def test_a_malformed_case_id_is_a_400_naming_it(world, url):
    response = world.client("dispatcher").post(url, {"action": "file", "version": 1}, format="json")
    assert response.status_code == 400 and "id" in response.json()


@pytest.mark.parametrize("params", [{"since": "9999-99-99"}, {"until": "0000-00-00"}, {"since": "2026-13-01"},
                                    {"since": "1900-01-01", "until": "9999-12-31"}])
def test_malformed_metric_dates_are_a_400_naming_them(world, params):
    response = world.client("dispatcher").get("/api/v1/cases/metrics/", params)
    assert response.status_code == 400 and set(response.json()) & {"since", "until"}


def test_a_footprint_with_z_coordinates_is_a_400(world):
    ring = [[102.705, 25.011, 10], [102.7054, 25.011, 10], [102.7054, 25.0114, 10], [102.705, 25.011, 10]]
    response = world.client("admin").post("/api/v1/buildings/", {
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": "三维楼", "floors": 3}}, format="json")
    assert response.status_code == 400 and "footprint" in response.json()


def test_an_enormous_footprint_is_a_400(world):
    import math
    n = 60_000
    ring = [[102.705 + 0.0003 * math.cos(2 * math.pi * i / n), 25.011 + 0.0003 * math.sin(2 * math.pi * i / n)]
            for i in range(n)]
    ring.append(ring[0])
    before = Building.objects.count()
    response = world.client("admin").post("/api/v1/buildings/", {
        "type": "Feature", "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": {"name": "巨楼", "floors": 3}}, format="json")
    assert response.status_code == 400 and "footprint" in response.json()
    assert Building.objects.count() == before


@pytest.mark.parametrize("moved_out", ["8813-01-01", "1066-10-14"])
def test_a_move_out_far_from_today_is_refused(world, moved_out):
    residence = Residence.objects.get(person=world.people["pA"])
    response = world.client("admin").post(f"/api/v1/residences/{residence.pk}/move-out/", {"moved_out": moved_out},
                                          format="json")
    assert response.status_code == 400 and "moved_out" in response.json()
    residence.refresh_from_db()
    assert residence.moved_out is None


def test_a_move_in_in_the_far_future_is_refused(world):
    response = world.client("admin").post("/api/v1/residences/", {
        "person": world.people["pB"].pk, "house": world.houses["hA"].pk, "relation": "tenant",
        "moved_in": "3026-01-01", "is_primary": False}, format="json")
    assert response.status_code == 400 and "moved_in" in response.json()
    assert not Residence.objects.filter(person=world.people["pB"], house=world.houses["hA"]).exists()


@pytest.mark.parametrize("name", ["buildings", "key-sites", "organizations", "areas", "cases"])
@pytest.mark.parametrize("body, form", [({"type": "Feature", "properties": "楼", "geometry": "{}"}, "multipart"),
                                        ({"type": "Feature", "properties": ["name"]}, "json"),
                                        ("properties", "json")])
def test_a_feature_whose_properties_are_not_an_object_is_a_400(world, name, body, form):
    # Found by tests/test_api_fuzz.py: rest_framework_gis indexed into the text (a 500).
    response = world.client("admin").post(f"/api/v1/{name}/", body, format=form)
    assert response.status_code == 400, response.content[:300]


@pytest.mark.parametrize("url, name", [("/api/v1/cases/{case}/photos/99999999999999999999/", "photo_id"),
                                       ("/api/v1/cases/{case}x/photos/1/", "id"),
                                       ("/api/v1/visits/1/photos/99999999999999999999/", "photo_id")])
def test_a_malformed_photo_id_is_a_400_naming_it(desk, url, name):
    # A malformed case id was a 500 (found by tests/test_api_fuzz.py); photo ids are refused like every id.
    case = desk.report()
    response = desk.world.client("admin").get(url.format(case=case["id"]))
    assert response.status_code == 400 and name in response.json(), response.content[:300]
