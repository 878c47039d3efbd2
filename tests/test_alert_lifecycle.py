"""An alert's lifecycle through the API: steps in order with who, when and a note, response
times, conflicting updates refused; scoped to the elder's home cell; personal data of
the detail masked by role and its reads logged; the queue in a fixed number of queries."""
import datetime as dt

import pytest

from gis_core.models import PersonalDataAccess
from iot.batch_write import message_decode, messages_ingest
from iot.formats import encode
from iot.formats.base import FALL, SOS
from iot.models import Alert, AlertEvent

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def raise_alert(elders, key: str, flag: str = SOS, seconds: int = 0) -> Alert:
    terminal = elders.terminals[key]
    lon, lat = elders.home(key)
    messages_ingest([message_decode(*encode.watch3g(terminal.device_id, type="AL", lon=lon, lat=lat, flags={flag},
                                                    time=NOW - dt.timedelta(seconds=60 - seconds)))
                     if key == "pA" else
                     message_decode(*encode.native(terminal.device_id, type=flag, lon=lon, lat=lat,
                                                   time=NOW - dt.timedelta(seconds=60 - seconds)))])
    return Alert.objects.filter(terminal=terminal).latest("id")


def advance(client, alert: Alert, action: str, **body):
    return client.post(f"/api/v1/alerts/{alert.pk}/advance/", {"action": action, **body}, format="json")


def test_the_dispatcher_takes_an_sos_through_its_lifecycle(world, elders):
    alert = raise_alert(elders, "pB")
    client = world.client("dispatcher")
    for action, state in (("acknowledge", "acknowledged"), ("dispatch", "dispatched"), ("on_scene", "on_scene"),
                          ("resolve", "resolved")):
        response = advance(client, alert, action, note=f"{action} ok")
        assert response.status_code == 200, response.json()
        assert response.json()["properties"]["state"] == state
    alert.refresh_from_db()
    assert alert.acknowledged_at <= alert.dispatched_at <= alert.on_scene_at <= alert.closed_at
    events = list(AlertEvent.objects.filter(alert=alert).values_list("action", "user__username", "note"))
    assert events == [("raised", None, ""), ("acknowledge", "dispatcher", "acknowledge ok"),
                      ("dispatch", "dispatcher", "dispatch ok"), ("on_scene", "dispatcher", "on_scene ok"),
                      ("resolve", "dispatcher", "resolve ok")]
    assert advance(client, alert, "acknowledge").json() == {
        "action": ["An alert that is resolved cannot be given the step acknowledge."]}


def test_a_step_on_an_alert_changed_meanwhile_is_refused(world, elders):
    alert = raise_alert(elders, "pB")
    seen = alert.version
    client = world.client("dispatcher")
    assert advance(client, alert, "acknowledge", version=seen).status_code == 200
    response = advance(client, alert, "false_alarm", version=seen)
    # The same convention as cases: 409 with the reason, the current version and the alert.
    assert response.status_code == 409
    body = response.json()
    assert body["version"] == seen + 1 and body["alert"]["properties"]["state"] == "acknowledged"
    assert "meanwhile" in body["detail"]
    alert.refresh_from_db()
    assert alert.state == "acknowledged" and not alert.events.filter(action="false_alarm").exists()


def test_bad_steps_name_the_field(world, elders):
    alert = raise_alert(elders, "pB")
    response = advance(world.client("dispatcher"), alert, "teleport")
    assert response.status_code == 400 and "action" in response.json()


def test_alerts_are_scoped_to_the_elders_home_cell(world, elders):
    in_a = raise_alert(elders, "pA")
    in_b = raise_alert(elders, "pB")
    ids = lambda user: {f["id"] for f in world.client(user).get("/api/v1/alerts/").json()["features"]}
    assert ids("dispatcher") == {in_a.id, in_b.id}
    assert ids("leader_a") == {in_a.id}
    assert ids("leader_b") == {in_b.id}
    assert world.client("leader_a").get(f"/api/v1/alerts/{in_b.id}/").status_code == 404
    assert advance(world.client("leader_a"), in_b, "acknowledge").status_code == 404
    assert world.client("handler").get("/api/v1/alerts/").status_code == 403


def test_the_street_official_sees_alerts_but_cannot_act(world, elders):
    alert = raise_alert(elders, "pA")
    client = world.client("street")
    assert client.get("/api/v1/alerts/").json()["count"] == 1
    assert advance(client, alert, "acknowledge").status_code == 403


def test_the_detail_has_elder_device_contacts_responders_and_log(world, elders):
    leader_a = world.users["leader_a"]
    leader_a.phone = "13811112222"
    leader_a.save()
    alert = raise_alert(elders, "pA", flag=FALL)
    data = world.client("dispatcher").get(f"/api/v1/alerts/{alert.pk}/").json()["properties"]
    assert data["kind"] == "fall" and data["actions"] == ["acknowledge", "dispatch", "on_scene", "resolve",
                                                          "false_alarm"]
    elder = data["elder_detail"]
    assert (elder["name"], elder["age"], elder["phone"]) == ("居民pA", 81, "13800001111")
    assert set(elder["tags"]) == {"living_alone", "disabled"}
    assert elder["home_address"] == "盘龙路bA号 1单元 302"
    assert data["terminal_state"]["device_id"] == "860000000000001"
    assert data["contacts"] == [{"id": data["contacts"][0]["id"], "name": "家属pA", "relation": "女儿",
                                 "phone": "13600001001", "priority": 1}]
    nearest = data["responders"][0]
    assert (nearest["kind"], nearest["name"], nearest["phone"], nearest["distance_m"]) == (
        "grid_leader", "Leader_A", "13811112222", 0.0)
    assert [e["action"] for e in data["events"]] == ["raised"]
    logged = set(PersonalDataAccess.objects.filter(user=world.users["dispatcher"]).values_list("record", flat=True))
    assert {"居民pA", "家属pA (女儿)"} <= logged


def test_roles_without_personal_data_see_phones_masked(world, elders):
    alert = raise_alert(elders, "pA")
    data = world.client("street").get(f"/api/v1/alerts/{alert.pk}/").json()["properties"]
    assert data["elder_detail"]["phone"] == "138****1111"
    assert data["contacts"][0]["phone"] == "136****1001"
    assert not PersonalDataAccess.objects.filter(user=world.users["street"]).exists()


def test_the_queue_takes_the_same_queries_for_many_alerts(world, elders, django_assert_max_num_queries):
    client = world.client("dispatcher")
    raise_alert(elders, "pA")
    for key in ("pB", "pF"):
        raise_alert(elders, key, flag=FALL)
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/alerts/")
    assert response.json()["count"] == 3


def test_open_sos_and_falls_lead_the_queue_before_newer_alerts_of_other_kinds(world, elders):
    sos = raise_alert(elders, "pA", seconds=0)
    terminal = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native(terminal.device_id, type="battery", batt=5, low=True,
                                                   lon=lon, lat=lat, time=NOW - dt.timedelta(seconds=10)))])
    low_battery = Alert.objects.get(terminal=terminal)
    assert low_battery.kind == "low_battery" and low_battery.raised_at > sos.raised_at
    ids = [f["id"] for f in world.client("dispatcher").get("/api/v1/alerts/").json()["features"]]
    assert ids == [sos.pk, low_battery.pk]


def test_terminals_layer_and_track(world, elders):
    terminal = elders.terminals["pB"]
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native(terminal.device_id, type="position", lon=lon + i * 1e-4, lat=lat,
                                                   time=NOW - dt.timedelta(minutes=10 - i))) for i in range(5)])
    client = world.client("leader_b")
    layer = client.get("/api/v1/terminals/").json()
    assert [f["properties"]["device_id"] for f in layer["features"]] == ["nat-b"]
    track = client.get(f"/api/v1/terminals/{terminal.pk}/track/").json()["features"]
    assert track[0]["geometry"]["type"] == "LineString" and len(track[0]["geometry"]["coordinates"]) == 5
    assert len(track) == 6
    since = (NOW - dt.timedelta(minutes=8, seconds=30)).isoformat()
    assert len(client.get(f"/api/v1/terminals/{terminal.pk}/track/", {"since": since}).json()["features"]) == 4
    assert client.get(f"/api/v1/terminals/{terminal.pk}/track/", {"since": "yesterday"}).status_code == 400
    assert world.client("leader_a").get(f"/api/v1/terminals/{terminal.pk}/track/").status_code == 404


@pytest.mark.parametrize("user, status", [("admin", 200), ("dispatcher", 403)])
def test_quarantine_is_for_administrators(world, elders, user, status):
    messages_ingest([message_decode("eldercare/nat-b/up", b"{oops")])
    response = world.client(user).get("/api/v1/ingest/quarantine/")
    assert response.status_code == status
    if status == 200:
        assert response.json()["results"][0]["payload"] == "{oops"
        counts = world.client(user).get("/api/v1/ingest/quarantine/counts/").json()
        assert counts[0]["outcome"] == "quarantined" and counts[0]["count"] == 1
