"""Signing in through the district's LDAP directory (a real slapd, tests/fixtures/
single_sign_on.py): the directory checks the password, its groups set the role and areas
at every sign-in, and a user in no mapped group does not get in."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from gis_core.models import Role, User


def admin_sign_in(username: str, password: str):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password,
                                                           "next": "/admin/"})
    return client, response


def token_sign_in(username: str, password: str):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def me(token: str) -> dict:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200, response.content
    return response.json()


def role_and_codes(username: str) -> tuple[str, list[str]]:
    user = User.objects.get(username=username)
    return user.role, sorted(user.areas.values_list("code", flat=True))


def test_the_admin_login_form_signs_a_grid_leader_in_with_their_cell(world, directory):
    _client, response = admin_sign_in("wang", "pw-wang")
    # The password is right; a grid leader sees personal data, so the second step follows
    # (enrolment of an authenticator, as for local accounts: signin/).
    assert response.status_code == 302 and response["Location"] == "/signin/authenticator/"
    assert role_and_codes("wang") == (Role.GRID_LEADER, [world.areas["A"].code])
    user = User.objects.get(username="wang")
    assert user.name == "王网格" and user.email == "wang@district.test"
    assert not user.has_usable_password()  # the directory keeps the password


def test_the_token_endpoint_signs_a_street_official_in_with_their_street(world, directory):
    response = token_sign_in("li", "pw-li")
    assert response.status_code == 200, response.content
    body = me(response.json()["token"])
    assert body["role"] == Role.STREET_OFFICIAL
    assert [area["code"] for area in body["areas"]] == [world.areas["S1"].code]


def test_a_changed_group_changes_the_role_at_the_next_sign_in(world, directory):
    assert admin_sign_in("wang", "pw-wang")[1].status_code == 302
    assert role_and_codes("wang") == (Role.GRID_LEADER, [world.areas["A"].code])
    directory.groups_set("wang", ["grid-role-community_worker", "grid-area-530103001001"])
    _client, response = admin_sign_in("wang", "pw-wang")
    assert response.status_code == 302
    assert role_and_codes("wang") == (Role.COMMUNITY_WORKER, [world.areas["C1"].code])


def test_a_wrong_password_fails(world, directory):
    _client, response = admin_sign_in("wang", "not-the-password")
    assert response.status_code == 200 and "Please enter the correct username and password" in response.content.decode()
    response = token_sign_in("wang", "not-the-password")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    assert not User.objects.filter(username="wang", role__gt="").exists()


def test_a_user_in_no_mapped_group_cannot_get_in(world, directory):
    _client, response = admin_sign_in("zhao", "pw-zhao")
    assert response.status_code == 200 and "Please enter the correct username and password" in response.content.decode()
    assert token_sign_in("zhao", "pw-zhao").status_code == 400


def test_a_user_taken_out_of_every_mapped_group_loses_the_role_and_the_token(world, directory):
    response = token_sign_in("li", "pw-li")
    token = response.json()["token"]
    directory.groups_set("li", ["staff"])
    assert token_sign_in("li", "pw-li").status_code == 400
    assert role_and_codes("li") == ("", [])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code in (401, 403)  # the token is gone


def test_local_passwords_still_work_and_come_first(world, directory):
    from tests.helpers import otp_code

    response = APIClient().post("/api/v1/auth/token/", {  # not in the directory
        "username": "leader_a", "password": "pw-leader_a", "otp_token": otp_code(world.users["leader_a"])},
        format="json")
    assert response.status_code == 200
    assert me(response.json()["token"])["role"] == Role.GRID_LEADER
    _client, response = admin_sign_in("root", "pw-root")
    assert response.status_code == 302


def test_the_environment_turns_the_directory_on_and_names_what_is_missing():
    from config.sso import sso_settings

    local = ["django.contrib.auth.backends.ModelBackend"]
    assert sso_settings({}, backends=local)["AUTHENTICATION_BACKENDS"] == local
    with pytest.raises(ValueError, match="LDAP_USER_SEARCH_BASE"):
        sso_settings({"LDAP_SERVER_URI": "ldap://127.0.0.1"}, backends=local)
    with pytest.raises(ValueError, match="LDAP_GROUP_TYPE='posix'"):
        sso_settings({"LDAP_SERVER_URI": "ldap://127.0.0.1", "LDAP_USER_SEARCH_BASE": "ou=people",
                      "LDAP_GROUP_SEARCH_BASE": "ou=groups", "LDAP_GROUP_TYPE": "posix"}, backends=local)
