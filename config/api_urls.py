"""/api/v1/: every app's API (each app's ``api_urls.py``), then the list exports, which
the apps registered (gis_core.exporting)."""
from django.urls import include, path

urlpatterns = [
    path("", include("signin.api_urls")),
    path("", include("gis_core.api_urls")),
    path("", include("grids.api_urls")),
    path("", include("assets.api_urls")),
    path("", include("tiles.api_urls")),
    path("", include("iot.api_urls")),
    path("", include("incidents.api_urls")),
    path("", include("services.api_urls")),
    path("", include("notify.api_urls")),
    path("", include("portal.api_urls")),
    path("", include("notices.api_urls")),
    path("", include("gis_core.exporting.urls")),
]
