"""The shared base fixture: a small district built through the services, with one user
per role, on the real PostGIS test database.

    D 盘龙区 530103000000            (102.70–102.76 E, 25.00–25.06 N)
    ├─ S1 拓东街道 530103001000      west half
    │  ├─ C1 社区一 530103001001     south-west quarter
    │  │  ├─ A 网格A 530103001001001 (west half of C1)
    │  │  └─ B 网格B 530103001001002 (east half of C1)
    │  └─ C2 社区二 530103001002     north-west quarter, one cell E
    └─ S2 鼓楼街道 530103002000      east half, community C3 with one cell F
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest
from rest_framework.test import APIClient

from assets import services as assets_services
from assets.defaults import defaults_load
from assets.models import Building, House, KeySiteCategory, Person, PersonTag
from gis_core import services
from gis_core.models import Area, AreaLevel, Role, User
from incidents.defaults import defaults_load as incident_defaults_load
from incidents.models import Category, Department
from tests.helpers import IN_A, IngesterProcess, box, building_in, id_number, subprocess_env

if TYPE_CHECKING:
    from iot.models import Terminal


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


@dataclass
class World:
    areas: dict[str, Area] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    buildings: dict[str, Building] = field(default_factory=dict)
    houses: dict[str, House] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def client(self, user_key: str) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_authenticate(self.users[user_key])  # DRF views
        client.force_login(self.users[user_key])  # plain Django views (tiles, pages)
        return client


def _area(world: World, key: str, code: str, name: str, level: AreaLevel, parent: str | None, geom) -> Area:
    world.areas[key] = services.area_create(code=code, name=name, level=level,
                                            parent=world.areas.get(parent), boundary=geom)
    return world.areas[key]


@pytest.fixture
def world(db) -> World:
    # Browser tests flush the database (transactional); restore the migrated defaults.
    defaults_load(PersonTag, KeySiteCategory)
    incident_defaults_load(Department, Category)
    w = World()
    _area(w, "D", "530103000000", "盘龙区", AreaLevel.DISTRICT, None, box(102.70, 25.00, 102.76, 25.06))
    _area(w, "S1", "530103001000", "拓东街道", AreaLevel.STREET, "D", box(102.70, 25.00, 102.73, 25.06))
    _area(w, "S2", "530103002000", "鼓楼街道", AreaLevel.STREET, "D", box(102.73, 25.00, 102.76, 25.06))
    _area(w, "C1", "530103001001", "社区一", AreaLevel.COMMUNITY, "S1", box(102.70, 25.00, 102.73, 25.03))
    _area(w, "C2", "530103001002", "社区二", AreaLevel.COMMUNITY, "S1", box(102.70, 25.03, 102.73, 25.06))
    _area(w, "C3", "530103002001", "社区三", AreaLevel.COMMUNITY, "S2", box(102.73, 25.00, 102.76, 25.06))
    _area(w, "A", "530103001001001", "网格A", AreaLevel.GRID, "C1", box(102.70, 25.00, 102.715, 25.03))
    _area(w, "B", "530103001001002", "网格B", AreaLevel.GRID, "C1", box(102.715, 25.00, 102.73, 25.03))
    _area(w, "E", "530103001002001", "网格E", AreaLevel.GRID, "C2", box(102.70, 25.03, 102.73, 25.06))
    _area(w, "F", "530103002001001", "网格F", AreaLevel.GRID, "C3", box(102.73, 25.00, 102.76, 25.06))

    roles = {
        "admin": (Role.DISTRICT_ADMIN, ["D"]), "street": (Role.STREET_OFFICIAL, ["S1"]),
        "community": (Role.COMMUNITY_WORKER, ["C1"]), "leader_a": (Role.GRID_LEADER, ["A"]),
        "leader_b": (Role.GRID_LEADER, ["B"]), "dispatcher": (Role.DISPATCHER, ["D"]),
        "handler": (Role.DEPARTMENT_HANDLER, ["D"]),
    }
    for key, (role, areas) in roles.items():
        w.users[key] = services.user_create(username=key, password="pw-" + key, role=role,
                                            areas=[w.areas[a] for a in areas], name=key.title())
    root = w.users["root"] = User.objects.create_superuser("root", password="pw-root")

    for key, (x, y, cat) in {"bA": (102.705, 25.01, "residential"), "bB": (102.72, 25.01, "residential"),
                             "bF": (102.74, 25.02, "hospital")}.items():
        w.buildings[key] = assets_services.building_create(
            actor=root, name=f"楼{key}", address=f"盘龙路{key}号", footprint=building_in(x, y),
            floors=6, category=cat)
    for key, building in (("hA", "bA"), ("hB", "bB"), ("hF", "bF")):
        w.houses[key] = assets_services.house_create(actor=root, building=w.buildings[building],
                                                     unit=1, floor=3, room="302", use="self_occupied")
    alone = PersonTag.objects.get(code="living_alone")
    disabled = PersonTag.objects.get(code="disabled")
    for key, (house, digits, phone, tags) in {
        "pA": ("hA", "53010319450312001", "13800001111", [alone, disabled]),
        "pB": ("hB", "53010319800101002", "13900002222", []),
        "pF": ("hF", "53010319900505003", "13700003333", []),
    }.items():
        w.people[key] = assets_services.person_create(
            actor=root, house=w.houses[house], relation="owner", moved_in=dt.date(2020, 1, 1), tags=tags,
            name=f"居民{key}", id_number=id_number(digits), phone=phone, ethnicity="汉族")
    return w


# --------------------------------------------------------------------------- browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 # WebGL (MapLibre) on the CPU
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class Page:
    """A Playwright page that records every URL it requests."""

    page: object
    requests: list[str]

    def outside(self, base_url: str) -> list[str]:
        return [u for u in self.requests if not u.startswith((base_url, "data:", "blob:"))]


@pytest.fixture
def browser_page(chromium, request):
    viewport = getattr(request, "param", {"width": 1280, "height": 800})
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    yield Page(page, requests)
    context.close()


@pytest.fixture
def asgi_server(transactional_db, settings):
    """The web server as `make run` starts it (uvicorn, the ASGI app, the Procfile's
    options) in a subprocess, on a free port, against the test database."""
    import socket
    import subprocess
    import sys
    import time

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**subprocess_env(), "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--lifespan", "off", "--no-access-log"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        if server.poll() is not None:
            raise RuntimeError(server.stdout.read().decode())
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=10)


# --------------------------------------------------------------------------- elderly-care terminals

@dataclass
class Elders:
    """Terminals of the world's three people, one per protocol, each with a 300 m safe
    zone round their home and an emergency contact."""

    terminals: dict[str, Terminal]  # by person key: pA (3G watch), pB (native), pF (OwnTracks)
    password: str = "device-secret"

    def home(self, key: str) -> tuple[float, float]:
        center = self.terminals[key].person.safe_zone.center
        return center.x, center.y


@pytest.fixture
def elders(world) -> Elders:
    from django.db import connection

    from iot import services as iot_services
    from iot.models import Protocol

    with connection.cursor() as cursor:  # unmanaged (partitioned): the flush of browser tests leaves it
        cursor.execute("TRUNCATE iot_position")
    root = world.users["root"]
    terminals = {}
    for key, device_id, protocol in (("pA", "860000000000001", Protocol.WATCH3G), ("pB", "nat-b", Protocol.NATIVE),
                                     ("pF", "phone-f", Protocol.OWNTRACKS)):
        person = world.people[key]
        terminals[key] = iot_services.terminal_register(
            actor=root, device_id=device_id, protocol=protocol, person=person, model="test", password="device-secret")
        iot_services.safe_zone_set(actor=root, person=person, radius_m=300)
        iot_services.emergency_contact_add(actor=root, person=person, name=f"家属{key}", relation="女儿",
                                           phone="1360000" + {"pA": "1001", "pB": "2002", "pF": "3003"}[key])
    return Elders(terminals)


@pytest.fixture
def ingester(transactional_db):
    """A running ingester for one test (it sees what the test's fixtures committed)."""
    process = IngesterProcess().start()
    yield process
    process.stop()


@pytest.fixture(autouse=True)
def embedded_broker_up():
    """Debian 12's Mosquitto 2.0.11 has now and then crashed (a general protection fault)
    while ending a test ingester's persistent session with a shared subscription. A later
    test must not fail for that: the embedded broker is started again, with a warning."""
    import os
    import warnings

    from devstack import embedded

    if not os.environ.get("MQTT_URL") and embedded.SERVICES_FILE.exists() and embedded.mqtt_pid() is None:
        warnings.warn("the embedded Mosquitto had stopped; starting it again", stacklevel=1)
        state = embedded.load_state()
        embedded.mqtt_up(state)
        embedded.save_state(state)
    yield


@pytest.fixture(scope="session", autouse=True)
def broker_credentials_kept():
    """Tests that register terminals rewrite the broker's credentials (iot.broker); the
    developer's own are put back at the end."""
    from pathlib import Path

    from django.conf import settings

    from iot.broker import _reload, _replace

    home = Path(settings.IOT_BROKER_DIR) if settings.IOT_BROKER_DIR else None
    saved = {name: (home / name).read_text() for name in ("passwd", "acl") if home and (home / name).exists()}
    yield
    for name, text in saved.items():
        _replace(home / name, text)
    if saved:
        _reload(home / "mosquitto.pid")


# --------------------------------------------------------------------------- incidents and cases

@dataclass
class Desk:
    """The world with the handler in the sanitation and municipal departments, and helpers
    to report a case and take actions through the API (as the pages do)."""

    world: World

    def report(self, user: str = "leader_a", *, category: str = "garbage", at=IN_A, **extra) -> dict:
        body = {"category": category, "description": "垃圾堆放在楼下", "lon": at[0], "lat": at[1], **extra}
        if user == "community":
            body.setdefault("reporter_name", "张三")
            body.setdefault("reporter_phone", "13811112222")
        response = self.world.client(user).post("/api/v1/cases/", body, format="json")
        assert response.status_code == 201, response.json()
        return response.json()

    def act(self, user: str, case: dict, action: str, *, expect: int = 200, **fields):
        case_id = case["id"] if "id" in case else case["properties"]["id"]
        version = fields.pop("version", None) or self.version(case_id)
        response = self.world.client(user).post(f"/api/v1/cases/{case_id}/act/",
                                                {"action": action, "version": version, **fields}, format="json")
        assert response.status_code == expect, (action, response.status_code, response.json())
        return response.json()

    def version(self, case_id: int) -> int:
        from incidents.models import Case

        return Case.objects.get(pk=case_id).version

    def advance(self, case: dict, until: str) -> dict:
        """Take the case along the main path until it is ``until``."""
        path = [("dispatcher", "file", {}), ("dispatcher", "dispatch", {}), ("handler", "accept", {}),
                ("handler", "report_back", {"note": "已清运"}), ("dispatcher", "close", {}),
                ("dispatcher", "evaluate", {"rating": 5}), ("admin", "archive", {})]
        targets = ["filed", "dispatched", "handling", "reported_back", "closed", "evaluated", "archived"]
        if until == "collected":
            return case
        for (user, action, fields), target in zip(path, targets):
            case = self.act(user, case, action, **fields)
            if target == until:
                return case
        raise AssertionError(until)


@pytest.fixture
def desk(world) -> Desk:
    handler = world.users["handler"]
    for code in ("sanitation", "municipal"):
        Department.objects.get(code=code).members.add(handler)
    return Desk(world)
