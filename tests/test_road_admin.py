"""Roads in the admin: the district administrator draws or edits a centre line (the map
widget's geometry field; saved through the road services, which refuse a line outside
the district naming the field); every other role may only look at them."""
from __future__ import annotations

from django.test import Client

from assets.models import Road


def _client(world, key: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[key])
    return client


def test_admin_draws_a_road(world):
    client = _client(world, "admin")
    assert client.get("/admin/assets/road/add/").status_code == 200
    answer = client.post("/admin/assets/road/add/", {
        "name": "长安街", "kind": "trunk", "centreline": "SRID=4326;MULTILINESTRING((102.741 25.021, 102.749 25.021))"})
    assert answer.status_code == 302, answer.content.decode()[-2000:]
    road = Road.objects.get(name="长安街")
    assert (road.kind, road.centreline.geom_type, road.area) == ("trunk", "MultiLineString", world.areas["F"])

    refused = client.post("/admin/assets/road/add/", {
        "name": "远", "kind": "branch", "centreline": "SRID=4326;MULTILINESTRING((103.5 25.5, 103.6 25.5))"})
    assert refused.status_code == 200 and "outside every area" in refused.content.decode()
    assert not Road.objects.filter(name="远").exists()


def test_other_roles_only_look(world):
    Road.objects.create(name="建设路", kind="branch",
                        centreline="SRID=4326;MULTILINESTRING((102.741 25.021, 102.749 25.021))")
    client = _client(world, "leader_a")
    listing = client.get("/admin/assets/road/")
    assert listing.status_code == 200 and "建设路" in listing.content.decode()
    assert client.get("/admin/assets/road/add/").status_code == 403
