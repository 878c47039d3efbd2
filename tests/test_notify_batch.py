"""Delivery in batches (notify.services.notifications_deliver): one claim, a window of
submit_sm over one SMPP session, one record a batch — each notification submitted
exactly once, throttling backed off, refusals failed with the gateway's reason, receipts
that come before their batch is recorded matched all the same, and the database work of a
batch a few statements whatever its size."""

import pytest

from notify import services
from notify.models import Notification, State
from tests.helpers import wait_until

THROTTLED, INVALID_DESTINATION = 0x58, 0x0B


@pytest.fixture(autouse=True)
def small_batches(settings):
    settings.NOTIFY_BATCH, settings.SMPP_WINDOW, settings.SMPP_THROTTLE_PAUSE = 10, 4, 0.01


def queue(count: int, *, start: int = 0, values=None, urgent=True) -> list[int]:
    return [services.notification_enqueue(key=f"batch:{n}", template="case_closed", channel="sms",
                                          address=f"1360001{n:04d}", urgent=urgent,
                                          values=values or {"tracking": f"T{n}"}).pk
            for n in range(start, start + count)]


def test_a_batch_sends_each_exactly_once_with_its_message_id(db, smsc, django_assert_max_num_queries):
    ids = queue(35) + queue(2, start=100, values={"tracking": "网格" * 60})  # two in two UCS-2 parts
    with django_assert_max_num_queries(4 * 6 + 2):  # a few statements a batch of 10, not a few a message
        states = services.notifications_deliver(ids=ids)
    assert set(states.values()) == {"sent"} and len(states) == 37
    destinations = [m.destination for m in smsc.messages]
    assert len(destinations) == 37 == len(set(destinations))
    assert [m.parts for m in smsc.messages if m.destination.endswith("13600010100")] == [2]
    by_phone = {m.destination[2:]: m.message_ids[-1] for m in smsc.messages}
    for notification in Notification.objects.filter(pk__in=ids):
        assert notification.provider_id == by_phone[notification.address] and notification.tries == 1

    assert set(services.notifications_deliver(ids=ids).values()) == {"sent"}  # again: nothing more
    assert len(smsc.messages) == 37


def test_a_throttled_gateway_gets_a_pause_and_the_throttled_come_back_later_once(db, smsc, settings):
    ids = queue(12)
    smsc.script.extend([0, THROTTLED, 0, THROTTLED])  # the 2nd and 4th submits are throttled
    states = services.notifications_deliver(ids=ids)
    throttled = [pk for pk in ids if states[pk] == State.QUEUED]
    assert len(throttled) == 2 and list(states.values()).count("sent") == 10
    for notification in Notification.objects.filter(pk__in=throttled):
        assert "0x58" in notification.reason and notification.tries == 1
        assert (notification.next_try_at - notification.created_at).total_seconds() >= settings.NOTIFY_RETRY_SECONDS
    assert set(services.notifications_deliver(ids=throttled).values()) == {"sent"}  # their retry job
    destinations = [m.destination for m in smsc.messages]
    assert len(destinations) == 12 == len(set(destinations))


def test_a_refusing_gateway_fails_them_with_its_reason_and_sends_nothing_again(db, smsc):
    ids = queue(3) + queue(1, start=100, values={"tracking": "网格" * 60})
    smsc.script.extend([INVALID_DESTINATION, 0, 0, 0, INVALID_DESTINATION])  # …, the long one's second part
    states = services.notifications_deliver(ids=ids)
    assert [states[pk] for pk in ids] == ["failed", "sent", "sent", "failed"]
    refused, long_one = Notification.objects.get(pk=ids[0]), Notification.objects.get(pk=ids[3])
    assert refused.reason.startswith("gateway answered 0xb")
    assert long_one.reason.startswith("gateway answered 0xb")  # its first part went out: not retried
    assert set(services.notifications_deliver(ids=ids).values()) == {"failed", "sent"}
    assert len(smsc.submits) == 5


def test_non_urgent_ones_wait_out_the_rate_limit_within_a_batch(db, smsc, settings):
    settings.NOTIFY_RATE_LIMIT = "2/3600"
    ids = [services.notification_enqueue(key=f"same:{n}", template="case_closed", channel="sms",
                                         address="13600019999", values={"tracking": f"T{n}"}).pk for n in range(3)]
    states = services.notifications_deliver(ids=ids)
    assert [states[pk] for pk in ids] == ["sent", "sent", "queued"]
    assert Notification.objects.get(pk=ids[2]).next_try_at is not None
    assert len(smsc.messages) == 2


def test_receipts_that_come_before_the_batch_is_recorded_are_matched(transactional_db, smsc, smpp_receiver):
    ids = queue(25)  # the simulator sends each receipt as soon as it answers: before the batch's record
    assert set(services.notifications_deliver(ids=ids).values()) == {"sent"}
    wait_until(lambda: Notification.objects.filter(pk__in=ids, state=State.DELIVERED).count() == 25, timeout=30,
               what="every receipt to be matched")
