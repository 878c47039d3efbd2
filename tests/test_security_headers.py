"""Security headers: every page answers with a Content-Security-Policy that allows no
inline code ('unsafe-inline', 'unsafe-eval') and carries none but the nonced; the other
headers; and, served over TLS (SECURE_TLS=1), the redirect, HSTS and secure cookies.
The same pages in the browser, with no violation: tests/test_pages_csp.py."""
from __future__ import annotations

import importlib.util
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client, override_settings

from tests.site_pages import NOT_PAGES, PAGES

ROLE_PAGES = [(page, role) for page in PAGES for role in page.roles]


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


class InlineCode(HTMLParser):
    """What the policy refuses: event handler and style attributes, <script> and <style>
    elements with code in the page and not the response's nonce."""

    def __init__(self, nonce: str | None):
        super().__init__()
        self.nonce, self.refused = nonce, []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.refused += [f"<{tag} {name}=…>" for name, _value in attrs if name.startswith("on") or name == "style"]
        inline = (tag == "style" or tag == "script" and "src" not in attributes
                  and attributes.get("type") != "application/json")  # json_script: data, not code
        if inline and (self.nonce is None or attributes.get("nonce") != self.nonce):
            self.refused.append(f"<{tag}> without the nonce")


def page_get(world, page, role) -> Client:
    client = Client()
    if role:
        client.force_login(world.users[role])
    return client.get(page.path(world))


def test_every_page_url_is_listed():
    """The page modules' URLs (and config/urls.py's own) are all in tests/site_pages.py."""
    from django.urls import URLPattern

    from config import urls

    names = set()

    def walk(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                names.add(pattern.name)
            elif getattr(pattern.urlconf_module, "__name__", "").endswith(("page_urls", "conf.urls.i18n")):
                walk(pattern.url_patterns)

    walk(urls.urlpatterns)
    names.discard(None)  # media files (development)
    assert names == {p.name for p in PAGES if not p.name.startswith("admin:")} - {"not-found"} | NOT_PAGES


@pytest.mark.parametrize("page, role", ROLE_PAGES, ids=[f"{p.name}-{r}" for p, r in ROLE_PAGES])
def test_pages_allow_no_inline_code(world, page, role):
    response = page_get(world, page, role)
    assert response.status_code == (404 if page.name == "not-found" else 200)
    directives = csp_directives(response)
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header
    assert directives["default-src"] == ["'self'"] and directives["connect-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    nonces = [v[len("'nonce-"):-1] for v in directives["script-src"] if v.startswith("'nonce-")]
    parser = InlineCode(nonces[0] if nonces else None)
    parser.feed(response.content.decode())
    assert parser.refused == []


def test_only_pages_with_inline_code_get_a_nonce(world):
    """The nonce is sent only where a view used it: the area report (folium, Leaflet inline)."""
    report = page_get(world, next(p for p in PAGES if p.name == "area-report"), "street")
    assert any(v.startswith("'nonce-") for v in csp_directives(report)["script-src"])
    assert "L.map(" in report.content.decode()
    home = page_get(world, PAGES[0], "leader_a")
    assert csp_directives(home)["script-src"] == ["'self'"]


def test_the_api_console_script_is_a_file(world):
    client = world.client("admin")
    page = client.get("/api/docs/").content.decode()
    assert 'src="/api/docs/?script="' in page
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_other_headers(world):
    response = Client().get("/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy and "camera=()" in policy and "microphone=()" in policy


# --------------------------------------------------------------------------- settings from the environment

def settings_from_env(monkeypatch, **env) -> dict:
    """config/settings.py read afresh under ``env``."""
    for name in ("SECURE_TLS", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "BASEMAP_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("settings_under_test", settings.BASE_DIR / "config" / "settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in dir(module) if name.isupper()}


TLS_SETTINGS = ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS",
                "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_PROXY_SSL_HEADER")


def tls_overrides(loaded: dict) -> dict:
    return {name: loaded.get(name, getattr(settings, name)) for name in TLS_SETTINGS}


def test_plain_http_by_default(monkeypatch):
    loaded = settings_from_env(monkeypatch)
    assert not any(loaded.get(name) for name in TLS_SETTINGS)


def test_over_tls_http_is_redirected_hsts_is_sent_cookies_are_secure(world, monkeypatch):
    loaded = settings_from_env(monkeypatch, SECURE_TLS="1", SECURE_HSTS_SECONDS="600")
    with override_settings(**tls_overrides(loaded)):
        client = Client()
        redirect = client.get("/admin/login/")
        assert redirect.status_code == 301 and redirect["Location"] == "https://testserver/admin/login/"
        login_page = client.get("/admin/login/", secure=True)
        assert login_page.status_code == 200 and login_page["Strict-Transport-Security"] == "max-age=600"
        assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
        signed_in = client.post("/admin/login/", {"username": "admin", "password": "pw-admin", "next": "/admin/"},
                                secure=True)
        assert signed_in.status_code == 302
        assert client.cookies[settings.SESSION_COOKIE_NAME]["secure"] is True


def test_over_tls_behind_a_proxy(world, monkeypatch):
    loaded = settings_from_env(monkeypatch, SECURE_TLS="1", SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert loaded["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    with override_settings(**tls_overrides(loaded)):
        proxied = Client().get("/", HTTP_X_FORWARDED_PROTO="https")
        assert proxied.status_code == 200 and proxied["Strict-Transport-Security"] == "max-age=31536000"
        assert Client().get("/", HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_the_basemap_host_is_allowed(world, monkeypatch):
    loaded = settings_from_env(monkeypatch, BASEMAP_URL="https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}")
    with override_settings(CONTENT_SECURITY_POLICY=loaded["CONTENT_SECURITY_POLICY"]):
        directives = csp_directives(Client().get("/"))
    assert "https://*.tianditu.gov.cn" in directives["img-src"]
    assert "https://*.tianditu.gov.cn" in directives["connect-src"]  # MapLibre fetches raster tiles
