"""反映问题 on the portal: a resident asks for an SMS code (sent through notify, with an
idempotency key, by the SMSC simulator), files a problem with it, and the case enters the
normal workflow. Codes are single use, expire and take few wrong tries; codes and reports
are limited per address and per phone; bad input is a 400 naming the field and files
nothing."""
import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from incidents.models import Case, CaseSource, CaseStatus
from notify import services as notify_services
from notify.models import Notification, State
from portal.models import PhoneCode
from tests.helpers import IN_A

PHONE = "13912345678"


def client(address="10.0.0.1") -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=address)


def ask_code(phone=PHONE, *, purpose="report", address="10.0.0.1"):
    return client(address).post("/api/v1/portal/codes/", {"phone": phone, "purpose": purpose}, format="json")


def texted_code(smsc, phone=PHONE) -> str:
    """Deliver what is queued (the worker's job) and read the last code texted to ``phone``."""
    for notification in Notification.objects.filter(state=State.QUEUED):
        notify_services.notification_deliver(notification_id=notification.pk)
    texts = [m.text for m in smsc.messages if m.destination.endswith(phone)]
    return re.search(r"\d{6}", texts[-1]).group()


def report(code_sent, *, phone=PHONE, address="10.0.0.1", fmt="json", **fields):
    body = {"category": "garbage", "description": "路口垃圾堆放三天了", "lon": IN_A[0], "lat": IN_A[1],
            "phone": phone, "code": code_sent, **fields}
    return client(address).post("/api/v1/portal/reports/", body, format=fmt)


@pytest.fixture
def district(world):
    return world


def test_a_resident_files_a_case_with_the_code_texted_to_them(district, smsc):
    assert ask_code().status_code == 202
    notification = Notification.objects.get()
    code_record = PhoneCode.objects.get()
    assert notification.key == f"portal-code:{code_record.pk}" and notification.urgent
    assert notification.address == PHONE
    code = texted_code(smsc)
    assert "验证码" in smsc.messages[-1].text  # Chinese by default
    assert code_record.code_hash != code and code not in code_record.code_hash  # only its HMAC is kept

    answer = report(code)
    assert answer.status_code == 201, answer.json()
    case = Case.objects.get(tracking_number=answer.json()["tracking_number"])
    assert case.source == CaseSource.PORTAL and case.reporter is None and case.reporter_phone == PHONE
    assert case.status == CaseStatus.COLLECTED and case.cell == district.areas["A"]
    assert case.tracking_key == answer.json()["tracking_key"]
    assert answer.json()["track_url"].startswith("/portal/track/?number=")
    assert list(case.events.values_list("action", flat=True)) == ["report"]
    # the normal workflow: the dispatcher files it
    assert client().get(answer.json()["track_url"]).status_code == 200

    again = report(code)  # single use
    assert again.status_code == 400 and "code" in again.json()
    assert Case.objects.count() == 1


def test_photos_go_with_the_report(district, smsc):
    from io import BytesIO

    from PIL import Image

    ask_code()
    image = BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "JPEG")
    photo = SimpleUploadedFile("p.jpg", image.getvalue(), content_type="image/jpeg")
    answer = report(texted_code(smsc), fmt="multipart", photos=[photo])
    assert answer.status_code == 201, answer.json()
    assert Case.objects.get().attachments.count() == 1


def test_wrong_codes_are_counted_and_limited(district, smsc, settings):
    settings.PORTAL_CODE_ATTEMPTS = 2
    ask_code()
    code = texted_code(smsc)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        answer = report(wrong)
        assert answer.status_code == 400 and answer.json()["code"] == ["The code is wrong."]
    answer = report(code)  # the right one, too late
    assert answer.status_code == 400 and "Too many wrong codes" in answer.json()["code"][0]
    assert PhoneCode.objects.get().attempts == 2 and Case.objects.count() == 0


def test_codes_expire_and_a_new_one_replaces_the_old(district, smsc):
    ask_code()
    first = texted_code(smsc)
    PhoneCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert "expired" in report(first).json()["code"][0]
    ask_code()
    second = texted_code(smsc)
    if first != second:
        assert report(first).status_code == 400
    assert report(second).status_code == 201
    assert report(second, phone="13900000000").status_code == 400  # another phone: no code asked


def test_bad_input_is_a_400_naming_the_field_and_keeps_the_code(district, smsc):
    ask_code()
    code = texted_code(smsc)
    for fields, field in [({"category": "nothing"}, "category"), ({"description": ""}, "description"),
                          ({"lon": 200}, "lon"), ({"phone": "12345"}, "phone"), ({"code": "12ab"}, "code"),
                          ({"lon": 103.5, "lat": 26.0}, "location")]:
        answer = report(code, **fields)
        assert answer.status_code == 400 and field in answer.json(), (fields, answer.json())
    bad_photo = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")
    answer = report(code, fmt="multipart", photos=[bad_photo])
    assert answer.status_code == 400 and "photos" in answer.json()
    assert Case.objects.count() == 0
    assert report(code).status_code == 201  # the code was not used up by the refused reports
    assert ask_code("1391234").status_code == 400
    assert ask_code(purpose="other").json().keys() == {"purpose"}


def test_codes_are_limited_per_phone_and_per_address(district, smsc, settings):
    settings.PORTAL_CODE_PHONE_RATE = "2/hour"
    settings.PORTAL_CODE_IP_RATE = "3/hour"
    assert [ask_code().status_code for _ in range(3)] == [202, 202, 429]
    assert ask_code("13900000001", address="10.0.0.2").status_code == 202  # another phone, another address
    assert ask_code("13900000002").status_code == 429  # this address has asked three times
    assert PhoneCode.objects.count() == 3 and Notification.objects.count() == 3


def test_reports_are_limited_per_phone_and_per_address(district, smsc, settings):
    settings.PORTAL_REPORT_PHONE_RATE = "1/day"
    settings.PORTAL_REPORT_IP_RATE = "2/day"
    ask_code()
    assert report(texted_code(smsc)).status_code == 201
    ask_code()
    assert report(texted_code(smsc)).status_code == 429  # this phone has reported today
    ask_code("13900000003", address="10.0.0.3")
    assert report(texted_code(smsc, "13900000003"), phone="13900000003", address="10.0.0.1").status_code == 429
    assert Case.objects.count() == 1
