"""The nginx site of docs/deploy/nginx/grid.conf, run as written, in front of two web
processes (two nodes of the upstream): TLS and the redirect to it, the health check over
plain HTTP, static files from disk, the upload limit, and live events that reach a console
whichever node it is connected to — through the proxy, unbuffered."""
from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.fixtures.browser import web_process
from tests.helpers import alert_event_next, alert_stream_open
from tests.test_alert_lifecycle import raise_alert

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "docs" / "deploy" / "nginx" / "grid.conf"
BEHIND_PROXY = {"SECURE_TLS": "1", "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto", "TRUSTED_PROXIES": "1"}

pytestmark = [pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx (Debian nginx-light) is not installed"),
              pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _site(tmp: Path, nodes: list[str], http: int, https: int) -> str:
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(tmp / "key.pem"),
                    "-out", str(tmp / "cert.pem")], check=True, capture_output=True)
    values = {"@WEB_NODES@": " ".join(f"server {node.removeprefix('http://')};" for node in nodes),
              "@HTTP_PORT@": str(http), "@HTTPS_PORT@": str(https), "@SERVER_NAME@": "localhost",
              "@TLS_CERT@": str(tmp / "cert.pem"), "@TLS_KEY@": str(tmp / "key.pem"), "@ROOT@": str(ROOT)}
    site = SITE.read_text()
    for placeholder, value in values.items():
        site = site.replace(placeholder, value)
    assert "@" not in "".join(line.split("#")[0] for line in site.splitlines()), "a placeholder is left"
    return site


@pytest.fixture(scope="module")
def proxy(django_db_setup, tmp_path_factory):
    """(https URL, http URL, the two nodes' URLs) with nginx running the site (once for
    the module: the servers outlive each test's database flush)."""
    tmp_path = tmp_path_factory.mktemp("nginx")
    with web_process(**BEHIND_PROXY) as one, web_process(**BEHIND_PROXY) as two:
        http, https = _free_port(), _free_port()
        (tmp_path / "site.conf").write_text(_site(tmp_path, [one, two], http, https))
        user = "user root root;" if os.geteuid() == 0 else ""  # the workers read the checkout's files
        temp = " ".join(f"{kind}_temp_path {tmp_path}/{kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                             "uwsgi", "scgi"))
        (tmp_path / "nginx.conf").write_text(
            f"{user} worker_processes 1; daemon off; pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
            f"events {{}}\nhttp {{ include /etc/nginx/mime.types; access_log off; {temp}\n"
            f"include {tmp_path}/site.conf; }}\n")
        check = subprocess.run(["nginx", "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        server = subprocess.Popen(["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while socket.socket().connect_ex(("127.0.0.1", https)) != 0:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.05)
            # urllib (here and in alert_stream_open) trusts the site's certificate
            trusted = os.environ.get("SSL_CERT_FILE")
            os.environ["SSL_CERT_FILE"] = str(tmp_path / "cert.pem")
            yield f"https://localhost:{https}", f"http://localhost:{http}", (one, two)
        finally:
            os.environ.pop("SSL_CERT_FILE")
            if trusted is not None:
                os.environ["SSL_CERT_FILE"] = trusted
            server.terminate()
            server.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, *, data: bytes | None = None, headers: dict | None = None):
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context()))
    try:
        return opener.open(urllib.request.Request(url, data=data, headers=headers or {}), timeout=30)
    except urllib.error.HTTPError as exc:
        return exc


def test_tls_the_redirect_and_the_health_check(proxy):
    https, http, _ = proxy
    assert fetch(f"{https}/healthz").status == 200
    assert fetch(f"{http}/healthz").status == 200          # the load balancer's check over HTTP
    moved = fetch(f"{http}/portal/")
    assert moved.status == 301 and moved.headers["Location"] == f"{https.rsplit(':', 1)[0]}/portal/"
    page = fetch(f"{https}/portal/")
    assert page.status == 200 and "Strict-Transport-Security" in page.headers


def test_static_files_come_from_disk_compressed_and_revalidated(proxy):
    https, _, _ = proxy
    css = fetch(f"{https}/static/gis_core/base.css", headers={"Accept-Encoding": "gzip"})
    assert css.status == 200
    assert css.headers["Content-Encoding"] == "gzip" and css.headers["Cache-Control"] == "no-cache"
    assert css.headers["ETag"]


def test_an_upload_over_the_limit_is_refused_by_the_proxy(proxy):
    https, _, _ = proxy
    assert fetch(f"{https}/api/v1/cases/", data=b"x" * (26 * 2**20)).status == 413


def test_live_events_reach_consoles_on_every_node_and_through_the_proxy(proxy, world, elders):
    https, _, nodes = proxy
    dispatcher = world.users["dispatcher"]
    # a node as the proxy speaks to it, and the proxy ("connected" arriving = not buffered)
    streams = [*(alert_stream_open(node, dispatcher, headers={"X-Forwarded-Proto": "https"}) for node in nodes),
               alert_stream_open(https, dispatcher)]
    try:
        alert = raise_alert(elders, "pB")
        for _, events in streams:
            assert alert_event_next(events, id=alert.pk)["action"] == "raised"
    finally:
        for close, _ in streams:
            close()
