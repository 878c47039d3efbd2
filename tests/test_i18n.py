"""Chinese by default, English on request."""
from django.test import Client


def test_pages_are_chinese_by_default_and_english_on_request(world):
    assert "网格化管理平台" in Client().get("/").content.decode()
    english = Client(HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    assert "Grid management platform" in english


def test_api_errors_follow_the_language(world):
    client = world.client("leader_a")
    body = {"building": world.buildings["bA"].pk, "unit": 1, "floor": 9, "room": "901"}
    client.credentials(HTTP_ACCEPT_LANGUAGE="zh-hans")
    chinese = client.post("/api/v1/houses/", body, format="json").json()["floor"][0]
    assert "层" in chinese and "9" in chinese
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    assert "above the building" in client.post("/api/v1/houses/", body, format="json").json()["floor"][0]


def test_language_switch_persists(world):
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Grid management platform" in client.get("/").content.decode()


def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_entry():
    """Every msgid (after `makemessages`) has its Chinese text; none left fuzzy."""
    import subprocess
    from pathlib import Path

    from django.conf import settings

    po = Path(settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
    for flag in ("--untranslated", "--only-fuzzy"):
        left = subprocess.run(["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
                              capture_output=True, text=True, check=True).stdout
        assert [line for line in left.splitlines() if line.startswith("msgid ")][1:] == [], flag
