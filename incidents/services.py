"""Writes on cases: intake (``case_report``), workflow actions (``case_act``), the clock
(``cases_clock_tick``) and Open311 client keys.

Each runs in one transaction and checks everything before writing: a refused report or
action leaves nothing behind. Errors are ValidationError naming the field, PermissionDenied
for a role that may not act, and CaseConflict when the case changed since the actor saw it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gis_core.conflicts import VersionConflict
from gis_core.events import case_changed, cases_flagged
from gis_core.models import Area, AreaLevel, Role, User
from gis_core.photos import CheckedPhoto, photos_check
from gis_core.roles import role_allows
from gis_core.scoping import scope_queryset
from gis_core.spatial import geometry_locate
from incidents.models import (
    TIMED_STATUSES,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseSource,
    CaseStatus,
    Category,
    Department,
    Open311Client,
    PendingRequest,
    TimeState,
)
from incidents.selectors import cases_for
from incidents.workcalendar import working_deadline, working_hours_between
from incidents.workflow import ACTIONS, SAME, Action, may_take

MAX_EXTENSION_HOURS = 500


class CaseConflict(VersionConflict):
    """The case changed since the actor saw it; ``case`` is its current state."""

    def __init__(self, case: Case):
        super().__init__(case, _("Someone else changed this case meanwhile; here is its current state."))
        self.case = case


# --------------------------------------------------------------------------- intake

def case_report(*, actor: User | None, category: Category | None, description: str, location: Point | None,
                source: str | None = None, address: str = "", reporter_name: str = "", reporter_phone: str = "",
                reporter_email: str = "", photos: list[UploadedFile] = (), open311_client: Open311Client | None = None,
                at: dt.datetime | None = None) -> Case:
    """File what was reported (信息收集): the location's grid cell, community and street,
    the category's kind, department and urgency, and a tracking number. ``actor`` is the
    grid leader or desk staff (None for Open311, where ``open311_client`` is set); without a
    ``source``, a grid leader reports from the spot and everyone else at the desk."""
    if actor is not None and not role_allows(actor, "incidents.add_case"):
        raise PermissionDenied(_("Your role may not report cases."))
    if source is None:
        source = CaseSource.GRID_LEADER if getattr(actor, "role", None) == Role.GRID_LEADER else CaseSource.DESK
    errors: dict[str, list[str]] = {}
    if category is None:
        errors["category"] = [_("Choose a category.")]
    elif category.parent_id is None or not category.active:
        errors["category"] = [_("Choose an active subcategory (小类), not a main category.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe the problem.")]
    if source == CaseSource.DESK and not (reporter_name.strip() and reporter_phone.strip()):
        errors["reporter_name"] = [_("At the desk, record the resident's name and phone.")]
    if source == CaseSource.PORTAL and (actor is not None or not reporter_phone.strip()):
        errors["reporter_phone"] = [_("A resident's report needs their phone number.")]
    if errors:
        raise ValidationError(errors)
    cell = _cell_at(location, actor=actor)
    checked = photos_check(list(photos))
    at = at or timezone.now()
    with transaction.atomic():
        case = Case.objects.create(
            tracking_number=_tracking_number(cell, at), tracking_key=secrets.token_hex(8), kind=category.kind,
            category=category,
            description=description.strip(), address=address.strip(), location=location,
            cell=cell, community=cell.parent, street=cell.parent.parent,
            urgency=category.urgency, source=source, reporter=actor, reporter_name=reporter_name.strip(),
            reporter_phone=reporter_phone.strip(), reporter_email=reporter_email.strip(),
            open311_client=open311_client, open311_token=uuid.uuid4() if open311_client else None,
            reported_at=at)
        event = CaseEvent.objects.create(case=case, at=at, action="report", to_status=case.status, actor=actor,
                                         note="", data={"source": source})
        _attach(case, event, checked, actor)
    return case


def _cell_at(location: Point | None, *, actor: User | None) -> Area:
    """The grid cell at ``location`` (with its community and street), which must be in the
    actor's areas (anywhere in the district for the public)."""
    if location is None:
        raise ValidationError({"location": [_("Give the location: a GPS fix or a point tapped on the map.")]})
    if actor is not None:
        location, area_id = geometry_locate(location, user=actor, field="location", allowed=("Point",))
    else:
        from gis_core.spatial import deepest_area_id, geometry_clean

        location = geometry_clean(location, field="location", allowed=("Point",))
        area_id = deepest_area_id(location)
    cell = Area.objects.select_related("parent__parent").filter(pk=area_id).first() if area_id else None
    if cell is None or cell.level != AreaLevel.GRID:
        raise ValidationError({"location": [_("The location lies outside every grid cell of the district.")]})
    return cell


def _tracking_number(cell: Area, at: dt.datetime) -> str:
    return tracking_number_next(area_code=cell.code, at=at)


def tracking_number_next(*, area_code: str, at: dt.datetime, prefix: str = "") -> str:
    """The next number of the scheme every record a resident follows shares (cases, and
    applications with their own ``prefix``): [prefix]date-street-sequence, e.g.
    20261201-530103001-0042 or BJ20261201-530103001-0007. The sequence restarts daily per
    street and prefix; one atomic upsert hands it out, so concurrent filings never share one."""
    day = timezone.localdate(at)
    street = area_code[:9]
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO incidents_trackingsequence (day, area_prefix, last) VALUES (%s, %s, 1)
               ON CONFLICT (day, area_prefix) DO UPDATE SET last = incidents_trackingsequence.last + 1
               RETURNING last""", [day, prefix + street])
        sequence = cursor.fetchone()[0]
    return f"{prefix}{day:%Y%m%d}-{street}-{sequence:04d}"


def _attach(case: Case, event: CaseEvent, photos: list[CheckedPhoto], actor: User | None) -> None:
    for photo in photos:
        attachment = CaseAttachment(case=case, event=event, content_type=photo.content_type,
                                    extension=photo.extension, size=photo.upload.size, width=photo.width,
                                    height=photo.height, uploaded_by=actor)
        attachment.file.save(f"photo.{photo.extension}", photo.upload, save=False)
        attachment.save()


# --------------------------------------------------------------------------- workflow

@dataclass
class ActionInput:
    """What an action may take besides the note (see workflow.Action.fields)."""

    department: Department | None = None
    duplicate_of: str = ""  # tracking number of the case this one repeats
    hours: int | None = None
    rating: int | None = None
    reporter_rating: int | None = None


def case_act(*, actor: User, case_id: int, action: str, version: int, note: str = "",
             params: ActionInput | None = None, photos: list[UploadedFile] = (),
             at: dt.datetime | None = None) -> Case:
    """Take one workflow action on a case in the actor's areas. ``version`` is the one the
    actor saw: if the case changed since, CaseConflict carries its current state. ``at``
    (default now) records a step taken earlier (the demo's history)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise ValidationError({"action": [_("Unknown action %(action)r.") % {"action": action}]})
    if not (actor.is_superuser and not actor.role) and actor.role not in spec.roles:
        raise PermissionDenied(_("Your role may not %(action)s a case.") % {"action": spec.label})
    params = params or ActionInput()
    note = (note or "").strip()
    checked = photos_check(list(photos))
    with transaction.atomic():
        case = (scope_queryset(Case.objects.select_for_update(of=("self",)), actor)
                .select_related("category").filter(pk=case_id).first())
        if case is None:
            raise Case.DoesNotExist
        if version != case.version:
            raise CaseConflict(case)
        if not may_take(actor, case, spec):
            raise ValidationError({"action": [_("A case that is %(status)s cannot be given the action "
                                                "“%(action)s”.") % {"status": case.get_status_display(),
                                                                     "action": spec.label}]})
        if spec.note_required and not note:
            raise ValidationError({"note": [_("Give the reason or what was done.")]})
        now = at or timezone.now()
        before, target = case.status, _target(case, spec, case.status)
        data = EFFECTS.get(action, _no_effect)(case, now, params, actor)
        case.status = target
        if before in TIMED_STATUSES or target in TIMED_STATUSES:  # the clock ran until now
            case.time_state = _time_state(case, now)
        case.version += 1
        case.save()
        event = CaseEvent.objects.create(case=case, at=now, action=action, from_status=before,
                                         to_status=case.status, actor=actor, note=note, data=data or {})
        _attach(case, event, checked, actor)
        case_changed.send(sender=Case, case=case, event=event)
    return case


def case_reporter_rate(*, case_id: int, rating: int, phone: str, channel: str = "sms") -> Case:
    """The reporter's own 回访 rating, sent from their phone (a reply to the rating request):
    recorded only on a closed or evaluated case reported from that phone, and logged as a
    follow-up visit without a staff actor."""
    rating = _rating(rating, "reporter_rating")
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).filter(pk=case_id).first()
        if case is None or not phone or case.reporter_phone != phone:
            raise ValidationError({"case": [_("No case reported from this phone.")]})
        if case.status not in ACTIONS["visit"].sources:
            raise ValidationError({"case": [_("A case that is %(status)s cannot be rated yet.") % {
                "status": case.get_status_display()}]})
        now = timezone.now()
        case.reporter_rating = rating
        case.version += 1
        case.save(update_fields=["reporter_rating", "version", "updated_at"])
        event = CaseEvent.objects.create(case=case, at=now, action="visit", from_status=case.status,
                                         to_status=case.status, actor=None, note=_("Rated by the reporter's reply"),
                                         data={"reporter_rating": rating, "channel": channel})
        case_changed.send(sender=Case, case=case, event=event)
    return case


def _target(case: Case, spec: Action, before: str) -> str:
    if spec.name == "resume":
        return case.paused_from or CaseStatus.HANDLING
    return before if spec.target is SAME else spec.target


def _time_state(case: Case, now: dt.datetime) -> str:
    if case.due_at and now >= case.due_at:
        return TimeState.LATE
    if case.warn_at and now >= case.warn_at:
        return TimeState.DUE_SOON
    return TimeState.ON_TIME


Effect = Callable[[Case, dt.datetime, ActionInput, User], dict | None]


def _no_effect(case, now, params, actor):
    return None


def _file(case: Case, now, params, actor):
    """The clock starts: the category's time limit from now."""
    hours = case.category.time_limit_hours
    case.filed_at, case.time_limit_hours, case.round_the_clock = now, hours, case.category.round_the_clock
    case.due_at = working_deadline(now, hours, round_the_clock=case.round_the_clock)
    case.warn_at = working_deadline(now, hours * settings.INCIDENTS_WARN_FRACTION,
                                    round_the_clock=case.round_the_clock)
    return {"due_at": case.due_at.isoformat(), "time_limit_hours": hours}


def _mark_duplicate(case: Case, now, params, actor):
    if not params.duplicate_of:
        raise ValidationError({"duplicate_of": [_("Choose the case this one repeats.")]})
    original = cases_for(actor).filter(tracking_number=params.duplicate_of).first()
    if original is None:
        raise ValidationError({"duplicate_of": [_("No case %(number)s in your areas.") % {
            "number": params.duplicate_of}]})
    if original.pk == case.pk or original.status in (CaseStatus.DUPLICATE, CaseStatus.REJECTED):
        raise ValidationError({"duplicate_of": [_("Choose another case that was filed.")]})
    case.duplicate_of = original
    return {"duplicate_of": original.tracking_number}


def _dispatch(case: Case, now, params, actor):
    department = params.department or case.department or case.category.department
    if department is None or not department.active:
        raise ValidationError({"department": [_("Choose an active department to send the case to.")]})
    case.department, case.dispatched_at = department, now
    return {"department": department.code, "department_name": department.name}


def _return(case: Case, now, params, actor):
    returned_by = case.department
    case.department, case.dispatched_at = None, None
    return {"department": returned_by.code if returned_by else None}


def _report_back(case: Case, now, params, actor):
    case.reported_back_at = now


def _close(case: Case, now, params, actor):
    case.closed_at = now
    case.closed_on_time = case.due_at is None or now <= case.due_at
    return {"on_time": case.closed_on_time}


def _rework(case: Case, now, params, actor):
    case.rework_count += 1
    case.reported_back_at = None


def _rating(value: int | None, field: str) -> int:
    if value is None or not 1 <= value <= 5:
        raise ValidationError({field: [_("Give a rating from 1 to 5.")]})
    return value


def _evaluate(case: Case, now, params, actor):
    case.rating, case.evaluated_at = _rating(params.rating, "rating"), now
    return {"rating": case.rating}


def _visit(case: Case, now, params, actor):
    case.reporter_rating = _rating(params.reporter_rating, "reporter_rating")
    return {"reporter_rating": case.reporter_rating}


def _archive(case: Case, now, params, actor):
    case.archived_at = now


def _request_extension(case: Case, now, params, actor):
    hours = params.hours
    if hours is None or not 1 <= hours <= MAX_EXTENSION_HOURS:
        raise ValidationError({"hours": [_("Ask for 1 to %(max)d more hours.") % {"max": MAX_EXTENSION_HOURS}]})
    case.pending_request, case.pending_hours = PendingRequest.EXTENSION, hours
    return {"hours": hours}


def _approve_extension(case: Case, now, params, actor):
    hours = case.pending_hours
    case.due_at = working_deadline(case.due_at, hours, round_the_clock=case.round_the_clock)
    case.warn_at = working_deadline(case.warn_at, hours, round_the_clock=case.round_the_clock)
    case.time_limit_hours += hours
    case.extension_count += 1
    case.pending_request, case.pending_hours = PendingRequest.NONE, None
    return {"hours": hours, "due_at": case.due_at.isoformat()}


def _deny_request(case: Case, now, params, actor):
    case.pending_request, case.pending_hours = PendingRequest.NONE, None


def _request_deferral(case: Case, now, params, actor):
    case.pending_request = PendingRequest.DEFERRAL


def _pause(case: Case, now, params, actor):
    """Suspension and deferral stop the clock; ``_resume`` gives the time back."""
    case.paused_at, case.paused_from = now, case.status
    case.pending_request, case.pending_hours = PendingRequest.NONE, None


def _approve_deferral(case: Case, now, params, actor):
    case.deferred_at = now
    _pause(case, now, params, actor)


def _resume(case: Case, now, params, actor):
    lost = working_hours_between(case.paused_at, now, round_the_clock=case.round_the_clock)
    if case.due_at:
        case.due_at = working_deadline(case.due_at, lost, round_the_clock=case.round_the_clock)
        case.warn_at = working_deadline(case.warn_at, lost, round_the_clock=case.round_the_clock)
    case.paused_at, case.paused_from = None, ""
    return {"paused_hours": round(lost, 2), "due_at": case.due_at.isoformat() if case.due_at else None}


def _supervise(case: Case, now, params, actor):
    case.supervision_count += 1
    return {"level": case.supervision_count}


EFFECTS: dict[str, Effect] = {
    "file": _file, "mark_duplicate": _mark_duplicate, "dispatch": _dispatch, "return": _return,
    "report_back": _report_back, "close": _close, "rework": _rework, "evaluate": _evaluate, "visit": _visit,
    "archive": _archive, "request_extension": _request_extension, "approve_extension": _approve_extension,
    "deny_extension": _deny_request, "request_deferral": _request_deferral,
    "approve_deferral": _approve_deferral, "deny_deferral": _deny_request, "suspend": _pause,
    "resume": _resume, "supervise": _supervise,
}


# --------------------------------------------------------------------------- the clock

def cases_clock_tick(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Flag open cases that are due soon or late (logging each change), and archive cases
    closed more than INCIDENTS_ARCHIVE_DAYS ago. One statement each; run every minute by
    ``manage.py incidents_clock``."""
    now = now or timezone.now()
    archive_before = now - dt.timedelta(days=settings.INCIDENTS_ARCHIVE_DAYS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            WITH moved AS (
                UPDATE incidents_case c SET time_state = n.state, version = c.version + 1
                FROM (SELECT id, CASE WHEN due_at <= %(now)s THEN 'late'
                                      WHEN warn_at <= %(now)s THEN 'due_soon' ELSE 'on_time' END AS state
                      FROM incidents_case
                      WHERE status = ANY(%(timed)s) AND warn_at <= %(now)s) n
                WHERE c.id = n.id AND c.time_state <> n.state AND n.state <> 'on_time'
                RETURNING c.id, c.status, n.state
            )
            INSERT INTO incidents_caseevent (case_id, at, action, from_status, to_status, note, data)
            SELECT id, %(now)s, state, status, status, '', '{}'::jsonb FROM moved
            RETURNING action, id
            """, {"now": now, "timed": list(TIMED_STATUSES)})
        rows = cursor.fetchall()
        flagged = [row[0] for row in rows]
        cases_flagged.send(sender=Case, event_ids=[row[1] for row in rows])
        cursor.execute(
            """
            WITH archived AS (
                UPDATE incidents_case SET status = 'archived', archived_at = %(now)s, version = version + 1
                WHERE status IN ('closed', 'evaluated') AND closed_at < %(before)s
                RETURNING id, %(now)s::timestamptz AS at
            )
            INSERT INTO incidents_caseevent (case_id, at, action, from_status, to_status, note, data)
            SELECT a.id, a.at, 'auto_archive', e.to_status, 'archived', '', '{}'::jsonb
            FROM archived a
            CROSS JOIN LATERAL (SELECT to_status FROM incidents_caseevent WHERE case_id = a.id
                                ORDER BY at DESC, id DESC LIMIT 1) e
            """, {"now": now, "before": archive_before})
        archived = cursor.rowcount
    return {"due_soon": flagged.count("due_soon"), "late": flagged.count("late"), "archived": archived}


# --------------------------------------------------------------------------- Open311 clients

def key_hash(api_key: str) -> str:
    return hashlib.sha256(api_key.encode()).hexdigest()


def open311_client_create(*, name: str) -> tuple[Open311Client, str]:
    """A new client and its api_key (returned once; only its hash is stored)."""
    api_key = secrets.token_urlsafe(24)
    return Open311Client.objects.create(name=name, key_hash=key_hash(api_key)), api_key
