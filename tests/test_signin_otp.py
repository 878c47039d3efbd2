"""The second factor (django-otp TOTP): roles that see personal data unmasked (and
superusers) give a 6-digit code after their password while OTP_REQUIRED is on — on the
login form of the admin and every page (or, without an authenticator yet, set one up from
a QR code drawn on our server), and on the token endpoint (``otp_token``). Wrong codes
count as failed sign-ins."""
import re

import pytest
from axes.models import AccessFailureLog
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from signin.selectors import totp_device_confirmed
from tests.helpers import otp_code, totp_now

TOKEN = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def no_throttle(settings):
    """django-otp waits longer after each wrong code; these tests post a right one right after."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def password_step(username, password=None, next_url=None):
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="10.2.0.1")
    url = "/admin/login/" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, {"username": username, "password": password or f"pw-{username}"})
    return client, response


def signed_in_as(client):
    response = client.get("/api/v1/me/")
    return response.json()["username"] if response.status_code == 200 else None


def test_a_code_is_asked_after_the_password_of_a_personal_data_role(world):
    code = otp_code(world.users["leader_a"])
    client, response = password_step("leader_a", next_url="/cases/mine/")
    assert response.status_code == 302 and response["Location"] == "/signin/code/"
    assert signed_in_as(client) is None  # not signed in before the code
    page = client.get("/signin/code/").content.decode()
    assert 'name="code"' in page and 'autocomplete="one-time-code"' in page
    response = client.post("/signin/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/cases/mine/"
    assert signed_in_as(client) == "leader_a"
    assert client.session["otp_device_id"] == totp_device_confirmed(world.users["leader_a"]).persistent_id


def test_a_wrong_code_is_refused_and_counts_as_a_failed_sign_in(world):
    otp_code(world.users["leader_a"])
    client, _response = password_step("leader_a")
    response = client.post("/signin/code/", {"code": "000000"})
    assert response.status_code == 200 and "wrong or has expired" in response.content.decode()
    assert client.post("/signin/code/", {"code": "12ab"}).status_code == 200
    assert signed_in_as(client) is None
    assert AccessFailureLog.objects.filter(username="leader_a").count() == 2


def test_wrong_codes_lock_out(world):
    otp_code(world.users["dispatcher"])
    client, _response = password_step("dispatcher")
    statuses = [client.post("/signin/code/", {"code": "000000"}).status_code
                for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {200}
    # Even the right code now meets the lock.
    response = client.post("/signin/code/", {"code": otp_code(world.users["dispatcher"])})
    assert response.status_code in (302, 429)
    assert signed_in_as(client) is None


def test_without_an_authenticator_the_user_sets_one_up(world):
    client, response = password_step("community")
    assert response["Location"] == "/signin/authenticator/"
    page = client.get("/signin/authenticator/").content.decode()
    assert "<svg" in page and not re.search(r"(src|href)=\"https?://", page)  # drawn here, no CDN
    device = TOTPDevice.objects.get(user=world.users["community"], confirmed=False)
    secret = re.search(r'id="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    assert len(secret.replace(" ", "")) == 32
    assert secret in client.get("/signin/authenticator/").content.decode()  # the same secret on reload
    assert client.post("/signin/authenticator/", {"code": "000000"}).status_code == 200
    response = client.post("/signin/authenticator/", {"code": totp_now(device)})
    assert response.status_code == 302 and signed_in_as(client) == "community"
    device.refresh_from_db()
    assert device.confirmed


def test_other_roles_sign_in_with_the_password_alone(world):
    client, response = password_step("street")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert signed_in_as(client) == "street"


def test_superusers_give_a_code_too(world):
    _client, response = password_step("root")
    assert response["Location"] == "/signin/authenticator/"


def test_the_requirement_can_be_turned_off(world, settings):
    settings.OTP_REQUIRED = False
    client, response = password_step("leader_a")
    assert response["Location"] == "/admin/" and signed_in_as(client) == "leader_a"


def test_the_code_page_needs_the_password_first(world):
    assert Client().get("/signin/code/")["Location"] == "/admin/login/"
    assert Client().post("/signin/code/", {"code": "123456"})["Location"] == "/admin/login/"


# --------------------------------------------------------------------------- the token endpoint

def token(**data):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(TOKEN, data, format="json", REMOTE_ADDR="10.2.0.9")


def test_the_token_endpoint_asks_for_otp_token(world):
    leader = world.users["leader_a"]
    assert "otp_token" in token(username="leader_a", password="pw-leader_a").json()  # no authenticator yet
    code = otp_code(leader)
    missing = token(username="leader_a", password="pw-leader_a")
    assert missing.status_code == 400 and "6-digit code" in missing.json()["otp_token"][0]
    wrong = token(username="leader_a", password="pw-leader_a", otp_token="000000")
    assert wrong.status_code == 400 and "wrong" in wrong.json()["otp_token"][0]
    assert AccessFailureLog.objects.filter(username="leader_a").count() == 1
    assert token(username="leader_a", password="pw-leader_a", otp_token="12345").json().keys() == {"otp_token"}
    ok = token(username="leader_a", password="pw-leader_a", otp_token=code)
    assert ok.status_code == 200 and ok.json()["token"]
    assert token(username="street", password="pw-street").status_code == 200  # no code for this role


def test_wrong_otp_tokens_lock_out_the_api_client(world):
    otp_code(world.users["leader_a"])
    statuses = [token(username="leader_a", password="pw-leader_a", otp_token="000000").status_code
                for _ in range(settings.AXES_FAILURE_LIMIT)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {400}
    locked = token(username="leader_a", password="pw-leader_a", otp_token=otp_code(world.users["leader_a"]))
    assert locked.status_code == 429 and locked.json()["reason"] == "locked_out" and locked["Retry-After"]


# --------------------------------------------------------------------------- in the browser

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("browser_page", [{"width": 390, "height": 844}], indirect=True)
def test_the_code_page_fits_a_phone(world, live_server, browser_page):
    page = browser_page.page
    code = otp_code(world.users["leader_a"])
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "leader_a")
    page.fill("#id_password", "pw-leader_a")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/signin/code/")
    assert "验证码" in page.inner_text("h1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.get_attribute("#id_code", "inputmode") == "numeric"
    page.fill("#id_code", code)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    assert browser_page.outside(live_server.url) == []


def test_anyone_may_set_up_an_authenticator_and_is_then_asked_for_codes(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users["street"])
    assert "<svg" in client.get("/signin/authenticator/").content.decode()
    device = TOTPDevice.objects.get(user=world.users["street"])
    assert "Authenticator set up" in client.post("/signin/authenticator/", {"code": totp_now(device)}).content.decode()
    _client, response = password_step("street")
    assert response["Location"] == "/signin/code/"
