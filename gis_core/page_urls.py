"""The core's pages: home, and the import page (its API is in gis_core/api_urls.py)."""
from django.urls import include, path

from gis_core import pages

urlpatterns = [
    path("", pages.home, name="home"),
    path("imports/", include("gis_core.importing.page_urls")),
]
