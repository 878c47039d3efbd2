"""The site's URLs: every app's pages (``page_urls.py``), the API under /api/v1/ (each
app's ``api_urls.py``, see api_urls.py), tiles, the admin, the OpenAPI schema."""
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from gis_core.health import health
from ogc import views as ogc_views
from signin.pages import SignInView

urlpatterns = [
    path("healthz", health, name="health"),
    path("", include("gis_core.page_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's login (LOGIN_URL of every page) with the second factor, before the admin.
    path("admin/login/", SignInView.as_view()),
    path("admin/", admin.site.urls),
    path("", include("signin.page_urls")),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its start-up script served apart (?script): no inline code (CSP).
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="gis_core/swagger_ui.html"),
         name="api-docs"),
    path("tiles/", include("tiles.urls")),
    path("", include("grids.page_urls")),
    path("", include("assets.page_urls")),
    path("", include("iot.page_urls")),
    path("", include("incidents.page_urls")),
    path("", include("services.page_urls")),
    path("", include("notify.page_urls")),
    path("", include("portal.page_urls")),
    path("", include("notices.page_urls")),
    path("open311/v2/", include("incidents.open311_urls")),
    path("ogc", ogc_views.LandingView.as_view()),  # clients given the base URL without its slash
    path("ogc/", include("ogc.urls")),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Errors in the site's frame (JSON for API clients).
handler400 = "gis_core.errors.bad_request"
handler403 = "gis_core.errors.permission_denied"
handler404 = "gis_core.errors.page_not_found"
handler500 = "gis_core.errors.server_error"
