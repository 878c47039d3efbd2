"""What every test shares. The fixtures live in tests/fixtures/, one module a theme:

    world.py    world — the small district built through the services, one user per role
    desk.py     desk — the world's case desk: report a case, take it along the workflow
    broker.py   elders (terminals), ingester; the embedded Mosquitto kept running
    browser.py  chromium, browser_page, asgi_server (and pytest-django's live_server)

Plain helpers (box, building_in, id_number, session_login, mqtt_publish …) are in
tests/helpers.py.
"""
import pytest

pytest_plugins = ["tests.fixtures.world", "tests.fixtures.desk", "tests.fixtures.broker", "tests.fixtures.browser"]


def pytest_configure(config):
    import os

    from django.conf import settings

    # Playwright's sync API keeps an event loop in the test thread, which makes Django
    # refuse ORM calls there ("async context"); the calls are in fact synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    # PBKDF2's deliberate slowness costs seconds per fixture; tests need no protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; test_i18n checks the Chinese default."""
    from django.utils import translation

    with translation.override("en"):
        yield
