"""`/` sends each role to its workspace; the district's administrators (and superusers)
get the home page of cards; signed out, the public entry with a sign-in link."""
from __future__ import annotations

import pytest
from django.test import Client

WORKSPACES = {
    "leader_a": "/my-cell/", "community": "/cases/report/", "street": "/console/official/",
    "dispatcher": "/console/dispatch/", "handler": "/console/cases/",
}


@pytest.mark.parametrize("user", sorted(WORKSPACES))
def test_home_sends_a_role_to_its_workspace(world, user):
    response = world.client(user).get("/")
    assert response.status_code == 302 and response["Location"] == WORKSPACES[user]
    assert world.client(user).get(WORKSPACES[user]).status_code == 200


@pytest.mark.parametrize("user", ["admin", "root"])
def test_the_district_admin_keeps_a_home_of_cards(world, user):
    response = world.client(user).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    for path in ("/my-cell/", "/console/official/", "/console/dispatch/", "/console/cases/", "/imports/"):
        assert f'href="{path}"' in body


def test_signed_out_home_is_the_public_entry_with_sign_in_and_tracking(world):
    body = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/").content.decode()
    assert 'data-testid="home-signin"' in body and "登录" in body
    assert 'href="/track/"' in body
    assert 'href="/my-cell/"' not in body and 'href="/console/dispatch/"' not in body
