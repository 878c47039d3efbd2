"""Public tracking guarded against walking the numbers: a rate per address for every
lookup and, per tracking number, a limit on wrong checks (the four phone digits have only
10,000 values). Shared by the tracking page, ``GET /api/v1/track/<number>/`` and every
other record the public follows by number (services' applications and their ratings: ``tracked``)."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle

from incidents.models import Case
from incidents.selectors import case_public

T = TypeVar("T")


class TrackThrottle(SimpleRateThrottle):
    """Lookups per client address (TRACK_RATE, e.g. "30/min")."""

    scope = "track"

    def get_rate(self) -> str:
        return settings.TRACK_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def _failures_key(number: str) -> str:
    return f"track-failures:{number.strip()[:40]}"


def case_track(request, number: str, *, check: str = "") -> Case:
    """The case for the public, or Case.DoesNotExist (unknown number or wrong check, alike);
    Throttled when the address asks too often or the number had too many wrong checks."""
    return tracked(request, number, lambda: case_public(number, check=check))


def tracked(request, number: str, find: Callable[[], T]) -> T:
    """``find()`` (the record of ``number`` if its check matches, else ObjectDoesNotExist)
    under the public limits: Throttled when the address asks too often (TRACK_RATE) or the
    number had too many wrong checks (TRACK_MAX_FAILURES). Any public lookup by number —
    cases, applications, their ratings — goes through here."""
    throttle = TrackThrottle()
    if not throttle.allow_request(request, None):
        raise Throttled(throttle.wait())
    if cache.get(_failures_key(number), 0) >= settings.TRACK_MAX_FAILURES:
        raise Throttled(settings.TRACK_FAILURE_WINDOW)
    try:
        return find()
    except ObjectDoesNotExist:
        key = _failures_key(number)
        cache.add(key, 0, settings.TRACK_FAILURE_WINDOW)
        cache.incr(key)
        raise
