"""Idle session timeout: a session ends after SESSION_IDLE_MINUTES without a request. The
mark of the last activity is rewritten at most every SESSION_ACTIVITY_RESOLUTION_SECONDS,
so the hundreds of tile requests of a map page do not write the session each."""
from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest

LAST_ACTIVITY = "signin_last_activity"


def session_activity_mark(sender=None, request: HttpRequest | None = None, **kwargs) -> None:
    """At sign-in (user_logged_in): the session starts active now."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())


def session_idle_check(request: HttpRequest) -> None:
    """End the signed-in session of ``request`` if it has been idle too long, else renew
    its activity mark when the mark is older than the resolution."""
    session = request.session
    if SESSION_KEY not in session:
        return
    now = int(time.time())
    last = session.get(LAST_ACTIVITY)
    if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
        logout(request)  # deletes the session row: no other worker accepts it any more
    elif last is None or now - last >= settings.SESSION_ACTIVITY_RESOLUTION_SECONDS:
        session[LAST_ACTIVITY] = now
