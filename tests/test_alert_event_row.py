"""A live alert event carries the alert's queue row — for each role exactly what the alerts
list gives that role (same fields, same masking: gis_core.personal_data through the list's
serializer), in the user's language — so a console draws it without fetching the list;
and it reaches only the consoles whose areas hold the alert."""
from __future__ import annotations

import pytest

from gis_core.models import PersonalDataAccess
from tests.helpers import alert_event_next, alert_stream_open
from tests.test_alert_lifecycle import advance, raise_alert


def listed_row(world, key: str, alert_id: int) -> dict:
    features = world.client(key).get("/api/v1/alerts/", {"state": "open"}).json()["features"]
    return next(f for f in features if f["id"] == alert_id)


@pytest.mark.parametrize("key", ["dispatcher", "street", "leader_b"])
def test_the_event_carries_the_row_the_list_gives_the_role(world, elders, asgi_server, key):
    close, events = alert_stream_open(asgi_server, world.users[key])
    try:
        alert = raise_alert(elders, "pB")
        event = alert_event_next(events, id=alert.pk)
        assert (event["kind"], event["state"], event["action"]) == ("sos", "new", "raised")
        row = event["row"]
        assert row == listed_row(world, key, alert.pk)
        props = row["properties"]
        assert (props["kind_display"], props["state_display"]) == ("SOS", "new")  # the user's language
        assert props["elder"] == "居民pB" and props["area_name"] and props["received_at"]
        assert row["geometry"]["type"] == "Point"

        # a lifecycle step is announced with the row as it now is
        assert advance(world.client("dispatcher"), alert, "acknowledge").status_code == 200
        event = alert_event_next(events, id=alert.pk, action="acknowledge")
        assert event["row"] == listed_row(world, key, alert.pk)
        assert event["row"]["properties"]["state"] == "acknowledged"
    finally:
        close()
    if key == "street":  # a role that sees personal data masked: nothing was read unmasked
        assert not PersonalDataAccess.objects.filter(user=world.users[key]).exists()


def test_a_console_of_other_areas_gets_no_event(world, elders, asgi_server):
    close_a, cell_a = alert_stream_open(asgi_server, world.users["leader_a"])
    close_d, district = alert_stream_open(asgi_server, world.users["dispatcher"])
    try:
        in_b = raise_alert(elders, "pB")
        alert_event_next(district, id=in_b.pk)
        in_a = raise_alert(elders, "pA")
        # the first event cell A's leader gets is cell A's alert: cell B's never came
        assert cell_a.get(timeout=15)["id"] == in_a.pk
    finally:
        close_a()
        close_d()
