"""Read replicas (PostgreSQL streaming replication): which reads may go to a standby.

Nothing goes to a replica unless a read path opts in: the heavy reads that tolerate a
second of lag (tiles, heatmaps, exports, OGC API items, metrics, search, area statistics) run inside
``replica_reads()`` — a context manager, also usable as a decorator — which sets a
context variable that ``ReplicaRouter.db_for_read`` and ``read_alias()`` (for raw SQL)
check. Everything else reads from the primary, and so does every read

- while the primary has a transaction open on this thread (a read inside a write sees it);
- of a client that wrote within REPLICA_STICKY_SECONDS (``ReplicaStickyMiddleware``: a
  signed cookie set by any successful non-safe request: "read your writes");
- when no replica is usable: each is checked before use, at most every
  REPLICA_CHECK_SECONDS per process — reachable, a standby, and its replay lag at most
  REPLICA_MAX_LAG_SECONDS — else reads fall back to the primary, with one log line
  (logger ``gis_core.replicas``) when a replica drops out and one when it is back.

Writes always go to the primary (``db_for_write``), whatever alias an instance was read
from: the personal-data access log among them. Scoping is unchanged: the same querysets,
only the alias differs. With no replica configured (DATABASE_REPLICA_URLS empty) the
router answers nothing and everything is as without it.
"""
from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

STICKY_COOKIE = "primary_reads"
STICKY_SALT = "gis_core.replicas.sticky"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# How long a health check waits for a standby that is behind to reach the primary's
# position before judging its lag by the age of its last replayed commit (which, after an
# idle spell on the primary, overstates it).
CATCH_UP_SECONDS = 0.2


@dataclass
class _Reads:
    """One replica_reads() block: the alias chosen on its first read, kept for the block so
    that its queries see one replica's state, not several."""

    alias: str | None = None


_reads: ContextVar[_Reads | None] = ContextVar("replica_reads", default=None)
_pinned: ContextVar[bool] = ContextVar("replica_pinned", default=False)


def replica_aliases() -> list[str]:
    """The database aliases of the configured replicas (settings.REPLICA_DATABASES)."""
    return list(getattr(settings, "REPLICA_DATABASES", ()))


@contextmanager
def replica_reads():
    """Reads in this block may go to a replica (when one is usable and the client has not
    just written). As a decorator (``@replica_reads()``) the whole view is such a block.
    Yields the block's state (``.alias``: where its reads went, once it read)."""
    outer = _reads.get()
    if outer is not None:  # nested: the outer block's choice stands
        yield outer
        return
    state = _Reads()
    token = _reads.set(state)
    try:
        yield state
    except (OperationalError, InterfaceError) as error:
        if _replica_broke(state):
            replica_failed(state.alias, error)
        raise
    finally:
        _reads.reset(token)


def _replica_broke(state: _Reads) -> bool:
    """The block read from a replica and that connection failed (Django flags a
    connection on which a database error other than bad data occurred)."""
    return state.alias not in (None, DEFAULT_DB_ALIAS) and connections[state.alias].errors_occurred


def replica_view(view: Callable) -> Callable:
    """``replica_reads()`` around a view (a function, or a method of a class-based view).
    If its replica fails during it (stopped since its last check, or a query cancelled by
    replay), the view runs again on the primary: these views only read, so running one
    twice is harmless."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        state = None
        try:
            with replica_reads() as state:
                return view(*args, **kwargs)
        except (OperationalError, InterfaceError):
            if state is None or state.alias in (None, DEFAULT_DB_ALIAS) or _health.get(state.alias, _ok).usable:
                raise
        with primary_reads():
            return view(*args, **kwargs)

    return wrapped


@contextmanager
def primary_reads():
    """Reads in this block go to the primary whatever the enclosing block says."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def read_alias() -> str:
    """The alias the current read goes to: a usable replica inside replica_reads(), else
    the primary. Raw SQL takes its connection from here (``connections[read_alias()]``)."""
    state = _reads.get()
    if state is None or _pinned.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    if state.alias is None or (state.alias != DEFAULT_DB_ALIAS and not _usable(state.alias)):
        candidates = replica_aliases()
        random.shuffle(candidates)  # spread the processes' reads over the replicas
        state.alias = next((alias for alias in candidates if _usable(alias)), DEFAULT_DB_ALIAS)
    return state.alias


# --------------------------------------------------------------------------- health

@dataclass
class _Health:
    checked: float  # time.monotonic()
    usable: bool
    reason: str = ""
    logged: float = 0.0


_health: dict[str, _Health] = {}
_ok = _Health(0.0, True)


def _usable(alias: str) -> bool:
    now = time.monotonic()
    known = _health.get(alias)
    if known and now - known.checked < settings.REPLICA_CHECK_SECONDS:
        return known.usable
    usable, reason = replica_check(alias)
    _health_record(alias, usable, reason, now)
    return usable


def _health_record(alias: str, usable: bool, reason: str, now: float) -> None:
    known = _health.get(alias)
    health = _Health(now, usable, reason, known.logged if known else 0.0)
    if not usable and (known is None or known.usable or now - known.logged >= settings.REPLICA_LOG_SECONDS):
        logger.warning("read replica %s not used, reads go to the primary: %s", alias, reason)
        health.logged = now
    elif usable and known is not None and not known.usable:
        logger.warning("read replica %s usable again", alias)
    _health[alias] = health


def replica_failed(alias: str, error: Exception) -> None:
    """A query on ``alias`` failed (the server went away): not used until checked again."""
    connections[alias].close()
    _health_record(alias, False, f"query failed ({str(error).strip() or type(error).__name__})", time.monotonic())


def replica_health_forget() -> None:
    """Check every replica again before its next use (tests; after reconfiguring)."""
    _health.clear()


def replica_check(alias: str) -> tuple[bool, str]:
    """(usable, reason): ``alias`` answers, is a standby, and has replayed the primary's
    WAL to within REPLICA_MAX_LAG_SECONDS. When it has replayed everything the primary has
    written its lag is nil (an idle primary writes nothing, and the age of the last
    replayed commit says nothing); otherwise the lag is the age of its last replayed
    commit — after waiting a moment for it to catch up with the primary's position."""
    limit = settings.REPLICA_MAX_LAG_SECONDS
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()::text")
            primary_lsn = cursor.fetchone()[0]
        deadline = time.monotonic() + min(CATCH_UP_SECONDS, limit)
        with connections[alias].cursor() as cursor:
            while True:
                cursor.execute(
                    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn,"
                    " EXTRACT(epoch FROM now() - pg_last_xact_replay_timestamp())::float8",
                    [primary_lsn])
                standby, caught_up, age = cursor.fetchone()
                if not standby or caught_up or time.monotonic() >= deadline:
                    break
                time.sleep(0.02)
    except DatabaseError as error:
        connections[alias].close()
        return False, f"unreachable ({str(error).strip() or type(error).__name__})"
    if not standby:
        return False, "not a standby (promoted, or not a replica)"
    if caught_up:
        return True, ""
    if age is None or age > limit:
        lag = "unknown" if age is None else f"{age:.1f} s"
        return False, f"replay lag {lag} over REPLICA_MAX_LAG_SECONDS ({limit:g} s)"
    return True, ""


# --------------------------------------------------------------------------- router, middleware

# Read on the primary even inside replica_reads(): sign-in state (a session or token made
# a moment ago must work at once) and Django's database cache (counters are read and then
# written: one server for both).
PRIMARY_APPS = frozenset({"sessions", "authtoken", "django_cache"})


def primary_only(model) -> bool:
    """PRIMARY_APPS' models, and models that declare ``replica_readable = False``
    (unlogged tables, which standbys do not have)."""
    return model._meta.app_label in PRIMARY_APPS or not getattr(model, "replica_readable", True)


class ReplicaRouter:
    """DATABASE_ROUTERS entry: reads inside replica_reads() to a usable replica, every other
    read and every write to the primary. Says nothing when no replica is configured."""

    def db_for_read(self, model, **hints) -> str | None:
        if not replica_aliases():
            return None
        return DEFAULT_DB_ALIAS if primary_only(model) else read_alias()

    def db_for_write(self, model, **hints) -> str | None:
        # Also for an instance read from a replica: Django would otherwise write it back there.
        return DEFAULT_DB_ALIAS if replica_aliases() else None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        databases = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True  # one database: the replicas are copies of the primary
        return None

    def allow_migrate(self, db: str, app_label: str, **hints) -> bool | None:
        return False if db in replica_aliases() else None


def _sticky_seconds() -> int:
    return settings.REPLICA_STICKY_SECONDS


class ReplicaStickyMiddleware:
    """Read your writes: after a successful non-safe request (POST, PUT, PATCH, DELETE),
    the same client's reads go to the primary for REPLICA_STICKY_SECONDS — a signed cookie,
    so every web process and node knows, with nothing stored on the server. Only with
    replicas configured."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        wrote = request.get_signed_cookie(STICKY_COOKIE, default=None, salt=STICKY_SALT,
                                          max_age=_sticky_seconds()) is not None
        token = _pinned.set(wrote)
        try:
            response = self.get_response(request)
        finally:
            _pinned.reset(token)
        if request.method not in SAFE_METHODS and response.status_code < 400:
            response.set_signed_cookie(STICKY_COOKIE, "1", salt=STICKY_SALT, max_age=_sticky_seconds(),
                                       httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
        return response
