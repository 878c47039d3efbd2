"""Rate limits of the portal's writes, per client address and per phone (DRF's throttle
counters in the cache, like the public tracking's: incidents.tracking)."""
from __future__ import annotations

from rest_framework.exceptions import Throttled
from rest_framework.throttling import SimpleRateThrottle


class _Limit(SimpleRateThrottle):
    def __init__(self, scope: str, rate: str, ident: str | None):
        self.scope, self.rate, self.ident = scope, rate, ident
        self.num_requests, self.duration = self.parse_rate(rate)

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": f"portal-{self.scope}", "ident": self.ident or self.get_ident(request)}


def limit_check(request, *, scope: str, rate: str, phone: str | None = None) -> None:
    """Count one request of ``scope`` for the client's address (or for ``phone``); Throttled
    (429, with Retry-After) once ``rate`` ("5/hour") is used up."""
    limit = _Limit(scope, rate, phone)
    if not limit.allow_request(request, None):
        raise Throttled(limit.wait())
