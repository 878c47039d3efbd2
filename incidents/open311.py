"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the open standard civic
apps use to list the kinds of problem one may report (services = our active subcategories),
file a report (POST, with an api_key from an ``Open311Client``), and follow reports.

Every endpoint answers in JSON or XML by its extension (``services.json``,
``services.xml``), errors included: a list of ``{code, description}`` with the HTTP status
equal to the code (404 unknown resource, 403 bad api_key, 405 wrong method, 400 otherwise).

What is public: only cases the public filed through Open311 (internal reports stay
internal), and of those never the reporter's name, phone or email, nor internal notes.

Plain Django function views: each returns (XML root element, data) or raises
``Open311Error``; ``_endpoint`` checks format, method and jurisdiction and renders.
Writes go through incidents.services.case_report.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from incidents import services
from incidents.models import OPEN_STATUSES, Case, CaseKind, CaseSource, CaseStatus, Category, Open311Client

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When these endpoints last changed (discovery's changeset): bump it with any change.
CHANGESET = "2026-12-02T00:00:00+08:00"
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
DEFAULT_DAYS = 90       # GET requests without dates: the last 90 days (the spec's default)
MAX_REQUESTS = 1000     # the spec's suggested cap on one answer
MAX_DESCRIPTION = 4000  # the spec's limit on a request's description

# In XML a list is a container element whose items have the singular name.
XML_ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute",
             "values": "value", "endpoints": "endpoint", "formats": "format", "errors": "error"}
# Characters XML 1.0 cannot carry (control characters a client may have sent in a description).
XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# case_report's field names as Open311 parameters, for error messages clients understand.
PARAMETERS = {"category": "service_code", "description": "description", "location": "lat, long",
              "address": "address_string", "reporter_name": "first_name, last_name", "reporter_phone": "phone",
              "reporter_email": "email"}

Data = dict[str, Any] | list[Any]
Reply = tuple[str, Data]  # (XML root element, data)


class Open311Error(Exception):
    """An error answer: the HTTP status and one description per problem."""

    def __init__(self, code: int, *descriptions: str):
        super().__init__(*descriptions)
        self.code = code
        self.descriptions = list(descriptions)


# --------------------------------------------------------------------------- the two formats

def _render(fmt: str, root: str, data: Data, status: int = 200) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(data, ensure_ascii=False)
    else:
        element = ET.Element(root)
        _xml_fill(element, data)
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, encoding="unicode")
    return HttpResponse(body.encode(), status=status, content_type=CONTENT_TYPES[fmt])


def _xml_fill(element: ET.Element, value: Any) -> None:
    """Dicts become child elements, lists items named after their container (XML_ITEMS),
    booleans true/false, None an empty element."""
    if isinstance(value, dict):
        for key, item in value.items():
            _xml_fill(ET.SubElement(element, key), item)
    elif isinstance(value, list):
        for item in value:
            _xml_fill(ET.SubElement(element, XML_ITEMS[element.tag]), item)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = XML_INVALID.sub("", str(value))


def _errors(fmt: str, code: int, descriptions: list[str]) -> HttpResponse:
    return _render(fmt, "errors", [{"code": code, "description": d} for d in descriptions], status=code)


def _format_of(path: str) -> str:
    """The format of an answer to ``path`` we could not route: its extension if known."""
    extension = path.rsplit(".", 1)[-1] if "." in path.rsplit("/", 1)[-1] else ""
    return extension if extension in CONTENT_TYPES else "json"


def _endpoint(*methods: str) -> Callable:
    """Wrap a view returning a Reply: unknown format → 404, other methods → 405, a foreign
    jurisdiction_id → 404, Open311Error → its error list; all in the requested format.

    CSRF does not apply (csrf_exempt): no endpoint reads the session or the signed-in user;
    writing needs the api_key in the body."""
    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view: Callable[..., Reply]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, fmt: str, **kwargs: str) -> HttpResponse:
            if fmt not in CONTENT_TYPES:
                return _errors("json", 404, [_("Unknown format “%(format)s”: use .json or .xml.") % {"format": fmt}])
            if request.method not in allowed:
                response = _errors(fmt, 405, [_("Method %(method)s is not allowed here; use %(allowed)s.") % {
                    "method": request.method, "allowed": ", ".join(sorted(allowed - {"HEAD"}))}])
                response["Allow"] = ", ".join(sorted(allowed))
                return response
            try:
                _check_jurisdiction(_params(request))
                root, data = view(request, **kwargs)
            except Open311Error as error:
                return _errors(fmt, error.code, error.descriptions)
            return _render(fmt, root, data)

        return wrapper

    return decorate


def _params(request: HttpRequest) -> QueryDict:
    return request.POST if request.method == "POST" else request.GET


def _check_jurisdiction(params: QueryDict) -> None:
    """jurisdiction_id is optional: we serve one jurisdiction, and answer for no other."""
    jurisdiction = params.get("jurisdiction_id", "").strip()
    if jurisdiction and jurisdiction != settings.OPEN311_JURISDICTION:
        raise Open311Error(404, _("Unknown jurisdiction “%(jurisdiction)s”.") % {"jurisdiction": jurisdiction})


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/ (a missing extension, an unknown resource)."""
    return _errors(_format_of(request.path), 404, [_("No such Open311 resource: %(path)s.") % {"path": request.path}])


# --------------------------------------------------------------------------- discovery and services

@_endpoint("GET")
def discovery(request: HttpRequest) -> Reply:
    # The base URL of this API, from where the client reached the discovery document.
    base = request.build_absolute_uri(request.path.rsplit("/", 1)[0] + "/")
    return "discovery", {
        "changeset": CHANGESET,
        "contact": _("The district's grid-management command centre (网格化服务管理中心)."),
        "key_service": _("Filing requests needs an api_key, issued by the district's administrators "
                         "(admin: Open311 clients); reading needs none."),
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    }


def _services() -> QuerySet[Category]:
    """What Open311 calls services: the subcategories one may file under (the rule
    case_report applies: a subcategory, active)."""
    return (Category.objects.filter(parent__isnull=False, active=True).select_related("parent")
            .order_by("kind", "parent__sort_order", "parent__code", "sort_order", "code"))


def _service(code: str) -> Category:
    category = _services().filter(code=code).first()
    if category is None:
        raise Open311Error(404, _("Unknown service_code “%(code)s”.") % {"code": code})
    return category


@_endpoint("GET")
def service_list(request: HttpRequest) -> Reply:
    return "services", [{
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description or str(category),
        "metadata": category.kind == CaseKind.COMPONENT,  # components ask for the asset's number
        "type": "realtime",  # a case (and its tracking number) exists as soon as the POST returns
        "keywords": f"{category.parent.name}, {category.get_kind_display()}",
        "group": category.parent.name,
    } for category in _services()]


def _asset_attribute() -> dict[str, Any]:
    return {"variable": True, "code": "asset_id", "datatype": "string", "required": False,
            "datatype_description": _("The number as written on the component, e.g. JG-0042."), "order": 1,
            "description": _("编号 (the number on the manhole cover, light pole, …)")}


@_endpoint("GET")
def service_definition(request: HttpRequest, service_code: str) -> Reply:
    category = _service(service_code)
    attributes = [_asset_attribute()] if category.kind == CaseKind.COMPONENT else []
    return "service_definition", {"service_code": category.code, "attributes": attributes}


# --------------------------------------------------------------------------- service requests

@_endpoint("GET", "POST")
def service_requests(request: HttpRequest) -> Reply:
    return request_create(request) if request.method == "POST" else requests_list(request)


def _client(api_key: str) -> Open311Client:
    client = (Open311Client.objects.filter(key_hash=services.key_hash(api_key), active=True).first()
              if api_key else None)
    if client is None:
        raise Open311Error(403, _("api_key: missing, unknown or no longer valid."))
    return client


def _coordinate(params: QueryDict, name: str) -> float | None:
    try:
        value = float(params.get(name, "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _max_length(field: str) -> int:
    return Case._meta.get_field(field).max_length


def _too_long(checks: list[tuple[str, str, int]]) -> list[str]:
    """(parameter, value, limit) → an error per value over its limit: case_report leaves
    lengths to the database, which would refuse with a 500 instead of naming the parameter."""
    return [_("%(parameter)s: at most %(limit)d characters.") % {"parameter": parameter, "limit": limit}
            for parameter, value, limit in checks if len(value) > limit]


def request_create(request: HttpRequest) -> Reply:
    """POST requests: file a case. Parameters are checked before anything is written, and
    case_report writes in one transaction: a refused request leaves nothing behind."""
    params = request.POST
    client = _client(params.get("api_key", ""))
    given = {name: params.get(name, "").strip() for name in (
        "service_code", "address_string", "email", "account_id", "first_name", "last_name", "phone",
        "description", "media_url", "attribute[asset_id]")}
    name = " ".join(part for part in (given["first_name"], given["last_name"]) if part)

    errors = []
    if not given["service_code"]:
        errors.append(_("service_code: required."))
    lat, long = _coordinate(params, "lat"), _coordinate(params, "long")
    if lat is None or long is None:
        # The spec also allows address_string or address_id alone; we need the point to
        # find the grid cell (and so the community and street) the case belongs to.
        errors.append(_("lat, long: required, as WGS84 decimal degrees (we place the request in its grid cell)."))
    if given["email"]:
        try:
            validate_email(given["email"])
        except ValidationError:
            errors.append(_("email: not a valid email address."))
    errors += _too_long([("description", given["description"], MAX_DESCRIPTION),
                         ("address_string", given["address_string"], _max_length("address")),
                         ("first_name, last_name", name, _max_length("reporter_name")),
                         ("phone", given["phone"], _max_length("reporter_phone")),
                         ("email", given["email"], _max_length("reporter_email"))])
    if errors:
        raise Open311Error(400, *errors)
    category = _service(given["service_code"])

    description = given["description"]
    if description and given["attribute[asset_id]"]:
        description += f"（编号 {given['attribute[asset_id]']}）"  # stored text: the same in every language
    try:
        case = services.case_report(
            actor=None, category=category, description=description, location=Point(long, lat, srid=4326),
            source=CaseSource.OPEN311, address=given["address_string"], reporter_name=name,
            reporter_phone=given["phone"], reporter_email=given["email"], open311_client=client)
    except ValidationError as error:
        raise Open311Error(400, *_described(error)) from None
    # Media by URL is not fetched (the intranet may not reach it, and we fetch no URL a
    # client names); say so rather than drop it silently.
    notice = _("media_url was not stored: photos are not taken by URL.") if given["media_url"] else ""
    return "service_requests", [{"service_request_id": case.tracking_number, "token": str(case.open311_token),
                                 "service_notice": notice, "account_id": given["account_id"] or None}]


def _described(error: ValidationError) -> list[str]:
    """case_report's errors as "parameter: reason"."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    return [f"{PARAMETERS.get(field, field)}: {message}"
            for field, messages in error.message_dict.items() for message in messages]


def _public_requests() -> QuerySet[Case]:
    """The cases anyone may read: those the public filed through Open311, loading only
    what is shown (no reporter, no personal data, no log)."""
    return (Case.objects.filter(source=CaseSource.OPEN311)
            .select_related("category", "department", "duplicate_of")
            .only("tracking_number", "status", "description", "address", "location", "reported_at", "updated_at",
                  "due_at", "dispatched_at", "category__code", "category__name", "department__name",
                  "duplicate_of__tracking_number")
            .order_by("-reported_at", "-id"))


def _w3c(value: dt.datetime | None) -> str | None:
    """A W3C datetime in our time zone, with its offset: 2026-12-01T09:30:00+08:00."""
    return timezone.localtime(value).replace(microsecond=0).isoformat() if value else None


def _status_notes(case: Case) -> str:
    if case.status == CaseStatus.DUPLICATE and case.duplicate_of_id:
        return _("duplicate of %(number)s") % {"number": case.duplicate_of.tracking_number}
    notes = case.get_status_display()  # "not filed" for a rejected case
    if case.dispatched_at and case.department_id:
        notes += f" → {case.department.name}"
    return notes


def _public(case: Case) -> dict[str, Any]:
    return {
        "service_request_id": case.tracking_number,
        "status": "open" if case.status in OPEN_STATUSES else "closed",
        "status_notes": _status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.department.name if case.department_id else "",
        "service_notice": "",
        "requested_datetime": _w3c(case.reported_at),
        "updated_datetime": _w3c(case.updated_at),
        "expected_datetime": _w3c(case.due_at),
        "address": case.address,
        "address_id": "",
        "zipcode": "",
        "lat": case.location.y,
        "long": case.location.x,
        "media_url": "",
    }


def _codes(params: QueryDict, name: str) -> list[str]:
    return [code.strip() for code in params.get(name, "").split(",") if code.strip()]


def _datetime(params: QueryDict, name: str) -> dt.datetime | None:
    """A W3C datetime (2026-12-01T00:00:00+08:00, …Z) or date (2026-12-01, local midnight)."""
    raw = params.get(name, "").strip()
    if not raw:
        return None
    # An unencoded "+" in a query string arrives as a space: "…T00:00:00 08:00".
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)) is not None:
            value = dt.datetime.combine(day, dt.time())
    except ValueError:  # well-formed but impossible, e.g. month 13
        value = None
    if value is None:
        raise Open311Error(400, _("%(parameter)s: not a W3C datetime such as 2026-12-01T00:00:00+08:00.")
                           % {"parameter": name})
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def requests_list(request: HttpRequest) -> Reply:
    """GET requests: by service_request_id (a comma list; then other filters are ignored, as
    the spec says), or by service_code, status and requested_datetime between start_date and
    end_date (by default the last 90 days). Newest first, at most MAX_REQUESTS."""
    params = request.GET
    cases = _public_requests()
    ids = _codes(params, "service_request_id")[:MAX_REQUESTS]
    if ids:
        cases = cases.filter(tracking_number__in=ids)
    else:
        codes = _codes(params, "service_code")
        if codes:
            cases = cases.filter(category__code__in=codes)
        statuses = set(_codes(params, "status"))
        if statuses - {"open", "closed"}:
            raise Open311Error(400, _("status: use open, closed or both (comma-separated)."))
        if statuses == {"open"}:
            cases = cases.filter(status__in=OPEN_STATUSES)
        elif statuses == {"closed"}:
            cases = cases.exclude(status__in=OPEN_STATUSES)
        start, end = _datetime(params, "start_date"), _datetime(params, "end_date")
        if start and end and start > end:
            raise Open311Error(400, _("start_date: after end_date."))
        if start is None and end is None:
            start = timezone.now() - dt.timedelta(days=DEFAULT_DAYS)
        elif start is None:
            start = end - dt.timedelta(days=DEFAULT_DAYS)
        cases = cases.filter(reported_at__gte=start)
        if end:
            cases = cases.filter(reported_at__lte=end)
    return "service_requests", [_public(case) for case in cases[:MAX_REQUESTS]]


@_endpoint("GET")
def service_request(request: HttpRequest, service_request_id: str) -> Reply:
    case = _public_requests().filter(tracking_number=service_request_id).first()
    if case is None:
        raise Open311Error(404, _("Unknown service_request_id “%(id)s”.") % {"id": service_request_id})
    return "service_requests", [_public(case)]


@_endpoint("GET")
def token_lookup(request: HttpRequest, token: str) -> Reply:
    """The service_request_id a token stands for (our requests exist at once, so this only
    serves clients that keep tokens)."""
    try:
        value = uuid.UUID(token)
    except ValueError:
        value = None
    case = (Case.objects.filter(source=CaseSource.OPEN311, open311_token=value).only("tracking_number",
                                                                                     "open311_token").first()
            if value else None)
    if case is None:
        raise Open311Error(404, _("Unknown token “%(token)s”.") % {"token": token})
    return "service_requests", [{"service_request_id": case.tracking_number, "token": str(case.open311_token)}]
