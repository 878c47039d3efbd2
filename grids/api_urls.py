from django.urls import path
from rest_framework.routers import SimpleRouter

from grids import views

router = SimpleRouter()
router.register("cells", views.GridCellViewSet, basename="gridcell")
router.register("visits", views.VisitViewSet, basename="visit")
urlpatterns = [
    *router.urls,
    path("area-stats/<int:pk>/", views.AreaStatsView.as_view(), name="area-stats"),
    path("my-tasks/", views.MyTasksView.as_view(), name="my-tasks"),
]
