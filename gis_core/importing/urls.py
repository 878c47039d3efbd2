"""/imports/: the upload page and the download of an import's rejected rows."""
from django.urls import path

from gis_core.importing import views

urlpatterns = [
    path("", views.imports_page, name="imports"),
    path("issues/<str:token>.csv", views.import_issues, name="import-issues"),
]
