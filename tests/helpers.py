"""Plain helpers the test files share: ``from tests.helpers import box, id_number``.
Fixtures are not here but in tests/fixtures/ (a test gets those by naming them)."""
from __future__ import annotations

import datetime as dt

import mapbox_vector_tile
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from assets.identity import id_check_char
from tiles.tilemath import tiles_covering

# --------------------------------------------------------------------------- the world's geometry and people

# Points inside the world's cells (cell A is 102.70–102.715 E, 25.00–25.03 N).
IN_A, IN_B, IN_F = (102.705, 25.015), (102.72, 25.015), (102.74, 25.03)


def box(x0: float, y0: float, x1: float, y1: float) -> MultiPolygon:
    return MultiPolygon(Polygon.from_bbox((x0, y0, x1, y1)), srid=4326)


def building_in(x: float, y: float, size: float = 0.0004) -> MultiPolygon:
    return box(x, y, x + size, y + size)


def id_number(first17: str) -> str:
    """A valid ID number from its first 17 digits."""
    return first17 + id_check_char(first17)


# --------------------------------------------------------------------------- HTTP: query counts, vector tiles

def migrated_data_load() -> None:
    """The reference data the migrations load: person tags and key-site categories,
    departments and case categories, the service catalogue, message templates. Loading
    again adds what is missing (a flush removed it) and changes nothing else."""
    from assets.defaults import defaults_load as assets_load
    from assets.models import KeySiteCategory, PersonTag
    from incidents.defaults import defaults_load as incidents_load
    from incidents.models import Category, Department
    from notices.defaults import templates_load as notice_templates_load
    from notify.defaults import templates_defaults_load
    from notify.models import MessageTemplate
    from services.defaults import defaults_load as services_load
    from services.models import Material, ServiceItem

    assets_load(PersonTag, KeySiteCategory)
    incidents_load(Department, Category)
    services_load(Department, ServiceItem, Material)
    templates_defaults_load(MessageTemplate)
    notice_templates_load(MessageTemplate)


def query_count(client, url, **params) -> int:
    """How many database queries GET ``url`` takes, a streamed answer read to its end."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
        body = response.getvalue()
    assert response.status_code == 200, body[:1000]
    return len(ctx.captured_queries)


def session_client(user) -> Client:
    """A plain Django client signed in by session, as a browser is: each request reads the
    session and the user (unlike the world's API clients, which skip the user's query)."""
    client = Client()
    client.force_login(user)
    return client


def listed_records(body) -> list[dict]:
    """The records of a list answer (decoded): GeoJSON features, a page's results, or a
    plain list — those with an ``id``."""
    if isinstance(body, dict):
        body = body.get("features", body.get("results", []))
    return [item for item in body if isinstance(item, dict) and "id" in item] if isinstance(body, list) else []


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The (x, y) of the zoom-z tile holding the point."""
    (x, y), = tiles_covering((lon, lat, lon, lat), z)
    return x, y


TILE_MARGIN = 64 / 4096  # the MVT buffer, as a share of the tile


def tile_versions(layer: str) -> dict[tuple, int]:
    """(z, x, y) → version of the layer's tiles (tiles/models.py)."""
    from tiles.models import TileVersion

    return {(v.z, v.x, v.y): v.version for v in TileVersion.objects.filter(layer=layer)}


def tiles_touched(extent, minzoom: int, maxzoom: int) -> set[tuple]:
    """(z, x, y) of the buffered tiles a lon/lat extent touches, at every zoom between."""
    return {(z, x, y) for z in range(minzoom, maxzoom + 1) for x, y in tiles_covering(extent, z, TILE_MARGIN)}


def tile_get(client, layer, z, x, y, **headers):
    return client.get(f"/tiles/{layer}/{z}/{x}/{y}.pbf", headers=headers)


def tile_features(response, layer):
    """The decoded features of ``layer`` in a vector-tile answer (which must be a 200)."""
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content)[layer]["features"]


# --------------------------------------------------------------------------- pages in the browser

def session_login(context, base_url: str, user) -> None:
    """Sign the browser in as ``user`` with a session stored in the database (so a server
    in another process, with its own password hashers, accepts it)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base_url}])


def otp_code(user) -> str:
    """The current code of ``user``'s authenticator, made (confirmed) when the user has
    none, computed by django-otp. Its replay mark and throttling are cleared, so a second
    sign-in within the same 30 s passes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from signin.selectors import totp_device_confirmed
    from signin.services import AUTHENTICATOR

    device = totp_device_confirmed(user) or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=True)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                    throttling_failure_timestamp=None)
    return totp_now(device)


def totp_now(device) -> str:
    """The code an authenticator app set up with ``device``'s secret shows now (django-otp's TOTP)."""
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).token():0{device.digits}d}"


def admin_login(page, base_url: str, username: str, password: str) -> None:
    """Sign in through the login form, and the code page when the user needs a code."""
    from gis_core.models import User
    from signin.selectors import otp_needed_for

    user = User.objects.get(username=username)
    code = otp_code(user) if otp_needed_for(user) else None
    page.goto(f"{base_url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    if code:
        page.wait_for_url(f"{base_url}/signin/code/")
        page.fill("#id_code", code)
        page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


# --------------------------------------------------------------------------- processes of ours

def subprocess_env() -> dict[str, str]:
    """Environment for a subprocess of ours (web server, ingester) to use the test database."""
    import os

    db = connection.settings_dict
    return {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "DEBUG": "0", "PYTHONUNBUFFERED": "1"}


def wait_until(predicate, *, timeout: float = 15.0, interval: float = 0.05, what: str = "condition"):
    """Poll ``predicate`` until it returns something truthy (returned), or fail."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value {value!r}")
        time.sleep(interval)


# --------------------------------------------------------------------------- the broker and the ingester
# A test that publishes or subscribes names the ``broker`` fixture (tests/fixtures/broker.py).

T0 = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(minutes=10)


def at(seconds: int) -> dt.datetime:
    """A terminal's fix time: ``seconds`` after T0, ten minutes before the suite started."""
    return T0 + dt.timedelta(seconds=seconds)


def east_of(lon_lat: tuple[float, float], metres: float) -> tuple[float, float]:
    lon, lat = lon_lat
    return lon + metres / 101_000, lat  # a degree of longitude at 25°N is ~101 km


def mqtt_publish(messages, *, url: str | None = None, username: str | None = None, password: str | None = None,
                 client_id: str | None = None) -> list:
    """Publish (topic, payload) pairs at QoS 1 and wait until the broker has each; returns
    the paho results (``rc`` not 0: refused)."""
    import uuid

    from gis_core.mqtt import connect, mqtt_client

    client = mqtt_client(client_id or f"test-pub-{uuid.uuid4().hex[:8]}", url=url)
    if username:
        client.username_pw_set(username, password)
    client.max_queued_messages_set(0)
    client.max_inflight_messages_set(1000)
    connect(client, url=url)
    client.loop_start()
    try:
        infos = [client.publish(topic, payload, qos=1) for topic, payload in messages]
        for info in infos:
            info.wait_for_publish(timeout=30)
        return infos
    finally:
        client.disconnect()
        client.loop_stop()


def mqtt_listen(topics: list[str]):
    """A client (settings.MQTT_URL, which may read everything) subscribed at QoS 1 to these
    topics, and the queue of (topic, payload) it receives. Disconnect it when done."""
    import queue
    import uuid

    from gis_core.mqtt import connect, mqtt_client

    received: queue.Queue = queue.Queue()
    subscribed: queue.Queue = queue.Queue()
    client = mqtt_client(f"test-sub-{uuid.uuid4().hex[:8]}")
    client.on_message = lambda c, u, m: received.put((m.topic, m.payload))
    client.on_subscribe = lambda *args: subscribed.put(True)
    client.on_connect = lambda c, u, f, rc, p: c.subscribe([(t, 1) for t in topics])
    connect(client)
    client.loop_start()
    subscribed.get(timeout=5)
    return client, received


class IngesterProcess:
    """``manage.py run_ingester`` in a subprocess against the test database, on its own
    shared-subscription group (or ``group``, shared with other ingesters). Its broker session outlives a restart by ``session_expiry``
    seconds (short: test sessions must not pile up queues in the broker)."""

    def __init__(self, *, session_expiry: int = 60, shared: bool = True, group: str | None = None) -> None:
        import uuid

        self.client_id = f"test-ingester-{uuid.uuid4().hex[:8]}"
        self.group = group if group is not None else f"test{uuid.uuid4().hex[:8]}" if shared else ""
        self.session_expiry = session_expiry
        self.process = None
        self.output: list[str] = []
        self.subscriptions = 0

    def start(self) -> IngesterProcess:
        import subprocess
        import sys
        import threading
        import time

        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_ingester", "--client-id", self.client_id, "--group", self.group,
             "--no-broker-sync", "--batch-ms", "20", "--session-expiry", str(self.session_expiry)],
            env=subprocess_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        subscribed = threading.Event()

        def read(stream=self.process.stdout):
            for line in stream:
                self.output.append(line)
                if "subscribed to" in line:
                    self.subscriptions += 1
                    subscribed.set()

        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + 30
        while not subscribed.wait(0.1):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("ingester did not start:\n" + "".join(self.output))
        return self

    def stop(self) -> None:
        import sys

        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        sys.stdout.write("".join(self.output))  # captured: shown when the test fails

    def kill(self) -> None:
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)


def swagger_operation_shown(page, text: str, *, timeout_ms: int = 30000) -> None:
    """Wait until the API console shows ``text`` (a path): Swagger UI draws a long list of
    operations virtually — only what is near the screen — so scroll down until it is drawn."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    locator = page.locator(f"text={text}")
    while not locator.count():
        if time.monotonic() > deadline:
            raise AssertionError(f"the API console never showed {text}")
        page.mouse.wheel(0, 800)
        page.wait_for_timeout(200)


# --------------------------------------------------------------------------- the live alert stream

def alert_stream_open(base_url: str, user, *, language: str = "en", headers: dict | None = None):
    """``GET /live/alerts/`` of a running server (``asgi_server``) signed in as ``user``
    (asking for ``language``, as ``World.client`` does), read by a thread: returns (close, events), ``events`` a queue of the ``alert`` events'
    data (decoded). Returns once the stream is connected (its LISTEN is then on)."""
    import json
    import queue
    import threading
    import urllib.request

    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    response = urllib.request.urlopen(urllib.request.Request(f"{base_url}/live/alerts/", headers={"Cookie": cookie,
                                                                                     "Accept-Language": language,
                                                                                     **(headers or {})}),
                                      timeout=30)
    events: queue.Queue = queue.Queue()
    connected = threading.Event()

    def read() -> None:
        data = None
        try:
            for raw in response:
                line = raw.decode().rstrip("\r\n")
                if line == ": connected":
                    connected.set()
                elif line.startswith("data: "):
                    data = line[len("data: "):]
                elif not line and data:
                    events.put(json.loads(data))
                    data = None
        except (OSError, ValueError, AttributeError):  # closed by the test (http.client then drops its file)
            pass

    threading.Thread(target=read, daemon=True).start()
    if not connected.wait(15):
        response.close()
        raise AssertionError("the alert stream did not connect within 15 s")
    return response.close, events


def alert_event_next(events, *, timeout: float = 15.0, **match) -> dict:
    """The next event whose fields equal ``match`` (others are skipped), or fail after
    ``timeout`` seconds."""
    import queue
    import time

    deadline = time.monotonic() + timeout
    while True:
        try:
            event = events.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no alert event with {match} within {timeout:g} s") from None
        if all(event.get(k) == v for k, v in match.items()):
            return event
