"""Buildings, key sites and organizations in the map's search box (tiles.search)."""
from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assets.models import Building, KeySite, Organization
from tiles.search import SearchSource, register_search_source


def register_asset_search() -> None:
    register_search_source(SearchSource(
        "building", _("building"), lambda: Building.objects.all(), "footprint",
        lambda q: Q(name__icontains=q) | Q(address__icontains=q), detail="address"))
    register_search_source(SearchSource(
        "key_site", _("key site"), lambda: KeySite.objects.all(), "geometry", lambda q: Q(name__icontains=q)))
    register_search_source(SearchSource(
        "organization", _("organization"), lambda: Organization.objects.all(), "location",
        lambda q: Q(name__icontains=q) | Q(address__icontains=q), detail="address"))
