"""The grids app's pages (its API is in grids/api_urls.py)."""
from django.urls import path

from grids import pages

urlpatterns = [
    path("my-cell/", pages.my_cell, name="my-cell"),
    path("my-cell/buildings/<int:pk>/", pages.building_page, name="building-page"),
    path("my-cell/people/<int:pk>/", pages.person_page, name="person-page"),
    path("console/official/", pages.official_console, name="official-console"),
    path("reports/areas/<int:pk>/", pages.area_report, name="area-report"),
]
