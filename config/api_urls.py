"""/api/v1/: every app's endpoints, the OpenAPI schema and its Swagger UI."""
from django.urls import include, path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from gis_core import views

router = SimpleRouter()
router.register("areas", views.AreaViewSet)
router.register("access-log", views.PersonalDataAccessViewSet)

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("me/", views.MeView.as_view(), name="api-me"),
    path("imports/", include("gis_core.importing.api_urls")),
    *router.urls,
    path("", include("grids.urls")),
    path("", include("assets.urls")),
    path("", include("tiles.api_urls")),
    path("", include("iot.urls")),
    path("", include("incidents.urls")),
    path("", include("gis_core.exporting.urls")),
    path("", include("assets.quality_urls")),
]
