"""The SMPP receiver session: delivery receipts and residents' replies (deliver_sm).

A receipt (esm_class bit 0x04) carries the message id and the final state in its text
("id:… stat:DELIVRD …", SMPP 3.4 appendix B) or in the receipted_message_id /
message_state TLVs; it updates the notification. Anything else is a mobile-originated
message, routed to the question it answers (notify.services.sms_reply_route).
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


def _decode(pdu) -> str:
    raw = pdu.short_message or b""
    if pdu.esm_class & c.SMPP_GSMFEAT_UDHI and raw:
        raw = raw[raw[0] + 1:]
    if pdu.data_coding == c.SMPP_ENCODING_ISO10646:
        return raw.decode("utf-16-be", "replace")
    return raw.decode("latin-1")


def deliver_sm_handle(pdu) -> str:
    """One deliver_sm: what was done with it."""
    close_old_connections()
    text = pdu.short_message or b""
    if pdu.esm_class & ESM_DELIVERY_RECEIPT:
        message_id = getattr(pdu, "receipted_message_id", None) or (RECEIPT_ID.search(text) or [None, b""])[1]
        message_id = message_id.decode() if isinstance(message_id, bytes) else str(message_id)
        stat = (RECEIPT_STAT.search(text) or [None, b""])[1].decode()
        state = getattr(pdu, "message_state", None)
        delivered = stat == "DELIVRD" or (not stat and state == MESSAGE_STATE_DELIVERED)
        found = notification_receipt(provider_id=message_id, delivered=delivered, receipt=text.decode("latin-1"))
        return "receipt" if found else "receipt for an unknown message"
    source = pdu.source_addr.decode() if isinstance(pdu.source_addr, bytes) else str(pdu.source_addr)
    return sms_reply_route(phone=source, text=_decode(pdu))


def receive_forever(url: str, *, stop: threading.Event | None = None, timeout: float = 30) -> None:
    """Bind as a receiver and handle deliver_sm until ``stop``; reconnect when the session breaks."""
    stop = stop or threading.Event()
    target = smpp_target(url)
    while not stop.is_set():
        client = None
        try:
            client = smpp_client(target, timeout=timeout)
            client.bind_receiver(system_id=target.system_id, password=target.password)
            client.set_message_received_handler(lambda pdu: _safely(pdu))
            log.info("SMPP receiver bound to %s:%s", target.host, target.port)
            while not stop.is_set():
                try:
                    client.read_once()
                except TimeoutError:
                    continue
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
            log.warning("SMPP receiver: %s; reconnecting", exc)
            stop.wait(2)
        finally:
            if client is not None:
                try:
                    client.disconnect()
                except Exception as exc:  # noqa: BLE001 - already broken
                    log.debug("SMPP disconnect: %s", exc)


def _safely(pdu):
    try:
        log.info("deliver_sm: %s", deliver_sm_handle(pdu))
    except Exception:  # a bad message must not end the session; its deliver_sm is still answered
        log.exception("deliver_sm could not be handled")
        return c.SMPP_ESME_RSYSERR
    return None


def idle_forever() -> None:
    """No gateway configured: stay up (a process that exits would stop `make run`)."""
    while True:
        time.sleep(3600)
