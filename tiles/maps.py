"""The configuration every map page hands to its script (tiles/static/tiles/map.js):
where tiles and search live, the basemap, and the interface text in the user's language."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _


def map_page_config(request, *, extra: dict | None = None) -> dict:
    return {
        "tilesUrl": reverse("tiles-index"),
        "searchUrl": reverse("api-search"),
        "basemap": {"url": settings.BASEMAP_URL, "attribution": settings.BASEMAP_ATTRIBUTION},
        "center": [102.72, 25.04],
        "labels": {
            "layers": _("Layers"), "legend": _("Legend"), "search": _("Search address or name…"),
            "myAreas": _("Zoom to my areas"), "noResults": _("Nothing found"), "details": _("Details"),
            "loading": _("Loading…"),
        },
        "fieldLabels": {
            "name": _("name"), "code": _("code"), "level": _("level"), "category": _("use category"),
            "category_name": _("category"), "kind": _("kind"), "is_key": _("key building"),
            "resident_count": _("residents"), "floors": _("floors above ground"), "address": _("address"),
            "risk_level": _("risk level"), "leaders": _("grid leaders"), "building_count": _("buildings"),
            "house_count": _("houses"), "people_count": _("residents"), "value": _("count"),
            "density": _("per km²"),
        },
        **(extra or {}),
    }
