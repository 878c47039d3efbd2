"""Channels: one small interface each (``open()`` then ``send(notification) -> provider id``;
a channel that can hand several over at once also has ``send_many``, see ``send_each``).

``open()`` does what may be repeated safely (connect, bind) before the worker claims the
notification; ``send()`` is the provider call itself. A channel raises
``TemporaryFailure`` (retry later: throttled, unreachable before anything was handed
over), ``PermanentFailure`` (the provider refused it: bad number) or ``Unconfirmed``
(handed over but no answer: it may have gone out, so it is not sent again).
"""
from __future__ import annotations

import threading
from typing import Protocol


class TemporaryFailure(Exception):
    pass


class PermanentFailure(Exception):
    pass


class Unconfirmed(Exception):
    pass


Outcome = str | TemporaryFailure | PermanentFailure | Unconfirmed  # a provider id, or why not


class Sender(Protocol):
    def open(self) -> None: ...

    def send(self, notification) -> str: ...


def send_each(sender: Sender, notifications: list) -> dict[int, Outcome]:
    """Hand the (claimed) notifications to the provider: notification id → provider id or
    the failure. A sender with ``send_many`` (SMS: a window of outstanding submit_sm over one
    session) does it at once; the others one after the other."""
    many = getattr(sender, "send_many", None)
    if many is not None:
        return many(notifications)
    outcomes: dict[int, Outcome] = {}
    for notification in notifications:
        try:
            outcomes[notification.pk] = sender.send(notification)
        except (TemporaryFailure, PermanentFailure, Unconfirmed) as exc:
            outcomes[notification.pk] = exc
    return outcomes


_local = threading.local()


def sender_for(channel: str) -> Sender:
    """The channel's sender, one per thread (the SMPP session stays bound between sends)."""
    cache = _local.__dict__.setdefault("senders", {})
    if channel not in cache:
        from notify.channels import email, inbox, sms, webhook

        cache[channel] = {"sms": sms.SmppSender, "email": email.SmtpSender, "inbox": inbox.InboxSender,
                          "webhook": webhook.WebhookSender}[channel]()
    return cache[channel]


def senders_reset() -> None:
    """Forget this thread's senders (settings changed: tests)."""
    for sender in _local.__dict__.pop("senders", {}).values():
        getattr(sender, "close", lambda: None)()
