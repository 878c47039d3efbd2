"""POST /api/v1/imports/."""
from django.urls import path

from gis_core.importing import views

urlpatterns = [path("", views.ImportApiView.as_view(), name="api-imports")]
