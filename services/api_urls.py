from rest_framework.routers import SimpleRouter

from services import views

router = SimpleRouter()
router.register("service-items", views.ServiceItemViewSet, basename="service-item")
router.register("applications", views.ApplicationViewSet, basename="application")

urlpatterns = router.urls
