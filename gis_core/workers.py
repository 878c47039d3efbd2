"""Shared plumbing of long-running management commands (workers)."""
from __future__ import annotations

import contextlib
import functools
import signal
import threading
from collections.abc import Callable, Iterator

from django.db import close_old_connections


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` instead of killing the run (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def fresh_connection(function: Callable) -> Callable:
    """A job run on a usable database connection: a worker thread outlives its jobs, and a
    connection the server closed meanwhile must not fail the next one."""
    @functools.wraps(function)
    def run(**kwargs):
        close_old_connections()
        try:
            return function(**kwargs)
        finally:
            close_old_connections()
    return run
