"""The applicant rates a collected application once, on one of the five 好差评 levels: at the
desk (staff record it), on the portal (number + query code or the phone's last four digits,
under the public tracking limits) — a second rating is refused, by the service and by the
database; bad input is a 400 naming the field, and nothing is written."""
from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from services.models import Application, ApplicationRating, ApplicationStep


def test_desk_rating_once(service_desk):
    a = service_desk.collected()
    assert a["may_rate"] is True and a["rating"] is None
    a = service_desk.rate("community", a, 5, comment="办事很快")
    assert (a["rating"]["level"], a["rating"]["channel"], a["rating"]["comment"]) == (5, "desk", "办事很快")
    assert a["may_rate"] is False and a["followup"] is None
    answer = service_desk.rate("community", a, 4, expect=400)
    assert "application" in answer
    assert ApplicationRating.objects.get(application_id=a["id"]).level == 5
    step = ApplicationStep.objects.filter(application_id=a["id"]).last()
    assert (step.action, step.data["level"], step.data["channel"]) == ("rate", 5, "desk")


def test_database_keeps_one_rating_per_application(service_desk):
    a = service_desk.collected()
    service_desk.rate("community", a, 3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationRating.objects.create(application_id=a["id"], level=1, channel="sms", rated_at=timezone.now())
    assert ApplicationRating.objects.filter(application_id=a["id"]).count() == 1


def test_only_collected_applications_are_rated_and_bad_levels_refused(service_desk):
    a = service_desk.file()
    assert "application" in service_desk.rate("community", a, 5, expect=400)
    a = service_desk.collected()
    for level in (0, 6, "five", None):
        assert "level" in service_desk.rate("community", a, level, expect=400)
    assert not ApplicationRating.objects.exists()


def test_roles_that_do_not_record_ratings(service_desk):
    a = service_desk.collected()
    service_desk.rate("street", a, 5, expect=403)
    service_desk.rate("leader_a", a, 5, expect=403)
    assert not ApplicationRating.objects.exists()


def test_portal_rating_by_number_and_check(service_desk):
    a = service_desk.collected()
    application = Application.objects.get(pk=a["id"])
    client = service_desk.world.client("community")
    client.logout()
    client.force_authenticate(None)
    body = {"number": application.number, "check": "0000", "level": 4}
    assert client.post("/api/v1/service-ratings/", body, format="json").status_code == 404
    answer = client.post("/api/v1/service-ratings/", {**body, "level": 9}, format="json")
    assert answer.status_code == 400 and "level" in answer.json()
    answer = client.post("/api/v1/service-ratings/", {**body, "check": application.applicant_phone[-4:]},
                         format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["channel"] == "portal"
    again = client.post("/api/v1/service-ratings/", {**body, "check": application.tracking_key}, format="json")
    assert again.status_code == 400 and "application" in again.json()
    assert ApplicationRating.objects.get(application=application).level == 4


def test_portal_wrong_checks_are_limited(service_desk, settings):
    settings.TRACK_MAX_FAILURES = 3
    a = service_desk.collected()
    number = Application.objects.get(pk=a["id"]).number
    client = service_desk.world.client("community")
    client.force_authenticate(None)
    codes = [client.post("/api/v1/service-ratings/", {"number": number, "check": f"{i:04d}", "level": 5},
                         format="json").status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]


def test_rate_page_form(service_desk, client):
    a = service_desk.collected()
    application = Application.objects.get(pk=a["id"])
    page = client.get("/services/rate/")
    assert page.status_code == 200 and b'name="level"' in page.content
    wrong = client.post("/services/rate/", {"number": application.number, "check": "9999", "level": "5"})
    assert wrong.status_code == 404
    done = client.post("/services/rate/", {"number": application.number, "check": application.tracking_key,
                                           "level": "5"})
    assert done.status_code == 200 and b'data-testid="rated"' in done.content
    assert ApplicationRating.objects.get(application=application).channel == "portal"
