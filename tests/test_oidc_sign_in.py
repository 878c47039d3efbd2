"""Signing in through the district's OpenID Connect provider (a real one, in a thread:
tests/fixtures/single_sign_on.py): the full authorization-code flow, the username and
groups claims giving the user, role and areas through the same mapping as the directory."""
from django.test import Client

from gis_core.models import Role, User


def test_the_login_page_offers_the_unified_identity_only_when_configured(world, settings):
    assert "/oidc/authenticate/" not in Client().get("/admin/login/").content.decode()
    assert Client().get("/oidc/authenticate/").status_code == 404
    settings.OIDC_ENABLED = True
    page = Client().get("/admin/login/?next=/admin/").content.decode()
    assert 'href="/oidc/authenticate/?next=/admin/"' in page and "统一身份认证登录" in page


def test_the_authorization_code_flow_signs_a_grid_leader_in(world, oidc_provider):
    oidc_provider.user_set("sub-wang", {"preferred_username": "wang", "name": "王网格", "email": "wang@district.test",
                                        "groups": ["grid-role-grid_leader", "grid-area-530103001001001", "staff"]})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = oidc_provider.sign_in(client, "sub-wang", next_url="/my-cell/")
    assert response.status_code == 302 and response["Location"] == "/my-cell/"
    user = User.objects.get(username="wang")
    assert (user.role, [a.code for a in user.areas.all()]) == (Role.GRID_LEADER, [world.areas["A"].code])
    assert (user.name, user.email, user.has_usable_password()) == ("王网格", "wang@district.test", False)
    me = client.get("/api/v1/me/").json()  # the session is signed in
    assert me["role"] == Role.GRID_LEADER


def test_changed_claims_change_the_role_at_the_next_sign_in(world, oidc_provider):
    oidc_provider.user_set("sub-li", {"preferred_username": "li", "groups": ["grid-role-grid_leader",
                                                                             "grid-area-530103001001001"]})
    oidc_provider.sign_in(Client(), "sub-li")
    oidc_provider.user_set("sub-li", {"preferred_username": "li", "groups": ["grid-role-street_official",
                                                                             "grid-area-530103001000"]})
    assert oidc_provider.sign_in(Client(), "sub-li")["Location"] == "/"
    user = User.objects.get(username="li")
    assert (user.role, [a.code for a in user.areas.all()]) == (Role.STREET_OFFICIAL, [world.areas["S1"].code])


def test_a_user_with_no_mapped_group_is_sent_back_to_the_login_page(world, oidc_provider):
    oidc_provider.user_set("sub-zhao", {"preferred_username": "zhao", "groups": ["staff"]})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = oidc_provider.sign_in(client, "sub-zhao")
    assert response.status_code == 302 and response["Location"] == "/admin/login/?sso=refused"
    assert "_auth_user_id" not in client.session
    assert "has no role or no area" in client.get(response["Location"]).content.decode()
    assert User.objects.get(username="zhao").role == ""


def test_the_provider_cannot_take_over_the_local_superuser(world, oidc_provider):
    oidc_provider.user_set("sub-root", {"preferred_username": "root",
                                        "groups": ["grid-role-district_admin", "grid-area-530103000000"]})
    client = Client()
    assert oidc_provider.sign_in(client, "sub-root")["Location"] == "/admin/login/?sso=refused"
    assert "_auth_user_id" not in client.session


def test_password_sign_in_does_not_ask_the_provider(world, oidc_provider, settings):
    settings.OIDC_OP_ISSUER = "http://127.0.0.1:9"  # nothing listens: a password sign-in must not care
    from gis_core.identity_oidc import provider_configuration

    provider_configuration.cache_clear()
    response = Client().post("/admin/login/?next=/admin/", {"username": "admin", "password": "pw-admin",
                                                            "next": "/admin/"})
    assert response.status_code == 302
    assert Client().get("/oidc/authenticate/")["Location"] == "/admin/login/?sso=unavailable"
