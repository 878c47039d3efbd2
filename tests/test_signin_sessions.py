"""Sessions end after SESSION_IDLE_MINUTES without a request; the activity mark is written
at most once a minute (a map's hundreds of tile requests write nothing); sessions live in
the database only, so a session ended in one process is refused by every other."""
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from signin.sessions import LAST_ACTIVITY


def signed_in(world, key="street"):
    client = Client()
    client.force_login(world.users[key])
    return client


def mark_age(client, seconds):
    """Pretend the session's last activity was ``seconds`` ago."""
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends(world):
    client = signed_in(world)
    assert client.get("/api/v1/me/").status_code == 200
    mark_age(client, settings.SESSION_IDLE_MINUTES * 60 - 30)
    assert client.get("/api/v1/me/").status_code == 200  # not idle long enough
    mark_age(client, settings.SESSION_IDLE_MINUTES * 60 + 1)
    key = client.session.session_key
    assert client.get("/api/v1/me/").status_code == 403
    assert not Session.objects.filter(session_key=key).exists()
    page = client.get("/cases/mine/")
    assert page.status_code == 302 and "/admin/login/" in page["Location"]


def test_the_activity_mark_is_written_at_most_once_a_minute(world):
    client = signed_in(world)
    client.get("/api/v1/me/")
    with CaptureQueriesContext(connection) as queries:
        for _ in range(20):
            assert client.get("/api/v1/me/").status_code == 200
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    mark_age(client, 61)
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/me/")
    assert [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]
    assert int(time.time()) - client.session[LAST_ACTIVITY] < 5


def test_the_session_engine_is_the_database():
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_a_signed_out_session_is_refused_by_another_process(world, asgi_server):
    """The server runs in its own process (as each uvicorn worker does): it has read the
    session once; after the sign-out elsewhere it must not accept it any more."""
    client = signed_in(world, "admin")
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    assert status(f"{asgi_server}/api/v1/me/", cookie) == 200
    client.logout()  # in this process
    assert status(f"{asgi_server}/api/v1/me/", cookie) == 403


def status(url, cookie):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie}), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
