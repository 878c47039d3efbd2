from django.urls import path
from rest_framework.routers import SimpleRouter

from incidents import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")

urlpatterns = [
    path("case-categories/", views.CategoryList.as_view(), name="case-categories"),
    path("departments/", views.DepartmentList.as_view(), name="departments"),
    path("track/<str:number>/", views.PublicTrackView.as_view(), name="case-track"),
    *router.urls,
]
