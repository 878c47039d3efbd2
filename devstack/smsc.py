"""An SMSC simulator speaking SMPP 3.4 over TCP (standard library only), for the SMS tests and benchmarks.

It binds transmitters, receivers and transceivers (checking system_id and password),
answers submit_sm with a message id — or, as scripted, with ESME_RTHROTTLED or another
error status, or holds its answer (a gateway that is slow to answer) —, reassembles
concatenated messages (UDH or sar_ TLVs; GSM or UCS-2), sends delivery receipts to bound
receivers (deliver_sm with esm_class 0x04) and mobile-originated messages, answers
enquire_link and unbind. The tests' ``smsc`` fixture (tests/fixtures/smpp_server.py) and
bench/notice_fanout.py run one; `python3 -m devstack.smsc` serves one for a developer.
"""
from __future__ import annotations

import itertools
import socket
import socketserver
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field

BIND_RECEIVER, BIND_TRANSMITTER, SUBMIT_SM, DELIVER_SM, UNBIND, BIND_TRANSCEIVER, ENQUIRE_LINK = (
    0x01, 0x02, 0x04, 0x05, 0x06, 0x09, 0x15)
RESP, GENERIC_NACK = 0x80000000, 0x80000000
ESME_ROK, ESME_RINVCMDID, ESME_RINVBNDSTS, ESME_RBINDFAIL, ESME_RTHROTTLED = 0x00, 0x03, 0x04, 0x0D, 0x58
TLV_SAR_REF, TLV_SAR_TOTAL, TLV_SAR_SEQ = 0x020C, 0x020E, 0x020F
TLV_RECEIPTED_ID, TLV_MESSAGE_STATE = 0x001E, 0x0427


def _cstring(data: bytes, at: int) -> tuple[bytes, int]:
    end = data.index(b"\0", at)
    return data[at:end], end + 1


def _pdu(command: int, status: int, sequence: int, body: bytes = b"") -> bytes:
    return struct.pack(">IIII", 16 + len(body), command, status, sequence) + body


@dataclass
class SubmitSm:
    source: str
    destination: str
    esm_class: int
    data_coding: int
    registered_delivery: int
    short_message: bytes
    tlvs: dict[int, bytes]


def submit_sm_parse(body: bytes) -> SubmitSm:
    _service, at = _cstring(body, 0)
    at += 2  # source ton, npi
    source, at = _cstring(body, at)
    at += 2
    destination, at = _cstring(body, at)
    esm_class, _protocol, _priority = body[at], body[at + 1], body[at + 2]
    at += 3
    _schedule, at = _cstring(body, at)
    _validity, at = _cstring(body, at)
    registered, _replace, coding, _default, length = body[at:at + 5]
    at += 5
    message = body[at:at + length]
    at += length
    tlvs = {}
    while at + 4 <= len(body):
        tag, size = struct.unpack(">HH", body[at:at + 4])
        tlvs[tag] = body[at + 4:at + 4 + size]
        at += 4 + size
    return SubmitSm(source.decode(), destination.decode(), esm_class, coding, registered, message, tlvs)


def deliver_sm_body(*, source: str, destination: str, esm_class: int, data_coding: int, message: bytes,
                    tlvs: dict[int, bytes] | None = None) -> bytes:
    body = (b"\0" + bytes([1, 1]) + source.encode() + b"\0" + bytes([0, 0]) + destination.encode() + b"\0"
            + bytes([esm_class, 0, 0]) + b"\0" + b"\0" + bytes([0, 0, data_coding, 0, len(message)]) + message)
    for tag, value in (tlvs or {}).items():
        body += struct.pack(">HH", tag, len(value)) + value
    return body


def _text(data_coding: int, octets: bytes) -> str:
    return octets.decode("utf-16-be") if data_coding == 8 else octets.decode("latin-1")


@dataclass
class Message:
    """A whole message as the SMSC took it (parts joined)."""

    destination: str
    text: str
    data_coding: int
    parts: int
    message_ids: list[str] = field(default_factory=list)
    accepted_at: float = field(default_factory=time.time)  # epoch seconds: its last part taken


class Smsc:
    def __init__(self, system_id: str = "grid", password: str = "secret") -> None:
        self.system_id, self.password = system_id, password
        self.script: deque[int] = deque()       # statuses to answer the next submits with
        self.hold = threading.Event()           # set: received submits wait for release()
        self._released = threading.Event()
        self.auto_receipts = True
        self.submits: list[SubmitSm] = []      # every submit_sm received, in order
        self.messages: list[Message] = []      # whole messages accepted
        self._partial: dict[tuple, dict[int, SubmitSm]] = {}
        self._ids = itertools.count(1000)
        self._receivers: list[_Session] = []
        self._lock = threading.Lock()
        self.binds: list[str] = []
        self.on_message = None  # called with each whole Message accepted (e.g. to log it)
        smsc = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as gateways do
                _Session(smsc, self.request).run()

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    @property
    def url(self) -> str:
        return f"smpp://{self.system_id}:{self.password}@127.0.0.1:{self.port}"

    def start(self) -> Smsc:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()

    def release(self) -> None:
        self.hold.clear()
        self._released.set()

    # ---- what the gateway sends to the platform
    def receipt(self, message_id: str, stat: str = "DELIVRD") -> None:
        text = f"id:{message_id} sub:001 dlvr:001 submit date:2601010830 done date:2601010831 stat:{stat} err:000 text:"
        self._to_receivers(deliver_sm_body(source="8613600000000", destination="10690000", esm_class=0x04,
                                           data_coding=0, message=text.encode(),
                                           tlvs={TLV_RECEIPTED_ID: message_id.encode() + b"\0",
                                                 TLV_MESSAGE_STATE: bytes([2 if stat == "DELIVRD" else 5])}))

    def mobile_originated(self, source: str, text: str) -> None:
        try:
            octets, coding = text.encode("ascii"), 0
        except UnicodeEncodeError:
            octets, coding = text.encode("utf-16-be"), 8
        self._to_receivers(deliver_sm_body(source=source, destination="10690000", esm_class=0, data_coding=coding,
                                           message=octets))

    def _to_receivers(self, body: bytes) -> None:
        with self._lock:
            receivers = list(self._receivers)
        if not receivers:
            raise AssertionError("no receiver is bound")
        receivers[-1].send(DELIVER_SM, body)

    def count_to(self, destination: str) -> int:
        return sum(1 for m in self.messages if m.destination.endswith(destination))

    # ---- what the platform sends
    def _accept(self, submit: SubmitSm) -> str:
        message_id = f"{next(self._ids):x}"
        udh = submit.esm_class & 0x40
        if udh or TLV_SAR_REF in submit.tlvs:
            if udh:
                header = submit.short_message[:submit.short_message[0] + 1]
                ref, total, seq = header[3], header[4], header[5]
                payload = submit.short_message[len(header):]
            else:
                ref = int.from_bytes(submit.tlvs[TLV_SAR_REF], "big")
                total, seq = submit.tlvs[TLV_SAR_TOTAL][0], submit.tlvs[TLV_SAR_SEQ][0]
                payload = submit.short_message
            key = (submit.destination, ref, total)
            parts = self._partial.setdefault(key, {})
            parts[seq] = SubmitSm(**{**submit.__dict__, "short_message": payload})
            parts[seq].tlvs = {"id": message_id.encode()}
            if len(parts) == total:
                del self._partial[key]
                ordered = [parts[i] for i in sorted(parts)]
                text = _text(submit.data_coding, b"".join(p.short_message for p in ordered))
                self._taken(Message(submit.destination, text, submit.data_coding, total,
                                    [p.tlvs["id"].decode() for p in ordered]))
        else:
            self._taken(Message(submit.destination, _text(submit.data_coding, submit.short_message),
                                submit.data_coding, 1, [message_id]))
        return message_id

    def _taken(self, message: Message) -> None:
        self.messages.append(message)
        if self.on_message is not None:
            self.on_message(message)


class _Session:
    def __init__(self, smsc: Smsc, sock: socket.socket) -> None:
        self.smsc, self.sock = smsc, sock
        self.bound = ""
        self.sequence = itertools.count(1)
        self.write_lock = threading.Lock()

    def send(self, command: int, body: bytes, status: int = 0, sequence: int | None = None) -> None:
        with self.write_lock:
            self.sock.sendall(_pdu(command, status, next(self.sequence) if sequence is None else sequence, body))

    def _read(self, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise ConnectionError
            data += chunk
        return data

    def run(self) -> None:
        try:
            while True:
                length, command, _status, sequence = struct.unpack(">IIII", self._read(16))
                self.handle(command, sequence, self._read(length - 16))
        except (ConnectionError, OSError):
            pass
        finally:
            with self.smsc._lock:
                if self in self.smsc._receivers:
                    self.smsc._receivers.remove(self)

    def handle(self, command: int, sequence: int, body: bytes) -> None:
        smsc = self.smsc
        if command in (BIND_TRANSMITTER, BIND_RECEIVER, BIND_TRANSCEIVER):
            system_id, at = _cstring(body, 0)
            password, _at = _cstring(body, at)
            ok = (system_id.decode(), password.decode()) == (smsc.system_id, smsc.password)
            if ok:
                self.bound = {BIND_TRANSMITTER: "tx", BIND_RECEIVER: "rx", BIND_TRANSCEIVER: "trx"}[command]
                smsc.binds.append(self.bound)
                if self.bound in ("rx", "trx"):
                    with smsc._lock:
                        smsc._receivers.append(self)
            self.send(command | RESP, b"smsc-sim\0", ESME_ROK if ok else ESME_RBINDFAIL, sequence)
        elif command == ENQUIRE_LINK:
            self.send(ENQUIRE_LINK | RESP, b"", ESME_ROK, sequence)
        elif command == UNBIND:
            self.send(UNBIND | RESP, b"", ESME_ROK, sequence)
        elif command == SUBMIT_SM:
            if self.bound not in ("tx", "trx"):
                self.send(SUBMIT_SM | RESP, b"\0", ESME_RINVBNDSTS, sequence)
                return
            submit = submit_sm_parse(body)
            smsc.submits.append(submit)
            status = smsc.script.popleft() if smsc.script else ESME_ROK
            if status != ESME_ROK:
                self.send(SUBMIT_SM | RESP, b"\0", status, sequence)
                return
            message_id = smsc._accept(submit)  # taken: it will be delivered whatever happens to the answer
            if smsc.hold.is_set():
                smsc._released.clear()
                smsc._released.wait(60)
            self.send(SUBMIT_SM | RESP, message_id.encode() + b"\0", ESME_ROK, sequence)
            if submit.registered_delivery & 1 and smsc.auto_receipts:
                try:
                    smsc.receipt(message_id)
                except AssertionError:
                    pass  # no receiver bound: no receipt
        elif command & RESP:
            pass  # deliver_sm_resp, enquire_link_resp
        else:
            self.send(GENERIC_NACK, b"", ESME_RINVCMDID, sequence)


def main() -> None:
    """Serve a simulator on a free port until interrupted; print its SMPP_URL (and with
    ``--log`` a line "accepted <epoch seconds> <destination> <message id>" per whole message
    taken: the benchmarks run it as a process of its own and read these)."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="An SMSC (SMPP 3.4) simulator on a free port.")
    parser.add_argument("--log", action="store_true", help="print a line per message accepted")
    args = parser.parse_args()
    smsc = Smsc().start()
    if args.log:
        smsc.on_message = lambda m: sys.stdout.write(f"accepted {m.accepted_at:.6f} {m.destination} "
                                                     f"{m.message_ids[-1]}\n")
    print(f"SMPP_URL={smsc.url}", flush=True)
    try:
        while True:
            time.sleep(0.2)
            sys.stdout.flush()
    except KeyboardInterrupt:
        smsc.stop()


if __name__ == "__main__":
    main()
