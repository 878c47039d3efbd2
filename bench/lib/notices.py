"""A PostgreSQL LISTEN on a channel in a thread of the benchmark: when each notification
arrived (epoch seconds). PostgreSQL delivers a notification when the transaction that
sent it commits, so for iot_alerts this is "committed, and heard as a web worker hears it"."""
from __future__ import annotations

import json
import threading
import time

import psycopg


class Listener:
    """``with Listener(db_url, "iot_alerts") as heard: …``; ``heard.first`` maps each
    alert id to (payload, epoch seconds) of its first notification."""

    def __init__(self, db_url: str, channel: str) -> None:
        self.first: dict[int, tuple[dict, float]] = {}
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(db_url, channel), daemon=True)

    def _run(self, db_url: str, channel: str) -> None:
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(f"LISTEN {channel}")
            self._ready.set()
            while not self._stop.is_set():
                for note in conn.notifies(timeout=0.5):
                    at = time.time()
                    payload = json.loads(note.payload)
                    self.first.setdefault(payload.get("id"), (payload, at))

    def __enter__(self) -> Listener:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the LISTEN connection did not open within 10 s")
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(5)  # bounded: the loop looks at _stop every half second
