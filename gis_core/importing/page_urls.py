"""/imports/: the upload page and the download of an import's rejected rows."""
from django.urls import path

from gis_core.importing import pages

urlpatterns = [
    path("", pages.imports_page, name="imports"),
    path("issues/<str:token>.csv", pages.import_issues, name="import-issues"),
]
