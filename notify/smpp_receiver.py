"""The SMPP receiver session: delivery receipts and residents' replies (deliver_sm).

A receipt (esm_class bit 0x04) carries the message id and the final state in its text
("id:… stat:DELIVRD …", SMPP 3.4 appendix B) or in the receipted_message_id /
message_state TLVs; it updates the notification. Anything else is a mobile-originated
message, routed to the question it answers (notify.services.sms_reply_route).

A receipt can come before its message id is recorded: the worker records a batch's ids
once the gateway has answered the whole batch (notify.services.notifications_deliver).
Such a receipt is kept (``EarlyReceipts``) and matched again every second for
EARLY_RECEIPT_SECONDS; only then is it logged as a receipt for an unknown message.
"""
from __future__ import annotations

import logging
import re
import threading
import time

import smpplib.consts as c
import smpplib.exceptions
from django.db import close_old_connections

from notify.channels.sms import smpp_client, smpp_target
from notify.services import notification_receipt, sms_reply_route

log = logging.getLogger("notify.smpp")
RECEIPT_ID = re.compile(rb"id:(\S+)")
RECEIPT_STAT = re.compile(rb"stat:(\w+)")
MESSAGE_STATE_DELIVERED = 2  # SMPP 3.4 message_state DELIVERED
ESM_DELIVERY_RECEIPT = 0x04  # esm_class: SMSC delivery receipt
EARLY_RECEIPT_SECONDS = 120  # how long a receipt waits for its message id to be recorded
EARLY_RECEIPT_MAX = 100_000


class EarlyReceipts:
    """Receipts whose message id was not recorded yet: message id → (delivered, text, since)."""

    def __init__(self, keep: float = EARLY_RECEIPT_SECONDS) -> None:
        self.keep = keep
        self.items: dict[str, tuple[bool, str, float]] = {}
        self.tried_at = 0.0

    def add(self, message_id: str, delivered: bool, receipt: str) -> None:
        if len(self.items) < EARLY_RECEIPT_MAX:
            self.items.setdefault(message_id, (delivered, receipt, time.monotonic()))
        else:
            log.warning("receipt for unknown message %s dropped: too many waiting", message_id)

    def retry(self, *, every: float = 1.0) -> int:
        """Match the waiting receipts again (at most every ``every`` s); the number matched."""
        now = time.monotonic()
        if not self.items or now - self.tried_at < every:
            return 0
        self.tried_at = now
        close_old_connections()
        matched = 0
        for message_id, (delivered, receipt, since) in list(self.items.items()):
            if notification_receipt(provider_id=message_id, delivered=delivered, receipt=receipt) is not None:
                matched += 1
                del self.items[message_id]
            elif now - since > self.keep:
                log.warning("receipt for unknown message %s (waited %.0f s)", message_id, now - since)
                del self.items[message_id]
        return matched


def _decode(pdu) -> str:
    raw = pdu.short_message or b""
    if pdu.esm_class & c.SMPP_GSMFEAT_UDHI and raw:
        raw = raw[raw[0] + 1:]
    if pdu.data_coding == c.SMPP_ENCODING_ISO10646:
        return raw.decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def deliver_sm_handle(pdu, early: EarlyReceipts | None = None) -> str:
    """One deliver_sm: what was done with it. A receipt for a message id not recorded yet
    waits in ``early`` when given."""
    close_old_connections()
    text = pdu.short_message or b""
    if pdu.esm_class & ESM_DELIVERY_RECEIPT:
        message_id = getattr(pdu, "receipted_message_id", None) or (RECEIPT_ID.search(text) or [None, b""])[1]
        message_id = message_id.decode() if isinstance(message_id, bytes) else str(message_id)
        stat = (RECEIPT_STAT.search(text) or [None, b""])[1].decode()
        state = getattr(pdu, "message_state", None)
        delivered = stat == "DELIVRD" or (not stat and state == MESSAGE_STATE_DELIVERED)
        found = notification_receipt(provider_id=message_id, delivered=delivered, receipt=text.decode("latin-1"))
        if found is None and early is not None:
            early.add(message_id, delivered, text.decode("latin-1"))
            return "receipt kept until its message id is recorded"
        return "receipt" if found else "receipt for an unknown message"
    source = pdu.source_addr.decode() if isinstance(pdu.source_addr, bytes) else str(pdu.source_addr)
    return sms_reply_route(phone=source, text=_decode(pdu))


def receive_forever(url: str, *, stop: threading.Event | None = None, timeout: float = 30) -> None:
    """Bind as a receiver and handle deliver_sm until ``stop``; reconnect when the session breaks."""
    stop = stop or threading.Event()
    target = smpp_target(url)
    early = EarlyReceipts()
    while not stop.is_set():
        client = None
        try:
            client = smpp_client(target, timeout=timeout)
            client.bind_receiver(system_id=target.system_id, password=target.password)
            client.set_message_received_handler(lambda pdu: _safely(pdu, early))
            log.info("SMPP receiver bound to %s:%s", target.host, target.port)
            while not stop.is_set():
                # waiting receipts: wake up every second to match them again
                client._socket.settimeout(min(timeout, 1.0) if early.items else timeout)
                try:
                    client.read_once()
                except TimeoutError:
                    pass
                early.retry()
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
            log.warning("SMPP receiver: %s; reconnecting", exc)
            stop.wait(2)
        finally:
            if client is not None:
                try:
                    client.disconnect()
                except Exception as exc:  # noqa: BLE001 - already broken
                    log.debug("SMPP disconnect: %s", exc)


def _safely(pdu, early: EarlyReceipts | None = None):
    try:
        log.info("deliver_sm: %s", deliver_sm_handle(pdu, early))
    except Exception:  # a bad message must not end the session; its deliver_sm is still answered
        log.exception("deliver_sm could not be handled")
        return c.SMPP_ESME_RSYSERR
    return None


def idle_forever() -> None:
    """No gateway configured: stay up (a process that exits would stop `make run`)."""
    while True:
        time.sleep(3600)
