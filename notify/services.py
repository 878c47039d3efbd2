"""Writes of the notification engine: queue a notification, deliver it (the worker's
job), record receipts and replies, recover after a crash, read receipts of the inbox.

Delivery is crash-safe around the provider call: the claim (state ``sending``, tries + 1)
is committed before the provider is called and ``sent`` with its message id right after.
A worker killed in between leaves ``sending``: ``notifications_recover`` marks it failed
("interrupted") instead of sending it again — it may have gone out. Anything not yet
claimed stays queued and is sent after the restart, once.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from notify.channels import PermanentFailure, TemporaryFailure, Unconfirmed, sender_for
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
    """Queue one notification and its delivery job in the caller's transaction. The same
    ``key`` again is ignored (None): an event never sends twice."""
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
        _defer(notification)
    return notification


def _defer(notification: Notification, at: dt.datetime | None = None) -> None:
    from notify.tasks import deliver

    urgent = notification.urgent
    deliver.configure(queue="urgent" if urgent else "notify", priority=10 if urgent else 0,
                      schedule_at=at).defer(notification_id=notification.pk)


# --------------------------------------------------------------------------- deliver

def notification_deliver(*, notification_id: int, now: dt.datetime | None = None) -> str:
    """The worker's job: check, claim, call the provider, record. Returns the state."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None or notification.state != State.QUEUED:
        return notification.state if notification else "missing"
    sender = sender_for(notification.channel)
    try:
        sender.open()  # connect and bind before the claim: repeatable, sends nothing
    except TemporaryFailure as exc:
        return _retry(notification_id, str(exc), claimed=False)
    except PermanentFailure as exc:
        return _finish(notification_id, State.FAILED, reason=str(exc), claimed=False)

    notification = _claim(notification_id, now=now or timezone.now())
    if notification is None or notification.state != State.SENDING:
        return notification.state if notification else "missing"
    try:
        provider_id = sender.send(notification)
    except TemporaryFailure as exc:
        return _retry(notification_id, str(exc), claimed=True)
    except PermanentFailure as exc:
        return _finish(notification_id, State.FAILED, reason=str(exc))
    except Unconfirmed as exc:
        return _finish(notification_id, State.FAILED, reason=f"unconfirmed: {exc}"[:300])
    return _finish(notification_id, State.SENT, provider_id=provider_id)


def _claim(notification_id: int, *, now: dt.datetime) -> Notification | None:
    """Commit ``sending`` (or hold it back: quiet hours, rate limit; or end it: expired,
    unusable) before the provider is called. Locked SKIP LOCKED: two jobs for one
    notification never both claim it."""
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True)
                        .filter(pk=notification_id, state=State.QUEUED).first())
        if notification is None:
            return None
        if notification.expires_at and now > notification.expires_at:
            notification.state, notification.reason = State.EXPIRED, "expired before it could be sent"
            notification.save(update_fields=["state", "reason"])
            return notification
        later = None if notification.urgent else (_after_quiet_hours(now) or _after_rate_limit(notification, now))
        if later is not None:
            notification.next_try_at, notification.reason = later, "held back (quiet hours or rate limit)"
            notification.save(update_fields=["next_try_at", "reason"])
            _defer(notification, at=later)
            return notification
        try:
            _render(notification)
        except ValidationError as exc:
            notification.state, notification.reason = State.FAILED, "; ".join(exc.messages)[:300]
            notification.save(update_fields=["state", "reason"])
            return notification
        notification.state, notification.tries, notification.claimed_at = State.SENDING, notification.tries + 1, now
        notification.save(update_fields=["state", "tries", "claimed_at", "subject", "body", "address"])
        return notification


def _render(notification: Notification) -> None:
    """Fill the template and check the address; ValidationError names what is wrong."""
    template = (MessageTemplate.objects.filter(code=notification.template, language=notification.language).first()
                or MessageTemplate.objects.filter(code=notification.template).first())
    if template is not None:
        subject, body = template.subject, template.body
    elif notification.template in TEMPLATES:
        languages = TEMPLATES[notification.template]
        subject, body = languages.get(notification.language) or next(iter(languages.values()))
    else:
        raise ValidationError({"template": [f"Unknown template {notification.template!r}."]})
    notification.subject = text_fill(subject, notification.values)[:200]
    notification.body = text_fill(body, notification.values)
    if notification.channel == Channel.SMS:
        phone = phone_normalize(notification.address)
        if phone is None:
            raise ValidationError({"address": [f"Not a mobile phone number: {notification.address!r}."]})
        notification.address = phone
    elif notification.channel == Channel.EMAIL and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", notification.address):
        raise ValidationError({"address": [f"Not an e-mail address: {notification.address!r}."]})


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


def _after_rate_limit(notification: Notification, now: dt.datetime) -> dt.datetime | None:
    """NOTIFY_RATE_LIMIT ("5/3600": at most 5 a recipient per 3600 s, non-urgent)."""
    if not settings.NOTIFY_RATE_LIMIT or notification.channel == Channel.INBOX:
        return None
    count, seconds = (int(x) for x in settings.NOTIFY_RATE_LIMIT.split("/"))
    window_start = now - dt.timedelta(seconds=seconds)
    recent = Notification.objects.filter(address=notification.address, sent_at__gte=window_start).exclude(
        pk=notification.pk)
    if recent.count() < count:
        return None
    return recent.aggregate(first=Min("sent_at"))["first"] + dt.timedelta(seconds=seconds)


def _retry(notification_id: int, reason: str, *, claimed: bool) -> str:
    """Back to queued with exponential back-off, or failed after NOTIFY_MAX_TRIES."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(pk=notification_id)
        expected = State.SENDING if claimed else State.QUEUED
        if notification.state != expected:
            return notification.state
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
        notification.save(update_fields=["state", "reason", "next_try_at", "tries"])
        return notification.state


def _finish(notification_id: int, state: str, *, reason: str = "", provider_id: str = "",
            claimed: bool = True) -> str:
    with transaction.atomic():
        updated = Notification.objects.filter(
            pk=notification_id, state=State.SENDING if claimed else State.QUEUED).update(
            state=state, reason=reason[:300], provider_id=provider_id[:100],
            sent_at=timezone.now() if state == State.SENT else None)
    if not updated:
        return Notification.objects.values_list("state", flat=True).get(pk=notification_id)
    return state


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
