"""An SOS through the real worker, as in production: the ingest queues the alert's job,
the worker fans it out to the family and delivers each SMS, each once. (The delivery jobs
the fan-out defers run only once their rows are committed — in the worker procrastinate
defers on a connection of its own; a job run before its row's commit found nothing to send.
That race is too narrow to show reliably here; bench/sos_sms.py showed it, one SOS in 25.)"""
from django.db import connection

from iot.batch_write import messages_ingest
from iot.formats import encode
from iot.models import EmergencyContact
from iot.mqtt_receiver import message_decode
from notify.models import Notification, State
from tests.helpers import at, wait_until
from tests.test_notify_worker_crash import Worker


def test_the_worker_texts_every_contact_of_an_sos(transactional_db, elders, smsc):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")
    person = elders.terminals["pB"].person
    for n in range(4):
        EmergencyContact.objects.create(person=person, name=f"家属{n}", relation="子女", phone=f"1360000300{n}",
                                        priority=3 + n)
    phones = list(person.emergency_contacts.values_list("phone", flat=True))
    lon, lat = elders.home("pB")
    worker = Worker(smsc).start()
    try:
        messages_ingest([message_decode(*encode.native("nat-b", type="sos", time=at(10), lon=lon, lat=lat))])
        wait_until(lambda: Notification.objects.filter(state=State.SENT).count() == len(phones), timeout=60,
                   what="an SMS to each contact")
    finally:
        worker.stop()
    assert sorted(m.destination for m in smsc.messages) == sorted("86" + p for p in phones)  # each once
