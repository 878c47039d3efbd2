"""Who sees an application: the community's desk and the officials above it; another
community's desk does not (404, as if it did not exist); a department handler sees it
only once forwarded to their department; phones and ID numbers are masked for the roles
that do not handle people."""
from __future__ import annotations

from tests.helpers import listed_records


def _ids(client) -> set[int]:
    return {r["id"] for r in listed_records(client.get("/api/v1/applications/").json())}


def test_scope(service_desk, world):
    a = service_desk.file()  # pA lives in C1
    from gis_core import services as core

    other = core.user_create(username="desk_c3", password="pw-x", role="community_worker",
                             areas=[world.areas["C3"]], name="C3")
    world.users["desk_c3"] = other
    assert a["id"] in _ids(world.client("community"))
    assert a["id"] in _ids(world.client("street")) and a["id"] in _ids(world.client("admin"))
    assert a["id"] not in _ids(world.client("desk_c3"))
    assert world.client("desk_c3").get(f"/api/v1/applications/{a['id']}/").status_code == 404
    assert world.client("desk_c3").get(f"/services/applications/{a['id']}/receipt/").status_code == 404
    assert a["id"] not in _ids(world.client("handler"))  # not forwarded yet

    a = service_desk.act("community", service_desk.act("community", a, "accept"), "forward")
    handler = world.client("handler")
    assert a["id"] in _ids(handler)
    detail = handler.get(f"/api/v1/applications/{a['id']}/").json()
    assert detail["applicant_phone"] == "138****1111"
    assert {x["name"] for x in detail["actions"]} == {"approve", "reject", "suspend"}

    # forwarded elsewhere: the handler (civil affairs only) does not see it
    b = service_desk.act("community", service_desk.act("community", service_desk.file(person="pB"), "accept"),
                         "forward", department="housing")
    assert b["id"] not in _ids(handler)
    assert world.client("community").get(f"/api/v1/applications/{a['id']}/").json()["applicant_phone"] == "13800001111"
