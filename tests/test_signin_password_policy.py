"""New passwords: at least PASSWORD_MIN_LENGTH characters (10) and three of the four kinds
(lower-case, capitals, digits, symbols), with the reasons in Chinese."""
import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation


def reasons(password, user=None, language="en"):
    with translation.override(language):
        try:
            validate_password(password, user)
        except ValidationError as error:
            return " ".join(error.messages)
    return ""


def test_the_minimum_length_comes_from_the_setting():
    assert settings.PASSWORD_MIN_LENGTH == 10
    assert "at least 10 characters" in reasons("Ab1!Ab1!x")
    assert reasons("Ab1!Ab1!xy") == ""


@pytest.mark.parametrize("password, ok", [
    ("lowercaseonly1", False),       # two kinds
    ("ALLCAPS-AND-DASH", False),     # two kinds
    ("Lower-and-UPPER", True),       # lower, upper, symbol
    ("grid2026-panlong", True),      # lower, digit, symbol
    ("Panlong2026Grid", True),       # lower, upper, digit
    ("网格管理Panlong2026", True),  # CJK counts as a symbol
])
def test_three_of_four_kinds(password, ok):
    assert (reasons(password) == "") is ok, reasons(password)


def test_reasons_are_chinese():
    chinese = reasons("abcdefghij", language="zh-hans")
    assert "四类字符" in chinese and "3" in chinese
    assert "10" in reasons("Ab1!", language="zh-hans")


def test_the_admin_refuses_a_weak_password(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(world.users["root"])
    response = client.post("/admin/gis_core/user/add/", {
        "username": "newbie", "password1": "simplepass", "password2": "simplepass", "name": "新人",
        "role": "street_official", "usable_password": "true"})
    assert response.status_code == 200
    assert "四类字符" in response.content.decode()
    from gis_core.models import User

    assert not User.objects.filter(username="newbie").exists()
