"""Failed sign-ins lock the account and the address (django-axes), each alone: on the
token endpoint (429, JSON naming the reason, Retry-After) and on the login form of the
admin and every page (a page in the site's frame); the lock ends after the cool-off; the
address is REMOTE_ADDR unless our proxies are declared, and X-Forwarded-For cannot be forged."""
import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from signin.client_address import axes_ipware_settings

TOKEN = "/api/v1/auth/token/"
LIMIT = settings.AXES_FAILURE_LIMIT


def token(username, password, address="10.0.0.1", **headers):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(TOKEN, {"username": username, "password": password}, format="json",
                            REMOTE_ADDR=address, **headers)


def test_an_account_locks_after_the_limit_and_the_api_says_why(world):
    for _ in range(LIMIT - 1):
        assert token("street", "wrong").status_code == 400
    locked = token("street", "wrong")
    assert locked.status_code == 429
    assert locked.json()["reason"] == "locked_out" and "locked" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == settings.AXES_COOLOFF_TIME.total_seconds()
    # The right password no longer helps, from this address or any other.
    assert token("street", "pw-street").status_code == 429
    assert token("street", "pw-street", address="10.0.0.99").status_code == 429
    # Another account from another address is not affected.
    assert token("handler", "pw-handler", address="10.0.0.2").status_code == 200


def test_an_address_locks_whatever_usernames_it_tries(world):
    for i in range(LIMIT):
        token(f"guess{i}", "wrong", address="10.0.0.7")
    assert token("handler", "pw-handler", address="10.0.0.7").status_code == 429
    assert token("handler", "pw-handler", address="10.0.0.8").status_code == 200


def test_the_lock_ends_after_the_cool_off(world):
    for _ in range(LIMIT):
        token("street", "wrong")
    assert token("street", "pw-street").status_code == 429
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.UTC) - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1))
    assert token("street", "pw-street").status_code == 200


def test_the_login_form_shows_a_lockout_page_in_the_site_frame(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", REMOTE_ADDR="10.0.0.3")
    for _ in range(LIMIT - 1):
        response = client.post("/admin/login/", {"username": "street", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
    response = client.post("/admin/login/", {"username": "street", "password": "wrong"})
    assert response.status_code == 429 and response["Retry-After"]
    page = response.content.decode()
    assert "登录已锁定" in page and "网格化管理平台" in page and "分钟" in page
    assert client.post("/admin/login/", {"username": "street", "password": "pw-street"}).status_code == 429


def test_forwarded_for_is_ignored_without_declared_proxies(world):
    for i in range(LIMIT):
        token(f"guess{i}", "wrong", address="10.0.0.4", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    assert token("handler", "pw-handler", address="10.0.0.4", HTTP_X_FORWARDED_FOR="198.51.100.200").status_code == 429


@pytest.fixture
def behind_one_proxy(settings):
    for name, value in axes_ipware_settings(1).items():
        setattr(settings, name, value)


def test_behind_a_proxy_the_address_it_appended_counts(world, behind_one_proxy):
    proxy = "127.0.0.1"
    for i in range(LIMIT):  # a client forging entries before the one our proxy appends
        token(f"guess{i}", "wrong", address=proxy, HTTP_X_FORWARDED_FOR=f"192.0.2.{i}, 203.0.113.5")
    assert token("handler", "pw-handler", address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # Another client through the same proxy is not locked out.
    assert token("handler", "pw-handler", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 200
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").exists()
    assert not AccessAttempt.objects.filter(ip_address=proxy).exists()
