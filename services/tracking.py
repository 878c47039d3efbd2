"""The public's lookups of an application by number — tracking it on the portal and
rating it — under the same limits as tracking a case (incidents.tracking: lookups per
address, wrong checks per number)."""
from __future__ import annotations

from django.http import Http404

from incidents.tracking import tracked
from services import selectors
from services.models import Application, ApplicationRating, RatingChannel
from services.services import application_rate


def application_track(request, number: str, *, check: str = "") -> Application:
    """The application for its applicant, or Application.DoesNotExist (unknown number or
    wrong check, alike); Throttled when the address asks too often or the number had too
    many wrong checks."""
    return tracked(request, number, lambda: selectors.application_public(number, check=check))


def public_rate(request, *, number: str, check: str, level: int, comment: str = "") -> ApplicationRating:
    """The applicant's rating from the portal (the API and the minimal form page): the
    number and its check under the public limits, then application_rate. Http404 (unknown
    number or wrong check, alike), Throttled, ValidationError (not collected, rated)."""
    try:
        application = application_track(request, number, check=check)
    except Application.DoesNotExist:
        raise Http404 from None
    return application_rate(application_id=application.pk, level=level, comment=comment,
                            channel=RatingChannel.PORTAL)
