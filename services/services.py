"""Writes on applications: filing at the desk (``application_file``) and the flow
(``application_act``).

Each runs in one transaction and checks everything before writing: a refused filing or
action leaves nothing behind. Errors are ValidationError naming the field, PermissionDenied
for a role that may not act, and ApplicationConflict when the application changed since
the actor saw it. The number comes from the cases' scheme (incidents), the clock from the
district's working calendar (incidents.workcalendar).
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.identity import IdNumberError, id_number_parse
from assets.models import Person
from gis_core.conflicts import VersionConflict
from gis_core.events import application_changed
from gis_core.models import Area, AreaLevel, User
from gis_core.roles import role_allows
from gis_core.scans import CheckedScan, scans_check
from gis_core.scoping import is_area_in_scope, require_in_scope, scope_queryset
from incidents.models import Department
from incidents.services import tracking_number_next
from incidents.workcalendar import working_days_after, working_days_between
from services.models import (
    DECIDED_STATES,
    PAUSED_STATES,
    Application,
    ApplicationMaterial,
    ApplicationRating,
    ApplicationScan,
    ApplicationStep,
    AppState,
    FollowUp,
    FollowUpState,
    ItemStatus,
    RatingChannel,
    Satisfaction,
    ServiceItem,
)
from services.workflow import ACTIONS, SAME, may_take

NUMBER_PREFIX = "BJ"  # 办件: applications share the cases' numbers with their own prefix
CLOSED_STATES = (AppState.NOT_ACCEPTED, AppState.REJECTED, AppState.COLLECTED, AppState.WITHDRAWN)


class ApplicationConflict(VersionConflict):
    """The application changed since the actor saw it; ``application`` is its current state."""

    def __init__(self, application: Application):
        super().__init__(application, _("Someone else changed this application meanwhile; here is its current state."))
        self.application = application


# --------------------------------------------------------------------------- filing

def application_file(*, actor: User, item: ServiceItem | None, person: Person | None = None,
                     applicant_name: str = "", applicant_id_number: str = "", applicant_phone: str = "",
                     area: Area | None = None, received: Iterable[int] = (), scans: list[UploadedFile] = (),
                     note: str = "", at: dt.datetime | None = None) -> Application:
    """File an application at the desk (收件): the applicant — a person of the roll, or
    registered here by name (and ID number, phone) with the community — the item (in
    force), and the materials received (ids of the item's materials) with their scans. A
    required material missing puts it in 补正 at once: its clock stops until the
    materials are supplied; the one-time notice lists what is missing."""
    if not role_allows(actor, "services.add_application"):
        raise PermissionDenied(_("Your role may not file applications."))
    errors: dict[str, list[str]] = {}
    if item is None:
        errors["item"] = [_("Choose a service item.")]
    elif item.status != ItemStatus.IN_FORCE:
        errors["item"] = [_("“%(item)s” has been withdrawn from the catalogue; it takes no applications.") % {
            "item": item.name}]
    if person is not None:
        require_in_scope(actor, person, field="person")
        applicant_name = applicant_name or person.name
        applicant_id_number = applicant_id_number or (person.id_number or "")
        applicant_phone = applicant_phone or person.phone
        # the person's area as the database keeps it (derived from their residences)
        home = Person.objects.filter(pk=person.pk).values("area")[:1]
        area = area or _community_of(Area.objects.filter(pk=home).first())
    applicant_name, applicant_phone = applicant_name.strip(), applicant_phone.strip()
    applicant_id_number = applicant_id_number.strip().upper()
    if not applicant_name:
        errors["applicant_name"] = [_("Choose the applicant from the roll, or give their name.")]
    if applicant_id_number and person is None:
        try:
            id_number_parse(applicant_id_number)
        except IdNumberError as error:
            errors["applicant_id_number"] = [str(error)]
    if area is None or area.level != AreaLevel.COMMUNITY:
        errors["area"] = [_("Give the applicant's community.")]
    elif not is_area_in_scope(actor, area.pk):
        errors["area"] = [_("%(obj)s is outside your areas.") % {"obj": area}]
    if errors:
        raise ValidationError(errors)
    received = _material_ids(item, received)
    checked = scans_check(list(scans))
    at = at or timezone.now()
    today = timezone.localdate(at)
    with transaction.atomic():
        application = Application.objects.create(
            number=tracking_number_next(area_code=area.code, at=at, prefix=NUMBER_PREFIX),
            tracking_key=secrets.token_hex(8), item=item, person=person, applicant_name=applicant_name,
            applicant_id_number=applicant_id_number, applicant_phone=applicant_phone, area=area,
            note=note.strip(), received_at=at, promised_days=item.promised_days,
            due_date=working_days_after(today, item.promised_days), received_by=actor)
        ApplicationMaterial.objects.bulk_create([
            ApplicationMaterial(application=application, material=m, name=m.name, form=m.form, copies=m.copies,
                                required=m.required, condition=m.condition, received=m.pk in received)
            for m in item.materials.all()])
        step = _log(application, at, "file", "", actor, note.strip(), {"received": sorted(received)})
        _attach(application, step, checked, actor)
        missing = materials_missing(application)
        if missing:
            before = application.state
            _pause(application, today)
            application.state = AppState.CORRECTION
            application.save()
            _log(application, at, "request_materials", before, actor, "", {"missing": [m.name for m in missing]})
    return application


def _community_of(area: Area | None) -> Area | None:
    if area is None:
        return None
    if area.level == AreaLevel.COMMUNITY:
        return area
    return Area.objects.filter(level=AreaLevel.COMMUNITY, code=area.code[:12]).first()


def _material_ids(item: ServiceItem, received: Iterable[int]) -> set[int]:
    received = set(received or ())
    unknown = received - set(item.materials.values_list("pk", flat=True))
    if unknown:
        raise ValidationError({"received": [_("Not a material of this item: %(ids)s.") % {
            "ids": ", ".join(str(i) for i in sorted(unknown))}]})
    return received


def materials_missing(application: Application) -> list[ApplicationMaterial]:
    """The required materials not yet received (what the one-time notice lists first)."""
    return [line for line in application.checklist.all() if line.required and not line.received]


# --------------------------------------------------------------------------- the flow

def application_act(*, actor: User, application_id: int, action: str, version: int, note: str = "",
                    received: Iterable[int] | None = None, department: Department | None = None,
                    scans: list[UploadedFile] = (), at: dt.datetime | None = None) -> Application:
    """Take one action on an application in the actor's scope. ``version`` is the one the
    actor saw: if it changed since, ApplicationConflict carries its current state.
    ``received`` (material ids) replaces the checklist's ticks when given."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError({"action": [_("Unknown action %(action)r.") % {"action": action}]})
    if not (actor.is_superuser and not actor.role) and actor.role not in spec.roles:
        raise PermissionDenied(_("Your role may not take this action on an application."))
    note = (note or "").strip()
    checked = scans_check(list(scans))
    with transaction.atomic():
        application = (scope_queryset(Application.objects.select_for_update(of=("self",)), actor)
                       .select_related("item").filter(pk=application_id).first())
        if application is None:
            raise Application.DoesNotExist
        if version != application.version:
            raise ApplicationConflict(application)
        if not may_take(actor, application, spec):
            raise ValidationError({"action": [_("An application that is %(state)s cannot be given the action "
                                                "“%(action)s”.") % {"state": application.get_state_display(),
                                                                     "action": spec.label}]})
        if spec.note_required and not note:
            raise ValidationError({"note": [_("Give the reason.")]})
        now = at or timezone.now()
        today = timezone.localdate(now)
        before = application.state
        data: dict = {}
        if received is not None:
            ids = _material_ids(application.item, received)
            application.checklist.update(received=False)
            application.checklist.filter(material_id__in=ids).update(received=True)
            data["received"] = sorted(ids)
        missing = [m.name for m in materials_missing(application)]
        if action in ("accept", "supplement") and missing:
            raise ValidationError({"received": [_("Still missing: %(names)s.") % {"names": "、".join(missing)}]})
        if action == "request_materials":
            if not missing:
                raise ValidationError({"received": [_("Untick the materials that are missing.")]})
            data["missing"] = missing
        if before in PAUSED_STATES and spec.target not in PAUSED_STATES:
            data.update(_resume(application, today))  # supplement, resume, not_accept, withdraw
        target = (application.paused_from or AppState.ACCEPTED) if spec.target is SAME else spec.target
        if before in PAUSED_STATES and target not in PAUSED_STATES:
            application.paused_from = ""
        if target in PAUSED_STATES:
            _pause(application, today)
        if action == "forward":
            department = department or application.item.department
            if department is None or not department.active:
                raise ValidationError({"department": [_("Choose an active department to forward to.")]})
            application.department, application.level = department, application.item.deciding_level
            data.update(department=department.code, department_name=department.name, level=application.level)
        if target in DECIDED_STATES and application.decided_at is None:
            application.decided_at = now
            application.decided_on_time = today <= application.due_date
            data["on_time"] = application.decided_on_time
        if action == "accept" and application.accepted_at is None:
            application.accepted_at = now
        if target in CLOSED_STATES:
            application.closed_at = now
        application.state = target
        application.version += 1
        application.save()
        step = _log(application, now, action, before, actor, note, data)
        _attach(application, step, checked, actor)
        application_changed.send(sender=Application, application=application, step=step)
    return application


def _pause(application: Application, today: dt.date) -> None:
    """The clock stops (补正, suspension); _resume gives the working days back."""
    application.paused_on, application.paused_from = today, application.state


def _resume(application: Application, today: dt.date) -> dict:
    lost = working_days_between(application.paused_on, today) if application.paused_on else 0
    application.due_date = working_days_after(application.due_date, lost)
    application.paused_days += lost
    application.paused_on = None
    return {"paused_days": lost, "due_date": application.due_date.isoformat()}


def _log(application: Application, at: dt.datetime, action: str, before: str, actor: User | None, note: str,
         data: dict) -> ApplicationStep:
    return ApplicationStep.objects.create(application=application, at=at, action=action, from_state=before,
                                          to_state=application.state, actor=actor, note=note, data=data)


def _attach(application: Application, step: ApplicationStep, scans: list[CheckedScan], actor: User | None) -> None:
    for scan in scans:
        record = ApplicationScan(application=application, step=step, name=(scan.upload.name or "")[:200],
                                 content_type=scan.content_type, extension=scan.extension, size=scan.upload.size,
                                 uploaded_by=actor)
        record.file.save(f"scan.{scan.extension}", scan.upload, save=False)
        record.save()


# --------------------------------------------------------------------------- ratings (好差评)

def application_rate(*, application_id: int, level: int, channel: str, actor: User | None = None,
                     phone: str = "", comment: str = "", at: dt.datetime | None = None) -> ApplicationRating:
    """The applicant's rating of a collected application, once. At the desk ``actor`` (a
    role that may add ratings, the application in their scope) records it; on the portal
    the caller has checked the number and its query code; by SMS ``phone`` must be the
    applicant's. A poor rating (不满意, 非常不满意) opens a FollowUp for the street's head.
    A second rating is refused (400 naming ``application``), also when two race: the
    database keeps one per application."""
    if level not in Satisfaction.values:
        raise ValidationError({"level": [_("A rating is one of 1 (very dissatisfied) to 5 (very satisfied).")]})
    if channel not in RatingChannel.values:
        raise ValidationError({"channel": [_("Unknown channel %(channel)r.") % {"channel": channel}]})
    if actor is not None and not role_allows(actor, "services.add_applicationrating"):
        raise PermissionDenied(_("Your role may not record ratings."))
    comment = (comment or "").strip()
    now = at or timezone.now()
    with transaction.atomic():
        qs = Application.objects.select_for_update(of=("self",)).filter(pk=application_id)
        application = (scope_queryset(qs, actor) if actor is not None else qs).first()
        if application is None:
            raise Application.DoesNotExist
        if channel == RatingChannel.SMS and (not phone or phone not in _phone_forms(application.applicant_phone)):
            raise ValidationError({"application": [_("No application filed with this phone.")]})
        if application.state != AppState.COLLECTED:
            raise ValidationError({"application": [_("Only a collected application can be rated; this one is "
                                                     "%(state)s.") % {"state": application.get_state_display()}]})
        try:
            with transaction.atomic():
                rating = ApplicationRating.objects.create(application=application, level=level, channel=channel,
                                                          comment=comment, rated_at=now, recorded_by=actor)
        except IntegrityError:
            raise ValidationError({"application": [_("This application has been rated already.")]}) from None
        followup = None
        if rating.is_poor:
            followup = FollowUp.objects.create(rating=rating, application=application, area_id=application.area_id,
                                               opened_at=now)
        application.version += 1
        application.save(update_fields=["version", "updated_at"])
        step = _log(application, now, "rate", application.state, actor, comment,
                    {"level": level, "channel": channel, "followup": followup.pk if followup else None})
        application_changed.send(sender=Application, application=application, step=step, followup=followup)
    return rating


def _phone_forms(phone: str) -> set[str]:
    """The ways a desk may have written an 11-digit mobile number."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    return {digits[-11:]} if len(digits) >= 11 else set()


def followup_close(*, actor: User, followup_id: int, outcome: str, at: dt.datetime | None = None) -> FollowUp:
    """The street's head closes a follow-up with what was done (required)."""
    if not role_allows(actor, "services.change_followup"):
        raise PermissionDenied(_("Your role may not close follow-ups."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": [_("Say what was done.")]})
    with transaction.atomic():
        followup = scope_queryset(FollowUp.objects.select_for_update(), actor).filter(pk=followup_id).first()
        if followup is None:
            raise FollowUp.DoesNotExist
        if followup.state != FollowUpState.OPEN:
            raise ValidationError({"state": [_("This follow-up is closed already.")]})
        followup.state, followup.outcome = FollowUpState.CLOSED, outcome
        followup.closed_at, followup.closed_by = at or timezone.now(), actor
        followup.save()
    return followup
