"""The core's pages: home, the import page (its API is in gis_core/api_urls.py), and the
OpenID Connect sign-in (404 unless configured; the names are mozilla-django-oidc's)."""
from django.urls import include, path

from gis_core import identity_oidc, pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("favicon.ico", pages.favicon, name="favicon"),  # browsers ask for it where a page names none
    path("imports/", include("gis_core.importing.page_urls")),
    path("oidc/authenticate/", identity_oidc.AuthenticationRequestView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", identity_oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
]
