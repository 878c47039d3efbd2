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


def _application(w: World) -> int:
    """An application of pA at community C1's desk (filed on first use)."""
    from services.models import Application, ServiceItem
    from services.services import application_file

    application = Application.objects.filter(person=w.people["pA"]).first()
    if application is None:
        application = application_file(actor=w.users["community"], item=ServiceItem.objects.get(code="senior_card"),
                                       person=w.people["pA"])
    return application.pk


def _catalogue_item(w: World) -> str:
    """The portal's page of an item of the default catalogue."""
    return "/portal/items/elderly_allowance/"


def _notice(w: World) -> int:
    """A published notice of community C1 to its residents and staff (made on first use)."""
    from notices.models import Notice
    from tests.fixtures.notices import notice_publish, warning_body

    notice = Notice.objects.filter(title="暴雨红色预警").first()
    return notice.pk if notice else notice_publish(w, warning_body(to_staff=True))["id"]


PAGES = [
    SitePage("home", lambda w: "/", ("admin", None)),  # the other roles are sent to their workspace
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
    SitePage("services-desk", lambda w: "/services/desk/", ("community", "handler")),
    SitePage("application-receipt", lambda w: f"/services/applications/{_application(w)}/receipt/", ("community",)),
    SitePage("application-notice", lambda w: f"/services/applications/{_application(w)}/notice/", ("community",)),
    SitePage("appointments-today", lambda w: "/services/appointments/", ("community", "street")),
    SitePage("services-metrics", lambda w: "/services/metrics/", ("street", "handler")),
    SitePage("services-rate", lambda w: "/services/rate/", (None,)),
    SitePage("portal-book", lambda w: "/portal/book/", (None,)),
    SitePage("portal-home", lambda w: "/portal/", (None,)),
    SitePage("portal-items", lambda w: "/portal/items/", (None,)),
    SitePage("portal-item", _catalogue_item, (None,)),
    SitePage("portal-track", lambda w: "/portal/track/", (None,)),
    # (its map has no data layers for the public: not checked as a map page that draws them)
    SitePage("portal-report", lambda w: "/portal/report/", (None,)),
    SitePage("portal-notices", lambda w: "/portal/notices/", (None,)),
    SitePage("portal-mine", lambda w: "/portal/mine/", (None,)),
    SitePage("admin:index", lambda w: "/admin/", ("admin",)),
    SitePage("admin:assets_building_change", lambda w: f"/admin/assets/building/{w.buildings['bA'].pk}/change/",
             ("leader_a",)),
    SitePage("api-docs", lambda w: "/api/docs/", ("admin",)),
    SitePage("inbox", lambda w: "/inbox/", ("leader_a",)),
    SitePage("notify-settings", lambda w: "/inbox/settings/", ("leader_a", "handler")),
    SitePage("notices", lambda w: "/notices/", ("community", "street")),
    SitePage("notice-page", lambda w: f"/notices/{_notice(w)}/", ("community", "street")),
    SitePage("notice-unread", lambda w: f"/notices/{_notice(w)}/unread/", ("community",)),
    SitePage("area-notices", lambda w: f"/notices/area/{_notice(w) and '530103001001'}/", (None,)),
    SitePage("notice-screen", lambda w: f"/screens/{_notice(w) and '530103001001001'}/", (None,)),
    SitePage("not-found", lambda w: "/no-such-page/", (None,)),
    SitePage("admin:login", lambda w: "/admin/login/", (None,)),
]

# URLs of the page modules that answer with something other than a page.
NOT_PAGES = {
    "import-issues",   # the CSV of an import's rejected rows
    "alert-stream",    # Server-Sent Events
    "set_language",    # a redirect (django.conf.urls.i18n)
    "signout",         # POST only, a redirect home
    "favicon",         # a redirect to the static icon
    "cap-atom",        # the Atom feed of CAP alerts (XML)
    "cap-alert",       # a CAP 1.2 alert (XML)
    "screen-worker",   # the noticeboard screens' service worker (a script)
    "api-schema",      # the OpenAPI document
    "health",          # /healthz: JSON for the load balancer (tests/test_health.py)
    "signin-code",     # steps of a sign-in in progress: without one they redirect to the login
    "signin-enrol",    # (tests/test_signin_otp.py drives them, in the browser too)
    "oidc_authentication_init",      # redirects to the identity provider
    "oidc_authentication_callback",  # the provider's redirect back
    "portal-map-index",     # the public report map's tile index (JSON)
    "notice-attach",        # POST only: a draft's attachment (tests/test_notice_attachments.py)
    "portal-mine-code",     # the resident's sign-in steps: POST only (tests/test_portal_mine.py)
    "portal-mine-signin",
    "portal-mine-signout",
}
