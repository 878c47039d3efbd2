"""The case rules beyond dispatch and closing: the reporter told on filing (a resident by
SMS with the tracking number, a grid leader in-app); due soon and late (the clock's job)
and 督办 to the department's handlers and its head."""
import json

import pytest
from django.db import connection

from gis_core import services as core_services
from gis_core.models import Role
from incidents.models import Case, Department
from incidents.services import cases_clock_tick
from notify.models import Notification
from notify.rules import cases_flagged_notify


@pytest.fixture
def head(world, desk):
    user = core_services.user_create(username="head", password="pw-head", role=Role.DEPARTMENT_HANDLER,
                                     areas=[world.areas["D"]], name="科长")
    Department.objects.filter(code="sanitation").update(head=user)
    return user


def case_messages(case_id: int, **filters) -> list[tuple]:
    return list(Notification.objects.filter(subject_type="case", subject_id=case_id, **filters).order_by("key")
                .values_list("template", "channel", "user__username", "address"))


def test_a_resident_reporter_gets_the_tracking_number_by_sms_on_filing(desk):
    case = desk.act("dispatcher", desk.report("community"), "file")
    (message,) = Notification.objects.filter(subject_id=case["id"], template="case_filed")
    assert (message.channel, message.address) == ("sms", "13811112222")
    assert message.values["tracking"] == case["properties"]["tracking_number"]


def test_a_grid_leader_reporter_is_told_in_the_inbox_on_filing(desk, world):
    case = desk.act("dispatcher", desk.report("leader_a"), "file")
    assert case_messages(case["id"]) == [("case_filed", "inbox", "leader_a", "")]


def test_due_soon_and_late_go_to_the_handlers_and_the_head_once(desk, head, world):
    case = desk.advance(desk.report(), "dispatched")
    stored = Case.objects.get(pk=case["id"])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")
    for moment, template in ((stored.warn_at, "case_due_soon"), (stored.due_at, "case_late")):
        cases_clock_tick(now=moment)
        with connection.cursor() as cursor:  # the clock's transaction queued one job: run it as the worker does
            cursor.execute("SELECT args::text FROM procrastinate_jobs WHERE task_name = 'notify.cases_flagged'")
            (args,) = [json.loads(row[0]) for row in cursor.fetchall()]
            cursor.execute("DELETE FROM procrastinate_jobs")
        assert cases_flagged_notify(**args) == 2
        assert cases_flagged_notify(**args) == 0  # run twice: nothing more
        assert case_messages(case["id"], template=template) == [
            (template, "inbox", "handler", ""), (template, "inbox", "head", "")]
    late = Notification.objects.get(template="case_late", user=head)
    assert late.values["tracking"] == stored.tracking_number and late.values["due"]


def test_supervision_goes_to_the_handlers_and_the_head_with_the_note(desk, head):
    case = desk.advance(desk.report(), "handling")
    desk.act("dispatcher", case, "supervise", note="请今日办结")
    messages = Notification.objects.filter(subject_id=case["id"], template="case_supervised").order_by("user_id")
    assert [(n.user.username, n.channel) for n in messages] == [("handler", "inbox"), ("head", "inbox")]
    assert messages[0].values["note"] == "请今日办结" and messages[0].values["times"] == "1"
