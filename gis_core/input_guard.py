"""Refuse, before any view runs, input that nothing in the platform can store: a NUL
character (PostgreSQL refuses it in text) in the path, a query parameter or a form field.
The answer is a 400 naming the parameter (JSON for API clients), never a database error.
JSON bodies go through serializers, whose text fields refuse NUL themselves."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"


def nul_parameter(request: HttpRequest) -> str | None:
    """The name of the first part of the request holding a NUL: "path", a parameter, or None."""
    if NUL in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                            "multipart/form-data"):
        sources.append(request.POST)
    for params in sources:
        for key, values in params.lists():
            if NUL in key or any(NUL in value for value in values):
                return key.replace(NUL, "") or "parameter"
    return None


class NulCharacterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = nul_parameter(request)
        if name is None:
            return self.get_response(request)
        message = _("This value contains a NUL character, which is not allowed.")
        if request.path.startswith(("/api/", "/open311/", "/tiles/")) or "json" in request.headers.get("Accept", ""):
            return JsonResponse({name: [message]}, status=400)
        return render(request, "400.html", {"message": f"{name}: {message}"}, status=400)
