"""Who is asking for a tile: the session user (pages) or an API token
(``Authorization: Token <key>``: QGIS, GDAL, scripts). Tile views are plain Django views
(no DRF), so this is the one place they authenticate."""
from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from gis_core.roles import role_allows


def tile_user(request: HttpRequest):
    """The authenticated user, or None."""
    if request.user.is_authenticated:
        return request.user
    header = request.headers.get("Authorization", "")
    scheme, _sep, key = header.partition(" ")
    if scheme.lower() == "token" and key:
        token = Token.objects.select_related("user").filter(key=key.strip()).first()
        if token and token.user.is_active:
            request.user = token.user
            return token.user
    return None


def refuse(request: HttpRequest, permission: str | None = None) -> JsonResponse | None:
    """A 401 answer when nobody is signed in, a 403 when the user may not read data
    needing ``permission``; None when the request may go on."""
    user = tile_user(request)
    if user is None:
        response = JsonResponse({"detail": _("Authentication credentials were not provided.")}, status=401)
        response["WWW-Authenticate"] = "Token"
        return response
    if permission and not role_allows(user, permission):
        return JsonResponse({"detail": _("You do not have permission to perform this action.")}, status=403)
    return None
