"""The core's pages: the home page (the pages every app registered, gis_core.navigation)."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from gis_core.navigation import all_pages
from gis_core.roles import ROLE_HELP


def home(request):
    """Landing page: the platform's pages and the roles."""
    return render(request, "gis_core/home.html",
                  {"pages": all_pages(), "roles": ROLE_HELP, "basemap": settings.BASEMAP_URL})
