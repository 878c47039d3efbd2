"""The core's pages: ``/`` (a role's workspace, the home page of the pages the user may
open, or the public entry — gis_core.navigation) and the favicon."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import cache_control

from gis_core.navigation import PUBLIC, pages_for, workspace_for
from gis_core.roles import ROLE_HELP


def home(request):
    """Signed in: the role's workspace, or (a role without one: the district's
    administrators) cards of every page the user may open. Signed out: the public entry,
    sign-in and the public pages."""
    user = request.user
    workspace = workspace_for(user)
    if workspace is not None:
        return redirect(reverse(workspace.url_name))
    pages = pages_for(user)
    if not user.is_authenticated:
        return render(request, "gis_core/home.html", {
            "public": True, "pages": [page for page in pages if page.may_open == PUBLIC]})
    return render(request, "gis_core/home.html",
                  {"pages": pages, "roles": ROLE_HELP, "basemap": settings.BASEMAP_URL})


@cache_control(max_age=86400, public=True)
def favicon(request):
    return redirect(static("gis_core/favicon.svg"), permanent=True)
