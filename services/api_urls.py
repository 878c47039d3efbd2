from django.urls import path
from rest_framework.routers import SimpleRouter

from services import views

router = SimpleRouter()
router.register("service-items", views.ServiceItemViewSet, basename="service-item")
router.register("applications", views.ApplicationViewSet, basename="application")

urlpatterns = [
    path("track/applications/<str:number>/", views.PublicApplicationTrackView.as_view(), name="application-track"),
    *router.urls,
]
