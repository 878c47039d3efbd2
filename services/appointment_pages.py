"""Pages of appointments: the resident's booking page (``/portal/book/``, no login, phone
first: item, day, free time, name and phone → the booking number) and the staff's daily
list (``/services/appointments/``, 今日预约: a desk's bookings of a day, marking attended or
no-show, cancelling, booking by phone)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core.navigation import page_view
from gis_core.roles import role_allows
from gis_core.scoping import scope_queryset
from services import appointment_selectors as selectors
from services.appointment_serializers import AppointmentSerializer
from services.models import Desk


def _slot_labels() -> dict:
    return {"free": _("free"), "none": _("No free time on this day; try another."), "failed":
            _("The server could not be reached; try again."), "loading": _("Loading…")}


@page_view("portal-book")
def book_page(request):
    """预约办事: anyone books a free time of an item at a service centre."""
    today = timezone.localdate()
    items = list(selectors.items_bookable().values("code", "name"))
    chosen = request.GET.get("item", "")
    config = {
        "item": chosen if any(i["code"] == chosen for i in items) else "",
        "labels": {**_slot_labels(), "booked": _("Booked")},
    }
    return render(request, "services/book.html", {
        "items": items, "config": config, "chosen": config["item"], "today": today.isoformat(),
        "last": (today + dt.timedelta(days=settings.APPOINTMENT_DAYS_AHEAD)).isoformat(), "tab": "guide"})


@page_view("appointments-today")
def appointments_page(request):
    """今日预约: one desk's list of a day (default: the user's first desk, today)."""
    desks = list(scope_queryset(Desk.objects.filter(centre__active=True), request.user)
                 .select_related("centre").prefetch_related("items").order_by("centre__name", "number"))
    desk = next((d for d in desks if str(d.pk) == request.GET.get("desk")), desks[0] if desks else None)
    try:
        day = dt.date.fromisoformat(request.GET.get("date") or "")
    except ValueError:
        day = timezone.localdate()
    rows = []
    if desk is not None:
        qs = selectors.appointments_of_day(selectors.appointments_for(request.user).filter(desk=desk), day=day)
        rows = AppointmentSerializer(selectors.appointments_list(qs), many=True, context={"request": request}).data
    may_act = role_allows(request.user, "services.change_appointment")
    config = {
        "desk": desk.pk if desk else None, "centre": desk.centre_id if desk else None, "date": day.isoformat(),
        "may_book": role_allows(request.user, "services.add_appointment"),
        "labels": {**_slot_labels(), "cancelReason": _("Why is it cancelled?")},
    }
    return render(request, "services/appointments.html", {
        "desks": desks, "desk": desk, "day": day, "rows": rows, "may_act": may_act, "config": config,
        "items": list(desk.items.filter(status="in_force").values("code", "name")) if desk else []})
