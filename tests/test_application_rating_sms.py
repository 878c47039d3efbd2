"""Rating by SMS: collection queues the applicant's rating request (once: an idempotency
key); a reply digit 1–5 from that phone rates the phone's latest collected and unrated
application, once; other replies are kept, other phones rate nothing."""
from __future__ import annotations

from notify.models import Notification
from notify.services import sms_reply_route
from services.models import ApplicationRating


def test_collection_asks_and_a_reply_rates(service_desk):
    a = service_desk.collected()
    asked = Notification.objects.get(template="application_collected_rate", subject_id=a["id"])
    assert (asked.channel, asked.address, asked.key) == ("sms", "13800001111", f"application:{a['id']}:collect:applicant")

    assert sms_reply_route(phone="+86 138-0000-1111", text="好") == "kept (not a rating)"
    assert sms_reply_route(phone="13900002222", text="5") == "no question to answer"
    assert sms_reply_route(phone="13800001111", text=" 4 ") == "rated"
    rating = ApplicationRating.objects.get(application_id=a["id"])
    assert (rating.level, rating.channel, rating.recorded_by) == (4, "sms", None)
    assert sms_reply_route(phone="13800001111", text="1") == "no question to answer"
    assert ApplicationRating.objects.get(application_id=a["id"]).level == 4


def test_reply_rates_the_latest_unrated(service_desk):
    first = service_desk.collected()
    second = service_desk.collected()
    assert sms_reply_route(phone="13800001111", text="5") == "rated"
    assert ApplicationRating.objects.get().application_id == second["id"]
    assert sms_reply_route(phone="13800001111", text="3") == "rated"
    assert ApplicationRating.objects.get(application_id=first["id"]).level == 3


def test_sent_request_keeps_the_reply(service_desk):
    from django.utils import timezone

    a = service_desk.collected()
    Notification.objects.filter(subject_id=a["id"], template="application_collected_rate").update(
        state="sent", sent_at=timezone.now())
    assert sms_reply_route(phone="13800001111", text="2") == "rated"
    assert Notification.objects.get(subject_id=a["id"], template="application_collected_rate").reply == "2"
    assert ApplicationRating.objects.get(application_id=a["id"]).followup.state == "open"
