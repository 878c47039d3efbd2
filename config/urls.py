from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from gis_core import views
from iot import views as iot_views
from iot.live import alert_stream

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("tiles/", include("tiles.urls")),
    path("console/", include("grids.console_urls")),
    path("console/dispatch/", iot_views.dispatch_console, name="dispatch-console"),
    path("live/alerts/", alert_stream, name="alert-stream"),
    path("", include("incidents.page_urls")),
    path("", include("assets.quality_page_urls")),
    path("", include("grids.page_urls")),
    path("reports/", include("tiles.report_urls")),
    path("imports/", include("gis_core.importing.urls")),
    path("open311/v2/", include("incidents.open311_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
