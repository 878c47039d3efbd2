"""SMS over SMPP 3.4 against the SMSC simulator (tests/fixtures/smpp_server.py): the SOS
rule's messages to the family, UCS-2 and concatenation, throttling with back-off, refusals,
delivery receipts, and a resident's "1"–"5" reply rating their case."""
import json

from django.db import connection

from iot.batch_write import messages_ingest
from iot.formats import encode
from iot.mqtt_receiver import message_decode
from notify import services
from notify.models import Notification, State
from notify.rules import alert_fan_out
from notify.texts import sms_segments
from tests.helpers import at, wait_until


def deliver_all() -> list[str]:
    return [services.notification_deliver(notification_id=n.pk)
            for n in Notification.objects.filter(state=State.QUEUED).order_by("id")]


def sms(key="t:1", text_values=None, phone="13600001001", template="case_closed", urgent=False):
    return services.notification_enqueue(key=key, template=template, channel="sms", address=phone,
                                         values=text_values or {"tracking": "530103-1"}, urgent=urgent)


def test_sos_queues_one_job_in_the_ingest_transaction_and_texts_the_family_in_chinese(elders, smsc):
    from iot.models import EmergencyContact

    person = elders.terminals["pB"].person
    EmergencyContact.objects.create(person=person, name="儿子", relation="儿子", phone="13600002999", priority=2)
    lon, lat = elders.home("pB")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")  # the job queue is not flushed between tests
    messages_ingest([message_decode(*encode.native("nat-b", type="sos", time=at(10), lon=lon, lat=lat))])
    with connection.cursor() as cursor:
        cursor.execute("SELECT task_name, queue_name, priority, args::text FROM procrastinate_jobs")
        jobs = [(*row[:3], json.loads(row[3])) for row in cursor.fetchall()]
    assert [(j[0], j[1], j[2]) for j in jobs] == [("notify.alert_changed", "urgent", 10)]
    assert Notification.objects.count() == 0  # nothing sent inline: the worker fans out

    alert_fan_out(**jobs[0][3])
    alert_fan_out(**jobs[0][3])  # the job run twice (a retry) queues nothing more
    queued = list(Notification.objects.order_by("id"))
    assert [n.address for n in queued] == ["13600002002", "13600002999"]  # in the contacts' order
    assert all(n.urgent for n in queued)
    assert deliver_all() == ["sent", "sent"]
    first = smsc.messages[0]
    assert first.destination == "8613600002002" and first.data_coding == 8  # UCS-2
    assert first.text.startswith(f"{person.name}于") and "按下了紧急呼叫，平台正在处置，请拨打0871-12345" in first.text
    assert first.parts == 1
    assert Notification.objects.get(pk=queued[0].pk).provider_id == first.message_ids[-1]


def test_a_long_chinese_text_goes_in_concatenated_ucs2_parts(db, smsc):
    notification = sms(text_values={"tracking": "网格" * 60})
    assert services.notification_deliver(notification_id=notification.pk) == "sent"
    (message,) = smsc.messages
    body = Notification.objects.get(pk=notification.pk).body
    assert len(body) == 134 and sms_segments(body) == (2, "UCS-2")  # 67 characters a part
    assert message.parts == 2 and message.data_coding == 8 and message.text == body
    assert len({s.short_message[3] for s in smsc.submits}) == 1  # one UDH reference for both parts
    assert sms_segments("a" * 160) == (1, "GSM") and sms_segments("a" * 161) == (2, "GSM")


def test_the_same_key_never_sends_twice(db, smsc):
    assert sms(key="k") is not None
    assert sms(key="k") is None
    deliver_all()
    assert Notification.objects.count() == 1 and len(smsc.messages) == 1


def test_a_throttled_gateway_is_retried_with_back_off_and_sends_once(db, smsc, settings):
    smsc.script.extend([0x58, 0x58])  # ESME_RTHROTTLED twice
    notification = sms()
    assert services.notification_deliver(notification_id=notification.pk) == "queued"
    first = Notification.objects.get(pk=notification.pk)
    assert services.notification_deliver(notification_id=notification.pk) == "queued"
    second = Notification.objects.get(pk=notification.pk)
    assert (second.next_try_at - first.next_try_at).total_seconds() >= settings.NOTIFY_RETRY_SECONDS  # backing off
    assert "0x58" in second.reason and second.tries == 2
    assert services.notification_deliver(notification_id=notification.pk) == "sent"
    assert len(smsc.messages) == 1 and Notification.objects.get(pk=notification.pk).tries == 3


def test_refusals_and_bad_input_end_with_a_reason_and_send_nothing(db, smsc):
    smsc.script.append(0x0B)  # ESME_RINVDSTADR
    refused = sms(key="a")
    bad_phone = sms(key="b", phone="12345")
    missing = sms(key="c", text_values={"nothing": 1})
    assert deliver_all() == ["failed", "failed", "failed"]
    assert "0xb" in Notification.objects.get(pk=refused.pk).reason
    assert "Not a mobile phone number" in Notification.objects.get(pk=bad_phone.pk).reason
    assert "Missing value for tracking" in Notification.objects.get(pk=missing.pk).reason
    assert len(smsc.submits) == 1


def test_urgent_messages_ignore_quiet_hours_and_others_wait(db, smsc, settings):
    settings.NOTIFY_QUIET_HOURS = "00:00-23:59"
    later = sms(key="later")
    now = sms(key="now", urgent=True)
    assert services.notification_deliver(notification_id=later.pk) == "queued"
    assert services.notification_deliver(notification_id=now.pk) == "sent"
    assert Notification.objects.get(pk=later.pk).next_try_at is not None
    assert [m.destination for m in smsc.messages] == ["8613600001001"]


def test_rate_limit_per_recipient(db, smsc, settings):
    settings.NOTIFY_RATE_LIMIT = "2/3600"
    for i in range(3):
        sms(key=f"r{i}")
    assert deliver_all() == ["sent", "sent", "queued"]


def test_delivery_receipts_update_the_state(transactional_db, smsc, smpp_receiver):
    smsc.auto_receipts = False
    ok, lost = sms(key="ok"), sms(key="lost", phone="13600001002")
    deliver_all()
    smsc.receipt(Notification.objects.get(pk=ok.pk).provider_id)
    smsc.receipt(Notification.objects.get(pk=lost.pk).provider_id, stat="UNDELIV")
    wait_until(lambda: Notification.objects.filter(state__in=["delivered", "failed"]).count() == 2, what="receipts")
    assert Notification.objects.get(pk=ok.pk).state == "delivered"
    lost = Notification.objects.get(pk=lost.pk)
    assert lost.state == "failed" and "stat:UNDELIV" in lost.receipt


def test_a_residents_reply_rates_their_closed_case(transactional_db, desk, smsc, smpp_receiver):
    from incidents.models import Case

    case = desk.advance(desk.report("community"), "reported_back")
    desk.act("dispatcher", case, "close")
    notification = Notification.objects.get(template="case_closed_rate")
    assert notification.address == "13811112222"
    services.notification_deliver(notification_id=notification.pk)
    assert "回复1-5评价" in smsc.messages[-1].text and case["properties"]["tracking_number"] in smsc.messages[-1].text

    smsc.mobile_originated("8613811112222", "4")
    case_id = case["id"] if "id" in case else case["properties"]["id"]
    wait_until(lambda: Case.objects.get(pk=case_id).reporter_rating == 4, what="the rating")
    assert Notification.objects.get(pk=notification.pk).reply == "4"
    assert Case.objects.get(pk=case_id).events.filter(action="visit", actor=None).exists()
