"""The seven-step workflow and its exception paths, each action from its states and for its
roles only, every step in the append-only log."""
from __future__ import annotations

import pytest
from django.db import transaction

from incidents.models import Case, CaseEvent, CaseStatus
from incidents.workflow import ACTIONS

pytestmark = pytest.mark.django_db


def events(case_id: int) -> list[tuple[str, str, str]]:
    return list(CaseEvent.objects.filter(case_id=case_id).order_by("at", "id")
                .values_list("action", "from_status", "to_status"))


def test_main_path_collect_to_archive(desk, world):
    case = desk.report("leader_a")
    assert case["properties"]["status"] == "collected"
    case = desk.act("dispatcher", case, "file")
    assert case["properties"]["due_at"] and case["properties"]["time_limit_hours"] == 8  # garbage: 8 working hours
    case = desk.act("dispatcher", case, "dispatch")
    assert case["properties"]["department"] == "sanitation"  # the category's department
    case = desk.act("handler", case, "accept")
    case = desk.act("handler", case, "report_back", note="已清运")
    case = desk.act("leader_a", case, "close")  # the grid leader verifies on the spot
    assert case["properties"]["closed_on_time"] is True
    case = desk.act("dispatcher", case, "evaluate", rating=4)
    case = desk.act("community", case, "visit", note="居民满意", reporter_rating=5)
    case = desk.act("admin", case, "archive")
    assert case["properties"]["status"] == "archived"
    assert events(case["id"]) == [
        ("report", "", "collected"), ("file", "collected", "filed"), ("dispatch", "filed", "dispatched"),
        ("accept", "dispatched", "handling"), ("report_back", "handling", "reported_back"),
        ("close", "reported_back", "closed"), ("evaluate", "closed", "evaluated"),
        ("visit", "evaluated", "evaluated"), ("archive", "evaluated", "archived")]
    stored = Case.objects.get(pk=case["id"])
    assert (stored.rating, stored.reporter_rating) == (4, 5)
    assert [e["actor"] for e in case["properties"]["events"]][:3] == ["Leader_A", "Dispatcher", "Dispatcher"]


def test_return_to_dispatcher_then_redispatch(desk):
    case = desk.advance(desk.report(), "dispatched")
    desk.act("handler", case, "return", expect=400)  # a reason is required
    case = desk.act("handler", case, "return", note="不属于本部门")
    assert case["properties"]["status"] == "filed" and case["properties"]["department"] is None
    case = desk.act("dispatcher", case, "dispatch", department="municipal")
    assert case["properties"]["department"] == "municipal"


def test_rework_after_failed_verification(desk):
    case = desk.advance(desk.report(), "reported_back")
    case = desk.act("dispatcher", case, "rework", note="现场仍有垃圾")
    assert case["properties"]["status"] == "handling" and case["properties"]["rework_count"] == 1
    case = desk.act("handler", case, "report_back", note="已再次清运")
    case = desk.act("dispatcher", case, "close")
    assert case["properties"]["status"] == "closed"


def test_extension_request_approval_and_denial(desk):
    case = desk.advance(desk.report(), "handling")
    due = Case.objects.get(pk=case["id"]).due_at
    case = desk.act("handler", case, "request_extension", note="需要调车", hours=8)
    assert case["properties"]["pending_request"] == "extension"
    desk.act("handler", case, "report_back", note="x", expect=400)  # not while a request is pending
    case = desk.act("dispatcher", case, "approve_extension")
    stored = Case.objects.get(pk=case["id"])
    assert stored.extension_count == 1 and stored.pending_request == "" and stored.time_limit_hours == 16
    assert (stored.due_at - due).total_seconds() >= 8 * 3600  # eight working hours later
    case = desk.act("handler", case, "request_extension", note="again", hours=4)
    case = desk.act("dispatcher", case, "deny_extension", note="不同意")
    assert Case.objects.get(pk=case["id"]).extension_count == 1
    desk.act("handler", case, "request_extension", note="too much", hours=9999, expect=400)


def test_deferral_pauses_and_resume_restores(desk):
    case = desk.advance(desk.report(), "handling")
    case = desk.act("handler", case, "request_deferral", note="等待资金")
    case = desk.act("dispatcher", case, "approve_deferral")
    stored = Case.objects.get(pk=case["id"])
    assert stored.status == "deferred" and stored.deferred_at and stored.paused_from == "handling"
    case = desk.act("dispatcher", case, "resume")
    assert case["properties"]["status"] == "handling"
    assert Case.objects.get(pk=case["id"]).paused_at is None


def test_suspend_resume_and_supervise(desk, world):
    case = desk.advance(desk.report(), "dispatched")
    case = desk.act("dispatcher", case, "suspend", note="等待产权认定")
    assert case["properties"]["status"] == "suspended"
    case = desk.act("street", case, "supervise", note="请尽快办理")
    case = desk.act("dispatcher", case, "resume")
    assert case["properties"]["status"] == "dispatched" and case["properties"]["supervision_count"] == 1


def test_reject_and_duplicate(desk):
    first = desk.advance(desk.report(), "filed")
    second = desk.report("leader_a")
    desk.act("dispatcher", second, "mark_duplicate", expect=400)  # which case it repeats
    second = desk.act("dispatcher", second, "mark_duplicate", duplicate_of=first["properties"]["tracking_number"])
    assert second["properties"]["status"] == "duplicate"
    assert second["properties"]["duplicate_of"] == first["properties"]["tracking_number"]
    third = desk.report("leader_a")
    third = desk.act("dispatcher", third, "reject", note="非本辖区事项")
    assert third["properties"]["status"] == "rejected"


# A state each action may not start from, reached by the main path.
FORBIDDEN_FROM = {
    "file": "filed", "reject": "dispatched", "mark_duplicate": "handling", "dispatch": "collected",
    "accept": "handling", "return": "reported_back", "report_back": "dispatched", "close": "handling",
    "rework": "closed", "evaluate": "reported_back", "visit": "handling", "archive": "closed",
    "request_extension": "reported_back", "approve_extension": "handling", "deny_extension": "handling",
    "request_deferral": "dispatched", "approve_deferral": "handling", "deny_deferral": "handling",
    "suspend": "reported_back", "resume": "handling", "supervise": "closed",
}
ALLOWED_USER = {"accept": "handler", "return": "handler", "report_back": "handler", "request_extension": "handler",
                "request_deferral": "handler", "archive": "admin", "visit": "community"}


def test_every_action_has_a_forbidden_state():
    assert set(FORBIDDEN_FROM) == set(ACTIONS)


@pytest.mark.parametrize("action", sorted(FORBIDDEN_FROM))
def test_action_refused_from_wrong_state(desk, action):
    case = desk.report()
    if FORBIDDEN_FROM[action] != "collected":
        case = desk.advance(case, FORBIDDEN_FROM[action])
    before = Case.objects.get(pk=case["id"])
    body = desk.act(ALLOWED_USER.get(action, "dispatcher"), case, action, expect=400, note="n", rating=3,
                    reporter_rating=3, hours=4, duplicate_of="")
    assert str(ACTIONS[action].label) in body["action"][0]
    after = Case.objects.get(pk=case["id"])
    assert (after.status, after.version) == (before.status, before.version)
    assert CaseEvent.objects.filter(case_id=case["id"]).count() == len(events(case["id"]))


@pytest.mark.parametrize("action,user,state", [
    ("file", "leader_a", "collected"), ("file", "handler", "collected"), ("dispatch", "community", "filed"),
    ("accept", "dispatcher", "dispatched"), ("report_back", "leader_a", "handling"),
    ("close", "handler", "reported_back"), ("evaluate", "leader_a", "closed"), ("archive", "dispatcher", "evaluated"),
    ("approve_extension", "handler", "handling"), ("suspend", "street", "handling"),
    ("supervise", "handler", "handling"), ("visit", "handler", "closed"),
])
def test_roles_that_may_not_act_are_refused(desk, action, user, state):
    case = desk.advance(desk.report(), state)
    version = desk.version(case["id"])
    desk.act(user, case, action, expect=403, note="n", rating=3, reporter_rating=3)
    assert desk.version(case["id"]) == version


def test_handler_of_another_department_is_refused(desk, world):
    from gis_core import services as gis_services
    from gis_core.models import Role
    from incidents.models import Department

    other = gis_services.user_create(username="police1", password="pw", role=Role.DEPARTMENT_HANDLER,
                                     areas=[world.areas["D"]], name="Police")
    Department.objects.get(code="police").members.add(other)
    world.users["police1"] = other
    case = desk.advance(desk.report(), "dispatched")  # to sanitation
    # Not in their queue at all, so not found.
    desk.act("police1", case, "accept", expect=404)
    assert world.client("police1").get("/api/v1/cases/").json()["count"] == 0


def test_case_outside_the_users_areas_is_not_found(desk, world):
    case = desk.report("leader_a")
    assert world.client("leader_b").get(f"/api/v1/cases/{case['id']}/").status_code == 404
    desk.act("leader_b", desk.advance(case, "reported_back"), "close", expect=404)


def test_log_is_append_only(desk):
    case = desk.report()
    event = CaseEvent.objects.filter(case_id=case["id"]).first()
    with pytest.raises(Exception), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(Exception), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_concurrent_actions_one_wins_the_other_gets_a_conflict(desk, world):
    case = desk.advance(desk.report(), "filed")
    seen = desk.version(case["id"])
    desk.act("dispatcher", case, "dispatch", version=seen)
    body = desk.act("admin", case, "suspend", version=seen, note="挂起", expect=409)
    assert "changed" in body["detail"]
    assert body["case"]["properties"]["status"] == "dispatched"  # the fresh view
    assert body["case"]["properties"]["version"] == seen + 1 == body["version"]
    assert Case.objects.get(pk=case["id"]).status == CaseStatus.DISPATCHED
    assert [e[0] for e in events(case["id"])].count("suspend") == 0

