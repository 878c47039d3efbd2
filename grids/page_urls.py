"""The grid leader's workspace pages (the API is in grids/urls.py)."""
from django.urls import path

from grids import workspace

urlpatterns = [
    path("my-cell/", workspace.my_cell, name="my-cell"),
    path("my-cell/buildings/<int:pk>/", workspace.building_page, name="building-page"),
    path("my-cell/people/<int:pk>/", workspace.person_page, name="person-page"),
]
