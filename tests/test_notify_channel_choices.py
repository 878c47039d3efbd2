"""Each user chooses the channels of non-urgent kinds (API /api/v1/inbox/channels/; the
settings page uses the same check): the rules honour the choice; e-mail needs an address
and SMS a phone (400 naming why); urgent messages (SOS) ignore the choice."""
import pytest
from django.utils import timezone

from iot.batch_write import message_decode, messages_ingest
from iot.formats import encode
from iot.models import Alert
from notify.models import ChannelChoice, Notification
from notify.rules import KINDS, alert_fan_out

URL = "/api/v1/inbox/channels/"


def test_the_defaults_are_the_inbox_and_the_choice_is_saved(world):
    handler = world.users["handler"]
    handler.phone = "13500000005"
    handler.save()
    client = world.client("handler")
    rows = client.get(URL).json()
    assert [r["kind"] for r in rows] == list(KINDS)
    assert all(r["channels"] == ["inbox"] for r in rows)
    assert all(r["available"] == ["inbox", "sms"] for r in rows if r["kind"] != "notice")  # notices: inbox only
    response = client.put(URL, {"choices": {"case_deadline": ["sms", "inbox"], "case_dispatched": []}}, format="json")
    assert response.status_code == 200, response.json()
    chosen = {r["kind"]: r["channels"] for r in response.json()}
    assert chosen["case_deadline"] == ["inbox", "sms"] and chosen["case_dispatched"] == []
    assert chosen["followup"] == ["inbox"]  # kinds left out keep theirs


@pytest.mark.parametrize("choices, reason", [
    ({"case_deadline": ["email"]}, "no e-mail address"),
    ({"case_deadline": ["sms"]}, "no phone number"),
    ({"no_such_kind": ["inbox"]}, "Unknown kind"),
    ({"case_deadline": ["pigeon"]}, "valid choice"),
])
def test_a_choice_that_cannot_be_made_is_refused_with_the_reason(world, choices, reason):
    response = world.client("handler").put(URL, {"choices": choices}, format="json")
    assert response.status_code == 400
    assert reason in str(response.json()["choices"])
    assert not ChannelChoice.objects.exists()


def test_the_rules_honour_the_choice(world, desk):
    handler = world.users["handler"]
    handler.phone, handler.email = "13500000005", "handler@grid.example"
    handler.save()
    client = world.client("handler")
    client.put(URL, {"choices": {"case_dispatched": ["email", "sms"]}}, format="json")
    case = desk.advance(desk.report(), "dispatched")
    messages = Notification.objects.filter(subject_id=case["id"], template="case_dispatched", user=handler)
    assert sorted((n.channel, n.address) for n in messages) == [
        ("email", "handler@grid.example"), ("sms", "13500000005")]

    client.put(URL, {"choices": {"case_dispatched": []}}, format="json")  # nothing of this kind
    second = desk.advance(desk.report(), "dispatched")
    assert not Notification.objects.filter(subject_id=second["id"], template="case_dispatched").exists()


def test_urgent_messages_ignore_the_choice(world, elders):
    leader = world.users["leader_b"]
    leader.on_duty, leader.phone = True, "13500000002"
    leader.save()
    world.client("leader_b").put(URL, {"choices": {kind: [] for kind in KINDS}}, format="json")
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native("nat-b", type="sos", time=timezone.now(), lon=lon, lat=lat))])
    alert = Alert.objects.get(terminal=elders.terminals["pB"])
    alert_fan_out(alert_id=alert.pk, action="raised")
    assert sorted(Notification.objects.filter(user=leader).values_list("channel", flat=True)) == ["inbox", "sms"]


def test_going_on_duty_through_the_api(world):
    response = world.client("leader_a").patch("/api/v1/me/", {"on_duty": True}, format="json")
    assert response.status_code == 200 and response.json()["on_duty"] is True
    response = world.client("handler").patch("/api/v1/me/", {"on_duty": True}, format="json")
    assert response.status_code == 400 and "on_duty" in response.json()
    response = world.client("leader_a").patch("/api/v1/me/", {"on_duty": "maybe"}, format="json")
    assert response.status_code == 400 and "on_duty" in response.json()
