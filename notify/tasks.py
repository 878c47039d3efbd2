"""The worker's jobs (procrastinate, `manage.py procrastinate worker`, Procfile `worker`).
Queues: ``urgent`` (SOS and falls, priority 10) and ``notify``."""
from __future__ import annotations

from procrastinate.contrib.django import app

from gis_core.workers import fresh_connection


@app.task(name="notify.deliver", queue="notify")
@fresh_connection
def deliver(*, notification_id: int) -> str:
    from notify.services import notification_deliver

    return notification_deliver(notification_id=notification_id)


@app.task(name="notify.alert_changed", queue="urgent", priority=10)
@fresh_connection
def alert_changed(*, alert_id: int, action: str) -> int:
    from notify.rules import alert_fan_out

    return alert_fan_out(alert_id=alert_id, action=action)


@app.task(name="notify.cases_flagged", queue="notify")
@fresh_connection
def cases_flagged(*, event_ids: list[int]) -> int:
    from notify.rules import cases_flagged_notify

    return cases_flagged_notify(event_ids=event_ids)


@app.periodic(cron="* * * * *", periodic_id="notify-escalate")
@app.task(name="notify.escalate", queue="urgent", priority=10, pass_context=False)
@fresh_connection
def escalate(*, timestamp: int) -> dict:
    from notify.rules import alerts_escalate

    return alerts_escalate()


@app.periodic(cron="* * * * *", periodic_id="notify-recover")
@app.task(name="notify.recover", queue="notify", pass_context=False)
@fresh_connection
def recover(*, timestamp: int) -> dict:
    from notify.services import notifications_recover

    return notifications_recover()
