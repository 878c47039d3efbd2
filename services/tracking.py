"""Public tracking of applications by number, under the same limits as the cases'
(incidents.tracking: lookups per address, wrong checks per number)."""
from __future__ import annotations

from incidents.tracking import tracked_lookup
from services.models import Application
from services.selectors import application_public


def application_track(request, number: str, *, check: str = "") -> Application:
    """The application for its applicant, or Application.DoesNotExist (unknown number or
    wrong check, alike); Throttled when the address asks too often or the number had too
    many wrong checks."""
    return tracked_lookup(request, number, lambda: application_public(number, check=check),
                          Application.DoesNotExist)
