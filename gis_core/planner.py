"""Planner settings for one read-only block of queries."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import connections


@contextmanager
def planner_settings(*, using: str, **settings: str | int) -> Iterator[None]:
    """Run the block with these settings (``SET LOCAL``) on database ``using``, in a
    transaction — a savepoint inside one — that is rolled back at the end, taking the
    settings with it: they never reach the connection's next query. Only for reads: a
    write in the block would be rolled back too.

    (On psycopg's connection, under Django's: the transaction's statements are not
    queries of data and stay out of Django's query log and counts.)"""
    wrapper = connections[using]
    wrapper.ensure_connection()
    calls = ", ".join("set_config(%s, %s, true)" for _ in settings)
    with wrapper.connection.transaction(force_rollback=True), psycopg.Cursor(wrapper.connection) as cursor:
        cursor.execute(f"SELECT {calls}", [v for name, value in settings.items() for v in (name, str(value))])
        yield
