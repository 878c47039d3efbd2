from django.urls import include, path

from tiles import views
from tiles.heat_views import heat_urlpatterns

urlpatterns = [
    path("", views.index, name="tiles-index"),
    path("heat/", include(heat_urlpatterns)),
    path("<str:layer>.json", views.tilejson, name="tilejson"),
    path("<str:layer>/<int:z>/<int:x>/<int:y>.pbf", views.tile, name="tile"),
]
