"""The configuration every map page hands to its script (tiles/static/tiles/map.js):
where tiles and search live, the basemap and its glyphs (tiles/static/tiles/basemap.js),
and the interface text in the user's language."""
from __future__ import annotations

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tiles.popups import popup_words, popups_config


def map_page_config(request, *, extra: dict | None = None) -> dict:
    return {
        "tilesUrl": reverse("tiles-index"),
        "searchUrl": reverse("api-search"),
        # Label glyphs are our own static files (gis_core/frontend/vendor.py builds them).
        "basemap": {"url": settings.BASEMAP_URL, "attribution": settings.BASEMAP_ATTRIBUTION,
                    "glyphs": static("vendor/glyphs/") + "{fontstack}/{range}.pbf"},
        "center": [102.72, 25.04],
        "labels": {
            "layers": _("Layers"), "legend": _("Legend"), "search": _("Search address or name…"),
            "myAreas": _("Zoom to my areas"), "noResults": _("Nothing found"), "details": _("Details"),
            "loading": _("Loading…"), "panel": _("Lists and legend"),
            "sheetHandle": _("Drag or tap to show more or less of the panel"),
        },
        # Popup templates of the layers this user sees (declared in each app's layers.py).
        "popups": popups_config(request.user), "popupWords": popup_words(),
        "maplibreLocale": maplibre_locale(),
        "timeZone": settings.TIME_ZONE,  # times shown in the district's zone, not the device's
        **(extra or {}),
    }


def maplibre_locale() -> dict[str, str]:
    """MapLibre's control tooltips (its ``locale`` option) in the user's language."""
    return {
        "Map.Title": _("Map"), "Marker.Title": _("Map marker"), "Popup.Close": _("Close popup"),
        "NavigationControl.ZoomIn": _("Zoom in"), "NavigationControl.ZoomOut": _("Zoom out"),
        "NavigationControl.ResetBearing": _("Drag to rotate map, click to reset north"),
        "AttributionControl.ToggleAttribution": _("Toggle attribution"),
        "AttributionControl.MapFeedback": _("Map feedback"),
        "FullscreenControl.Enter": _("Enter fullscreen"), "FullscreenControl.Exit": _("Exit fullscreen"),
        "GeolocateControl.FindMyLocation": _("Find my location"),
        "GeolocateControl.LocationNotAvailable": _("Location not available"),
        "ScaleControl.Meters": pgettext("scale bar", "m"), "ScaleControl.Kilometers": pgettext("scale bar", "km"),
        "LogoControl.Title": _("MapLibre logo"),
        "CooperativeGesturesHandler.WindowsHelpText": _("Use Ctrl + scroll to zoom the map"),
        "CooperativeGesturesHandler.MacHelpText": _("Use ⌘ + scroll to zoom the map"),
        "CooperativeGesturesHandler.MobileHelpText": _("Use two fingers to move the map"),
    }
