"""Reads of the catalogue and applications: what a user may see (gis_core.scoping, with
Application.scope_narrow for department handlers), the desk's queue with each row's time
state, one application with its checklist and log, and the items in force."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Case, CharField, DateField, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from gis_core.models import Area
from gis_core.scoping import scope_queryset
from incidents.selectors import phone_variants, tracking_check_matches
from incidents.workcalendar import working_days_after_sql
from services.models import (
    OPEN_STATES,
    PAUSED_STATES,
    Application,
    ApplicationScan,
    ApplicationStep,
    AppState,
    FollowUp,
    FollowUpState,
    ItemStatus,
    Material,
    ServiceItem,
)


def applications_for(user, *, within: Area | None = None) -> QuerySet:
    """The user's applications; ``within``: only those of that area's subtree."""
    return scope_queryset(Application.objects.all(), user,
                          within=Area.objects.filter(pk=within.pk) if within is not None else None)


def applications_queue(qs: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """For lists: the joins a row shows and ``time_state`` — late (due date passed), due
    soon (within SERVICES_DUE_SOON_DAYS working days), paused (补正, suspended: the
    clock stopped), on time, or closed."""
    today = today or timezone.localdate()
    # the calendar read inside the page's query, not by a query of its own
    soon = RawSQL(*working_days_after_sql(today, settings.SERVICES_DUE_SOON_DAYS), output_field=DateField())
    return (qs.select_related("item", "department", "area")
            .defer("area__boundary")
            .annotate(time_state=Case(
                When(state__in=PAUSED_STATES, then=Value("paused")),
                When(~Q(state__in=OPEN_STATES), then=Value("closed")),
                When(due_date__lt=today, then=Value("late")),
                When(due_date__lte=soon, then=Value("due_soon")),
                default=Value("on_time"), output_field=CharField())))


def application_detail(qs: QuerySet, pk: int) -> Application:
    steps = ApplicationStep.objects.select_related("actor").prefetch_related("scans")
    return (applications_queue(qs)
            .select_related("person", "received_by", "item__department", "rating__followup")
            .prefetch_related("checklist", Prefetch("steps", queryset=steps),
                              Prefetch("scans", queryset=ApplicationScan.objects.order_by("id")))
            .get(pk=pk))


def service_items(*, in_force_only: bool = False) -> QuerySet:
    qs = ServiceItem.objects.select_related("department").prefetch_related(
        Prefetch("materials", queryset=Material.objects.order_by("sort_order", "id")))
    return qs.filter(status=ItemStatus.IN_FORCE) if in_force_only else qs


def applications_late(qs: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Open applications past their due date (the clock running: not paused), most
    overdue first (the partial index on open applications' due dates)."""
    today = today or timezone.localdate()
    return (qs.filter(state__in=OPEN_STATES, due_date__lt=today).exclude(state__in=PAUSED_STATES)
            .order_by("due_date", "id"))


def application_to_rate(phone: str, *, since: dt.datetime) -> Application | None:
    """The latest application of ``phone`` (11 digits) collected since ``since`` and not
    rated yet: what an SMS reply's digit rates."""
    return (Application.objects.filter(state=AppState.COLLECTED, applicant_phone__in=phone_variants(phone), closed_at__gte=since,
                                       rating__isnull=True)
            .order_by("-closed_at", "-id").first())


def followups_for(user, *, open_only: bool = False) -> QuerySet:
    qs = scope_queryset(FollowUp.objects.all(), user).select_related("application__item", "area", "rating",
                                                                      "closed_by")
    return qs.filter(state=FollowUpState.OPEN) if open_only else qs


# --------------------------------------------------------------------------- the public (portal)

def service_items_public(*, life_event: str = "", business_area: str = "", department: str = "",
                         q: str = "") -> QuerySet:
    """The catalogue as residents browse it: items in force, by life event, business area
    or deciding department (code), and by name — ``icontains`` (a trigram-less scan of
    ~100 rows; Chinese has no word breaks for full-text search without a parser)."""
    qs = ServiceItem.objects.filter(status=ItemStatus.IN_FORCE).select_related("department")
    if life_event:
        qs = qs.filter(life_events__contains=[life_event])
    if business_area:
        qs = qs.filter(business_area=business_area)
    if department:
        qs = qs.filter(department__code=department)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("business_area", "sort_order", "code")


def service_item_public(code: str) -> ServiceItem:
    """One item in force with its materials (ServiceItem.DoesNotExist otherwise)."""
    return service_items(in_force_only=True).get(code=code)


def application_public(number: str, *, check: str = "") -> Application:
    """An application by its number for its applicant (no scope; what is shown carries no
    personal data) when ``check`` is its tracking key or the last four digits of the
    applicant's phone — the cases' rule (incidents.selectors.tracking_check_matches). A
    wrong check answers as an unknown number does: Application.DoesNotExist."""
    steps = ApplicationStep.objects.only("application_id", "at", "action", "from_state", "to_state")
    application = (Application.objects.select_related("item", "department", "area__parent")
                   .defer("area__boundary", "area__parent__boundary")
                   .prefetch_related(Prefetch("steps", queryset=steps))
                   .get(number=number.strip()))
    if tracking_check_matches(key=application.tracking_key, phone=application.applicant_phone, check=check):
        return application
    raise Application.DoesNotExist


def applications_of_phone(phone: str) -> QuerySet:
    """A resident's applications (the portal's 我的办件), newest first: those filed with
    their phone (the partial index application_phone_idx)."""
    return (Application.objects.filter(applicant_phone__in=phone_variants(phone))
            .select_related("item").order_by("-received_at", "-id"))


def life_event_counts() -> dict[str, int]:
    """How many items in force each life event has (one query)."""
    from django.db.models import Count, F, Func

    rows = (ServiceItem.objects.filter(status=ItemStatus.IN_FORCE)
            .annotate(event=Func(F("life_events"), function="unnest")).values("event")
            .annotate(n=Count("id")).values_list("event", "n"))
    return dict(rows)
