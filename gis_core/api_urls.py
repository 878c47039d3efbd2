"""The core's API under /api/v1/: the signed-in user, areas, the access log,
imports, and the exports of every registered list."""
from django.urls import include, path
from rest_framework.routers import SimpleRouter

from gis_core import views

router = SimpleRouter()
router.register("areas", views.AreaViewSet)
router.register("access-log", views.PersonalDataAccessViewSet)

urlpatterns = [
    path("me/", views.MeView.as_view(), name="api-me"),
    path("imports/", include("gis_core.importing.api_urls")),
    *router.urls,
]
