"""The site's pages and the roles that use them, for the tests that visit every page
(tests/test_security_headers.py over HTTP, tests/test_pages_csp.py in the browser).

``PAGES`` names every URL of the page modules (*/page_urls.py) and of config/urls.py that
answers with a page; ``NOT_PAGES`` the others (downloads, streams). A new URL in none of
the two fails test_every_page_url_is_listed: add it where it belongs.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.fixtures.world import World


@dataclass(frozen=True)
class SitePage:
    name: str                          # URL name (admin pages: "admin:…")
    path: Callable[[World], str]
    roles: tuple[str | None, ...]      # world users that use it; None: signed out
    map: bool = False                  # a MapLibre map page (tiles/map_page.html)


PAGES = [
    SitePage("home", lambda w: "/", ("leader_a", None)),
    SitePage("imports", lambda w: "/imports/", ("admin",)),
    SitePage("quality", lambda w: "/quality/", ("street",)),
    SitePage("my-cell", lambda w: "/my-cell/", ("leader_a", "community"), map=True),
    SitePage("building-page", lambda w: f"/my-cell/buildings/{w.buildings['bA'].pk}/", ("leader_a",)),
    SitePage("person-page", lambda w: f"/my-cell/people/{w.people['pA'].pk}/", ("leader_a",)),
    SitePage("official-console", lambda w: "/console/official/", ("street", "admin"), map=True),
    SitePage("area-report", lambda w: f"/reports/areas/{w.areas['S1'].pk}/", ("street",)),
    SitePage("case-report", lambda w: "/cases/report/", ("leader_a", "community"), map=True),
    SitePage("my-cases", lambda w: "/cases/mine/", ("leader_a",)),
    SitePage("case-desk", lambda w: "/console/cases/", ("dispatcher", "handler"), map=True),
    SitePage("track", lambda w: "/track/", (None,)),
    SitePage("dispatch-console", lambda w: "/console/dispatch/", ("dispatcher",), map=True),
    SitePage("admin:index", lambda w: "/admin/", ("admin",)),
    SitePage("admin:assets_building_change", lambda w: f"/admin/assets/building/{w.buildings['bA'].pk}/change/",
             ("leader_a",)),
    SitePage("api-docs", lambda w: "/api/docs/", ("admin",)),
    SitePage("inbox", lambda w: "/inbox/", ("leader_a",)),
    SitePage("not-found", lambda w: "/no-such-page/", (None,)),
]

# URLs of the page modules that answer with something other than a page.
NOT_PAGES = {
    "import-issues",   # the CSV of an import's rejected rows
    "alert-stream",    # Server-Sent Events
    "set_language",    # a redirect (django.conf.urls.i18n)
    "api-schema",      # the OpenAPI document
    "signin-code",     # steps of a sign-in in progress: without one they redirect to the login
    "signin-enrol",    # (tests/test_signin_otp.py drives them, in the browser too)
    "oidc_authentication_init",      # redirects to the identity provider
    "oidc_authentication_callback",  # the provider's redirect back
}
