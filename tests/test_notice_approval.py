"""Nothing is sent before a street official or a district administrator approves; the
approval queues one SMS per distinct phone and one inbox message per staff member with
idempotency keys, so approving twice or a retry of the fan-out sends nothing twice; every
step is in the append-only log; delivery goes through notify's worker path to the SMSC."""
from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.test.utils import CaptureQueriesContext

from assets import services as assets_services
from notices import selectors
from notices.models import Notice, NoticeStep
from notices.services import notice_chunk_send, notice_fan_out
from notify.models import InboxItem, Notification
from notify.services import inbox_mark_read
from tests.fixtures.notices import notice_body, notice_publish


def outbox(notice_id: int):
    return Notification.objects.filter(subject_type="notice", subject_id=notice_id)


def test_a_draft_sends_nothing_until_an_approver_approves_it(world, housemate):
    community = world.client("community")
    pk = community.post("/api/v1/notices/", notice_body(to_staff=True), format="json").json()["id"]
    assert community.post(f"/api/v1/notices/{pk}/submit/", {}, format="json").status_code == 200
    assert not outbox(pk).exists()
    refused = community.post(f"/api/v1/notices/{pk}/approve/", {}, format="json")
    assert refused.status_code == 403  # the drafter's role does not approve
    assert not outbox(pk).exists()

    approved = world.client("street").post(f"/api/v1/notices/{pk}/approve/", {}, format="json")
    assert approved.status_code == 200, approved.json()
    body = approved.json()
    assert body["status"] == "approved" and (body["people_count"], body["phone_count"], body["staff_count"]) == (3, 2, 3)
    sms = outbox(pk).filter(channel="sms")
    assert sorted(sms.values_list("address", flat=True)) == ["13800001111", "13900002222"]
    key = f"notice:{pk}:sms:{hashlib.md5(b'13800001111').hexdigest()[:16]}"
    assert sms.filter(key=key).exists()
    staff = outbox(pk).filter(channel="inbox")
    assert sorted(staff.values_list("user__username", flat=True)) == ["community", "leader_a", "leader_b"]
    assert [s.action for s in Notice.objects.get(pk=pk).steps.all()] == ["draft", "submit", "approve"]


def test_approving_twice_or_a_retry_sends_nothing_twice(world, housemate):
    notice = notice_publish(world, notice_body(to_staff=True))
    first = outbox(notice["id"]).count()
    again = world.client("admin").post(f"/api/v1/notices/{notice['id']}/approve/", {}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    fanned = notice_fan_out(notice=Notice.objects.get(pk=notice["id"]))  # a retry of the job itself
    assert (fanned["sms_queued"], fanned["staff_queued"]) == (0, 0)
    assert outbox(notice["id"]).count() == first == 5


def test_the_log_is_append_only(world):
    notice = notice_publish(world, notice_body())
    step = NoticeStep.objects.filter(notice_id=notice["id"]).first()
    with pytest.raises(ProgrammingError), transaction.atomic():
        NoticeStep.objects.filter(pk=step.pk).update(note="changed")


def test_the_chunk_job_delivers_each_phone_once_and_staff_read_receipts_list_who_has_not_read(world, housemate,
                                                                                                smsc):
    notice = notice_publish(world, notice_body(to_staff=True))
    ids = list(outbox(notice["id"]).order_by("id").values_list("id", flat=True))
    states = notice_chunk_send(notice_id=notice["id"], first_id=ids[0], last_id=ids[-1], rate=1000)
    assert states == {"sent": 5}
    assert smsc.count_to("8613800001111") == 1 and smsc.count_to("8613900002222") == 1
    assert "停水通知" in smsc.messages[0].text
    assert notice_chunk_send(notice_id=notice["id"], first_id=ids[0], last_id=ids[-1]) == {}  # nothing left

    inbox_mark_read(user=world.users["leader_a"])
    receipts = selectors.notice_staff_receipts(Notice.objects.get(pk=notice["id"]))
    unread = [r["name"] for r in receipts if r["read_at"] is None]
    assert sorted(unread) == ["Community", "Leader_B"]
    answer = world.client("community").get(f"/api/v1/notices/{notice['id']}/receipts/")
    assert [r["read_at"] is None for r in answer.json()] == [True, True, False]
    assert InboxItem.objects.filter(user=world.users["leader_a"], link=f"/notices/{notice['id']}/").exists()


def _approve_queries(world) -> tuple[int, int]:
    community = world.client("community")
    pk = community.post("/api/v1/notices/", notice_body(to_staff=True), format="json").json()["id"]
    community.post(f"/api/v1/notices/{pk}/submit/", {}, format="json")
    with CaptureQueriesContext(connection) as queries:
        assert world.client("street").post(f"/api/v1/notices/{pk}/approve/", {}, format="json").status_code == 200
    return len(queries), outbox(pk).filter(channel="sms").count()


def test_the_fan_out_takes_as_many_queries_for_many_people_as_for_few(world):
    few, sms_few = _approve_queries(world)
    for n in range(12):
        assets_services.person_create(actor=world.users["root"], house=world.houses["hB"], relation="tenant",
                                      moved_in=dt.date(2022, 1, 1), tags=[], name=f"租户{n}",
                                      phone=f"1350000{n:04d}")
    many, sms_many = _approve_queries(world)
    assert (sms_few, sms_many) == (2, 14)
    assert many == few
