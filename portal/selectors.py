"""Reads of the portal: the signed-in resident, and what they filed (their applications,
from services, and their cases, from incidents, matched by their phone)."""
from __future__ import annotations

from django.contrib.gis.db.models import Extent
from django.utils import timezone

from gis_core.models import Area
from incidents.selectors import cases_of_phone
from portal.models import ResidentSession
from portal.services import session_token_hash
from services.selectors import applications_of_phone

COOKIE = "portal_resident"


def resident_phone(request) -> str | None:
    """The phone of the resident signed in on this browser, or None."""
    token = request.COOKIES.get(COOKIE)
    if not token:
        return None
    session = (ResidentSession.objects.filter(token_hash=session_token_hash(token), ended_at__isnull=True,
                                              expires_at__gt=timezone.now()).only("phone").first())
    return session.phone if session else None


def resident_records(phone: str, *, limit: int = 100) -> dict:
    """The resident's applications and cases, newest first (two queries)."""
    return {"applications": list(applications_of_phone(phone)[:limit]), "cases": list(cases_of_phone(phone)[:limit])}


def district_bounds() -> list[float] | None:
    """[west, south, east, north] of the top-level areas (the district), for the report map."""
    extent = Area.objects.filter(parent__isnull=True).aggregate(extent=Extent("boundary"))["extent"]
    return list(extent) if extent else None
