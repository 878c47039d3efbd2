"""A publisher that costs next to nothing: PUBLISH packets (MQTT 3.1.1, QoS 1) encoded
before the clock starts and written to a plain socket in chunks, at most ``inflight``
unacknowledged, while a thread counts the broker's PUBACKs. (paho spends ~100 µs of CPU
per QoS 1 message, and this machine has two cores to share with the broker, the
receiver and PostgreSQL.)"""
from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable

PUBACK = 4
CHUNK = 64  # packets per write


def varint(n: int) -> bytes:
    """MQTT's variable-length integer."""
    out = bytearray()
    while True:
        n, byte = divmod(n, 128)
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def string(value: str) -> bytes:
    data = value.encode()
    return struct.pack("!H", len(data)) + data


def packets_encode(messages: list[tuple[str, bytes]]) -> list[bytes]:
    """One QoS 1 PUBLISH packet per (topic, payload), packet ids 1…65535 in turn."""
    packets = []
    for i, (topic, payload) in enumerate(messages):
        body = string(topic) + struct.pack("!H", i % 65535 + 1) + payload
        packets.append(b"\x32" + varint(len(body)) + body)
    return packets


def packets_split(buffer: bytes) -> tuple[list[int], bytes]:
    """The packet types in ``buffer``, and what is left of an incomplete last packet."""
    types, i = [], 0
    while len(buffer) - i >= 2:
        length, shift, j = 0, 0, i + 1
        while j < len(buffer):
            byte = buffer[j]
            length |= (byte & 0x7F) << shift
            shift += 7
            j += 1
            if not byte & 0x80:
                break
        else:
            break
        if j + length > len(buffer):
            break
        types.append(buffer[i] >> 4)
        i = j + length
    return types, buffer[i:]


class RawPublisher:
    """A connection (clean session) to the broker of ``url`` (plain MQTT only)."""

    def __init__(self, url: str, client_id: str, *, timeout: float = 10.0) -> None:
        from gis_core.mqtt import broker_config

        config = broker_config(url)
        if config.tls:
            raise ValueError("the raw publisher speaks plain MQTT only")
        self.sock = socket.create_connection((config.host, config.port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        flags = 0x02 | (0x80 if config.username else 0) | (0x40 if config.password else 0)
        body = (string("MQTT") + bytes([4, flags]) + struct.pack("!H", 0) + string(client_id)
                + (string(config.username) if config.username else b"")
                + (string(config.password) if config.password else b""))
        self.sock.sendall(b"\x10" + varint(len(body)) + body)
        connack = self.sock.recv(4)
        if len(connack) < 4 or connack[0] != 0x20 or connack[3] != 0:
            self.sock.close()
            raise ConnectionError(f"the broker refused the connection ({connack!r})")
        self.sock.settimeout(None)

    def publish(self, packets: list[bytes], *, inflight: int, timeout: float,
                on_acked: Callable[[int], None] = lambda acked: None,
                before_send: Callable[[int], None] = lambda sent: None,
                on_sent: Callable[[int], None] = lambda sent: None) -> int:
        """Send ``packets``, at most ``inflight`` unacknowledged; return once all are
        acknowledged, the connection is lost or ``timeout`` seconds have passed: the number
        acknowledged. ``on_acked(acked)`` runs on the reading thread as PUBACKs arrive;
        ``before_send(sent)`` and ``on_sent(sent)`` around each chunk written."""
        total, deadline = len(packets), time.monotonic() + timeout
        acked = 0
        moved = threading.Condition()

        def read() -> None:
            nonlocal acked
            rest = b""
            while acked < total:
                try:
                    data = self.sock.recv(1 << 16)
                except OSError:
                    data = b""
                if not data:
                    break
                types, rest = packets_split(rest + data)
                n = types.count(PUBACK)
                if n:
                    with moved:
                        acked += n
                        on_acked(acked)
                        moved.notify()
            with moved:
                moved.notify()

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        sent = 0
        while sent < total:
            with moved:
                while sent - acked >= inflight and reader.is_alive() and time.monotonic() < deadline:
                    moved.wait(0.5)
                if sent - acked >= inflight:  # connection lost or out of time
                    break
                n = min(CHUNK, total - sent, inflight - (sent - acked))
            before_send(sent)
            self.sock.sendall(b"".join(packets[sent:sent + n]))
            sent += n
            on_sent(sent)
        reader.join(max(0.0, deadline - time.monotonic()))
        return acked

    def close(self) -> None:
        try:
            self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        except OSError:
            pass
        self.sock.close()
