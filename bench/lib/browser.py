"""Headless Chromium (Debian's) through Playwright's sync API, in a way that cannot hang a
benchmark.

A sync API call cannot be given a timeout from outside, so a watchdog thread bounds them
all: when the session outlives its ``limit``, or closing it takes longer than
``close_timeout``, the watchdog kills the browser and Playwright's driver (SIGKILL), and
the call in progress fails. Closing goes page → context → browser → driver.

The driver and the browser keep their temporary files (profile, artifacts) in a directory
of the session's, removed at the end even when they were killed.

Playwright starts Chromium detached (in a session and process group of its own), so
killing what descends from the driver is not enough once the driver is gone: the browser's
process groups, noted at launch, are killed whole too.

Start every child process that forks (multiprocessing) *before* the browser: a process
forked while Playwright's driver runs inherits the pipe to the driver, which then never
sees it close and never exits — this is how bench/sos_latency.py once hung for a quarter
of an hour after printing its result.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from typing import Self

from bench.lib.processes import children, descendants, groups_kill, kill

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--use-angle=swiftshader", "--enable-unsafe-swiftshader"]  # WebGL (MapLibre) on the CPU


def session_cookie(user, base_url: str) -> dict:
    """A session cookie signing the browser in as ``user``, stored in the database (so that
    a server in another process accepts it). Make it before the browser starts: Django's
    ORM refuses to run inside Playwright's event loop."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return {"name": name, "value": client.cookies[name].value, "url": base_url}


class Chromium:
    """``with Chromium(limit=…) as chromium: context, page = chromium.page(…)``."""

    def __init__(self, *, limit: float, close_timeout: float = 30.0) -> None:
        from playwright.sync_api import sync_playwright

        self.close_timeout = close_timeout
        self._opened: list = []  # pages and contexts, to close in reverse order
        self._killed = threading.Event()
        self._tmp = tempfile.mkdtemp(prefix="bench-browser-")
        before, tmpdir = set(children(os.getpid())), os.environ.get("TMPDIR")
        os.environ["TMPDIR"] = self._tmp  # the driver's, and so the browser's
        try:
            self._playwright = sync_playwright().start()
        except BaseException:
            shutil.rmtree(self._tmp, ignore_errors=True)
            raise
        finally:
            if tmpdir is None:
                del os.environ["TMPDIR"]
            else:
                os.environ["TMPDIR"] = tmpdir
        self._driver = [pid for pid in children(os.getpid()) if pid not in before]
        self._watchdog = self._arm(limit, f"the browser session took longer than {limit:.0f} s")
        self.browser = None
        self._groups: set[int] = set()  # process groups of the browser (Playwright starts it detached)
        try:
            self.browser = self._playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                                            args=CHROMIUM_ARGS)
        except BaseException:
            self.close()
            raise
        self._groups = {pid for pid in self._tree() if _group_leader(pid)}

    def page(self, **context_options):
        """A new context (``context_options``: viewport, locale …) and a page in it."""
        context = self.browser.new_context(**context_options)
        self._opened.append(context)
        page = context.new_page()
        self._opened.append(page)
        return context, page

    def _arm(self, seconds: float, why: str) -> threading.Timer:
        timer = threading.Timer(seconds, self._kill, (why,))
        timer.daemon = True
        timer.start()
        return timer

    def _tree(self) -> list[int]:
        return [pid for driver in self._driver for pid in (driver, *descendants(driver))]

    def _kill(self, why: str) -> None:
        if not self._killed.is_set():
            self._killed.set()
            print(f"{why}: killing the browser and Playwright's driver", flush=True)
        groups_kill(self._groups)
        kill(self._tree()[::-1])

    def close(self) -> None:
        """Close everything, within ``close_timeout`` seconds; what is left then is killed."""
        self._watchdog.cancel()
        timer = self._arm(self.close_timeout, f"closing the browser took longer than {self.close_timeout:.0f} s")
        left = self._tree()
        try:
            for closable in [*self._opened[::-1], *([self.browser] if self.browser else [])]:
                try:
                    closable.close()
                except Exception as exc:  # noqa: BLE001 — whatever it is, the browser went away or was killed
                    print(f"closing the browser: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
                    break
            left = self._tree()
            try:
                self._playwright.stop()
            except Exception as exc:  # noqa: BLE001 — the driver went away or was killed
                print(f"stopping Playwright: {type(exc).__name__}: {str(exc)[:200]}", flush=True)
        finally:
            timer.cancel()
        kill(left)  # normally gone already
        groups_kill(self._groups)
        shutil.rmtree(self._tmp, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _group_leader(pid: int) -> bool:
    try:
        return os.getpgid(pid) == pid
    except ProcessLookupError:
        return False
