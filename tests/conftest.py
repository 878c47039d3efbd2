"""What every test shares. The fixtures live in tests/fixtures/, one module a theme:

    world.py    world — the small district built through the services, one user per role
    desk.py     desk — the world's case desk: report a case, take it along the workflow
    records.py  records — the world with a record of every kind the API serves in cells A, B, F
    broker.py   elders (terminals), broker (the embedded Mosquitto), ingester
    browser.py  chromium, browser_page, asgi_server (and pytest-django's live_server)
    centres.py  centres — service centres with desks and hours (appointments); monday
    single_sign_on.py  directory (a real slapd), oidc_provider (a real OpenID provider)
    replica.py  replica_server (a streaming standby of the test cluster), replica (the router using it)

Plain helpers (box, building_in, id_number, session_login, mqtt_publish …) are in
tests/helpers.py. A test that uses the browser or the real broker is marked ``slow`` by the
fixtures it uses (below): ``-m "not slow"`` is the fast lane.
"""
import pytest

pytest_plugins = ["tests.fixtures.world", "tests.fixtures.desk", "tests.fixtures.records", "tests.fixtures.broker",
                  "tests.fixtures.browser", "tests.fixtures.service_desk", "tests.fixtures.centres",
                  "tests.fixtures.single_sign_on", "tests.fixtures.smpp_server", "tests.fixtures.mail_servers",
                  "tests.fixtures.notices", "tests.fixtures.replica"]

# A test that uses one of these, itself or through another fixture (browser_page, ingester),
# is marked slow: it starts or talks to a browser, a server process or the real broker.
SLOW_FIXTURES = {"chromium", "live_server", "asgi_server", "broker", "replica_server"}

# `make test` runs the suite in two processes (pytest-xdist, `-n 2 --dist loadgroup`),
# each on its own test database. What they would share — the embedded broker (its topics,
# its credentials), the replica standby of the cluster — one process uses at a time: the
# tests using these fixtures form one xdist group each, run by one process in turn.
SHARED_FIXTURES = {"broker": "broker", "replica_server": "replica"}


def pytest_configure(config):
    import atexit
    import os
    import shutil
    import tempfile
    from pathlib import Path

    from django.conf import settings

    # Playwright's sync API keeps an event loop in the test thread, which makes Django
    # refuse ORM calls there ("async context"); the calls are in fact synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    # PBKDF2's deliberate slowness costs seconds per fixture; tests need no protection.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

    # Reads go to the primary unless a test brings its own replica (tests/fixtures/replica.py):
    # a replica configured for development (DATABASE_REPLICA_URLS) lags behind the tests' writes.
    settings.REPLICA_DATABASES = []

    # Quiet hours (local night) would hold back every non-urgent message of a run that happens
    # at night, in the tests and in the servers and workers they start: off unless a test of
    # quiet hours sets them.
    os.environ["NOTIFY_QUIET_HOURS"] = settings.NOTIFY_QUIET_HOURS = ""

    # Files (photos, import reports) go to a directory of this test process, for it and the
    # servers it starts: not among the developer's, nor the other process's.
    media = Path(tempfile.mkdtemp(prefix="grid-test-media-"))
    atexit.register(shutil.rmtree, media, ignore_errors=True)
    for name in ("MEDIA_ROOT", "PRIVATE_MEDIA_ROOT"):
        os.environ[name] = str(media / name.lower())
        setattr(settings, name, Path(os.environ[name]))


def pytest_unconfigure(config):
    """Once the results are printed the run must end. A thread left working (a stream, a
    server) would keep the interpreter waiting for ever and CI would report nothing but its
    timeout: after a minute, print every thread's stack and exit with status 1."""
    import faulthandler

    faulthandler.dump_traceback_later(60, exit=True)


@pytest.hookimpl(tryfirst=True)  # before xdist's, which reads the groups
def pytest_collection_modifyitems(config, items):
    from _pytest.nodeid import NodeId

    for item in items:
        if SLOW_FIXTURES.intersection(item.fixturenames):
            item.add_marker(pytest.mark.slow)
        groups = sorted({group for fixture, group in SHARED_FIXTURES.items() if fixture in item.fixturenames})
        if groups and getattr(config.option, "loadgroup", False):  # in an xdist worker
            # xdist schedules by an "@group" suffix of the test's id, which it writes to
            # Node._nodeid — an attribute pytest 9.2 no longer reads; the id is Node._id.
            item.add_marker(pytest.mark.xdist_group("_".join(groups)))
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(groups)}")


def commits(item: pytest.Item) -> bool:
    """Whether the test's writes are committed, the database flushed after it."""
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(item.fixturenames)
                or (marker and marker.kwargs.get("transaction")))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test that commits (browsers, servers, workers) ends with a flush of the database,
    which removes the reference data the migrations loaded: loaded again once every fixture
    of the test is torn down (the flush too), so each test starts from the migrated
    database whatever ran before it in its process."""
    result = yield
    if nextitem is not None and commits(item):  # (after the last test the database goes)
        from pytest_django.plugin import blocking_manager_key

        from tests.helpers import migrated_data_load

        with item.config.stash[blocking_manager_key].unblock():
            migrated_data_load()
    return result


@pytest.fixture
def transactional_db(transactional_db, django_db_blocker):
    """pytest-django's, which flushes the database after the test, made to wait first
    (up to 10 s) until no other session runs a statement on it: a request the test's
    server is still answering (a map's last tiles) would otherwise deadlock with the flush's
    TRUNCATE."""
    import time

    from django.db import connection

    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND state = 'active' AND backend_type = 'client backend'")
            if not cursor.fetchone()[0]:
                break
            time.sleep(0.05)


@pytest.fixture(autouse=True)
def english():
    """Messages are asserted in English; test_i18n checks the Chinese default."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache(request, django_db_blocker):
    """Throttle counters (public tracking, sign-in) live in the cache — the database's
    table — so none carry over: emptied after each test that uses the database (the
    test database is set up by then; a test's own writes may be committed by a server
    process it started)."""
    yield
    if {"db", "transactional_db"} & set(request.fixturenames) or request.node.get_closest_marker("django_db"):
        from django.core.cache import cache

        with django_db_blocker.unblock():
            cache.clear()


@pytest.fixture(autouse=True)
def short_live_streams(settings):
    """A page opened by an in-process server (``live_server``: WSGI, which collects an async
    stream before sending it) must not leave a live alert stream running after its test:
    its thread would keep the test run from exiting."""
    settings.LIVE_STREAM_SECONDS = 2
