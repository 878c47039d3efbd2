"""我的办件: a resident signs in with their phone and an SMS code (plain forms, no staff
login, no django.contrib.auth session) and sees the applications and cases filed with
that phone — only theirs —, each linking to its tracking page; signing out or the end of
PORTAL_SESSION_MINUTES ends it."""
import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from notify import services as notify_services
from notify.models import Notification, State
from portal.models import PhoneCode, ResidentSession

PHONE_A = "13800001111"  # pA's, on the roll


def texted_code(smsc, phone) -> str:
    for notification in Notification.objects.filter(state=State.QUEUED):
        notify_services.notification_deliver(notification_id=notification.pk)
    return re.search(r"\d{6}", [m.text for m in smsc.messages if m.destination.endswith(phone)][-1]).group()


def sign_in(browser: Client, smsc, phone: str):
    asked = browser.post("/portal/mine/code/", {"phone": phone})
    assert asked.status_code == 200 and asked.context["sent"]
    return browser.post("/portal/mine/signin/", {"phone": phone, "code": texted_code(smsc, phone)})


@pytest.fixture
def filed(service_desk, desk):
    """pA's application and case, pB's application, and someone else's case."""
    mine = service_desk.file(person="pA")
    theirs = service_desk.file(person="pB")
    my_case = desk.report("community", reporter_phone="138 0000 1111")["properties"]  # typed with spaces
    other_case = desk.report("community", reporter_phone="13911119999")["properties"]
    return {"mine": mine, "theirs": theirs, "my_case": my_case, "other_case": other_case}


def test_a_resident_signs_in_and_sees_only_their_own(filed, smsc, django_assert_max_num_queries):
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    form = browser.get("/portal/mine/")
    assert form.status_code == 200 and b'name="phone"' in form.content
    signed = sign_in(browser, smsc, PHONE_A)
    assert signed.status_code == 302 and signed["Location"] == "/portal/mine/"
    assert "_auth_user_id" not in browser.session  # not a staff login
    with django_assert_max_num_queries(4):
        page = browser.get("/portal/mine/")
    assert [a.number for a in page.context["applications"]] == [filed["mine"]["number"]]
    assert [c.tracking_number for c in page.context["cases"]] == [filed["my_case"]["tracking_number"]]
    body = page.content.decode()
    assert filed["theirs"]["number"] not in body and filed["other_case"]["tracking_number"] not in body
    assert "138****1111" in body and PHONE_A not in body
    # each links to its tracking page, which opens
    links = re.findall(r'href="(/portal/track/\?[^"]+)"', body)
    assert len(links) == 2
    for link in links:
        assert browser.get(link.replace("&amp;", "&")).status_code == 200


def test_signing_out_ends_the_session(filed, smsc):
    browser = Client()
    sign_in(browser, smsc, PHONE_A)
    assert browser.post("/portal/mine/signout/").status_code == 302
    assert ResidentSession.objects.get().ended_at is not None
    assert "applications" not in browser.get("/portal/mine/").context


def test_a_stolen_cookie_after_sign_out_or_expiry_opens_nothing(filed, smsc):
    browser = Client()
    sign_in(browser, smsc, PHONE_A)
    token = browser.cookies["portal_resident"].value
    ResidentSession.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    thief = Client()
    thief.cookies["portal_resident"] = token
    assert "applications" not in thief.get("/portal/mine/").context
    thief.cookies["portal_resident"] = "made-up"
    assert "applications" not in thief.get("/portal/mine/").context


def test_codes_are_single_use_and_wrong_ones_limited(filed, smsc, settings):
    settings.PORTAL_CODE_ATTEMPTS = 2
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.post("/portal/mine/code/", {"phone": PHONE_A})
    code = texted_code(smsc, PHONE_A)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        refused = browser.post("/portal/mine/signin/", {"phone": PHONE_A, "code": wrong})
        assert refused.status_code == 400 and refused.context["errors"]["code"] == ["The code is wrong."]
    assert browser.post("/portal/mine/signin/", {"phone": PHONE_A, "code": code}).status_code == 400
    browser.post("/portal/mine/code/", {"phone": PHONE_A})
    code = texted_code(smsc, PHONE_A)
    assert browser.post("/portal/mine/signin/", {"phone": PHONE_A, "code": code}).status_code == 302
    assert Client().post("/portal/mine/signin/", {"phone": PHONE_A, "code": code}).status_code == 400  # used
    assert PhoneCode.objects.filter(purpose="sign_in").count() == 2


def test_bad_input_and_rate_limits(filed, smsc, settings):
    settings.PORTAL_CODE_PHONE_RATE = "1/hour"
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    refused = browser.post("/portal/mine/code/", {"phone": "123"})
    assert refused.status_code == 400 and "phone" in refused.context["errors"]
    assert browser.post("/portal/mine/code/", {"phone": PHONE_A}).status_code == 200
    assert browser.post("/portal/mine/code/", {"phone": PHONE_A}).status_code == 429
    refused = browser.post("/portal/mine/signin/", {"phone": PHONE_A, "code": "12"})
    assert refused.status_code == 400 and "code" in refused.context["errors"]
    assert browser.get("/portal/mine/code/").status_code == 405
