"""Password first, code second. After the password, a user who needs a code is not signed
in: the session only remembers, for SIGNIN_PENDING_SECONDS, whose password was right
and where to go next. The code pages (pages.py) and the token endpoint (views.py) count
a wrong code as a failed sign-in, so django-axes locks as it does for passwords."""
from __future__ import annotations

import time
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model, login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest

PENDING = "signin_pending"


@dataclass
class Pending:
    user: object
    backend: str
    next_url: str


def signin_pending_start(*, request: HttpRequest, user, next_url: str) -> None:
    request.session.cycle_key()
    request.session[PENDING] = {"user": user.pk, "backend": user.backend, "next": next_url, "at": int(time.time())}


def signin_pending_get(request: HttpRequest) -> Pending | None:
    state = request.session.get(PENDING)
    if not state or time.time() - state["at"] > settings.SIGNIN_PENDING_SECONDS:
        return None
    user = get_user_model()._default_manager.filter(pk=state["user"], is_active=True).first()
    return Pending(user, state["backend"], state["next"]) if user else None


def signin_pending_clear(request: HttpRequest) -> None:
    request.session.pop(PENDING, None)


def signin_locked(*, request: HttpRequest, username: str) -> bool:
    """Whether axes locks this username or the client's address now."""
    return AxesProxyHandler.is_locked(request, {"username": username})


def signin_failure_record(*, request: HttpRequest, username: str) -> None:
    """A wrong code counts as a failed sign-in: axes records it (audit, lockout counts) and
    flags the request when it locks (AxesMiddleware then answers with the lockout)."""
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)


def signin_complete(*, request: HttpRequest, user, backend: str, device=None) -> None:
    """Sign the user in (a new session key; axes logs the sign-in), with the device that
    gave the code remembered in the session (django-otp's is_verified)."""
    signin_pending_clear(request)
    if device is not None:
        user.otp_device = device  # django-otp stores it in the session at user_logged_in
    login(request, user, backend=backend)
