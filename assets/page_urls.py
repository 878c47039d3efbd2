"""The assets app's pages (its API is in assets/api_urls.py)."""
from django.urls import path

from assets import pages

urlpatterns = [path("quality/", pages.quality_page, name="quality")]
