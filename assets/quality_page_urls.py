"""The data quality page (the API is in assets/quality_urls.py)."""
from django.urls import path

from assets import quality_views

urlpatterns = [path("quality/", quality_views.quality_page, name="quality")]
