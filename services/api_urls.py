from django.urls import path
from rest_framework.routers import SimpleRouter

from services import views

router = SimpleRouter()
router.register("service-items", views.ServiceItemViewSet, basename="service-item")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("application-followups", views.FollowUpViewSet, basename="application-followup")

urlpatterns = [
    path("service-ratings/", views.PublicRatingView.as_view(), name="service-rating"),
    *router.urls,
]
