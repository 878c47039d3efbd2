"""Errors as the platform shows them: pages in the site's frame for people, JSON for API
clients (``/api/`` paths, or a client that asks for JSON), and settings never shown with
credentials, even on a developer's debug page."""
from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host… → scheme://user:********@host…
CREDENTIALS = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@/\s]+)(?=@)", re.IGNORECASE)


def url_password_mask(text: str) -> str:
    return CREDENTIALS.sub(lambda m: m.group("head") + "********", text)


class SettingsFilter(SafeExceptionReporterFilter):
    """Django's filter hides settings by name (KEY, SECRET, PASS …); connection URLs
    (DATABASE_URL, MQTT_URL, SMTP_URL …) carry passwords under other names: their
    password part is masked wherever settings are shown."""

    def cleanse_setting(self, key, value):
        value = super().cleanse_setting(key, value)
        return url_password_mask(value) if isinstance(value, str) else value


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def _error(request: HttpRequest, status: int, template: str, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"detail": message}, status=status)
    return render(request, template, {"message": message}, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 400, "400.html", _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 403, "403.html", str(exception) if exception and str(exception) else
                  _("Your role may not open this page."))


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404, "404.html", _("There is no such page, or it is not in your areas."))


def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: the failure may lie in what builds it."""
    message = _("Something went wrong on our side. It has been logged; please try again.")
    if wants_json(request):
        return JsonResponse({"detail": message}, status=500)
    return HttpResponse(loader.get_template("500.html").render({"message": message}), status=500)
