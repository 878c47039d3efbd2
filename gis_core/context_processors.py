"""Template context every page gets."""
from django.conf import settings


def resident_frame(request) -> dict:
    """``resident_frame``: the template residents' pages extend (the portal's frame when the
    portal is installed, RESIDENT_FRAME_TEMPLATE), so an app's public page — booking an
    appointment, rating a service — sits in the portal without the app depending on it."""
    return {"resident_frame": settings.RESIDENT_FRAME_TEMPLATE}
