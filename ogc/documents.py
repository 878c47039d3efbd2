"""The OGC API documents as dicts: landing page, conformance, collections, queryables,
feature collections and the OpenAPI description. Links are absolute (request's host)."""
from __future__ import annotations

from urllib.parse import urlencode

from django.utils import timezone
from django.utils.translation import gettext as _

from ogc import crs as crs_module
from ogc.collections import Collection
from ogc.selectors import Feature
from ogc.serializers import DEFAULT_LIMIT, MAX_LIMIT

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
]
TRS = "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian"


def url(request, path: str, params: dict | None = None) -> str:
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None})
    return request.build_absolute_uri(path) + (f"?{query}" if query else "")


def link(href: str, rel: str, media_type: str, title: str) -> dict:
    return {"href": href, "rel": rel, "type": media_type, "title": title}


def self_links(request, path: str, json_type: str = JSON, params: dict | None = None) -> list[dict]:
    """This document as JSON and as HTML (self and alternate by the format asked for)."""
    html = request.GET.get("f") == "html" or getattr(request, "ogc_html", False)
    as_json = link(url(request, path, {**(params or {}), "f": "json"}), "alternate", json_type, _("This document as JSON"))
    as_html = link(url(request, path, {**(params or {}), "f": "html"}), "alternate", HTML, _("This document as HTML"))
    (as_html if html else as_json)["rel"] = "self"
    return [as_json, as_html]


def landing(request) -> dict:
    return {
        "title": _("Grid management platform: OGC API – Features"),
        "description": _("Every map layer you may read, limited to your areas, as OGC API – Features."),
        "links": [
            *self_links(request, "/ogc/"),
            link(url(request, "/ogc/api"), "service-desc", OPENAPI, _("The API definition (OpenAPI 3.0)")),
            link(url(request, "/ogc/conformance"), "conformance", JSON, _("Conformance classes")),
            link(url(request, "/ogc/conformance"), REL + "conformance", JSON, _("Conformance classes")),
            link(url(request, "/ogc/collections"), "data", JSON, _("Collections")),
            link(url(request, "/ogc/collections"), REL + "data", JSON, _("Collections")),
        ],
    }


def conformance(request) -> dict:
    return {"conformsTo": CONFORMANCE, "links": self_links(request, "/ogc/conformance")}


def collection(request, c: Collection, bounds: list[float] | None) -> dict:
    path = f"/ogc/collections/{c.id}"
    document = {
        "id": c.id, "title": str(c.title), "description": str(c.description), "itemType": "feature",
        "crs": [x.uri for x in crs_module.SUPPORTED], "storageCrs": crs_module.CRS84,
        "links": [
            *self_links(request, path),
            link(url(request, f"{path}/items", {"f": "json"}), "items", GEOJSON, _("The features as GeoJSON")),
            link(url(request, f"{path}/items", {"f": "html"}), "items", HTML, _("The features as HTML")),
            link(url(request, f"{path}/queryables"), REL + "queryables", SCHEMA, _("The queryable properties")),
        ],
    }
    extent: dict = {}
    if bounds:
        extent["spatial"] = {"bbox": [bounds], "crs": crs_module.CRS84}
    if c.time is not None:
        extent["temporal"] = {"interval": [[None, None]], "trs": TRS}
    if extent:
        document["extent"] = extent
    return document


def collections(request, items: list[Collection], bounds: list[float] | None) -> dict:
    return {"collections": [collection(request, c, bounds) for c in items],
            "crs": [x.uri for x in crs_module.SUPPORTED],
            "links": self_links(request, "/ogc/collections")}


def queryables(request, c: Collection) -> dict:
    path = f"/ogc/collections/{c.id}/queryables"
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": url(request, path),
        "type": "object", "title": str(c.title),
        "properties": {q.name: q.schema for q in c.queryables.values()},
        "additionalProperties": False,
        "links": self_links(request, path, SCHEMA),
    }


def feature_collection(request, c: Collection, features: list[Feature], *, matched: int, offset: int,
                       limit: int) -> dict:
    path = f"/ogc/collections/{c.id}/items"
    params = {k: v for k, v in request.GET.items() if k not in ("offset", "f")}
    params["limit"] = limit
    links = self_links(request, path, GEOJSON, {**params, "offset": offset or None})
    fmt = "html" if getattr(request, "ogc_html", False) else "json"
    media_type = HTML if fmt == "html" else GEOJSON
    if offset + len(features) < matched:
        links.append(link(url(request, path, {**params, "offset": offset + limit, "f": fmt}), "next", media_type,
                          _("Next page")))
    if offset > 0:
        links.append(link(url(request, path, {**params, "offset": max(0, offset - limit) or None, "f": fmt}), "prev",
                          media_type, _("Previous page")))
    links.append(link(url(request, f"/ogc/collections/{c.id}"), "collection", JSON, str(c.title)))
    return {"type": "FeatureCollection", "features": [f.as_geojson() for f in features],
            "numberMatched": matched, "numberReturned": len(features),
            "timeStamp": timezone.now().isoformat(timespec="seconds"), "links": links}


def feature(request, c: Collection, f: Feature) -> dict:
    path = f"/ogc/collections/{c.id}/items/{f.id}"
    params = {"crs": request.GET.get("crs")}
    return {**f.as_geojson(), "links": [
        *self_links(request, path, GEOJSON, params),
        link(url(request, f"/ogc/collections/{c.id}"), "collection", JSON, str(c.title)),
    ]}


def _parameter(name: str, description: str, schema: dict, location: str = "query", style: str | None = None) -> dict:
    out = {"name": name, "in": location, "required": location == "path", "description": description,
           "schema": schema}
    if style:
        out.update(style=style, explode=False)
    return out


def openapi(request) -> dict:
    """The API's OpenAPI 3.0 description: every path, its parameters and answers (the
    collections themselves are listed by /collections, per user)."""
    crs_schema = {"type": "string", "format": "uri", "enum": [x.uri for x in crs_module.SUPPORTED]}
    p = {
        "f": _parameter("f", "json or html (default: the Accept header, else json)",
                        {"type": "string", "enum": ["json", "html"]}),
        "collectionId": _parameter("collectionId", "a map layer's name", {"type": "string"}, "path"),
        "featureId": _parameter("featureId", "the record's id", {"type": "integer"}, "path"),
        "limit": _parameter("limit", f"features per page; larger values are served as {MAX_LIMIT}",
                            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
        "offset": _parameter("offset", "features skipped (the next link gives it)",
                             {"type": "integer", "minimum": 0, "default": 0}),
        "bbox": _parameter("bbox", "lower corner, upper corner in the axis order of bbox-crs",
                           {"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}}, style="form"),
        "bbox-crs": _parameter("bbox-crs", "the CRS of bbox (default CRS84)", crs_schema),
        "crs": _parameter("crs", "the CRS of the answer's coordinates (default CRS84)", crs_schema),
        "datetime": _parameter("datetime", "an instant, a date or an interval start/end ('..' open), on the "
                               "collection's time property", {"type": "string"}),
    }
    ref = {k: {"$ref": f"#/components/parameters/{k}"} for k in p}
    answers = {"200": {"description": "OK"}, "400": {"description": "a parameter is wrong (named in the answer)"},
               "401": {"description": "not signed in"}, "404": {"description": "not found"}}

    def get(summary: str, *names: str) -> dict:
        return {"get": {"summary": summary, "parameters": [ref[n] for n in names], "responses": answers}}

    return {
        "openapi": "3.0.3",
        "info": {"title": "OGC API – Features", "version": "1.0.0",
                 "description": "Map layers of the grid management platform, limited to the user's areas."},
        "servers": [{"url": url(request, "/ogc")}],
        "components": {"parameters": p, "securitySchemes": {
            "token": {"type": "apiKey", "in": "header", "name": "Authorization",
                      "description": "Token <key> (POST /api/v1/auth/token/)"},
            "session": {"type": "apiKey", "in": "cookie", "name": "sessionid"}}},
        "security": [{"token": []}, {"session": []}],
        "paths": {
            "/": get("landing page", "f"),
            "/conformance": get("conformance classes", "f"),
            "/collections": get("the collections you may read", "f"),
            "/collections/{collectionId}": get("a collection", "collectionId", "f"),
            "/collections/{collectionId}/queryables": get("its queryable properties (?<name>=<value>)",
                                                          "collectionId", "f"),
            "/collections/{collectionId}/items": get("its features", "collectionId", "f", "limit", "offset", "bbox",
                                                     "bbox-crs", "crs", "datetime"),
            "/collections/{collectionId}/items/{featureId}": get("a feature", "collectionId", "featureId", "f", "crs"),
        },
    }
