"""查询进度 on the portal: one box for a case's tracking number or an application's number
(BJ…), with the query code (tracking key) or the last four digits of the phone given; the
applications' public endpoint; both under the public tracking's limits (incidents.tracking:
per address, and wrong checks per number), wrong checks answering like unknown numbers."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from services.models import Application


@pytest.fixture
def application(service_desk) -> Application:
    body = service_desk.file()  # pA, phone 13800001111
    return Application.objects.get(pk=body["id"])


def page(number, check=None):
    params = {"number": number} if check is None else {"number": number, "check": check}
    return Client(HTTP_ACCEPT_LANGUAGE="en").get("/portal/track/", params)


def api(number, check=""):
    return APIClient().get(f"/api/v1/track/applications/{number}/", {"check": check})


def test_an_application_by_number_and_query_code_or_phone_digits(application, service_desk):
    service_desk.act("community", {"id": application.pk}, "accept", received=service_desk.material_ids(required_only=True))
    response = page(application.number, application.tracking_key)
    assert response.status_code == 200
    shown = response.context["application"]
    assert shown["number"] == application.number and shown["item"] == "高龄津贴申领"
    assert [s["state"] for s in shown["timeline"]] == ["received", "accepted"]
    body = response.content.decode()
    assert "居民pA" not in body and "13800001111" not in body  # no personal data
    assert page(application.number, "1111").status_code == 200
    assert page(application.number.lower(), "1111").status_code == 404  # numbers as printed

    answer = api(application.number, application.tracking_key)
    assert answer.status_code == 200
    assert answer.json()["state"] == "accepted" and answer.json()["timeline"][-1]["action"] == "accept"
    assert set(answer.json()) == {"number", "item", "item_code", "state", "state_display", "area", "department",
                                  "received_at", "due_date", "clock_stopped", "closed_at", "timeline"}


def test_a_case_through_the_same_box(desk):
    case = desk.report("community", reporter_phone="13811112222")["properties"]
    response = page(case["tracking_number"], "2222")
    assert response.status_code == 200 and response.context["case"]["tracking_number"] == case["tracking_number"]
    assert page(case["tracking_number"], case["tracking_key"]).status_code == 200
    assert page(case["tracking_number"], "0000").status_code == 404


def test_a_wrong_check_answers_like_an_unknown_number(application):
    wrong, unknown = api(application.number, "0000"), api("BJ20990101-530103001-0001", "0000")
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()
    assert api(application.number).status_code == 404  # no check at all
    assert page(application.number, "0000").context["missing"]


def test_wrong_checks_are_limited_per_number_for_both_kinds(application, desk, settings):
    settings.TRACK_MAX_FAILURES = 3
    for _ in range(3):
        assert api(application.number, "0000").status_code == 404
    assert api(application.number, application.tracking_key).status_code == 429  # the number is closed for now
    assert page(application.number, application.tracking_key).status_code == 429
    other = desk.report("community", reporter_phone="13811112222")["properties"]
    for _ in range(3):
        assert page(other["tracking_number"], "0000").status_code == 404
    assert page(other["tracking_number"], "2222").status_code == 429


def test_lookups_are_limited_per_address(application, settings):
    settings.TRACK_RATE = "3/min"
    for _ in range(3):
        assert api(application.number, application.tracking_key).status_code == 200
    assert api(application.number, application.tracking_key).status_code == 429
    assert page(application.number, application.tracking_key).status_code == 429  # one counter for both kinds


def test_bad_input_is_a_400_naming_the_field(application):
    answer = api(application.number, "x" * 33)
    assert answer.status_code == 400 and "check" in answer.json()
    response = page("x" * 41, "1111")
    assert response.status_code == 400 and "number" in response.context["errors"]


def test_an_empty_box_shows_the_form(db):
    response = page("")
    assert response.status_code == 200 and b'name="number"' in response.content
