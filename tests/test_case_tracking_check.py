"""Public tracking of internal cases needs the number and a check — the key on the
receipt or the reporter's phone's last four digits — so nobody can walk the sequential
numbers (issue 12, item 8); wrong checks answer like unknown numbers and are limited per
number, lookups per address; Open311 keeps its own rules."""
from django.test import override_settings
from rest_framework.test import APIClient

from incidents.models import Case


def track(number: str, check: str | None = None, *, page: bool = False):
    params = {} if check is None else {"check": check}
    if page:
        return APIClient().get("/track/", {"number": number, **params})
    return APIClient().get(f"/api/v1/track/{number}/", params)


def test_an_internal_case_needs_the_key_or_the_phone_digits(desk):
    case = desk.report("community", reporter_phone="13811112222")
    number, key = case["properties"]["tracking_number"], case["properties"]["tracking_key"]
    assert len(key) == 16
    assert track(number).status_code == 404
    assert track(number, "0000").status_code == 404
    assert track(number, "deadbeefdeadbeef").status_code == 404
    assert track(number, key).json()["tracking_number"] == number
    assert track(number, key.upper()).status_code == 200
    assert track(number, "2222").status_code == 200
    assert track(number, page=True).status_code == 404
    page = track(number, key, page=True)
    assert page.status_code == 200 and number in page.content.decode()


def test_a_wrong_check_answers_like_an_unknown_number(desk):
    number = desk.report()["properties"]["tracking_number"]
    wrong, unknown = track(number, "1234"), track("20990101-000000000-0001", "1234")
    assert wrong.status_code == unknown.status_code == 404 and wrong.json() == unknown.json()


def test_a_case_with_no_reporter_phone_takes_only_its_key(desk):
    case = desk.report("leader_a")  # reported on the spot: no reporter phone
    number = case["properties"]["tracking_number"]
    assert Case.objects.get(tracking_number=number).reporter_phone == ""
    assert track(number, "").status_code == 404
    assert track(number, case["properties"]["tracking_key"]).status_code == 200


def test_open311_cases_keep_open311_rules(desk):
    number = desk.report()["properties"]["tracking_number"]
    Case.objects.filter(tracking_number=number).update(source="open311")
    assert track(number).status_code == 200


@override_settings(TRACK_MAX_FAILURES=3)
def test_wrong_checks_on_a_number_are_limited(desk):
    case = desk.report("community", reporter_phone="13811112222")
    number = case["properties"]["tracking_number"]
    assert [track(number, f"{n:04d}").status_code for n in range(4)] == [404, 404, 404, 429]
    assert track(number, "2222").status_code == 429  # even the right digits, for a while
    assert track(number, "2222", page=True).status_code == 429


@override_settings(TRACK_RATE="3/min")
def test_lookups_per_address_are_limited(desk):
    number = desk.report()["properties"]["tracking_number"]
    answers = [track(number, "x").status_code for _ in range(4)]
    assert answers == [404, 404, 404, 429]
    assert "Retry-After" in track(number, "x")
