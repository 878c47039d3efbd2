"""Every list and detail, for every model and role, holds only the user's areas."""
import pytest
from django.contrib.gis.geos import Point

from assets import services
from assets.models import KeySiteCategory, Residence
from gis_core.models import User
from gis_core.scoping import scope_queryset


@pytest.fixture
def places(world):
    root = world.users["root"]
    hydrant = KeySiteCategory.objects.get(code="fire_hydrant")
    for key, (x, y) in {"A": (102.706, 25.016), "F": (102.745, 25.03)}.items():
        world.buildings[f"org{key}"] = services.organization_create(
            actor=root, name=f"组织{key}", kind="enterprise", location=Point(x, y, srid=4326))
        world.buildings[f"site{key}"] = services.key_site_create(
            actor=root, name=f"消防栓{key}", category=hydrant, geometry=Point(x, y, srid=4326))
    return world


def names(world, keys):
    return {world.areas[k].name for k in keys}


# role -> visible area keys (their subtree)
AREAS = {
    "leader_a": {"A"}, "leader_b": {"B"}, "community": {"C1", "A", "B"},
    "street": {"S1", "C1", "C2", "A", "B", "E"},
    "admin": {"D", "S1", "S2", "C1", "C2", "C3", "A", "B", "E", "F"},
}
# role -> cells whose records they see
CELLS = {"leader_a": {"A"}, "leader_b": {"B"}, "community": {"A", "B"}, "street": {"A", "B"},
         "admin": {"A", "B", "F"}, "dispatcher": {"A", "B", "F"}, "root": {"A", "B", "F"}}


def listed(client, url):
    response = client.get(url, {"page_size": 1000})
    assert response.status_code == 200, (url, response.content)
    body = response.json()
    return body["features"] if "features" in body else body["results"]


@pytest.mark.parametrize("role", list(AREAS))
def test_areas_list_is_the_users_subtree(world, role):
    features = listed(world.client(role), "/api/v1/areas/")
    assert {f["properties"]["name"] for f in features} == names(world, AREAS[role])


@pytest.mark.parametrize("role", list(CELLS))
def test_every_spatial_list_is_scoped(places, role):
    world = places
    client = world.client(role)
    cells = CELLS[role]
    buildings = {f["properties"]["name"] for f in listed(client, "/api/v1/buildings/")}
    assert buildings == {f"楼b{c}" for c in cells}
    houses = {h["id"] for h in listed(client, "/api/v1/houses/")}
    assert houses == {world.houses[f"h{c}"].pk for c in cells}
    people = {p["name"] for p in listed(client, "/api/v1/people/")}
    assert people == {f"居民p{c}" for c in cells}
    residences = {r["person"] for r in listed(client, "/api/v1/residences/")}
    assert residences == {world.people[f"p{c}"].pk for c in cells}
    orgs = {f["properties"]["name"] for f in listed(client, "/api/v1/organizations/")}
    assert orgs == {f"组织{c}" for c in cells if c in "AF"}
    sites = {f["properties"]["name"] for f in listed(client, "/api/v1/key-sites/")}
    assert sites == {f"消防栓{c}" for c in cells if c in "AF"}
    grid_cells = {f["properties"]["code"] for f in listed(client, "/api/v1/cells/")}
    assert grid_cells >= {world.areas[c].code for c in cells}


@pytest.mark.parametrize("path", ["buildings/{bB}", "houses/{hB}", "people/{pB}", "cells/{B}", "areas/{B}"])
def test_a_grid_leader_gets_404_for_another_cell(world, path):
    ids = {**{k: b.pk for k, b in world.buildings.items()}, **{k: h.pk for k, h in world.houses.items()},
           **{k: p.pk for k, p in world.people.items()}, **{k: a.pk for k, a in world.areas.items()}}
    url = "/api/v1/" + path.format(**ids) + "/"
    client = world.client("leader_a")
    assert client.get(url).status_code == 404
    assert client.patch(url, {"name": "x"}, format="json").status_code in (403, 404)  # 403: no edit right at all
    assert world.client("leader_b").get(url).status_code == 200


def test_a_grid_leader_cannot_move_someone_into_another_cell(world):
    response = world.client("leader_a").post("/api/v1/residences/", {
        "person": world.people["pA"].pk, "house": world.houses["hB"].pk, "relation": "tenant",
        "moved_in": "2026-01-01"}, format="json")
    assert response.status_code == 400
    assert "house" in response.json()
    assert not Residence.objects.filter(house=world.houses["hB"], person=world.people["pA"]).exists()


def test_roles_without_a_permission_are_refused(world):
    assert world.client("handler").get("/api/v1/people/").status_code == 403
    assert world.client("street").patch(f"/api/v1/buildings/{world.buildings['bA'].pk}/", {"floors": 9},
                                        format="json").status_code == 403
    assert world.client("handler").get("/api/v1/buildings/").status_code == 200


def test_a_user_without_areas_sees_nothing(world):
    from gis_core import services as user_services

    nobody = user_services.user_create(username="nobody", password=None, role="dispatcher", areas=[])
    from assets.models import Building

    assert not scope_queryset(Building.objects.all(), nobody).exists()
    assert listed(world.client("root"), "/api/v1/buildings/")  # the unrestricted operator sees all
    world.users["nobody"] = nobody
    assert listed(world.client("nobody"), "/api/v1/buildings/") == []


def test_scoping_the_user_list_by_their_areas(world):
    visible = set(scope_queryset(User.objects.all(), world.users["community"]).values_list("username", flat=True))
    assert visible == {"community", "leader_a", "leader_b"}


def test_the_admin_is_scoped(world, client):
    client.force_login(world.users["leader_a"])
    page = client.get("/admin/assets/building/")
    assert page.status_code == 200
    assert "楼bA" in page.content.decode() and "楼bB" not in page.content.decode()
    other = client.get(f"/admin/assets/building/{world.buildings['bB'].pk}/change/")
    assert other.status_code == 302  # "does not exist" redirect, as for a missing record


def test_area_prefixes_follow_assignments_however_written(world):
    """Scoping reads the user's prefixes from their row; the database keeps them."""
    from gis_core import services as user_services

    leader = world.users["leader_a"]
    assert leader.area_prefixes == ["530103001001001"]
    user_services.user_role_set(user=leader, role="grid_leader", areas=[world.areas["A"], world.areas["F"]])
    assert leader.area_prefixes == ["530103001001001", "530103002001001"]
    leader.areas.remove(world.areas["A"])  # a plain ORM write is caught too
    leader.refresh_from_db()
    assert leader.area_prefixes == ["530103002001001"]
    assert listed(world.client("leader_a"), "/api/v1/buildings/")[0]["properties"]["name"] == "楼bF"
