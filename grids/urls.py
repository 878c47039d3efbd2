from django.urls import path
from rest_framework.routers import SimpleRouter

from grids import views

router = SimpleRouter()
router.register("cells", views.GridCellViewSet, basename="gridcell")
urlpatterns = [
    *router.urls,
    path("area-stats/<int:pk>/", views.AreaStatsView.as_view(), name="area-stats"),
]
