from django.urls import path
from rest_framework.routers import SimpleRouter

from services import appointment_views, views

router = SimpleRouter()
router.register("service-items", views.ServiceItemViewSet, basename="service-item")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("application-followups", views.FollowUpViewSet, basename="application-followup")
router.register("service-centres", appointment_views.ServiceCentreViewSet, basename="service-centre")
router.register("appointments", appointment_views.AppointmentViewSet, basename="appointment")

urlpatterns = [
    path("service-ratings/", views.PublicRatingView.as_view(), name="service-rating"),
    path("track/applications/<str:number>/", views.PublicApplicationTrackView.as_view(), name="application-track"),
    *router.urls,
    path("booking/slots/", appointment_views.PublicSlotsView.as_view(), name="booking-slots"),
    path("booking/", appointment_views.PublicBookingView.as_view(), name="booking"),
]
