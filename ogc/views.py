"""OGC API – Features (Parts 1 and 2): thin views over ogc.collections, ogc.selectors
and ogc.documents. JSON or HTML by ``?f=`` or the Accept header; session or token
(``Authorization: Token <key>``) authentication — the landing page, conformance and API
description are public, data needs a user (401 otherwise)."""
from __future__ import annotations

import json

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, permissions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.views import APIView

from gis_core.api_base import path_id
from gis_core.exporting.api import AnyAccept
from gis_core.replicas import replica_view
from gis_core.selectors import user_areas_bounds
from ogc import documents
from ogc.collections import collection_get, collections_for
from ogc.crs import DEFAULT
from ogc.selectors import features_queryset, features_read
from ogc.serializers import FormatQuerySerializer, ItemQuerySerializer, ItemsQuerySerializer, property_filters

OGC_CODES = {400: "InvalidParameterValue", 401: "NotAuthenticated", 403: "Forbidden", 404: "NotFound",
             405: "MethodNotAllowed", 406: "NotAcceptable"}


@extend_schema(exclude=True)  # described by its own OpenAPI document, /ogc/api
class OgcView(APIView):
    authentication_classes = [TokenAuthentication, SessionAuthentication]  # Token first: a 401 names it
    permission_classes = [permissions.IsAuthenticated]
    content_negotiation_class = AnyAccept  # the format is ours to choose (f, Accept): see initial()
    query_serializer = FormatQuerySerializer
    template = ""

    def initial(self, request, *args, **kwargs):
        f = request.query_params.get("f")
        # The format first, so that errors (authentication included) answer in it.
        request._request.ogc_html = f == "html" if f else request._request.get_preferred_type(
            [documents.JSON, documents.GEOJSON, documents.HTML]) == documents.HTML
        super().initial(request, *args, **kwargs)
        query = self.query_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        self.query = query.validated_data

    @property
    def html(self) -> bool:
        return getattr(self.request._request, "ogc_html", False)

    def answer(self, document: dict, *, media_type: str = documents.JSON, context: dict | None = None,
               headers: dict | None = None, status: int = 200) -> HttpResponse:
        headers = {"Vary": "Accept, Cookie, Authorization", **(headers or {})}
        if self.html:
            return TemplateResponse(self.request._request, self.template, {"doc": document, **(context or {})},
                                    status=status, headers=headers)
        return HttpResponse(json.dumps(document, ensure_ascii=False, default=str), status=status,
                            content_type=media_type, headers=headers)

    def handle_exception(self, exc):
        """Errors in OGC's shape — ``code``, ``description`` — with the fields named, as
        everywhere in the API (``{"bbox": ["…"]}``); a page in the site's frame for HTML."""
        response = super().handle_exception(exc)
        data = response.data if isinstance(response.data, dict) else {"detail": response.data}
        fields = {k: v for k, v in data.items() if k != "detail"}
        description = str(data.get("detail", "")) or "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}" for name, messages in fields.items())
        document = {"code": OGC_CODES.get(response.status_code, "Error"), "description": description, **fields}
        headers = {k: v for k, v in response.items() if k == "WWW-Authenticate"}
        self.template = "ogc/error.html"
        return self.answer(document, headers=headers, status=response.status_code,
                           context={"status": response.status_code})


class LandingView(OgcView):
    permission_classes = [permissions.AllowAny]
    template = "ogc/landing.html"

    def get(self, request):
        return self.answer(documents.landing(request), context={"base": documents.url(request, "/ogc")})


class ConformanceView(OgcView):
    permission_classes = [permissions.AllowAny]
    template = "ogc/conformance.html"

    def get(self, request):
        return self.answer(documents.conformance(request))


class ApiDefinitionView(OgcView):
    permission_classes = [permissions.AllowAny]

    def get(self, request):
        self.request._request.ogc_html = False  # the definition is JSON only
        return self.answer(documents.openapi(request), media_type=documents.OPENAPI)


class CollectionsView(OgcView):
    template = "ogc/collections.html"

    def get(self, request):
        return self.answer(documents.collections(request, collections_for(request.user), user_areas_bounds(request.user)))


class CollectionView(OgcView):
    template = "ogc/collection.html"

    def get(self, request, collection_id: str):
        collection = collection_get(request.user, collection_id)
        return self.answer(documents.collection(request, collection, user_areas_bounds(request.user)),
                           context={"queryables": collection.queryables.values()})


class QueryablesView(OgcView):
    template = "ogc/queryables.html"

    def get(self, request, collection_id: str):
        collection = collection_get(request.user, collection_id)
        return self.answer(documents.queryables(request, collection), media_type=documents.SCHEMA,
                           context={"collection": collection})


def _content_crs(crs) -> dict:
    return {"Content-Crs": f"<{crs.uri}>"}


class ItemsView(OgcView):
    query_serializer = ItemsQuerySerializer
    template = "ogc/items.html"

    @replica_view  # whole layers for GIS clients, like the exports: a read replica when one is usable
    def get(self, request, collection_id: str):
        collection = collection_get(request.user, collection_id)
        q = self.query
        filters = property_filters(collection, request.query_params)
        if "datetime" in q and collection.time is None:
            raise exceptions.ValidationError({"datetime": [_no_time(collection)]})
        crs = q.get("crs", DEFAULT)
        queryset = features_queryset(collection=collection, user=request.user, bbox=q.get("bbox"),
                                     interval=q.get("datetime"), filters=filters)
        features = features_read(collection=collection, queryset=queryset, crs=crs, request=request,
                                 offset=q["offset"], limit=q["limit"])
        document = documents.feature_collection(request, collection, features, matched=queryset.count(),
                                                offset=q["offset"], limit=q["limit"])
        return self.answer(document, media_type=documents.GEOJSON, headers=_content_crs(crs),
                           context={"collection": collection, "columns": list(collection.properties),
                                    "links": {x["rel"]: x["href"] for x in document["links"]}})


def _no_time(collection) -> str:
    return _("The collection %(name)s has no time property.") % {"name": collection.id}


class ItemView(OgcView):
    query_serializer = ItemQuerySerializer
    template = "ogc/item.html"

    def get(self, request, collection_id: str, feature_id: str):
        collection = collection_get(request.user, collection_id)
        try:
            pk = path_id(feature_id, field="featureId")
        except exceptions.ValidationError:
            raise Http404 from None  # not an id of ours: no such feature
        crs = self.query.get("crs", DEFAULT)
        queryset = features_queryset(collection=collection, user=request.user).filter(pk=pk)
        found = features_read(collection=collection, queryset=queryset, crs=crs, request=request, limit=1)
        if not found:
            raise Http404
        return self.answer(documents.feature(request, collection, found[0]), media_type=documents.GEOJSON,
                           headers=_content_crs(crs), context={"collection": collection})
