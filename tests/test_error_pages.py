"""Error pages in the site's frame, in Chinese, with a way back; the 400 of a NUL byte
(answered before authentication) and the 500 (no database, no user) render too."""
from __future__ import annotations

from django.test import Client, RequestFactory
from django.utils import translation


def test_not_found_is_framed_in_chinese_with_a_way_back(world):
    for client in (Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), world.client("leader_a")):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        response = client.get("/no-such-page/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "找不到" in body or "不存在" in body, body
        assert 'class="topbar"' in body and 'data-testid="error-home"' in body and "data-back" in body
        assert 'rel="icon"' in body


def test_a_nul_byte_answered_before_sign_in_is_a_framed_400(world):
    for client in (Client(HTTP_ACCEPT_LANGUAGE="zh-hans"), world.client("leader_a")):
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        response = client.get("/my-cell/", {"q": "a\x00"})
        body = response.content.decode()
        assert response.status_code == 400
        assert 'class="topbar"' in body and 'data-testid="error-home"' in body and "q:" in body


def test_the_server_error_page_needs_no_database_and_no_user(world, django_db_blocker):
    from gis_core.errors import server_error

    request = RequestFactory().get("/somewhere/")  # no session, no user
    with django_db_blocker.block(), translation.override("zh-hans"):
        response = server_error(request)
    body = response.content.decode()
    assert response.status_code == 500 and "服务器" in body and 'href="/"' in body
