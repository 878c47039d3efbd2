"""The core's API under /api/v1/: tokens, the signed-in user, areas, the access log,
imports, and the exports of every registered list."""
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
]
