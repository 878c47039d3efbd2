from rest_framework.routers import SimpleRouter

from notify.views import InboxViewSet, NotificationViewSet

router = SimpleRouter()
router.register("notifications", NotificationViewSet, basename="notification")
router.register("inbox", InboxViewSet, basename="inbox")
urlpatterns = router.urls
