"""An application along its flow through the API: received → accepted → forwarded to the
item's deciding department → approved → issued → collected, each step logged with who
and from which state; refusals need a reason; a stale version is a 409 with the current
state, and nothing is written."""
from __future__ import annotations

from services.models import Application, ApplicationStep


def test_main_path_logged(service_desk):
    a = service_desk.file()
    assert (a["state"], a["number"][:2]) == ("received", "BJ")
    a = service_desk.act("community", a, "accept")
    a = service_desk.act("community", a, "forward")
    assert (a["state"], a["department"], a["level"]) == ("forwarded", "civil_affairs", "street")
    a = service_desk.act("handler", a, "approve")
    a = service_desk.act("handler", a, "issue")
    a = service_desk.act("community", a, "collect")
    assert a["state"] == "collected"
    steps = list(ApplicationStep.objects.filter(application_id=a["id"]).values_list("action", "from_state", "to_state"))
    assert steps == [("file", "", "received"), ("accept", "received", "accepted"),
                     ("forward", "accepted", "forwarded"), ("approve", "forwarded", "approved"),
                     ("issue", "approved", "issued"), ("collect", "issued", "collected")]
    application = Application.objects.get(pk=a["id"])
    assert application.decided_on_time is True and application.closed_at is not None
    assert [s["actor"] for s in a["steps"]][:2] == ["Community", "Community"]


def test_refusals_need_a_reason_and_wrong_state_is_400(service_desk):
    a = service_desk.file()
    answer = service_desk.act("community", a, "not_accept", expect=400)
    assert "note" in answer
    answer = service_desk.act("community", a, "collect", expect=400)
    assert "action" in answer
    a = service_desk.act("community", a, "not_accept", note="不符合受理条件")
    assert a["state"] == "not_accepted"


def test_handler_may_not_accept_at_the_desk(service_desk):
    a = service_desk.file()
    response = service_desk.world.client("handler").post(f"/api/v1/applications/{a['id']}/act/",
                                                         {"action": "accept", "version": 1}, format="json")
    assert response.status_code in (403, 404)


def test_suspend_and_resume(service_desk):
    a = service_desk.act("community", service_desk.file(), "accept")
    a = service_desk.act("community", a, "suspend", note="等待户籍核实")
    assert a["state"] == "suspended"
    a = service_desk.act("community", a, "resume")
    assert a["state"] == "accepted"


def test_stale_version_is_409_with_current_state(service_desk):
    a = service_desk.file()
    service_desk.act("community", a, "accept")
    answer = service_desk.act("community", a, "not_accept", version=1, note="x", expect=409)
    assert answer["version"] == 2 and answer["application"]["state"] == "accepted"
    assert ApplicationStep.objects.filter(application_id=a["id"]).count() == 2


def test_withdraw(service_desk):
    a = service_desk.file()
    a = service_desk.act("community", a, "withdraw", note="申请人撤回")
    assert a["state"] == "withdrawn" and a["actions"] == []
