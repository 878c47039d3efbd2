"""The worker killed with SIGKILL in the middle of a batch (the SMSC has taken the first
message and holds its answer; more submit_sm are in flight), then restarted: nothing is
sent twice, and nothing is lost silently — what was claimed and unrecorded (at most two
batches: the one with the gateway and the next, claimed meanwhile) is failed as
"interrupted" by the recovery, everything else goes out once after the restart."""
from django.db import connection

from notices.tasks import send_chunk
from notify import services
from notify.models import Notification, State
from tests.helpers import wait_until
from tests.test_notify_worker_crash import Worker

BATCH, COUNT = 10, 60


def test_sigkill_mid_batch_sends_nothing_twice_and_ends_every_row(transactional_db, smsc):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")
    rows = Notification.objects.bulk_create(
        Notification(key=f"crash-batch:{n}", template="case_closed", channel="sms", address=f"1360002{n:04d}",
                     values={"tracking": f"T{n}"}, subject_type="notice", subject_id=990, urgent=True)
        for n in range(COUNT))
    send_chunk.defer(notice_id=990, first_id=rows[0].pk, last_id=rows[-1].pk)
    smsc.hold.set()  # the SMSC takes the first message and keeps its answer back
    worker = Worker(smsc)
    worker.env.update({"NOTIFY_BATCH": str(BATCH), "SMPP_WINDOW": "4", "NOTICES_SMS_RATE": "100000"})
    worker.start().kill_mid_send(smsc)
    claimed = Notification.objects.filter(state=State.SENDING).count()
    assert BATCH <= claimed <= 2 * BATCH  # the batch with the gateway, perhaps the next one claimed
    assert Notification.objects.filter(state=State.QUEUED).count() == COUNT - claimed

    recovered = services.notifications_recover(claim_timeout=0)
    assert recovered == {"interrupted": claimed, "requeued": COUNT - claimed}
    worker.start()
    try:
        wait_until(lambda: Notification.objects.filter(state=State.SENT).count() == COUNT - claimed, timeout=90,
                   what="the others to be sent")
    finally:
        worker.stop()
    destinations = [m.destination for m in smsc.messages]
    assert len(destinations) == len(set(destinations))  # nothing twice
    sent = set(Notification.objects.filter(state=State.SENT).values_list("address", flat=True))
    interrupted = Notification.objects.filter(state=State.FAILED, reason__startswith="interrupted")
    assert interrupted.count() == claimed and all(n.tries == 1 for n in interrupted)
    assert {d[2:] for d in destinations} - sent <= set(interrupted.values_list("address", flat=True))
    assert sent <= {d[2:] for d in destinations}  # each sent one is at the gateway, once
