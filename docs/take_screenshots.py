"""Screenshots of each demo role's main page at a phone's, a 10-inch tablet's and a
desktop's size, into docs/screenshots/<role>-<size>.png with an index (README.md there).

    make screenshots        (or: .venv/bin/python docs/take_screenshots.py)

Runs by itself and ends by itself: loads the demo district when the database is empty
(`manage.py seed_demo --if-empty`), starts its own web server (uvicorn, as `make run`) on a
free port, signs each demo login in (a session made here, so no second factor is typed),
opens `/` — which takes the role to its workspace — waits (bounded) for the page and its
map, saves the screen, then closes the browser and stops the server.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
SIZES = {  # name: (width, height, phone)
    "phone": (390, 844, True),
    "tablet": (1280, 800, False),
    "desktop": (1440, 900, False),
}
# The demo logins (demo/__init__.py DEMO_USERS) and the page each works in: where `/`
# sends them (the district admin's workspace is the home of cards).
ROLES = {
    "admin": ("admin", "/"),
    "street-official": ("street", "/console/official/"),
    "community-worker": ("community", "/cases/report/"),
    "grid-leader": ("gridleader", "/my-cell/"),
    "dispatcher": ("dispatcher", "/console/dispatch/"),
    "department-handler": ("handler", "/console/cases/"),
}
LABELS = {"admin": "district administrator (区管理员)", "street-official": "street official (街道领导)",
          "community-worker": "community worker, desk (社区工作人员)", "grid-leader": "grid leader (网格长)",
          "dispatcher": "dispatcher (调度员)", "department-handler": "department handler (职能部门)"}
SERVER_START_SECONDS = 60
PAGE_SECONDS = 30


def say(message: str) -> None:
    print(f"[screenshots] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    import tempfile

    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "PYTHONUNBUFFERED": "1"}
    log = tempfile.TemporaryFile()  # not a pipe: a full pipe would stall the server
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "config.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--lifespan", "off", "--no-access-log"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return server
        if server.poll() is not None:
            log.seek(0)
            raise RuntimeError("the web server did not start:\n" + log.read().decode(errors="replace"))
        time.sleep(0.2)
    server.kill()
    raise RuntimeError(f"the web server did not answer within {SERVER_START_SECONDS} s")


def session_cookie(username: str) -> dict:
    """A signed-in session of the demo login, stored in the database the server reads."""
    from django.conf import settings
    from django.test import Client

    from gis_core.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}


def settle(page) -> None:
    """Wait, within bounds, for the page's first requests and its map to be drawn."""
    page.wait_for_load_state("load", timeout=PAGE_SECONDS * 1000)
    if page.locator("#map").count():
        try:
            page.wait_for_function("() => window.GridMap && GridMap.ready", timeout=PAGE_SECONDS * 1000)
            page.evaluate("GridMap.ready.then((g) => { window.__map = g.map; })")
            page.wait_for_function("() => window.__map && __map.loaded() && __map.areTilesLoaded()"
                                   " && !__map.isMoving()", timeout=PAGE_SECONDS * 1000)
        except Exception as error:  # noqa: BLE001 — a screenshot of a half-drawn map still helps
            say(f"  map not idle ({type(error).__name__}); taking it as it is")
    try:
        page.wait_for_load_state("networkidle", timeout=5000)
    except Exception:  # noqa: BLE001 — a live stream keeps the network busy
        pass


def write_index(taken: set[tuple[str, str]]) -> None:
    lines = ["# Screenshots", "",
             "Each demo role's main page (where `/` takes it) in Chinese, at a phone's (390×844), a 10-inch",
             "tablet's (1280×800) and a desktop's (1440×900) size, on the demo district. Regenerate with",
             "`make screenshots` (docs/take_screenshots.py).", "",
             "| role | page | " + " | ".join(SIZES) + " |", "| --- | --- | " + " | ".join("---" for _ in SIZES) + " |"]
    for role, (_, path) in ROLES.items():
        cells = [f"[![{role} {size}]({role}-{size}.png)]({role}-{size}.png)"
                 if (role, size) in taken else "—" for size in SIZES]
        lines.append(f"| {LABELS[role]} | `{path}` | " + " | ".join(cells) + " |")
    (OUT / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    say("loading the demo district if the database is empty (the first time takes a few minutes)")
    subprocess.run([sys.executable, "manage.py", "seed_demo", "--if-empty", "--no-progress"], cwd=ROOT, check=True)

    import django

    django.setup()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop in this thread
    from playwright.sync_api import sync_playwright

    from tests.fixtures.browser import CHROMIUM, CHROMIUM_ARGS

    OUT.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    say(f"starting the web server on {base}")
    server = start_server(port)
    taken: set[tuple[str, str]] = set()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                for role, (username, path) in ROLES.items():
                    cookie = session_cookie(username)
                    for size, (width, height, phone) in SIZES.items():
                        context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone,
                                                      has_touch=phone, locale="zh-CN", timezone_id="Asia/Shanghai")
                        try:
                            context.add_cookies([{**cookie, "url": base}])
                            page = context.new_page()
                            page.set_default_timeout(PAGE_SECONDS * 1000)
                            page.goto(base + "/")
                            if not page.url.startswith(base + path):  # `/` did not take the role there
                                say(f"  {role}: / stayed at {page.url.removeprefix(base)}; opening {path}")
                                page.goto(base + path)
                            settle(page)
                            target = OUT / f"{role}-{size}.png"
                            page.screenshot(path=target)
                            taken.add((role, size))
                            say(f"{target.relative_to(ROOT)}")
                        except Exception as error:  # noqa: BLE001 — one page failing leaves the others
                            say(f"  {role} {size} failed: {type(error).__name__}: {str(error).splitlines()[0]}")
                        finally:
                            context.close()
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        say("web server stopped")
    write_index(taken)
    say(f"{len(taken)} of {len(ROLES) * len(SIZES)} screenshots; index in {(OUT / 'README.md').relative_to(ROOT)}")
    return 0 if len(taken) == len(ROLES) * len(SIZES) else 1


if __name__ == "__main__":
    sys.exit(main())
