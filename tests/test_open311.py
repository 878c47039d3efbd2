"""Open311 GeoReport v2: discovery, services and their definitions, filing a request with an
api_key, reading requests (only what the public filed, without personal data), tokens, and
errors as a list of {code, description}; every answer in JSON and in XML."""
from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from incidents import services
from incidents.models import Case, CaseSource, Category, Open311Client
from tests.helpers import IN_A, IN_B, IN_F

pytestmark = pytest.mark.django_db

FORMATS = ["json", "xml"]
CONTENT_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
# The spec's XML: a list is a container whose items have the singular name.
LIST_ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
              "endpoints": "endpoint", "formats": "format", "errors": "error"}
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
RESIDENT = {"first_name": "Wei", "last_name": "Zhang", "phone": "13812345678", "email": "zhang.wei@example.cn"}
PUBLIC_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                 "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                 "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


# --------------------------------------------------------------------------- helpers

def plain(value):
    """A JSON answer with every scalar as XML would carry it (true/false, "" for null)."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def from_xml(element: ET.Element):
    """An XML answer as the same structure; list containers must hold items of the
    singular name."""
    children = list(element)
    if element.tag in LIST_ITEMS:
        assert [c.tag for c in children] == [LIST_ITEMS[element.tag]] * len(children), element.tag
        return [from_xml(child) for child in children]
    if children:
        assert len({c.tag for c in children}) == len(children), f"repeated element in {element.tag}"
        return {child.tag: from_xml(child) for child in children}
    return element.text or ""


def parse(response, fmt: str, root: str):
    assert response["Content-Type"] == CONTENT_TYPES[fmt]
    if fmt == "json":
        return plain(json.loads(response.content))
    text = response.content.decode()
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    element = ET.fromstring(response.content)
    assert element.tag == root
    return from_xml(element)


def get(api: Client, fmt: str, path: str, params: dict | None = None, *, status: int = 200, root: str):
    response = api.get(f"/open311/v2/{path}.{fmt}", params or {})
    assert response.status_code == status, response.content.decode()
    return parse(response, fmt, root)


def post(api: Client, fmt: str, params: dict, *, status: int = 200):
    response = api.post(f"/open311/v2/requests.{fmt}", params)
    assert response.status_code == status, response.content.decode()
    return parse(response, fmt, "service_requests" if status == 200 else "errors")


def error(answer, code: int) -> str:
    """The one description of an error answer with ``code``."""
    assert len(answer) == 1 and answer[0]["code"] == str(code), answer
    return answer[0]["description"]


@pytest.fixture
def api(world) -> Client:
    # enforce_csrf_checks: Open311 clients send no CSRF token, and need none.
    return Client(enforce_csrf_checks=True, headers={"accept-language": "en"})


@pytest.fixture
def api_key(world) -> str:
    return services.open311_client_create(name="市民随手拍")[1]


def filed(api: Client, api_key: str, *, service_code: str = "garbage", at=IN_A, description: str = "楼下垃圾堆放三天",
          **extra) -> str:
    """File a request through the API (JSON); its service_request_id."""
    params = {"api_key": api_key, "service_code": service_code, "long": at[0], "lat": at[1],
              "description": description, **RESIDENT, **extra}
    return post(api, "json", params)[0]["service_request_id"]


def filed_at(client: Open311Client, when: dt.datetime, *, service_code: str = "garbage") -> str:
    """A request reported at ``when`` (the service takes the time; the API always says now)."""
    case = services.case_report(actor=None, category=Category.objects.get(code=service_code), description="旧案件",
                                location=Point(*IN_B, srid=4326), source=CaseSource.OPEN311,
                                open311_client=client, at=when)
    return case.tracking_number


def ids(answer) -> list[str]:
    return [r["service_request_id"] for r in answer]


# --------------------------------------------------------------------------- discovery and services

@pytest.mark.parametrize("fmt", FORMATS)
def test_discovery(api, fmt):
    answer = get(api, fmt, "discovery", root="discovery")
    assert set(answer) == {"changeset", "contact", "key_service", "endpoints"}
    assert W3C.match(answer["changeset"]) and answer["contact"] and "api_key" in answer["key_service"]
    assert answer["endpoints"] == [{
        "specification": "http://wiki.open311.org/GeoReport_v2", "url": "http://testserver/open311/v2/",
        "changeset": answer["changeset"], "type": "production", "formats": ["text/xml", "application/json"]}]


@pytest.mark.parametrize("fmt", FORMATS)
def test_services_are_the_active_subcategories(api, fmt):
    Category.objects.filter(code="gambling").update(active=False)
    answer = get(api, fmt, "services", root="services")
    codes = [s["service_code"] for s in answer]
    expected = Category.objects.filter(parent__isnull=False, active=True)
    assert sorted(codes) == sorted(expected.values_list("code", flat=True)) and len(codes) == expected.count()
    assert "gambling" not in codes and "environment" not in codes  # inactive; a main category
    by_code = {s["service_code"]: s for s in answer}
    assert by_code["garbage"] == {
        "service_code": "garbage", "service_name": "垃圾堆放", "description": "环境卫生 / 垃圾堆放",
        "metadata": "false", "type": "realtime", "keywords": "环境卫生, event", "group": "环境卫生"}
    assert by_code["manhole"]["metadata"] == "true" and by_code["manhole"]["group"] == "公用设施"
    assert by_code["manhole"]["keywords"] == "公用设施, component"


def test_json_types(api, api_key):
    """JSON carries booleans, numbers and null as such."""
    services_ = json.loads(api.get("/open311/v2/services.json").content)
    assert {s["service_code"]: s["metadata"] for s in services_}["manhole"] is True
    number = filed(api, api_key)
    [request] = json.loads(api.get(f"/open311/v2/requests/{number}.json").content)
    assert request["lat"] == pytest.approx(IN_A[1]) and request["long"] == pytest.approx(IN_A[0])
    assert request["expected_datetime"] is None  # not filed yet: no deadline
    definition = json.loads(api.get("/open311/v2/services/manhole.json").content)
    assert definition["attributes"][0]["variable"] is True and definition["attributes"][0]["order"] == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_of_a_component(api, fmt):
    answer = get(api, fmt, "services/manhole", root="service_definition")
    assert answer == {"service_code": "manhole", "attributes": [{
        "variable": "true", "code": "asset_id", "datatype": "string", "required": "false",
        "datatype_description": "The number as written on the component, e.g. JG-0042.", "order": "1",
        "description": "编号 (the number on the manhole cover, light pole, …)"}]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_service_definition_of_an_event(api, fmt):
    assert get(api, fmt, "services/garbage", root="service_definition") == {"service_code": "garbage",
                                                                             "attributes": []}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["no_such_thing", "environment"])
def test_service_definition_unknown(api, fmt, code):
    answer = get(api, fmt, f"services/{code}", status=404, root="errors")
    assert error(answer, 404) == f"Unknown service_code “{code}”."


# --------------------------------------------------------------------------- POST requests

@pytest.mark.parametrize("fmt", FORMATS)
def test_post_files_a_case(api, api_key, fmt, world):
    client = Open311Client.objects.get()
    answer = post(api, fmt, {"api_key": api_key, "jurisdiction_id": "530103", "service_code": "garbage",
                             "lat": IN_A[1], "long": IN_A[0], "address_string": "盘龙路12号楼下",
                             "description": "楼下垃圾堆放三天", "device_id": "phone-1", "account_id": "u-42",
                             **RESIDENT})
    [reply] = answer
    assert set(reply) == {"service_request_id", "token", "service_notice", "account_id"}
    assert (reply["service_notice"], reply["account_id"]) == ("", "u-42")
    case = Case.objects.get()
    assert reply == {"service_request_id": case.tracking_number, "token": str(case.open311_token),
                     "service_notice": "", "account_id": "u-42"}
    assert case.category.code == "garbage" and case.kind == "event"
    assert case.cell == world.areas["A"] and case.street == world.areas["S1"]
    assert (case.source, case.open311_client, case.reporter) == ("open311", client, None)
    assert (case.reporter_name, case.reporter_phone, case.reporter_email) == (
        "Wei Zhang", "13812345678", "zhang.wei@example.cn")
    assert (case.description, case.address, case.status) == ("楼下垃圾堆放三天", "盘龙路12号楼下", "collected")
    assert case.location.coords == pytest.approx((IN_A[0], IN_A[1]))


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_component_with_asset_number_and_media(api, api_key, fmt):
    [reply] = post(api, fmt, {"api_key": api_key, "service_code": "manhole", "lat": IN_F[1], "long": IN_F[0],
                              "description": "井盖缺失", "attribute[asset_id]": "JG-0042",
                              "media_url": "https://example.cn/p.jpg"})
    assert reply["service_notice"] == "media_url was not stored: photos are not taken by URL."
    assert reply["account_id"] == ""
    case = Case.objects.get(tracking_number=reply["service_request_id"])
    assert case.description == "井盖缺失（编号 JG-0042）" and case.kind == "component"
    assert (case.reporter_name, case.reporter_phone, case.reporter_email) == ("", "", "")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("key", ["missing", "wrong", "inactive"])
def test_post_refused_without_a_valid_api_key(api, api_key, fmt, key):
    params = {"service_code": "garbage", "lat": IN_A[1], "long": IN_A[0], "description": "x"}
    if key == "wrong":
        params["api_key"] = api_key + "x"
    elif key == "inactive":
        Open311Client.objects.update(active=False)
        params["api_key"] = api_key
    answer = post(api, fmt, params, status=403)
    assert error(answer, 403) == "api_key: missing, unknown or no longer valid."
    assert not Case.objects.exists()


OUTSIDE = (102.80, 25.10)  # east of the district


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("change, code, description", [
    ({"service_code": ""}, 400, "service_code: required."),
    ({"lat": ""}, 400, "lat, long: required, as WGS84 decimal degrees (we place the request in its grid cell)."),
    ({"long": "east"}, 400, "lat, long: required, as WGS84 decimal degrees (we place the request in its grid cell)."),
    ({"lat": OUTSIDE[1], "long": OUTSIDE[0]}, 400,
     "lat, long: The location lies outside every grid cell of the district."),
    ({"description": " "}, 400, "description: Describe the problem."),
    ({"email": "not-an-email"}, 400, "email: not a valid email address."),
    ({"phone": "1" * 21}, 400, "phone: at most 20 characters."),
    ({"service_code": "no_such_thing"}, 404, "Unknown service_code “no_such_thing”."),
    ({"service_code": "environment"}, 404, "Unknown service_code “environment”."),
    ({"jurisdiction_id": "110101"}, 404, "Unknown jurisdiction “110101”."),
])
def test_post_refused_leaves_nothing(api, api_key, fmt, change, code, description):
    params = {"api_key": api_key, "service_code": "garbage", "lat": IN_A[1], "long": IN_A[0],
              "description": "垃圾", **change}
    answer = post(api, fmt, params, status=code)
    assert error(answer, code) == description
    assert not Case.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_post_reports_every_parameter_problem_at_once(api, api_key, fmt):
    answer = post(api, fmt, {"api_key": api_key, "email": "nope"}, status=400)
    assert [e["code"] for e in answer] == ["400"] * 3
    assert [e["description"].split(":")[0] for e in answer] == ["service_code", "lat, long", "email"]


# --------------------------------------------------------------------------- GET requests

@pytest.mark.parametrize("fmt", FORMATS)
def test_get_requests_fields_without_personal_data(api, api_key, fmt):
    number = filed(api, api_key, address_string="盘龙路12号")
    response = api.get(f"/open311/v2/requests.{fmt}")  # no api_key: reading is public
    for secret in ("Wei", "Zhang", "13812345678", "zhang.wei@example.cn"):
        assert secret not in response.content.decode()
    [request] = parse(response, fmt, "service_requests")
    assert list(request) == PUBLIC_FIELDS
    case = Case.objects.get()
    assert request == {
        "service_request_id": number, "status": "open", "status_notes": "collected", "service_name": "垃圾堆放",
        "service_code": "garbage", "description": "楼下垃圾堆放三天",
        "agency_responsible": case.department.name if case.department_id else "",
        "service_notice": "", "requested_datetime": request["requested_datetime"],
        "updated_datetime": request["updated_datetime"], "expected_datetime": "", "address": "盘龙路12号",
        "address_id": "", "zipcode": "", "lat": str(IN_A[1]), "long": str(IN_A[0]), "media_url": ""}
    assert W3C.match(request["requested_datetime"]) and W3C.match(request["updated_datetime"])
    assert dt.datetime.fromisoformat(request["requested_datetime"]) == case.reported_at.replace(microsecond=0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_internal_reports_are_not_listed(api, api_key, desk, fmt):
    ours = filed(api, api_key)
    internal = desk.report("leader_a")["properties"]["tracking_number"]
    assert ids(get(api, fmt, "requests", root="service_requests")) == [ours]
    assert ids(get(api, fmt, "requests", {"service_request_id": f"{ours},{internal}"},
                   root="service_requests")) == [ours]
    get(api, fmt, f"requests/{internal}", status=404, root="errors")


@pytest.mark.parametrize("fmt", FORMATS)
def test_filter_by_service_request_ids_ignores_other_filters(api, api_key, fmt):
    first, second, third = (filed(api, api_key) for _ in range(3))
    assert ids(get(api, fmt, "requests", root="service_requests")) == [third, second, first]  # newest first
    answer = get(api, fmt, "requests", {"service_request_id": f"{first}, {third}", "service_code": "manhole",
                                        "status": "closed"}, root="service_requests")
    assert ids(answer) == [third, first]


@pytest.mark.parametrize("fmt", FORMATS)
def test_filter_by_service_code(api, api_key, fmt):
    garbage = filed(api, api_key)
    manhole = filed(api, api_key, service_code="manhole", at=IN_F)
    noise = filed(api, api_key, service_code="noise", at=IN_B)
    assert ids(get(api, fmt, "requests", {"service_code": "manhole"}, root="service_requests")) == [manhole]
    assert ids(get(api, fmt, "requests", {"service_code": "garbage,noise"}, root="service_requests")) == [
        noise, garbage]


@pytest.mark.parametrize("fmt", FORMATS)
def test_filter_by_status_through_the_workflow(api, api_key, desk, fmt):
    done, dispatched, waiting = (filed(api, api_key) for _ in range(3))
    pk = {number: Case.objects.get(tracking_number=number).pk for number in (done, dispatched)}
    desk.advance({"id": pk[done]}, "closed")
    desk.advance({"id": pk[dispatched]}, "dispatched")

    def listed(status: str | None = None) -> dict[str, dict]:
        answer = get(api, fmt, "requests", {"status": status} if status else {}, root="service_requests")
        return {r["service_request_id"]: r for r in answer}

    assert set(listed("open")) == {dispatched, waiting}
    assert set(listed("closed")) == {done}
    assert set(listed("open,closed")) == set(listed()) == {done, dispatched, waiting}
    everything = listed()
    assert everything[done]["status"] == "closed" and everything[done]["status_notes"] == "closed → 环卫站"
    assert everything[dispatched]["status_notes"] == "dispatched → 环卫站"
    assert everything[dispatched]["agency_responsible"] == everything[done]["agency_responsible"] == "环卫站"
    assert everything[waiting]["status_notes"] == "collected"
    case = Case.objects.get(pk=pk[dispatched])
    assert everything[dispatched]["expected_datetime"] == timezone.localtime(case.due_at).replace(
        microsecond=0).isoformat()


@pytest.mark.parametrize("fmt", FORMATS)
def test_status_notes_of_rejected_and_duplicate(api, api_key, desk, fmt):
    original, repeat, spam = (filed(api, api_key) for _ in range(3))
    pk = {n: Case.objects.get(tracking_number=n).pk for n in (repeat, spam)}
    desk.act("dispatcher", {"id": pk[repeat]}, "mark_duplicate", duplicate_of=original)
    desk.act("dispatcher", {"id": pk[spam]}, "reject", note="无效信息")
    answer = {r["service_request_id"]: r for r in get(api, fmt, "requests", root="service_requests")}
    assert (answer[repeat]["status"], answer[repeat]["status_notes"]) == ("closed", f"duplicate of {original}")
    assert (answer[spam]["status"], answer[spam]["status_notes"]) == ("closed", "not filed")
    assert "无效信息" not in api.get(f"/open311/v2/requests.{fmt}").content.decode()  # notes stay internal


@pytest.mark.parametrize("fmt", FORMATS)
def test_filter_by_dates(api, api_key, fmt):
    client = Open311Client.objects.get()
    now = timezone.now()
    recent = filed(api, api_key)
    month_ago = filed_at(client, now - dt.timedelta(days=30))
    old = filed_at(client, now - dt.timedelta(days=120))  # outside the default 90 days
    assert ids(get(api, fmt, "requests", root="service_requests")) == [recent, month_ago]

    def w3c(value: dt.datetime) -> str:
        return timezone.localtime(value).replace(microsecond=0).isoformat()  # …+08:00

    window = {"start_date": w3c(now - dt.timedelta(days=150)), "end_date": w3c(now - dt.timedelta(days=10))}
    assert ids(get(api, fmt, "requests", window, root="service_requests")) == [month_ago, old]
    utc = {"start_date": (now - dt.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert ids(get(api, fmt, "requests", utc, root="service_requests")) == [recent, month_ago]
    only_end = {"end_date": w3c(now - dt.timedelta(days=100))}  # the 90 days before it
    assert ids(get(api, fmt, "requests", only_end, root="service_requests")) == [old]
    # An unencoded "+" in the query string arrives as a space; still understood.
    start = w3c(now - dt.timedelta(days=40))
    response = api.get(f"/open311/v2/requests.{fmt}?start_date={start}")
    assert ids(parse(response, fmt, "service_requests")) == [recent, month_ago]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("params, description", [
    ({"start_date": "yesterday"}, "start_date: not a W3C datetime such as 2026-12-01T00:00:00+08:00."),
    ({"end_date": "2026-13-01T00:00:00+08:00"}, "end_date: not a W3C datetime such as 2026-12-01T00:00:00+08:00."),
    ({"start_date": "2026-12-02", "end_date": "2026-12-01"}, "start_date: after end_date."),
    ({"status": "pending"}, "status: use open, closed or both (comma-separated)."),
    ({"status": "open,done"}, "status: use open, closed or both (comma-separated)."),
])
def test_get_requests_bad_filters(api, fmt, params, description):
    assert error(get(api, fmt, "requests", params, status=400, root="errors"), 400) == description


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request(api, api_key, fmt):
    number = filed(api, api_key)
    filed(api, api_key)
    answer = get(api, fmt, f"requests/{number}", root="service_requests")
    assert ids(answer) == [number] and list(answer[0]) == PUBLIC_FIELDS
    assert answer == [r for r in get(api, fmt, "requests", root="service_requests")
                      if r["service_request_id"] == number]
    assert "13812345678" not in api.get(f"/open311/v2/requests/{number}.{fmt}").content.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_unknown_request(api, fmt):
    answer = get(api, fmt, "requests/20261201-530103001-9999", status=404, root="errors")
    assert error(answer, 404) == "Unknown service_request_id “20261201-530103001-9999”."


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens(api, api_key, fmt):
    number = filed(api, api_key)
    token = str(Case.objects.get().open311_token)
    assert get(api, fmt, f"tokens/{token}", root="service_requests") == [
        {"service_request_id": number, "token": token}]
    for unknown in ("5f0c1a1e-0000-4000-8000-000000000000", "not-a-token"):
        answer = get(api, fmt, f"tokens/{unknown}", status=404, root="errors")
        assert error(answer, 404) == f"Unknown token “{unknown}”."


# --------------------------------------------------------------------------- jurisdiction, formats, methods

@pytest.mark.parametrize("fmt", FORMATS)
def test_jurisdiction(api, fmt):
    assert get(api, fmt, "services", {"jurisdiction_id": "530103"}, root="services")
    for path in ("services", "services/garbage", "requests", "discovery"):
        answer = get(api, fmt, path, {"jurisdiction_id": "110101"}, status=404, root="errors")
        assert error(answer, 404) == "Unknown jurisdiction “110101”."


@pytest.mark.parametrize("path", ["services.yaml", "requests.html", "services/garbage.csv", "services"])
def test_unknown_format_or_resource(api, path):
    response = api.get(f"/open311/v2/{path}")
    assert response.status_code == 404
    assert error(parse(response, "json", "errors"), 404)


def test_unknown_resource_in_xml(api):
    response = api.get("/open311/v2/nothing.xml")
    assert response.status_code == 404
    assert error(parse(response, "xml", "errors"), 404) == "No such Open311 resource: /open311/v2/nothing.xml."


@pytest.mark.parametrize("fmt", FORMATS)
def test_wrong_method(api, api_key, fmt):
    response = api.post(f"/open311/v2/services.{fmt}", {"api_key": api_key})
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"
    assert error(parse(response, fmt, "errors"), 405) == "Method POST is not allowed here; use GET."
    response = api.delete(f"/open311/v2/requests.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, POST"
    assert error(parse(response, fmt, "errors"), 405) == "Method DELETE is not allowed here; use GET, POST."


def test_json_and_xml_say_the_same(api, api_key, desk):
    number = filed(api, api_key, service_code="manhole", at=IN_F, address_string="北京路<1>号 & 对面")
    token = str(Case.objects.get().open311_token)
    desk.advance({"id": Case.objects.get().pk}, "dispatched")
    for path, root in [("discovery", "discovery"), ("services", "services"),
                       ("services/manhole", "service_definition"), ("requests", "service_requests"),
                       (f"requests/{number}", "service_requests"), (f"tokens/{token}", "service_requests"),
                       ("services/nothing", "errors")]:
        as_json = api.get(f"/open311/v2/{path}.json")
        as_xml = api.get(f"/open311/v2/{path}.xml")
        assert as_json.status_code == as_xml.status_code
        assert parse(as_json, "json", root) == parse(as_xml, "xml", root), path



@pytest.mark.parametrize("fmt", FORMATS)
def test_listing_is_one_query(api, api_key, desk, fmt, django_assert_num_queries):
    numbers = [filed(api, api_key) for _ in range(4)]
    desk.advance({"id": Case.objects.get(tracking_number=numbers[0]).pk}, "dispatched")
    desk.act("dispatcher", {"id": Case.objects.get(tracking_number=numbers[1]).pk}, "mark_duplicate",
             duplicate_of=numbers[0])
    with django_assert_num_queries(1):
        assert len(get(api, fmt, "requests", root="service_requests")) == 4
