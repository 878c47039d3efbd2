"""Who may open which page (gis_core.navigation): every link of a role's top bar and home
page answers 200 for that role; a registered page the role is not offered answers the
framed 403 in Chinese with a way home; signed out, a page sends to sign-in."""
from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from gis_core.navigation import all_pages, may_open, topbar_pages_for

ROLES = ["admin", "street", "community", "leader_a", "dispatcher", "handler", "root"]
# Pages this project serves itself with page_view (not the admin, the API documents, OGC).
GUARDED = ["my-cell", "official-console", "quality", "dispatch-console", "case-report", "case-desk", "inbox",
           "imports"]


def _topbar_links(html: str) -> list[str]:
    nav = re.search(r'<ul class="nav-links">(.*?)</ul>', html, re.S)
    return re.findall(r'href="([^"]+)"', nav.group(1)) if nav else []


@pytest.mark.parametrize("user", ROLES)
def test_every_link_offered_to_a_role_opens(world, user):
    client = world.client(user)
    landing = client.get("/", follow=True)
    assert landing.status_code == 200
    links = _topbar_links(landing.content.decode())
    assert links == [reverse(page.url_name) for page in topbar_pages_for(world.users[user])]
    offered = {reverse(page.url_name) for page in all_pages() if may_open(world.users[user], page)}
    for path in sorted(offered | set(links)):
        assert client.get(path, follow=True).status_code == 200, (user, path)


@pytest.mark.parametrize("user", ROLES)
def test_a_page_not_offered_is_the_framed_403_in_chinese(world, user):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users[user])
    refused = [page for page in all_pages() if page.url_name in GUARDED and not may_open(world.users[user], page)]
    for page in refused:
        response = client.get(reverse(page.url_name))
        body = response.content.decode()
        assert response.status_code == 403, (user, page.url_name)
        assert "不允许" in body or "无权" in body, body
        assert 'data-testid="error-home"' in body and 'href="/"' in body
        assert 'class="topbar"' in body


def test_offers_follow_the_roles(world):
    offered = {user: {page.url_name for page in all_pages() if may_open(world.users[user], page)}
               for user in ROLES}
    assert "official-console" not in offered["handler"]   # its heat tiles would refuse a handler
    assert "my-cell" not in offered["dispatcher"]         # a dispatcher's "cell" would be the district
    assert "dispatch-console" in offered["dispatcher"] and "case-desk" in offered["dispatcher"]
    assert offered["root"] == {page.url_name for page in all_pages()}


@pytest.mark.parametrize("name", ["my-cell", "case-desk", "dispatch-console", "inbox"])
def test_signed_out_a_page_sends_to_sign_in(world, name):
    response = Client().get(reverse(name))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=")


def test_sign_out_is_a_post_back_home(world):
    client = world.client("leader_a")
    assert 'action="/signout/"' in client.get("/my-cell/").content.decode()
    assert client.get("/signout/").status_code == 405  # a link cannot sign anyone out
    response = client.post("/signout/")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/my-cell/").status_code == 302
