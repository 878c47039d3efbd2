"""Reporting a case: derived areas and department, tracking numbers, photos, nearby open
cases, the public tracking answer, and bad input refused with nothing half-written."""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from incidents.models import Case, CaseAttachment, CaseEvent
from tests.helpers import IN_A, IN_B, IN_F, tile_features, tile_get, tile_xy

pytestmark = pytest.mark.django_db


def jpeg(width: int = 64, height: int = 48, name: str = "photo.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 80, 40)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def report(world, user="leader_a", **fields):
    body = {"category": "manhole", "description": "井盖缺失", "lon": IN_A[0], "lat": IN_A[1], **fields}
    return world.client(user).post("/api/v1/cases/", body, format="multipart" if "photos" in body else "json")


def test_report_derives_areas_department_and_tracking_number(world):
    response = report(world)
    assert response.status_code == 201, response.json()
    props = response.json()["properties"]
    assert re.fullmatch(r"\d{8}-530103001-0001", props["tracking_number"])
    assert (props["cell_name"], props["community_name"], props["street_name"]) == ("网格A", "社区一", "拓东街道")
    assert (props["kind"], props["urgency"], props["source"], props["department"]) == (
        "component", "urgent", "grid_leader", None)  # the department is chosen at dispatch
    refused = report(world, lon=IN_B[0], lat=IN_B[1])  # leader_a may not report in cell B
    assert refused.status_code == 400 and "outside your areas" in str(refused.json()["location"])
    second = report(world, "community", lon=IN_B[0], lat=IN_B[1], reporter_name="李四",
                    reporter_phone="13900001111").json()["properties"]
    assert second["tracking_number"].endswith("-530103001-0002")  # same street, same day: next number
    third = report(world, "dispatcher", lon=IN_F[0], lat=IN_F[1], reporter_name="王五",
                   reporter_phone="13900001112").json()["properties"]
    assert third["tracking_number"].endswith("-530103002-0001")  # another street starts at 1


def test_photos_are_kept_and_served_only_in_scope(world):
    response = report(world, photos=[jpeg(), jpeg(80, 60, "b.png")])
    assert response.status_code == 201, response.json()
    case = response.json()
    photos = case["properties"]["photos"]
    assert [(p["width"], p["height"], p["content_type"]) for p in photos] == [
        (64, 48, "image/jpeg"), (80, 60, "image/jpeg")]
    url = photos[0]["url"]
    served = world.client("dispatcher").get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"
    assert world.client("leader_b").get(url).status_code == 404


@pytest.mark.parametrize("fields,field,reason", [
    ({"lon": None, "lat": None}, "location", "Give the location"),
    ({"lon": 103.5, "lat": 24.0}, "location", "outside every area"),
    ({"category": "no_such"}, "category", "Unknown category"),
    ({"category": "environment"}, "category", "subcategory"),
    ({"description": "  "}, "description", "Describe"),
])
def test_bad_reports_are_refused_with_the_field(world, fields, field, reason):
    body = {k: v for k, v in fields.items() if v is not None}
    if fields.get("lon", 0) is None:
        body = {"category": "manhole", "description": "x"}
        response = world.client("leader_a").post("/api/v1/cases/", body, format="json")
    else:
        response = report(world, **body)
    assert response.status_code == 400
    assert reason in str(response.json()[field])
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_point_outside_the_district_is_refused(world):
    response = report(world, "admin", lon=102.80, lat=25.03, reporter_name="x", reporter_phone="1")
    assert response.status_code == 400 and "outside" in str(response.json()["location"])


@pytest.mark.parametrize("upload,reason", [
    (SimpleUploadedFile("notes.jpg", b"not an image at all", content_type="image/jpeg"), "not a JPEG, PNG or WebP"),
    (SimpleUploadedFile("doc.pdf", b"%PDF-1.4 ...", content_type="application/pdf"), "not a JPEG, PNG or WebP"),
])
def test_non_image_photos_are_refused(world, upload, reason):
    response = report(world, photos=[upload])
    assert response.status_code == 400 and reason in str(response.json()["photos"])
    assert Case.objects.count() == 0 and CaseAttachment.objects.count() == 0


def test_oversized_photo_is_refused_and_nothing_stored(world, settings):
    settings.INCIDENTS_PHOTO_MAX_BYTES = 1000
    before = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*")) if Path(settings.PRIVATE_MEDIA_ROOT).exists() else set()
    response = report(world, photos=[jpeg(400, 400)])
    assert response.status_code == 400 and "at most" in str(response.json()["photos"])
    assert Case.objects.count() == 0
    after = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*")) if Path(settings.PRIVATE_MEDIA_ROOT).exists() else set()
    assert after == before


def test_desk_reports_need_the_residents_name_and_phone(world):
    response = report(world, "community")
    assert response.status_code == 400 and "reporter_name" in response.json()


def test_nearby_open_cases_of_the_same_category_come_first(desk, world):
    first = desk.report(category="garbage", at=IN_A)
    desk.report(category="noise", at=IN_A)  # another category
    far = (IN_A[0] + 0.001, IN_A[1])  # about 100 m east
    desk.report(category="garbage", at=far)
    near = (IN_A[0] + 0.0003, IN_A[1])  # about 30 m east
    body = world.client("leader_a").get("/api/v1/cases/nearby/", {
        "lon": near[0], "lat": near[1], "category": "garbage"}).json()
    assert [f["id"] for f in body["features"]] == [first["id"]]
    assert 25 < body["features"][0]["properties"]["distance_m"] < 35
    everything = world.client("leader_a").get("/api/v1/cases/nearby/", {"lon": near[0], "lat": near[1]}).json()
    assert len(everything["features"]) == 2
    assert world.client("leader_a").get("/api/v1/cases/nearby/", {"lon": "x", "lat": 1}).status_code == 400


def test_public_tracking_shows_the_timeline_without_personal_data(desk, world):
    case = desk.report("community", reporter_name="张三", reporter_phone="13811112222")
    desk.advance(case, "dispatched")
    number = case["properties"]["tracking_number"]
    from rest_framework.test import APIClient

    body = APIClient().get(f"/api/v1/track/{number}/", {"check": "2222"}).json()
    assert [e["action"] for e in body["timeline"]] == ["report", "file", "dispatch"]
    assert body["status"] == "dispatched" and body["department"] == "环卫站"
    text = str(body)
    assert "张三" not in text and "1381111" not in text and "Dispatcher" not in text
    assert APIClient().get("/api/v1/track/20990101-000000000-0001/").status_code == 404
    page = APIClient().get("/track/", {"number": number, "check": case["properties"]["tracking_key"]})
    assert page.status_code == 200 and number in page.content.decode()


def test_reporter_phone_is_masked_for_handlers(desk, world):
    case = desk.advance(desk.report("community", reporter_phone="13811112222"), "dispatched")
    handler_view = world.client("handler").get(f"/api/v1/cases/{case['id']}/").json()
    assert handler_view["properties"]["reporter_phone"] == "138****2222"
    dispatcher_view = world.client("dispatcher").get(f"/api/v1/cases/{case['id']}/").json()
    assert dispatcher_view["properties"]["reporter_phone"] == "13811112222"
    from gis_core.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(user=world.users["dispatcher"], fields=["reporter_phone"]).exists()


def test_queue_has_no_query_per_row(desk, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        desk.report()
    client = world.client("dispatcher")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/cases/")
    for _ in range(5):
        desk.report()
    with CaptureQueriesContext(connection) as more:
        body = client.get("/api/v1/cases/").json()
    assert body["count"] == 8 and len(more) == len(few)


def test_cases_tile_layer_is_live_and_scoped(desk, world):
    case = desk.report(at=IN_A)
    x, y = tile_xy(IN_A[0], IN_A[1], 14)
    response = tile_get(world.client("dispatcher"), "cases", 14, x, y)
    assert "no-store" in response["Cache-Control"]
    (feature,) = tile_features(response, "cases")
    assert feature["id"] == case["id"] and feature["properties"]["time_state"] == "on_time"
    assert tile_get(world.client("leader_b"), "cases", 14, x, y).status_code == 204  # cell B: not theirs
    assert tile_get(world.client("handler"), "cases", 14, x, y).status_code == 204  # not yet sent to them
    desk.advance(case, "dispatched")
    assert len(tile_features(tile_get(world.client("handler"), "cases", 14, x, y), "cases")) == 1
