"""An SOS nobody acknowledges escalates (notify.rules.alerts_escalate, the periodic job
notify.escalate), driven by the job's ``now``: at raise the family and the nearest on-duty
grid leader; after N minutes the contacts without a delivery receipt again and the next
on-duty responders; after 2N the district administrators (the dispatchers' supervisors).
Each step once however often the job runs; none once the alert is acknowledged."""
import datetime as dt

import pytest
from django.utils import timezone

from iot import services as iot_services
from iot.batch_write import message_decode, messages_ingest
from iot.formats import encode
from iot.models import Alert, EmergencyContact
from notify.models import AlertEscalation, Notification, State
from notify.rules import alert_fan_out, alerts_escalate


@pytest.fixture(autouse=True)
def escalation(settings):
    settings.NOTIFY_SOS_ESCALATE_MINUTES = 5


@pytest.fixture
def sos(world, elders):
    """pB's SOS (home in cell B), leader_b (cell B) and leader_a (cell A next to it) on duty
    with phones, the administrator with a phone; its raise fanned out as the worker does."""
    for key, phone in (("leader_b", "13500000002"), ("leader_a", "13500000001"), ("admin", "13500000009")):
        user = world.users[key]
        user.phone, user.on_duty = phone, key != "admin"
        user.save()
    person = elders.terminals["pB"].person
    EmergencyContact.objects.create(person=person, name="儿子", relation="儿子", phone="13600002999", priority=2)
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native("nat-b", type="sos", time=timezone.now(), lon=lon, lat=lat))])
    alert = Alert.objects.get(terminal=elders.terminals["pB"])
    alert_fan_out(alert_id=alert.pk, action="raised")
    return alert


def keys(**filters) -> list[str]:
    return sorted(Notification.objects.filter(**filters).values_list("key", flat=True))


def test_the_family_and_the_nearest_on_duty_grid_leader_are_messaged_at_raise(world, sos):
    leader = world.users["leader_b"]
    responder = Notification.objects.filter(user=leader).order_by("channel")
    assert [(n.channel, n.address, n.urgent, n.template) for n in responder] == [
        ("inbox", "", True, "alert_responder"), ("sms", "13500000002", True, "alert_responder")]
    assert not Notification.objects.filter(user=world.users["leader_a"]).exists()  # only the nearest
    assert keys(template="sos_raised") == [f"alert:{sos.pk}:raised:contact:{c.pk}"
                                           for c in sos.person.emergency_contacts.order_by("pk")]


def test_off_duty_grid_leaders_are_not_called(world, elders):
    lon, lat = elders.home("pB")
    messages_ingest([message_decode(*encode.native("nat-b", type="sos", time=timezone.now(), lon=lon, lat=lat))])
    alert = Alert.objects.get(terminal=elders.terminals["pB"])
    alert_fan_out(alert_id=alert.pk, action="raised")
    assert not Notification.objects.filter(template="alert_responder").exists()


def test_unacknowledged_it_escalates_in_steps_each_once(world, sos):
    start = sos.received_at
    contacts = list(sos.person.emergency_contacts.order_by("priority", "id"))
    # the first contact's SMS was delivered (a receipt came): they are not texted again
    Notification.objects.filter(key=f"alert:{sos.pk}:raised:contact:{contacts[0].pk}").update(state=State.DELIVERED)

    assert alerts_escalate(now=start + dt.timedelta(minutes=4)) == {"steps": 0, "queued": 0}
    first = alerts_escalate(now=start + dt.timedelta(minutes=5, seconds=1))
    assert first["steps"] == 1
    step1 = f"alert:{sos.pk}:escalate:1"
    assert keys(key__startswith=step1) == sorted([
        f"{step1}:contact:{contacts[1].pk}",  # only the one not reached
        f"{step1}:user:{world.users['leader_a'].pk}", f"{step1}:user:{world.users['leader_a'].pk}:sms"])
    assert first["queued"] == 3

    # the job runs again (every minute, or twice after a crash): nothing more
    assert alerts_escalate(now=start + dt.timedelta(minutes=6)) == {"steps": 0, "queued": 0}
    assert alerts_escalate(now=start + dt.timedelta(minutes=9)) == {"steps": 0, "queued": 0}

    second = alerts_escalate(now=start + dt.timedelta(minutes=10, seconds=1))
    admin = world.users["admin"]
    step2 = f"alert:{sos.pk}:escalate:2"
    assert keys(key__startswith=step2) == [f"{step2}:user:{admin.pk}", f"{step2}:user:{admin.pk}:sms"]
    assert second == {"steps": 1, "queued": 2}
    supervisor_sms = Notification.objects.get(key=f"{step2}:user:{admin.pk}:sms")
    assert supervisor_sms.urgent and supervisor_sms.template == "alert_supervisor"
    assert supervisor_sms.values["minutes"] == "10"

    total = Notification.objects.count()
    assert alerts_escalate(now=start + dt.timedelta(hours=3)) == {"steps": 0, "queued": 0}
    assert Notification.objects.count() == total
    assert list(AlertEscalation.objects.filter(alert=sos).values_list("step", "queued")) == [(1, 3), (2, 2)]


def test_a_late_first_run_takes_every_step_due_once(world, sos):
    assert alerts_escalate(now=sos.received_at + dt.timedelta(minutes=12))["steps"] == 2
    assert alerts_escalate(now=sos.received_at + dt.timedelta(minutes=12))["steps"] == 0


def test_an_alert_of_hours_ago_escalates_no_more(world, sos):
    # the worker was down (or this is old data): nobody is woken for it now
    assert alerts_escalate(now=sos.received_at + dt.timedelta(hours=7))["steps"] == 0
    assert not AlertEscalation.objects.filter(alert=sos).exists()


def test_escalation_stops_once_the_alert_is_acknowledged(world, sos):
    alerts_escalate(now=sos.received_at + dt.timedelta(minutes=5, seconds=1))
    iot_services.alert_advance(actor=world.users["dispatcher"], alert=sos, action="acknowledge")
    before = Notification.objects.count()
    assert alerts_escalate(now=sos.received_at + dt.timedelta(minutes=30)) == {"steps": 0, "queued": 0}
    assert Notification.objects.filter(key__startswith=f"alert:{sos.pk}:escalate:2").count() == 0
    assert Notification.objects.count() == before
    assert list(AlertEscalation.objects.filter(alert=sos).values_list("step", flat=True)) == [1]


def test_acknowledged_in_time_nothing_escalates(world, sos):
    iot_services.alert_advance(actor=world.users["dispatcher"], alert=sos, action="acknowledge")
    assert alerts_escalate(now=sos.received_at + dt.timedelta(minutes=30)) == {"steps": 0, "queued": 0}
    assert not AlertEscalation.objects.exists()


def test_no_escalation_when_the_setting_is_zero(world, sos, settings):
    settings.NOTIFY_SOS_ESCALATE_MINUTES = 0
    assert alerts_escalate(now=sos.received_at + dt.timedelta(hours=1)) == {"steps": 0, "queued": 0}


def test_the_minutely_scan_is_one_query_when_nothing_is_due(world, sos, django_assert_max_num_queries):
    alerts_escalate(now=sos.received_at + dt.timedelta(minutes=12))  # every step taken
    with django_assert_max_num_queries(1):
        assert alerts_escalate(now=sos.received_at + dt.timedelta(minutes=20)) == {"steps": 0, "queued": 0}
    with django_assert_max_num_queries(1):
        assert alerts_escalate(now=sos.received_at + dt.timedelta(minutes=1)) == {"steps": 0, "queued": 0}


def test_step_two_reaches_the_on_duty_dispatchers_with_their_supervisors(world, sos):
    dispatcher = world.users["dispatcher"]
    dispatcher.on_duty = True
    dispatcher.save()
    alerts_escalate(now=sos.received_at + dt.timedelta(minutes=10, seconds=1))
    told = set(Notification.objects.filter(key__startswith=f"alert:{sos.pk}:escalate:2", channel="inbox")
               .values_list("user__username", flat=True))
    assert told == {"admin", "dispatcher"}
