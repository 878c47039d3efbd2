from django.urls import path

from tiles import views

urlpatterns = [
    path("", views.index, name="tiles-index"),
    path("<str:layer>.json", views.tilejson, name="tilejson"),
    path("<str:layer>/<int:z>/<int:x>/<int:y>.pbf", views.tile, name="tile"),
]
