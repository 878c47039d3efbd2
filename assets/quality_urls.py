"""Data quality API (assets.quality_views)."""
from django.urls import path

from assets import quality_views

urlpatterns = [
    path("quality/", quality_views.QualityView.as_view(), name="api-quality"),
    path("quality/duplicates/", quality_views.DuplicatesView.as_view(), name="api-quality-duplicates"),
]
