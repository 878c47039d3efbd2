"""Open311 GeoReport v2 under /open311/v2/ (see incidents/open311.py). Every resource
takes a format extension; an unknown one is answered by the view (404 in our error list)."""
from django.urls import re_path

from incidents import open311

# Identifiers contain no dot or slash (codes are slugs, tracking numbers digits and dashes).
ID = r"[^/.]+"
FMT = r"(?P<fmt>[^/.]+)"

urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", open311.discovery, name="open311-discovery"),
    re_path(rf"^services\.{FMT}$", open311.service_list, name="open311-services"),
    re_path(rf"^services/(?P<service_code>{ID})\.{FMT}$", open311.service_definition, name="open311-service"),
    re_path(rf"^requests\.{FMT}$", open311.service_requests, name="open311-requests"),
    re_path(rf"^requests/(?P<service_request_id>{ID})\.{FMT}$", open311.service_request, name="open311-request"),
    re_path(rf"^tokens/(?P<token>{ID})\.{FMT}$", open311.token_lookup, name="open311-token"),
    re_path(r"^(?P<path>.*)$", open311.not_found),
]
