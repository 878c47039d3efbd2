"""HTTP endpoints of the server-side heatmaps (``tiles.heat``), included under
``/tiles/heat/``:

    <metric>/<z>/<x>/<y>.png        colour PNG tile (204 when empty)
    <metric>/legend.json            colour stops, scale maximum, total count
    <metric>.tif                    GeoTIFF of people per pixel (``pixel=`` metres)
    <metric>/hex/<z>/<x>/<y>.pbf    hexagon counts as a Mapbox vector tile (204 when empty)

each with ``?tag=…`` (metric parameters), ``since``/``until`` (YYYY-MM-DD) and ``area``
(an area id within the user's scope).

Plain Django views, not DRF: map libraries fetch these as images and byte buffers, with
the page's cookies or a token header, and there is no content to negotiate. The
credentials are the API's (session, or ``Authorization: Token <key>``); errors are the
API's JSON shapes: 401/403/404 ``{"detail": …}``, 400 ``{"field": ["reason"]}``.
"""
from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from gis_core.replicas import replica_view
from gis_core.scoping import areas_for_user
from tiles import heat
from tiles.auth import refuse  # session or `Authorization: Token <key>`, as every tile view
from tiles.tilemath import MAX_ZOOM

CACHE_CONTROL = "private, max-age=60"
PIXEL_DEFAULT, PIXEL_MIN, PIXEL_MAX = 50.0, 10.0, 1000.0
DATE_FORMAT = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _detail(status: int, message: str) -> JsonResponse:
    return JsonResponse({"detail": str(message)}, status=status)


# ---------------------------------------------------------------------------- parameters

def _date(query, name: str, errors: dict) -> dt.date | None:
    value = query.get(name)
    if not value:
        return None
    try:
        if not DATE_FORMAT.match(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = [_("Enter a date as YYYY-MM-DD.")]
        return None


def _area_id(query, errors: dict) -> int | None:
    value = query.get("area")
    if not value:
        return None
    if not value.isdigit():
        errors["area"] = [_("Enter an area id.")]
        return None
    return int(value)


def heat_query(request: HttpRequest, user, metric: heat.HeatMetric) -> heat.HeatQuery:
    """The validated request: every problem with the parameters in one 400
    (ValidationError), an area outside the user's scope as a 404, a metric parameter the
    role may not use as a 403 (PermissionDenied)."""
    query, errors = request.GET, {}
    since, until = _date(query, "since", errors), _date(query, "until", errors)
    if since and until and since > until:
        errors["since"] = [_("since must not be after until.")]
    area_id = _area_id(query, errors)
    try:
        params = metric.parse(user, query)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    area = None
    if area_id is not None:
        area = areas_for_user(user).filter(pk=area_id).first()
        if area is None:
            raise Http404(_("No such area in your areas."))
    return heat.HeatQuery(metric, user, params, heat.HeatWindow(since=since, until=until, area=area))


def _tile_check(z: int, x: int, y: int) -> None:
    if z > MAX_ZOOM:
        raise ValidationError({"z": [_("Zoom must be 0 to %(max)d.") % {"max": MAX_ZOOM}]})
    errors = {name: [_("Must be below %(n)d at this zoom.") % {"n": 2 ** z}]
              for name, value in (("x", x), ("y", y)) if value >= 2 ** z}
    if errors:
        raise ValidationError(errors)


def _pixel(query) -> float:
    value = query.get("pixel")
    if not value:
        return PIXEL_DEFAULT
    try:
        pixel = float(value)
    except ValueError:
        pixel = math.nan
    if not PIXEL_MIN <= pixel <= PIXEL_MAX:
        raise ValidationError({"pixel": [_("Enter a pixel size of %(min)g to %(max)g metres.") % {
            "min": PIXEL_MIN, "max": PIXEL_MAX}]})
    return pixel


# ---------------------------------------------------------------------------- the views

def heat_endpoint(view: Callable) -> Callable:
    """Authentication (401), the metric (404) and its permission (403), parameters
    (400 / 404 / 403) — then ``view(request, query, **url_kwargs)``."""

    @require_safe
    @wraps(view)
    @replica_view  # heatmaps tolerate a little lag: a read replica when one is usable
    def endpoint(request: HttpRequest, metric: str, **kwargs):
        if denied := refuse(request):
            return denied
        heat_metric = heat.metric_for(metric)
        if heat_metric is None:
            return _detail(404, _("No heatmap “%(metric)s”.") % {"metric": metric})
        if denied := refuse(request, heat_metric.permission):
            return denied
        user = request.user
        try:
            return view(request, heat_query(request, user, heat_metric), **kwargs)
        except ValidationError as error:
            return JsonResponse(error.message_dict, status=400)
        except PermissionDenied as error:
            return _detail(403, str(error) or _("You do not have permission to perform this action."))
        except Http404 as error:
            return _detail(404, str(error))

    return endpoint


def _binary(content: bytes | None, content_type: str) -> HttpResponse:
    """The bytes, or 204 No Content; privately cacheable for a minute (per user)."""
    response = HttpResponse(status=204) if content is None else HttpResponse(content, content_type=content_type)
    if content is None:
        del response["Content-Type"]
    response["Cache-Control"] = CACHE_CONTROL
    patch_vary_headers(response, ["Cookie", "Authorization"])
    return response


@heat_endpoint
def heat_tile(request: HttpRequest, query: heat.HeatQuery, z: int, x: int, y: int) -> HttpResponse:
    _tile_check(z, x, y)
    return _binary(heat.tile_png(query, z, x, y), "image/png")


@heat_endpoint
def heat_legend(request: HttpRequest, query: heat.HeatQuery) -> HttpResponse:
    response = JsonResponse(heat.legend(query))
    response["Cache-Control"] = CACHE_CONTROL
    return response


@heat_endpoint
def heat_geotiff(request: HttpRequest, query: heat.HeatQuery) -> HttpResponse:
    response = _binary(heat.geotiff(query, _pixel(request.GET)), "image/tiff")
    response["Content-Disposition"] = f'attachment; filename="{heat.download_name(query)}"'
    return response


@heat_endpoint
def heat_hex(request: HttpRequest, query: heat.HeatQuery, z: int, x: int, y: int) -> HttpResponse:
    _tile_check(z, x, y)
    return _binary(heat.hex_mvt(query, z, x, y), "application/vnd.mapbox-vector-tile")


heat_urlpatterns = [
    path("<slug:metric>/legend.json", heat_legend, name="heat-legend"),
    path("<slug:metric>/<int:z>/<int:x>/<int:y>.png", heat_tile, name="heat-tile"),
    path("<slug:metric>/hex/<int:z>/<int:x>/<int:y>.pbf", heat_hex, name="heat-hex"),
    path("<slug:metric>.tif", heat_geotiff, name="heat-geotiff"),
]
