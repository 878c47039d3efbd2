"""Writes on appointments (预约): booking a slot (``appointment_book``, by a resident on the
portal or by staff on their behalf), cancelling (``appointment_cancel``) and marking the
resident attended or a no-show (``appointment_mark``).

Each runs in one transaction and checks everything first: errors are ValidationError
naming the field, PermissionDenied for a role that may not act. Two bookings of one desk
at overlapping times are refused by the database itself (the exclusion constraint
``appointment_desk_slot_once``): booking tries the slot's free desks in turn, and when the
last is taken meanwhile raises SlotTaken, naming ``start``.
"""
from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import Person
from gis_core.models import Area, AreaLevel, User
from gis_core.roles import role_allows
from gis_core.scoping import require_in_scope, scope_queryset
from incidents.services import tracking_number_next
from services.appointment_selectors import free_slots
from services.models import (
    Appointment,
    AppointmentState,
    BookingChannel,
    Desk,
    ItemStatus,
    OpeningHours,
    ServiceCentre,
    ServiceItem,
)

NUMBER_PREFIX = "YY"  # 预约: bookings share the cases' numbers with their own prefix
EXCLUSION = "appointment_desk_slot_once"
MOBILE = re.compile(r"1[3-9]\d{9}")


class SlotTaken(ValidationError):
    """Every desk of the slot was booked meanwhile (the database refused the booking)."""


def phone_clean(phone: str) -> str:
    """A mainland mobile number (11 digits from 13…–19…), spaces and dashes dropped, or a
    ValidationError naming ``phone``."""
    digits = re.sub(r"[\s-]", "", phone or "").removeprefix("+86")
    if not MOBILE.fullmatch(digits):
        raise ValidationError({"phone": [_("Give a mobile number of 11 digits, e.g. 13800001111.")]})
    return digits


# The usual hours of a centre: mornings and afternoons of the working week.
WORKING_WEEK = [(day, opens, closes) for day in range(5)
                for opens, closes in ((dt.time(9), dt.time(12)), (dt.time(13, 30), dt.time(17)))]


def centre_create(*, area: Area, name: str, desks: list[list[ServiceItem]], address: str = "", phone: str = "",
                  location=None, slot_minutes: int = 15,
                  hours: list[tuple[int, dt.time, dt.time]] = WORKING_WEEK) -> ServiceCentre:
    """A centre of a community or street with its desks (numbered 1…, each handling the
    items given) and weekly hours (weekday 0 = Monday, opens, closes). Administrators edit
    centres in the admin; this sets one up whole (the demo, tests)."""
    if area.level not in (AreaLevel.COMMUNITY, AreaLevel.STREET):
        raise ValidationError({"area": [_("A service centre serves a community or a street.")]})
    with transaction.atomic():
        centre = ServiceCentre.objects.create(area=area, name=name, address=address, phone=phone, location=location,
                                              slot_minutes=slot_minutes)
        for number, items in enumerate(desks, start=1):
            Desk.objects.create(centre=centre, number=number).items.set(items)
        OpeningHours.objects.bulk_create([OpeningHours(centre=centre, weekday=day, opens=opens, closes=closes)
                                          for day, opens, closes in hours])
    return centre


def appointment_book(*, actor: User | None, item: ServiceItem, centre: ServiceCentre, starts_at: dt.datetime,
                     name: str = "", phone: str = "", person: Person | None = None, desk: Desk | None = None,
                     channel: str = BookingChannel.PORTAL, note: str = "",
                     at: dt.datetime | None = None) -> Appointment:
    """Book ``item`` at ``centre`` from ``starts_at`` (a free slot of free_slots). A resident
    on the portal has no ``actor``; staff (``actor``) book by phone or at the desk for a
    person of the roll or a name and phone, and may choose the ``desk``."""
    errors: dict[str, list[str]] = {}
    if actor is not None:
        if not role_allows(actor, "services.add_appointment"):
            raise PermissionDenied(_("Your role may not book appointments."))
        require_in_scope(actor, centre, field="centre")
        require_in_scope(actor, person, field="person")
    elif person is not None or channel != BookingChannel.PORTAL:
        raise PermissionDenied(_("Only staff book for a person of the roll, by phone or at the desk."))
    if person is not None:
        name, phone = name or person.name, phone or person.phone
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Give the resident's name.")]
    try:
        phone = phone_clean(phone)
    except ValidationError as error:
        errors.update(error.message_dict)
    if item.status != ItemStatus.IN_FORCE:
        errors["item"] = [_("“%(item)s” has been withdrawn from the catalogue.") % {"item": item.name}]
    if not centre.active:
        errors["centre"] = [_("This centre takes no bookings.")]
    if desk is not None and desk.centre_id != centre.pk:
        errors["desk"] = [_("Not a desk of this centre.")]
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    slot = next(iter(free_slots(item=item, date_from=timezone.localdate(starts_at),
                                date_to=timezone.localdate(starts_at), centres=[centre.pk], start=starts_at,
                                now=at)), None)
    if slot is None:
        raise ValidationError({"start": [_("Not a free time of this centre for this item: choose one of the free "
                                           "times.")]})
    desks = slot.desks
    if desk is not None:
        if desk.pk not in desks:
            raise ValidationError({"desk": [_("This desk is not free for this item at that time.")]})
        desks = (desk.pk,)
    with transaction.atomic():
        number = tracking_number_next(area_code=centre.area.code, at=at, prefix=NUMBER_PREFIX)
        for desk_id in desks:
            try:
                with transaction.atomic():  # a savepoint: a refused desk leaves the rest intact
                    return Appointment.objects.create(
                        number=number, centre=centre, desk_id=desk_id, item=item, starts_at=slot.starts_at,
                        ends_at=slot.ends_at, person=person, name=name, phone=phone, channel=channel,
                        note=note.strip()[:500], created_by=actor)
            except IntegrityError as error:
                if EXCLUSION not in str(error):
                    raise
        raise SlotTaken({"start": [_("This time was booked by someone else a moment ago; choose another.")]})


def _appointment_for_update(actor: User, appointment_id: int, permission: str) -> Appointment:
    if not role_allows(actor, permission):
        raise PermissionDenied(_("Your role may not change appointments."))
    appointment = (scope_queryset(Appointment.objects.select_for_update(of=("self",)), actor)
                   .filter(pk=appointment_id).first())
    if appointment is None:
        raise Appointment.DoesNotExist
    return appointment


def appointment_cancel(*, actor: User, appointment_id: int, note: str = "",
                       at: dt.datetime | None = None) -> Appointment:
    """Cancel a booking still to come (the resident called, or the centre must close): the
    slot is free again."""
    with transaction.atomic():
        appointment = _appointment_for_update(actor, appointment_id, "services.change_appointment")
        if appointment.state != AppointmentState.BOOKED:
            raise ValidationError({"state": [_("Only a booking still to come can be cancelled; this one is "
                                               "%(state)s.") % {"state": appointment.get_state_display()}]})
        appointment.state = AppointmentState.CANCELLED
        appointment.note = (note.strip() or appointment.note)[:500]
        appointment.handled_at, appointment.handled_by = at or timezone.now(), actor
        appointment.save()
    return appointment


MARKS = (AppointmentState.ATTENDED, AppointmentState.NO_SHOW)


def appointment_mark(*, actor: User, appointment_id: int, state: str, at: dt.datetime | None = None) -> Appointment:
    """Record that the resident came (attended) or did not (no_show, only once the slot
    has begun); a mark may be corrected the same way."""
    at = at or timezone.now()
    if state not in MARKS:
        raise ValidationError({"state": [_("Mark a booking attended or no-show.")]})
    with transaction.atomic():
        appointment = _appointment_for_update(actor, appointment_id, "services.change_appointment")
        if appointment.state == AppointmentState.CANCELLED:
            raise ValidationError({"state": [_("This booking was cancelled.")]})
        if state == AppointmentState.NO_SHOW and at < appointment.starts_at:
            raise ValidationError({"state": [_("A resident is a no-show only once the booked time has begun.")]})
        appointment.state = state
        appointment.handled_at, appointment.handled_by = at, actor
        appointment.save()
    return appointment
