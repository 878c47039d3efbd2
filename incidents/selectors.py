"""Reads of cases: what a user may see (area scope, and a handler's departments), the
queue, one case with its log, open cases near a point, and the public timeline."""
from __future__ import annotations

import hmac
import re

from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db.models import Prefetch, QuerySet

from gis_core.scoping import scope_queryset
from gis_core.spatial import degrees_reaching
from incidents.models import OPEN_STATUSES, Case, CaseAttachment, CaseEvent, CaseSource, Category


def cases_for(user) -> QuerySet:
    """Every case the user may see (scoped by gis_core.scoping, which applies
    Case.scope_narrow: a department handler's departments)."""
    return scope_queryset(Case.objects.all(), user)


def cases_queue(qs: QuerySet) -> QuerySet:
    """For lists: what a queue row shows, in the one query of the page. The areas are
    joined without their boundaries (names and codes are all a row shows)."""
    return (qs.select_related("category__parent", "department", "cell", "community", "street")
            .defer(*(f"{area}__{field}" for area in ("cell", "community", "street")
                     for field in ("boundary", "parent", "created_at", "updated_at"))))


def case_detail(qs: QuerySet, pk: int) -> Case:
    events = CaseEvent.objects.select_related("actor").prefetch_related("attachments")
    return (qs.select_related("category__parent", "category__department", "department", "cell", "community",
                              "street", "reporter", "duplicate_of")
            .prefetch_related(Prefetch("events", queryset=events),
                              Prefetch("attachments", queryset=CaseAttachment.objects.order_by("id")))
            .get(pk=pk))


def cases_nearby(qs: QuerySet, *, point: Point, category: Category | None = None,
                 radius_m: float | None = None) -> QuerySet:
    """Open cases within ``radius_m`` (INCIDENTS_NEARBY_M) of ``point``, nearest first,
    with ``distance_m``; of ``category`` when given. A degree box around the point lets
    the GiST index find candidates; the sphere distance decides."""
    radius_m = radius_m or settings.INCIDENTS_NEARBY_M
    degrees = degrees_reaching(radius_m, point.y)
    qs = qs.filter(status__in=OPEN_STATUSES, location__dwithin=(point, degrees),
                   location__distance_lte=(point, D(m=radius_m)))
    if category is not None:
        qs = qs.filter(category=category)
    return (cases_queue(qs).annotate(distance=Distance("location", point)).order_by("distance", "-reported_at"))


def case_public(tracking_number: str, *, check: str = "") -> Case:
    """A case by its tracking number, for the public page (no scope; what is shown carries
    no personal data). Numbers run in sequence, so an internal case also needs ``check``:
    the tracking key from the receipt, or the last four digits of the reporter's phone.
    Open311 cases keep Open311's rules (public by their number). A wrong check answers
    as an unknown number does: Case.DoesNotExist."""
    events = CaseEvent.objects.only("case_id", "at", "action", "from_status", "to_status", "data")
    case = (Case.objects.select_related("category__parent", "department", "community", "street")
            .prefetch_related(Prefetch("events", queryset=events))
            .get(tracking_number=tracking_number.strip()))
    if case.source == CaseSource.OPEN311 or tracking_check_matches(key=case.tracking_key, phone=case.reporter_phone,
                                                                    check=check):
        return case
    raise Case.DoesNotExist


def tracking_check_matches(*, key: str, phone: str, check: str) -> bool:
    """Whether ``check`` is the record's tracking key, or the last four digits of the phone
    it was filed with (cases and services' applications alike)."""
    check = check.strip()
    if key and hmac.compare_digest(check.lower(), key):
        return True
    phone = re.sub(r"\D", "", phone or "")
    return len(check) == 4 and check.isdigit() and len(phone) >= 8 and hmac.compare_digest(check, phone[-4:])


def categories_tree() -> list[Category]:
    """Active main categories with their active subcategories (one query)."""
    categories = list(Category.objects.filter(active=True).select_related("department").order_by(
        "kind", "sort_order", "code"))
    mains = [c for c in categories if c.parent_id is None]
    for main in mains:
        main.children = [c for c in categories if c.parent_id == main.pk]
    return mains


def phone_variants(phone: str) -> list[str]:
    """The ways an 11-digit mobile number may have been typed at a desk or on a form."""
    return [phone, f"+86{phone}", f"86{phone}", f"{phone[:3]} {phone[3:7]} {phone[7:]}",
            f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"]


def cases_of_phone(phone: str) -> QuerySet:
    """A resident's cases (the portal's 我的办件), newest first: those reported with their
    phone (the partial index case_reporter_phone_idx)."""
    return (Case.objects.filter(reporter_phone__in=phone_variants(phone))
            .select_related("category").order_by("-reported_at", "-id"))
