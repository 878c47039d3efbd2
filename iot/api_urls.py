from rest_framework.routers import SimpleRouter

from iot import views

router = SimpleRouter()
router.register("alerts", views.AlertViewSet)
router.register("terminals", views.TerminalViewSet)
router.register("ingest/quarantine", views.QuarantineViewSet)

urlpatterns = router.urls
