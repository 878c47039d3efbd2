"""What a locked-out client gets (settings.AXES_LOCKOUT_CALLABLE, through AxesMiddleware,
and straight from the token endpoint and the code pages): 429 Too Many Requests with
Retry-After — JSON naming the reason for API clients, a page in the site's frame for
people."""
from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from gis_core.errors import wants_json

LOCKED_OUT = "locked_out"


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    # Every failure during a lockout starts the cool-off again (axes' default), so the
    # wait is the whole cool-off from now.
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, round(seconds / 60))
    message = _("Too many failed sign-ins for this account or from this address. Sign-in is locked for "
                "%(minutes)d minutes; try again later or ask an administrator to lift the lock.") % {"minutes": minutes}
    if wants_json(request):
        response = JsonResponse({"detail": message, "reason": LOCKED_OUT, "retry_after": seconds}, status=429)
    else:
        response = render(request, "signin/locked_out.html", {"message": message, "minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response
