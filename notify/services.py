"""Writes of the notification engine: queue a notification, deliver it (the worker's
job), record receipts and replies, recover after a crash, read receipts of the inbox.

Delivery is crash-safe around the provider call: the claim (state ``sending``, tries + 1)
of a batch (at most NOTIFY_BATCH) is committed before the provider is called and ``sent``
with the message ids right after the batch's answers. A worker killed in between leaves
``sending``: ``notifications_recover`` marks those failed ("interrupted") instead of sending
them again — they may have gone out; at most one batch is caught so. Anything not yet
claimed stays queued and is sent after the restart, once.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from notify.channels import Outcome, PermanentFailure, TemporaryFailure, Unconfirmed, send_each, sender_for
from notify.channels.sms import phone_normalize
from notify.defaults import TEMPLATES
from notify.models import Channel, InboxItem, MessageTemplate, Notification, State
from notify.texts import text_fill

log = logging.getLogger("notify")


# --------------------------------------------------------------------------- queue

def notification_enqueue(*, key: str, template: str, channel: str, values: dict[str, Any],
                         language: str = "zh-hans", user=None, person=None, address: str = "",
                         area_id: int | None = None, subject_type: str = "", subject_id: int | None = None,
                         urgent: bool = False) -> Notification | None:
    """Queue one notification in the caller's transaction, and its delivery job when that
    commits. The same ``key`` again is ignored (None): an event never sends twice."""
    if channel not in Channel.values:
        raise ValidationError({"channel": [f"Unknown channel {channel!r}."]})
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(key=key[:200], defaults={
            "template": template, "channel": channel, "values": values, "language": language, "user": user,
            "person": person, "address": address, "area_id": area_id, "subject_type": subject_type,
            "subject_id": subject_id, "urgent": urgent,
            "expires_at": timezone.now() + dt.timedelta(hours=settings.NOTIFY_EXPIRE_HOURS)})
        if not created:
            return None
        # The job once the row is committed: in the worker (a fan-out job queueing these)
        # procrastinate defers on a connection of its own, and a job deferred before the
        # commit could run before the row exists — and find nothing to send. Should the
        # process die in between, the recovery gives the queued row its job.
        transaction.on_commit(lambda: _defer(notification))
    return notification


def _defer(notification: Notification, at: dt.datetime | None = None) -> None:
    from notify.tasks import deliver

    urgent = notification.urgent
    deliver.configure(queue="urgent" if urgent else "notify", priority=10 if urgent else 0,
                      schedule_at=at).defer(notification_id=notification.pk)


# --------------------------------------------------------------------------- deliver

def notification_deliver(*, notification_id: int, now: dt.datetime | None = None) -> str:
    """The worker's job for one notification (notifications_deliver of one). Returns its state."""
    return notifications_deliver(ids=[notification_id], now=now)[notification_id]


def notifications_deliver(*, ids: list[int], now: dt.datetime | None = None,
                          rate: float | None = None) -> dict[int, str]:
    """Deliver the queued ones of ``ids``, channel by channel, in batches of NOTIFY_BATCH
    (with a ``rate`` a second: at most a tenth of a second's worth, batch k started no
    sooner than k × its size / rate s after the first). Per batch: claim in one
    transaction (held back, expired or unusable ones set aside), hand the claimed ones to
    the provider at once (SMS: a window of submit_sm over one session), record the
    outcomes in one UPDATE. The provider call of a batch runs in a thread of its own while
    the next batch is claimed and the one before recorded: at most two batches are claimed
    and unrecorded at any time. The channel is opened (connect, bind: repeatable, sends
    nothing) before the first claim and checked before each batch. Returns each id's
    state ("missing" for an unknown id)."""
    size = settings.NOTIFY_BATCH if rate is None else max(1, min(settings.NOTIFY_BATCH, int(rate // 10)))
    found = {pk: (channel, state) for pk, channel, state in
             Notification.objects.filter(pk__in=ids).values_list("pk", "channel", "state")}
    states = {pk: found[pk][1] if pk in found else "missing" for pk in ids}
    by_channel: dict[str, list[int]] = {}
    for pk in ids:
        if pk in found and found[pk][1] == State.QUEUED:
            by_channel.setdefault(found[pk][0], []).append(pk)
    for channel, channel_ids in by_channel.items():
        states.update(_deliver_channel(channel, channel_ids, now=now, size=size, rate=rate))
    return states


def _deliver_channel(channel: str, ids: list[int], *, now: dt.datetime | None, size: int,
                     rate: float | None) -> dict[int, str]:
    sender = sender_for(channel)
    try:
        sender.open()  # before the claim: a gateway that is down costs no try
    except TemporaryFailure as exc:
        return _retry({pk: str(exc) for pk in ids}, claimed=False)
    except PermanentFailure as exc:
        return _record({pk: exc for pk in ids}, claimed=False)
    batches = [ids[start:start + size] for start in range(0, len(ids), size)]
    if len(batches) == 1:  # one notification (an SOS's): no thread to start
        claimed, states = _claim(ids, now=now or timezone.now())
        if claimed:
            states.update(_record(send_each(sender, claimed)))
        return states
    states: dict[int, str] = {}
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify-send") as pool:
        sending = None  # the batch with the provider
        for number, batch in enumerate(batches):
            if rate:
                time.sleep(max(started + number * size / rate - time.monotonic(), 0))
            claimed, batch_states = _claim(batch, now=now or timezone.now())
            states.update(batch_states)
            answered = sending.result() if sending is not None else None
            sending = pool.submit(_send_checked, sender, claimed) if claimed else None
            if answered:
                states.update(_record(answered))
        if sending is not None:
            states.update(_record(sending.result()))
    return states


def _send_checked(sender, notifications: list[Notification]) -> dict[int, Outcome]:
    """The provider call of a batch (in the sending thread): the session checked (and
    rebound if it broke with the batch before) first; if that fails nothing went out."""
    try:
        sender.open()
    except (TemporaryFailure, PermanentFailure) as exc:
        return {n.pk: exc for n in notifications}
    return send_each(sender, notifications)


def _claim(ids: list[int], *, now: dt.datetime) -> tuple[list[Notification], dict[int, str]]:
    """Commit ``sending`` (tries + 1, rendered) for those that may go now, before the
    provider is called; hold back the others (quiet hours, rate limit: a job at their
    time) or end them (expired, unusable). Read without a lock, then one UPDATE … WHERE
    state = 'queued': of two jobs for one notification only the first to commit changes it
    (the other's UPDATE waits for it, then finds it no longer queued and leaves it).
    Returns the claimed notifications and the states of the others."""
    changed: list[Notification] = []
    held: list[Notification] = []
    with transaction.atomic():
        # by id only, the state checked here (see _rows_update: the state index misleads)
        rows = [n for n in Notification.objects.filter(pk__in=ids).order_by("id") if n.state == State.QUEUED]
        quiet_until = _after_quiet_hours(now)
        limit = _rate_limiter(rows, now)
        templates: dict[tuple[str, str], tuple[str, str]] = {}
        for notification in rows:
            changed.append(notification)
            if notification.expires_at and now > notification.expires_at:
                notification.state, notification.reason = State.EXPIRED, "expired before it could be sent"
            elif later := None if notification.urgent else (quiet_until or limit(notification)):
                notification.next_try_at, notification.reason = later, "held back (quiet hours or rate limit)"
                held.append(notification)
            else:
                try:
                    _render(notification, templates)
                except ValidationError as exc:
                    notification.state, notification.reason = State.FAILED, "; ".join(exc.messages)[:300]
                else:
                    notification.state, notification.tries, notification.claimed_at = (
                        State.SENDING, notification.tries + 1, now)
        taken = _rows_update(changed, ["state", "reason", "next_try_at", "tries", "claimed_at", "subject", "body",
                                       "address"], state_was=State.QUEUED)
        for notification in held:
            if notification.pk in taken:
                _defer(notification, at=notification.next_try_at)
    claimed = [n for n in changed if n.pk in taken and n.state == State.SENDING]
    states = {pk: state for pk, state in taken.items() if state != State.SENDING}
    others = set(ids) - set(taken)  # not queued any more, or taken by another job meanwhile
    if others:
        states.update(Notification.objects.filter(pk__in=others).values_list("pk", "state"))
    return claimed, states


def _record(outcomes: dict[int, Outcome], *, claimed: bool = True) -> dict[int, str]:
    """The provider's answers in one UPDATE: sent with the message id, failed with the
    reason ("unconfirmed": handed over, no answer — not sent again); temporary failures go
    back to the queue (_retry). Only rows still ``sending`` (or ``queued`` when nothing was
    claimed) change: the recovery may have ended a claim that took too long."""
    retry = {pk: str(o) for pk, o in outcomes.items() if isinstance(o, TemporaryFailure)}
    final = {pk: o for pk, o in outcomes.items() if pk not in retry}
    states = _retry(retry, claimed=claimed) if retry else {}
    if not final:
        return states
    rows, sent_at = [], timezone.now()
    for pk, outcome in final.items():
        row = Notification(pk=pk, state=State.FAILED, provider_id="", sent_at=None)
        if isinstance(outcome, Unconfirmed):
            row.reason = f"unconfirmed: {outcome}"[:300]
        elif isinstance(outcome, Exception):
            row.reason = str(outcome)[:300]
        else:
            row.state, row.reason, row.provider_id, row.sent_at = State.SENT, "", outcome[:100], sent_at
        rows.append(row)
    ids = list(final)
    states.update(_rows_update(rows, ["state", "reason", "provider_id", "sent_at"],
                               state_was=State.SENDING if claimed else State.QUEUED))
    lost = [pk for pk in ids if pk not in states]
    if lost:  # ended meanwhile (recovered): report what it is now
        states.update(dict(Notification.objects.filter(pk__in=lost).values_list("pk", "state")))
    return states


def _rows_update(rows: list[Notification], fields: list[str], *, state_was: str | None = None) -> dict[int, str]:
    """Save ``fields`` of the rows in one UPDATE … FROM unnest(…) (Django's bulk_update
    writes a CASE per field and row: slow to plan for a batch); only rows still in
    ``state_was`` when given. Returns id → state of the rows updated."""
    if not rows:
        return {}
    meta = Notification._meta
    columns = ["id", *fields]
    arrays = [[getattr(row, meta.get_field(name).attname) for row in rows] for name in columns]
    types = [meta.get_field(name).db_type(connection).split(" CHECK")[0] for name in columns]
    # Found by id (n.id = ANY(…)), the state only checked (IS TRUE: not a condition the
    # planner takes to the state index): right after a fan-out the statistics still say
    # "hardly any queued rows", and the planner would read every queued row of the outbox.
    condition = " AND (n.state = %s) IS TRUE" if state_was else ""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            UPDATE {meta.db_table} n SET {", ".join(f"{name} = v.{name}" for name in fields)}
            FROM unnest({", ".join(f"%s::{t}[]" for t in types)}) AS v({", ".join(columns)})
            WHERE n.id = v.id AND n.id = ANY(%s){condition}
            RETURNING n.id, n.state""", [*arrays, arrays[0], *([state_was] if state_was else [])])
        return dict(cursor.fetchall())


def _render(notification: Notification, templates: dict[tuple[str, str], tuple[str, str] | None]) -> None:
    """Fill the template and check the address; ValidationError names what is wrong.
    ``templates`` keeps the texts looked up for a batch."""
    code = (notification.template, notification.language)
    if code not in templates:
        templates[code] = _template_text(*code)
    if templates[code] is None:
        raise ValidationError({"template": [f"Unknown template {notification.template!r}."]})
    subject, body = templates[code]
    notification.subject = text_fill(subject, notification.values)[:200]
    notification.body = text_fill(body, notification.values)
    if notification.channel == Channel.SMS:
        phone = phone_normalize(notification.address)
        if phone is None:
            raise ValidationError({"address": [f"Not a mobile phone number: {notification.address!r}."]})
        notification.address = phone
    elif notification.channel == Channel.EMAIL and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", notification.address):
        raise ValidationError({"address": [f"Not an e-mail address: {notification.address!r}."]})


def _template_text(code: str, language: str) -> tuple[str, str] | None:
    """(subject, body) of the template in the language (or any), the built-in default, or None."""
    template = (MessageTemplate.objects.filter(code=code, language=language).first()
                or MessageTemplate.objects.filter(code=code).first())
    if template is not None:
        return template.subject, template.body
    if code in TEMPLATES:
        return TEMPLATES[code].get(language) or next(iter(TEMPLATES[code].values()))
    return None


def _quiet_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """The quiet period (NOTIFY_QUIET_HOURS, local time, e.g. 22:00-07:00) ``now`` is in."""
    if not settings.NOTIFY_QUIET_HOURS:
        return None
    start_s, end_s = settings.NOTIFY_QUIET_HOURS.split("-")
    local = timezone.localtime(now)
    start = local.replace(hour=int(start_s[:2]), minute=int(start_s[3:5]), second=0, microsecond=0)
    end = local.replace(hour=int(end_s[:2]), minute=int(end_s[3:5]), second=0, microsecond=0)
    if start <= end:
        return (start, end) if start <= local < end else None
    if local >= start:
        return start, end + dt.timedelta(days=1)
    if local < end:
        return start - dt.timedelta(days=1), end
    return None


def _after_quiet_hours(now: dt.datetime) -> dt.datetime | None:
    window = _quiet_window(now)
    return window[1] if window else None


def _rate_limiter(notifications: list[Notification], now: dt.datetime):
    """NOTIFY_RATE_LIMIT ("5/3600": at most 5 a recipient per 3600 s, non-urgent): a
    function telling when a notification of the batch may go (None: now), counting what
    was sent to each address (one query for the batch) and what the batch claims."""
    if not settings.NOTIFY_RATE_LIMIT:
        return lambda notification: None
    count, seconds = (int(x) for x in settings.NOTIFY_RATE_LIMIT.split("/"))
    window = dt.timedelta(seconds=seconds)
    addresses = {n.address for n in notifications if n.channel != Channel.INBOX and not n.urgent}
    sent: dict[str, list] = {}
    if addresses:
        # sent, or claimed and not yet recorded (the batch before, with the gateway)
        recent = (Notification.objects.filter(address__in=addresses)
                  .filter(Q(sent_at__gte=now - window) | Q(state=State.SENDING, claimed_at__gte=now - window))
                  .annotate(at=Coalesce("sent_at", "claimed_at")))
        for address, times in recent.values("address").annotate(times=ArrayAgg("at")).values_list("address", "times"):
            sent[address] = times

    def limit(notification: Notification) -> dt.datetime | None:
        if notification.channel == Channel.INBOX:
            return None
        times = sent.setdefault(notification.address, [])
        if len(times) < count:
            times.append(now)  # claimed now: counts for the rest of the batch
            return None
        return min(times) + window

    return limit


def _retry(reasons: dict[int, str], *, claimed: bool) -> dict[int, str]:
    """Back to queued with exponential back-off (a job at the next try), or failed after
    NOTIFY_MAX_TRIES. ``reasons``: notification id → why it could not go now."""
    states: dict[int, str] = {}
    expected = State.SENDING if claimed else State.QUEUED
    with transaction.atomic():
        notifications = list(Notification.objects.select_for_update().filter(pk__in=list(reasons)))
        changed = []
        for notification in notifications:
            states[notification.pk] = notification.state
            if notification.state != expected:
                continue
            reason = reasons[notification.pk]
            tries = notification.tries if claimed else notification.tries + 1
            if tries >= settings.NOTIFY_MAX_TRIES:
                notification.state = State.FAILED
                notification.reason = f"gave up after {tries} tries: {reason}"[:300]
            else:
                delay = min(settings.NOTIFY_RETRY_SECONDS * 2 ** (tries - 1), 3600)
                notification.state, notification.reason = State.QUEUED, reason[:300]
                notification.next_try_at = timezone.now() + dt.timedelta(seconds=delay)
                _defer(notification, at=notification.next_try_at)
            notification.tries = tries
            states[notification.pk] = notification.state
            changed.append(notification)
        _rows_update(changed, ["state", "reason", "next_try_at", "tries"])
    return states


# --------------------------------------------------------------------------- receipts, replies, recovery

def notification_receipt(*, provider_id: str, delivered: bool, receipt: str) -> Notification | None:
    """A provider's delivery receipt: delivered, or failed with the receipt as reason."""
    with transaction.atomic():
        notification = (Notification.objects.select_for_update()
                        .filter(provider_id=provider_id, state__in=[State.SENT, State.SENDING])
                        .order_by("-id").first())
        if notification is None:
            log.info("receipt for unknown message %s", provider_id)
            return None
        notification.receipt = receipt[:2000]
        if delivered:
            notification.state, notification.delivered_at = State.DELIVERED, timezone.now()
        else:
            notification.state, notification.reason = State.FAILED, f"not delivered: {receipt}"[:300]
        notification.save(update_fields=["receipt", "state", "delivered_at", "reason"])
        return notification


def sms_reply_route(*, phone: str, text: str) -> str:
    """A resident's SMS: kept on the latest notification sent to that phone that asks for
    an answer, and acted on — "1"–"5" rates what was asked about last: a closed case's
    回访 (its rating request), or the latest collected and unrated application of that
    phone (好差评; its rating request is sent on collection, but the application is found
    by the phone even when that SMS was not). Returns what was done."""
    from incidents.services import case_reporter_rate
    from services.models import RatingChannel
    from services.selectors import application_to_rate
    from services.services import application_rate

    number = phone_normalize(phone)
    if number is None:
        return "unknown sender"
    since = timezone.now() - dt.timedelta(days=settings.NOTIFY_REPLY_DAYS)
    question = (Notification.objects.filter(address=number, channel=Channel.SMS,
                                            template__in=RATING_REQUESTS, sent_at__gte=since)
                .order_by("-sent_at").first())
    application = application_to_rate(number, since=since)
    case_question = question if question is not None and question.subject_type == "case" else None
    if application is not None and case_question is not None and case_question.sent_at > application.closed_at:
        application = None  # the case's question came last
    if application is None and case_question is None:
        if question is not None:  # an application's question, answered already
            Notification.objects.filter(pk=question.pk).update(reply=text.strip()[:500])
            return "kept (nothing to rate)"
        return "no question to answer"
    answer = text.strip()
    with transaction.atomic():
        if question is not None:
            Notification.objects.filter(pk=question.pk).update(reply=answer[:500])
        if not re.fullmatch(r"[1-5]", answer):
            return "kept (not a rating)"
        try:
            if application is not None:
                application_rate(application_id=application.pk, level=int(answer), channel=RatingChannel.SMS,
                                 phone=number)
            else:
                case_reporter_rate(case_id=case_question.subject_id, rating=int(answer), phone=number,
                                   channel="sms")
        except ValidationError as exc:
            return "refused: " + "; ".join(exc.messages)
    return "rated"


RATING_REQUESTS = ("case_closed_rate", "application_collected_rate")


def notifications_recover(*, now: dt.datetime | None = None, claim_timeout: int | None = None) -> dict[str, int]:
    """After a worker died: ``sending`` claims older than NOTIFY_CLAIM_TIMEOUT become
    failed ("interrupted": they may have gone out, so they are not sent again); queued
    notifications whose job time is long past get a new job (a second job is harmless:
    only one can claim)."""
    now = now or timezone.now()
    timeout = dt.timedelta(seconds=settings.NOTIFY_CLAIM_TIMEOUT if claim_timeout is None else claim_timeout)
    with transaction.atomic():
        interrupted = Notification.objects.filter(state=State.SENDING, claimed_at__lte=now - timeout).update(
            state=State.FAILED, reason="interrupted during the provider call; not sent again (it may have gone out)")
        stale = list(Notification.objects.filter(state=State.QUEUED, created_at__lte=now - timeout).exclude(
            next_try_at__gt=now - timeout))
        for notification in stale:
            _defer(notification)
    return {"interrupted": interrupted, "requeued": len(stale)}


# --------------------------------------------------------------------------- inbox

def inbox_mark_read(*, user, item_ids: list[int] | None = None) -> int:
    """Read receipts: the given items of the user (all unread ones when None)."""
    items = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if item_ids is not None:
        items = items.filter(pk__in=item_ids)
    return items.update(read_at=timezone.now())


# --------------------------------------------------------------------------- channel choices

@transaction.atomic
def channel_choices_set(*, user, choices: dict[str, list[str]]) -> None:
    """The user's channels for each given kind of non-urgent message (checked by
    notify.serializers.ChannelChoicesSerializer); other kinds keep theirs."""
    from notify.models import ChannelChoice

    for kind, channels in choices.items():
        ChannelChoice.objects.update_or_create(user=user, kind=kind, defaults={"channels": channels})
