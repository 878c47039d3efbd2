"""SMS over SMPP 3.4 (smpplib), configured by ``SMPP_URL``
(smpp://system_id:password@host:port).

The sender binds as a transmitter and keeps the session between messages. Text that GSM
7-bit cannot carry (Chinese) goes as UCS-2 (data_coding 8); a long text is split into
parts joined by a UDH concatenation header (smpplib.gsm.make_parts); the last part asks
for a delivery receipt and its message id is the notification's ``provider_id``.
Receipts and residents' replies arrive on a separate receiver session
(``manage.py notify_smpp_receiver``, notify/smpp_receiver.py).
"""
from __future__ import annotations

import logging
import re
import socket
import time
from collections import deque
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import smpplib.client
import smpplib.consts as c
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp
from django.conf import settings

from notify.channels import Outcome, PermanentFailure, TemporaryFailure, Unconfirmed

log = logging.getLogger("notify.smpp")

# Mainland mobile numbers, with or without the country code.
PHONE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
# Answers worth trying again later: throttled, queue full, the gateway's own trouble.
RETRY_STATUSES = {c.SMPP_ESME_RTHROTTLED, c.SMPP_ESME_RMSGQFUL, c.SMPP_ESME_RSYSERR, c.SMPP_ESME_RSUBMITFAIL}


@dataclass(frozen=True)
class SmppTarget:
    host: str
    port: int
    system_id: str
    password: str


def smpp_target(url: str) -> SmppTarget:
    parts = urlsplit(url)
    if parts.scheme != "smpp" or not parts.hostname:
        raise PermanentFailure("SMPP_URL is not set (smpp://system_id:password@host:port)")
    return SmppTarget(parts.hostname, parts.port or 2775, unquote(parts.username or ""), unquote(parts.password or ""))


def phone_normalize(value: str) -> str | None:
    """11-digit mainland mobile number, or None."""
    match = PHONE.match(re.sub(r"[\s-]", "", value or ""))
    return match.group(1) if match else None


def smpp_client(target: SmppTarget, *, timeout: float) -> smpplib.client.Client:
    client = smpplib.client.Client(target.host, target.port, timeout=timeout, allow_unknown_opt_params=True)
    client.connect()
    # no Nagle: with a window of submit_sm outstanding, a small write would wait for the
    # gateway's (delayed) ACK of the one before
    client._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client


class SmppSender:
    def __init__(self) -> None:
        self.client: smpplib.client.Client | None = None

    def open(self) -> None:
        if self.client is not None and self._alive():
            return
        self.close()
        target = smpp_target(settings.SMPP_URL)
        try:
            client = smpp_client(target, timeout=settings.SMPP_TIMEOUT)
            client.bind_transmitter(system_id=target.system_id, password=target.password)
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
            raise TemporaryFailure(f"SMPP bind failed: {exc}") from exc
        self.client = client

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.disconnect()
            except Exception as exc:  # noqa: BLE001 - a dead socket: nothing to close cleanly
                log.debug("SMPP disconnect: %s", exc)
            self.client = None

    def send(self, notification) -> str:
        outcome = self.send_many([notification])[notification.pk]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    def send_many(self, notifications: list) -> dict[int, Outcome]:
        """Submit the notifications over the bound session with up to SMPP_WINDOW submit_sm
        awaiting their answer (a long text's parts one after the other, each after the
        answer to the one before). Notification id → the last part's message id, or:
        TemporaryFailure when nothing of it went out (throttled, queue full, connection
        lost before it), PermanentFailure when refused, Unconfirmed when it was handed
        over and its answer never came. A throttled answer also holds new submits back
        for a while, doubling while the gateway keeps throttling (SMPP_THROTTLE_PAUSE)."""
        outcomes: dict[int, Outcome] = {}
        waiting: deque[_Submission] = deque()
        for notification in notifications:
            phone = phone_normalize(notification.address)
            if phone is None:
                outcomes[notification.pk] = PermanentFailure(f"not a mobile number: {notification.address!r}")
            else:
                waiting.append(_Submission(notification, phone, *smpplib.gsm.make_parts(notification.body)))
        out: dict[int, _Submission] = {}  # sequence → the submission whose part it carries
        window = max(settings.SMPP_WINDOW, 1)
        pause, resume_at = 0.0, 0.0
        broken = None
        try:
            while waiting or out:
                while waiting and len(out) < window and time.monotonic() >= resume_at:
                    out[self._submit(waiting[0])] = waiting[0]  # a failed write leaves it waiting: not sent
                    waiting.popleft()
                if not out:
                    time.sleep(max(resume_at - time.monotonic(), 0))
                    continue
                pdu = self._read()
                submission = out.pop(pdu.sequence, None)
                if submission is None:
                    continue  # an answer to nothing of ours (a late enquire_link_resp)
                if pdu.command == "generic_nack":
                    outcomes[submission.id] = (TemporaryFailure if submission.done == 0 else Unconfirmed)(
                        "the gateway could not read our request")
                    continue
                if pdu.status != c.SMPP_ESME_ROK:
                    reason = f"gateway answered {pdu.status:#x} {c.DESCRIPTIONS.get(pdu.status, '')}".strip()
                    if pdu.status in RETRY_STATUSES and submission.done == 0:
                        outcomes[submission.id] = TemporaryFailure(reason)
                    else:
                        outcomes[submission.id] = PermanentFailure(reason)
                    if pdu.status == c.SMPP_ESME_RTHROTTLED:
                        pause = min(max(pause * 2, settings.SMPP_THROTTLE_PAUSE), 8 * settings.SMPP_THROTTLE_PAUSE)
                        resume_at = time.monotonic() + pause
                    continue
                pause = 0.0
                submission.done += 1
                if submission.done < len(submission.parts):
                    broken = submission  # a part went out: if the next one's write fails, unconfirmed
                    out[self._submit(submission)] = submission
                    broken = None
                else:
                    outcomes[submission.id] = _text(pdu.message_id)
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
            self.close()
            for submission in [*out.values(), *([broken] if broken else [])]:  # handed over, no answer
                outcomes[submission.id] = Unconfirmed(f"no answer from the SMS gateway: {exc!r}")
            for submission in waiting:  # nothing of these went out
                outcomes[submission.id] = TemporaryFailure(f"SMPP connection lost: {exc!r}")
        return outcomes

    def _submit(self, submission: _Submission) -> int:
        """Write the submission's next part; its sequence number."""
        last = submission.done + 1 == len(submission.parts)
        notification = submission.notification
        pdu = smpplib.smpp.make_pdu(
            "submit_sm", client=self.client,
            source_addr_ton=c.SMPP_TON_UNK if settings.SMPP_SOURCE_ADDR.isdigit() else c.SMPP_TON_ALNUM,
            source_addr_npi=c.SMPP_NPI_UNK, source_addr=settings.SMPP_SOURCE_ADDR,
            dest_addr_ton=c.SMPP_TON_INTL, dest_addr_npi=c.SMPP_NPI_ISDN, destination_addr="86" + submission.phone,
            short_message=submission.parts[submission.done], data_coding=submission.coding,
            esm_class=submission.esm_class, registered_delivery=last, priority_flag=1 if notification.urgent else 0)
        self.client.send_pdu(pdu)
        return pdu.sequence

    def _alive(self) -> bool:
        """A kept session still answers (an enquire_link round trip): else a message sent
        into a dead socket would look handed over."""
        try:
            pdu = smpplib.smpp.make_pdu("enquire_link", client=self.client)
            self.client.send_pdu(pdu)
            return self._response(pdu.sequence).status == c.SMPP_ESME_ROK
        except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError, TemporaryFailure):
            return False

    def _response(self, sequence: int):
        """Read until the answer to ``sequence``."""
        while True:
            pdu = self._read()
            if pdu.command == "generic_nack":
                raise TemporaryFailure("the gateway could not read our request")
            if pdu.sequence == sequence:
                return pdu

    def _read(self):
        """The next PDU that answers us (the gateway's keep-alives answered on the way)."""
        while True:
            pdu = self.client.read_pdu()
            if pdu.command == "enquire_link":
                self.client._enquire_link_received(pdu)
            else:
                return pdu


@dataclass
class _Submission:
    notification: object
    phone: str
    parts: list
    coding: int
    esm_class: int
    done: int = 0  # parts answered with ROK

    @property
    def id(self) -> int:
        return self.notification.pk


def _text(value) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")
