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
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import smpplib.client
import smpplib.consts as c
import smpplib.exceptions
import smpplib.gsm
import smpplib.smpp
from django.conf import settings

from notify.channels import PermanentFailure, TemporaryFailure, Unconfirmed

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
        phone = phone_normalize(notification.address)
        if phone is None:
            raise PermanentFailure(f"not a mobile number: {notification.address!r}")
        parts, coding, esm_class = smpplib.gsm.make_parts(notification.body)
        message_id = ""
        for number, part in enumerate(parts, start=1):
            last = number == len(parts)
            try:
                pdu = self.client.send_message(
                    source_addr_ton=c.SMPP_TON_UNK if settings.SMPP_SOURCE_ADDR.isdigit() else c.SMPP_TON_ALNUM,
                    source_addr_npi=c.SMPP_NPI_UNK, source_addr=settings.SMPP_SOURCE_ADDR,
                    dest_addr_ton=c.SMPP_TON_INTL, dest_addr_npi=c.SMPP_NPI_ISDN, destination_addr="86" + phone,
                    short_message=part, data_coding=coding, esm_class=esm_class,
                    registered_delivery=last, priority_flag=1 if notification.urgent else 0)
            except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
                self.close()
                if number == 1:  # nothing went out: safe to try again
                    raise TemporaryFailure(f"SMPP connection lost: {exc}") from exc
                raise Unconfirmed(f"SMPP connection lost after part {number - 1}: {exc}") from exc
            try:
                response = self._response(pdu.sequence)
            except (smpplib.exceptions.ConnectionError, smpplib.exceptions.PDUError, OSError) as exc:
                self.close()
                raise Unconfirmed(f"no answer from the SMS gateway: {exc!r}") from exc
            if response.status != c.SMPP_ESME_ROK:
                reason = f"gateway answered {response.status:#x} {c.DESCRIPTIONS.get(response.status, '')}".strip()
                if response.status in RETRY_STATUSES and number == 1:
                    raise TemporaryFailure(reason)
                raise PermanentFailure(reason)
            message_id = _text(response.message_id)
        return message_id

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
        """Read until the answer to ``sequence`` (answering the gateway's keep-alives)."""
        while True:
            pdu = self.client.read_pdu()
            if pdu.command == "enquire_link":
                self.client._enquire_link_received(pdu)
            elif pdu.command == "generic_nack":
                raise TemporaryFailure("the gateway could not read our request")
            elif pdu.sequence == sequence:
                return pdu


def _text(value) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value or "")
