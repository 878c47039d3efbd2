from django.urls import path
from rest_framework.routers import SimpleRouter

from assets import views

router = SimpleRouter()
router.register("buildings", views.BuildingViewSet)
router.register("houses", views.HouseViewSet)
router.register("people", views.PersonViewSet)
router.register("residences", views.ResidenceViewSet)
router.register("organizations", views.OrganizationViewSet)
router.register("key-sites", views.KeySiteViewSet)
router.register("person-tags", views.PersonTagViewSet)
router.register("key-site-categories", views.KeySiteCategoryViewSet)
urlpatterns = [
    *router.urls,
    path("quality/", views.QualityView.as_view(), name="api-quality"),
    path("quality/duplicates/", views.DuplicatesView.as_view(), name="api-quality-duplicates"),
]
