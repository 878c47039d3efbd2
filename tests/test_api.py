"""The REST API: GeoJSON shapes, filters, nested reads, constant query counts, token auth,
the OpenAPI schema, and 400s that name the field and the reason."""
import pytest
from rest_framework.test import APIClient

from assets import services
from assets.models import Building
from tests.helpers import building_in, otp_code, query_count

LISTS = ["/api/v1/areas/", "/api/v1/cells/", "/api/v1/buildings/", "/api/v1/houses/", "/api/v1/people/",
         "/api/v1/residences/", "/api/v1/organizations/", "/api/v1/key-sites/", "/api/v1/access-log/"]


def add_buildings_with_residents(world, n: int) -> None:
    root = world.users["root"]
    for i in range(n):
        building = services.building_create(actor=root, name=f"加楼{i}", footprint=building_in(102.701 + i * 0.001, 25.005),
                                            floors=3)
        house = services.house_create(actor=root, building=building, unit=1, floor=1, room="101")
        services.person_create(actor=root, house=house, name=f"加人{i}")


def test_building_list_is_a_geojson_feature_collection(world):
    body = world.client("admin").get("/api/v1/buildings/").json()
    assert body["type"] == "FeatureCollection"
    assert body["count"] == 3 and body["next"] is None
    feature = next(f for f in body["features"] if f["properties"]["name"] == "楼bA")
    assert feature["type"] == "Feature" and feature["id"] == world.buildings["bA"].pk
    assert feature["geometry"]["type"] == "MultiPolygon"
    lon, lat = feature["geometry"]["coordinates"][0][0][0]
    assert 102.70 < lon < 102.71 and 25.0 < lat < 25.02
    assert feature["properties"] | {} == feature["properties"]
    props = feature["properties"]
    assert (props["area_code"], props["house_count"], props["resident_count"]) == ("530103001001001", 1, 1)
    assert props["category"] == "residential" and props["floors"] == 6


@pytest.mark.parametrize("url", LISTS)
def test_list_query_counts_do_not_grow_with_the_data(world, url):
    client = world.client("admin")
    client.get(f"/api/v1/people/{world.people['pA'].pk}/")  # a first access-log entry
    query_count(client, url)  # warm caches (content types, the user's area prefixes)
    before = query_count(client, url)
    add_buildings_with_residents(world, 6)
    for person in ("pB", "pF"):
        client.get(f"/api/v1/people/{world.people[person].pk}/")
    assert query_count(client, url) == before
    assert before <= 8


def test_nested_building_read_is_constant_in_queries(world):
    client = world.client("leader_a")
    url = f"/api/v1/buildings/{world.buildings['bA'].pk}/"
    query_count(client, url)
    before = query_count(client, url)
    root = world.users["root"]
    for room in ("401", "402", "501"):
        house = services.house_create(actor=root, building=world.buildings["bA"], unit=1, floor=int(room[0]), room=room)
        for i in range(3):
            services.person_create(actor=root, house=house, name=f"{room}-{i}")
    assert query_count(client, url) == before
    houses = client.get(url).json()["properties"]["houses"]
    assert [h["room"] for h in houses] == ["302", "401", "402", "501"]
    assert [len(h["residents"]) for h in houses] == [1, 3, 3, 3]


def test_bbox_search_and_paging(world):
    client = world.client("admin")
    in_box = client.get("/api/v1/buildings/", {"in_bbox": "102.70,25.00,102.715,25.03"}).json()
    assert [f["properties"]["name"] for f in in_box["features"]] == ["楼bA"]
    assert client.get("/api/v1/buildings/", {"search": "bF"}).json()["count"] == 1
    assert client.get("/api/v1/people/", {"search": "居民"}).json()["count"] == 3
    page = client.get("/api/v1/buildings/", {"page_size": 2}).json()
    assert len(page["features"]) == 2 and page["next"].endswith("page=2&page_size=2")
    assert client.get("/api/v1/buildings/", {"area_code": "530103002"}).json()["count"] == 1
    assert client.get("/api/v1/people/", {"tag": "living_alone"}).json()["count"] == 1


def test_token_authentication(world):
    client = APIClient()
    # A grid leader sees personal data: the code of their authenticator goes with the password.
    response = client.post("/api/v1/auth/token/", {"username": "leader_a", "password": "pw-leader_a",
                                                   "otp_token": otp_code(world.users["leader_a"])})
    token = response.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["role"] == "grid_leader"
    assert APIClient().get("/api/v1/buildings/").status_code in (401, 403)


def test_openapi_schema_and_docs_are_served_locally(world, client):
    schema = client.get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for url in LISTS:
        assert url in paths
    docs = client.get("/api/docs/").content.decode()
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower() and "https://" not in docs


# --------------------------------------------------------------------------- bad input

FOOTPRINT = {"type": "Polygon", "coordinates": [[[102.706, 25.02], [102.707, 25.02], [102.707, 25.021],
                                                 [102.706, 25.021], [102.706, 25.02]]]}
BOWTIE = {"type": "Polygon", "coordinates": [[[102.706, 25.02], [102.707, 25.021], [102.707, 25.02],
                                              [102.706, 25.021], [102.706, 25.02]]]}


def post_building(world, geometry, **props):
    feature = {"type": "Feature", "geometry": geometry,
               "properties": {"name": "新楼", "floors": 5, "category": "residential", **props}}
    return world.client("leader_a").post("/api/v1/buildings/", feature, format="json")


def test_a_valid_building_is_created_with_its_cell(world):
    response = post_building(world, FOOTPRINT)
    assert response.status_code == 201, response.content
    assert response.json()["properties"]["area_code"] == "530103001001001"


@pytest.mark.parametrize("geometry, props, field, reason", [
    (BOWTIE, {}, "footprint", "Self-intersection"),
    ({**FOOTPRINT, "crs": {"type": "name", "properties": {"name": "EPSG:3857"}}}, {}, "footprint", "EPSG:4326"),
    ({"type": "Polygon", "coordinates": [[[500000, 2770000], [500100, 2770000], [500100, 2770100],
                                          [500000, 2770000]]]}, {}, "footprint", "range"),
    ({"type": "Point", "coordinates": [102.706, 25.02]}, {}, "footprint", "Polygon"),
    (FOOTPRINT, {"category": "castle"}, "category", "valid choice"),
    (FOOTPRINT, {"floors": 0}, "floors", "greater than or equal to 1"),
    (None, {}, "footprint", ""),
])
def test_bad_buildings_get_400_naming_field_and_reason(world, geometry, props, field, reason):
    response = post_building(world, geometry, **props)
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body, body
    assert reason in str(body[field])
    assert not Building.objects.filter(name="新楼").exists()


def test_a_house_above_the_roof_is_refused(world):
    response = world.client("leader_a").post("/api/v1/houses/", {
        "building": world.buildings["bA"].pk, "unit": 1, "floor": 9, "room": "901"}, format="json")
    assert response.status_code == 400
    assert "6 floors" in response.json()["floor"][0]


def test_a_duplicate_room_is_refused(world):
    response = world.client("leader_a").post("/api/v1/houses/", {
        "building": world.buildings["bA"].pk, "unit": 1, "floor": 3, "room": "302"}, format="json")
    assert response.status_code == 400
    assert "building, unit, floor, room must make a unique set" in str(response.json())


def test_a_person_with_a_bad_id_number_is_refused_and_nothing_written(world):
    from assets.models import Person, Residence

    before = (Person.objects.count(), Residence.objects.count())
    response = world.client("leader_a").post("/api/v1/people/", {
        "name": "王五", "id_number": "530103199001010000", "house": world.houses["hA"].pk,
        "relation": "family"}, format="json")
    assert response.status_code == 400
    assert "check character" in response.json()["id_number"][0]
    assert (Person.objects.count(), Residence.objects.count()) == before


def test_a_new_person_is_registered_with_their_home(world):
    response = world.client("leader_a").post("/api/v1/people/", {
        "name": "赵六", "id_number": "11010519491231002X", "house": world.houses["hA"].pk,
        "relation": "tenant", "moved_in": "2026-10-01", "tags": ["elderly"]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["gender"], body["birth_date"], body["tags"]) == ("F", "1949-12-31", ["elderly"])
    assert body["current_area"] == world.areas["A"].pk and body["current_house"] == world.houses["hA"].pk


def test_an_area_outside_its_parent_is_refused_over_the_api(world):
    response = world.client("admin").post("/api/v1/areas/", {
        "type": "Feature", "properties": {"code": "530103001001003", "name": "越界", "level": 5,
                                          "parent": world.areas["C1"].pk},
        "geometry": {"type": "Polygon", "coordinates": [[[102.725, 25.0], [102.74, 25.0], [102.74, 25.01],
                                                         [102.725, 25.01], [102.725, 25.0]]]}}, format="json")
    assert response.status_code == 400
    assert "社区一" in response.json()["boundary"][0]
