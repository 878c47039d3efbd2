"""Channels: one small interface each (``open()`` then ``send(notification) -> provider id``).

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


class Sender(Protocol):
    def open(self) -> None: ...

    def send(self, notification) -> str: ...


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
