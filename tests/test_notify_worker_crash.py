"""The worker killed with SIGKILL in the middle of a send (the SMSC has the message and
has not answered yet), then restarted: nothing is lost and nothing is sent twice. The
one caught mid-call is failed as "interrupted" (the gateway had it: resending would
double it); every other queued message goes out once after the restart."""
import signal
import subprocess
import sys

from django.db import connection

from notify import services
from notify.models import Notification, State
from tests.helpers import subprocess_env, wait_until

PHONES = [f"1360000{n:04d}" for n in range(1, 6)]


class Worker:
    def __init__(self, smsc) -> None:
        self.env = {**subprocess_env(), "SMPP_URL": smsc.url, "NOTIFY_RATE_LIMIT": ""}
        self.process = None

    def start(self) -> "Worker":
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker", "--queues", "urgent,notify", "--concurrency", "1"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return self

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)

    def kill_mid_send(self, smsc) -> None:
        """SIGKILL once the SMSC (holding its answers: ``smsc.hold``) has a submit; then the
        SMSC answers again."""
        try:
            wait_until(lambda: len(smsc.submits) >= 1, timeout=60, what="the worker to submit")
            self.kill()
        finally:
            smsc.release()
            self.stop()


def test_sigkill_mid_send_loses_nothing_and_sends_nothing_twice(transactional_db, smsc):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs")
    smsc.hold.set()  # the SMSC takes the first message and keeps its answer back
    for i, phone in enumerate(PHONES):
        services.notification_enqueue(key=f"crash:{i}", template="case_closed", channel="sms", address=phone,
                                      values={"tracking": f"T{i}"})
    Worker(smsc).start().kill_mid_send(smsc)
    assert list(Notification.objects.values_list("state", flat=True).order_by("id")) == ["sending"] + ["queued"] * 4

    assert services.notifications_recover(claim_timeout=0) == {"interrupted": 1, "requeued": 4}
    worker = Worker(smsc).start()
    try:
        wait_until(lambda: Notification.objects.filter(state=State.SENT).count() == 4, timeout=60,
                   what="the other four to be sent")
    finally:
        worker.stop()
    assert sorted(m.destination for m in smsc.messages) == sorted("86" + p for p in PHONES)  # each exactly once
    interrupted = Notification.objects.get(key="crash:0")
    assert interrupted.state == State.FAILED and interrupted.reason.startswith("interrupted")
    assert interrupted.tries == 1
