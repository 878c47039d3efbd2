"""A PostgreSQL LISTEN on a channel in a process of its own (so that the benchmark's busy
main thread — Playwright — cannot delay its stamps): when each notification arrived (epoch
seconds). PostgreSQL delivers a notification when the transaction that sent it commits, so
for iot_alerts this is "committed, and heard as a web worker hears it". Start it before
the browser (it forks: see bench/lib/browser.py)."""
from __future__ import annotations

import json
import multiprocessing as mp
import queue
import time

from bench.lib.processes import mp_stop


def _listen(db_url: str, channel: str, kinds: frozenset[str], ready, stop, out) -> None:
    import psycopg

    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(f"LISTEN {channel}")
        ready.set()
        while not stop.is_set():
            for note in conn.notifies(timeout=0.5):
                at = time.time()
                change = json.loads(note.payload)
                if change.get("kind") in kinds:
                    out.put((at, {k: v for k, v in change.items() if k != "row"}))


class Listener:
    """``with Listener(db_url, "iot_alerts", kinds={"sos"}) as heard: …``; ``heard.first()``
    maps each alert id (of those kinds) to (change, epoch seconds) of its first notification."""

    def __init__(self, db_url: str, channel: str, *, kinds) -> None:
        self._ready, self._stop, self._out = mp.Event(), mp.Event(), mp.Queue()
        self._process = mp.Process(target=_listen, args=(db_url, channel, frozenset(kinds), self._ready, self._stop,
                                                         self._out), daemon=True)
        self._first: dict[int, tuple[dict, float]] = {}

    def first(self) -> dict[int, tuple[dict, float]]:
        while True:
            try:
                at, change = self._out.get(timeout=0.2)
            except queue.Empty:
                return self._first
            self._first.setdefault(change.get("id"), (change, at))

    def __enter__(self) -> Listener:
        self._process.start()
        if not self._ready.wait(10):
            self.__exit__()
            raise RuntimeError("the LISTEN connection did not open within 10 s")
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        mp_stop(self._process, timeout=5)  # bounded: it looks at _stop every half second
