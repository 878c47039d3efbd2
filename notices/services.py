"""Writes of notices: draft, edit, submit, approve (and fan out), reject, withdraw, attach.

Every step is one transaction and one row of the append-only NoticeStep log. Approval fans
the notice out through the notify outbox in two INSERT … SELECT statements (residents'
distinct phones by SMS, staff by the in-app inbox) with the idempotency keys
``notice:<id>:sms:<phone hash>`` and ``notice:<id>:staff:<user id>`` and ON CONFLICT DO
NOTHING: a second approval or a retry queues nothing twice. Delivery runs in chunks
(notices.tasks.send_chunk), paced at NOTICES_SMS_RATE messages a second — the gateway's.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import PersonTag
from gis_core.models import Area, Role
from gis_core.roles import require_permission
from gis_core.scans import scan_check
from gis_core.scoping import UNRESTRICTED, in_scope, user_area_prefixes
from gis_core.spatial import geometry_clean
from notices.defaults import templates_load
from notices.models import Notice, NoticeAttachment, NoticeKind, NoticeStatus, NoticeStep
from notices.targeting import Target, phones_sql, staff_sql, target_reach
from notify.models import Channel, MessageTemplate, Notification
from notify.rules import NOTICE_KIND

APPROVER_ROLES = frozenset({Role.STREET_OFFICIAL, Role.DISTRICT_ADMIN})
CAP_FIELDS = ("event", "urgency", "severity", "certainty")
TOLERANCE_DEG = 1e-5  # ≈ 1 m: a target drawn along a boundary still lies inside it
MAX_RADIUS_M = 50_000


@dataclass
class NoticeInput:
    """What a draft says (the API's input serializer hands this over, cleaned)."""

    kind: str
    title: str
    body: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    target_areas: list[Area]
    polygon: Any = None             # GEOSGeometry (Polygon or MultiPolygon) or None
    circle_center: Point | None = None
    circle_radius_m: int | None = None
    to_residents: bool = True
    group: PersonTag | None = None
    to_staff: bool = False
    cap_category: str = ""
    event: str = ""
    urgency: str = ""
    severity: str = ""
    certainty: str = ""
    instruction: str = ""
    source_identifier: str = ""
    source_sender: str = ""


# --------------------------------------------------------------------------- drafts

def notice_create(*, actor, data: NoticeInput, note: str = "") -> Notice:
    """A new draft in the actor's areas (actor None: the system, e.g. a CAP import command)."""
    if actor is not None:
        require_permission(actor, "notices.add_notice")
    with transaction.atomic():
        notice = Notice(created_by=actor if getattr(actor, "is_authenticated", False) else None)
        _apply(notice, data, actor=actor)
        _step(notice, actor=actor, action="draft", from_status="", note=note)
    return notice


def notice_update(*, actor, notice: Notice, data: NoticeInput, version: int | None = None) -> Notice:
    """Edit a draft (or a rejected notice, which becomes a draft again)."""
    require_permission(actor, "notices.change_notice")
    with transaction.atomic():
        notice = _locked(notice, version=version)
        if notice.status not in (NoticeStatus.DRAFT, NoticeStatus.REJECTED):
            raise ValidationError({"status": [_("Only a draft can be edited; this notice is %(status)s.")
                                              % {"status": notice.get_status_display()}]})
        before = notice.status
        notice.status = NoticeStatus.DRAFT
        _apply(notice, data, actor=actor)
        _step(notice, actor=actor, action="edit", from_status=before)
    return notice


def _apply(notice: Notice, data: NoticeInput, *, actor) -> None:
    """Validate the whole draft, save it and its target geometry."""
    errors: dict[str, list[str]] = {}
    if data.valid_until <= data.valid_from:
        errors["valid_until"] = [_("The end of validity must come after its start.")]
    if data.kind == NoticeKind.WARNING:
        for name in CAP_FIELDS:
            if not getattr(data, name):
                errors[name] = [_("A warning needs this CAP field.")]
    if not (data.to_residents or data.to_staff):
        errors["to_residents"] = [_("Choose who it is for: the residents, a key group or the staff.")]
    if data.group is not None and not data.to_residents:
        errors["group"] = [_("A key group is a part of the residents: also choose the residents.")]
    if (data.circle_center is None) != (data.circle_radius_m is None):
        errors["circle"] = [_("A circle needs its centre and its radius.")]
    elif data.circle_radius_m is not None and not 0 < data.circle_radius_m <= MAX_RADIUS_M:
        errors["circle"] = [_("The radius is between 1 m and %(max)s m.") % {"max": f"{MAX_RADIUS_M:,}"}]
    polygon = None
    if data.polygon is not None:
        try:
            polygon = geometry_clean(data.polygon, field="polygon", allowed=("Polygon", "MultiPolygon"),
                                     promote_to_multi=True, max_vertices=5000)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if data.circle_center is not None and "circle" not in errors:
        try:
            geometry_clean(data.circle_center, field="circle", allowed=("Point",))
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if not data.target_areas and polygon is None and data.circle_center is None:
        errors["target_areas"] = [_("Choose areas on the map or draw a polygon or a circle.")]
    outside = [a for a in data.target_areas if not _area_in_scope(actor, a)]
    if outside:
        errors["target_areas"] = [_("%(area)s is outside your areas.") % {"area": outside[0]}]
    if errors:
        raise ValidationError(errors)

    for name in ("kind", "title", "body", "valid_from", "valid_until", "circle_center", "circle_radius_m",
                 "to_residents", "group", "to_staff", "cap_category", "event", "urgency", "severity",
                 "certainty", "instruction", "source_identifier", "source_sender"):
        setattr(notice, name, getattr(data, name))
    notice.polygon = polygon
    if not notice.is_warning:
        for name in ("cap_category", *CAP_FIELDS, "instruction"):
            setattr(notice, name, "")
    shape, target, area_id = _geometry(polygon, data.circle_center, data.circle_radius_m,
                                       [a.pk for a in data.target_areas])
    field = "polygon" if polygon is not None else "circle" if data.circle_center is not None else "target_areas"
    if area_id is None:
        raise ValidationError({field: [_("The target reaches beyond the areas of the district.")]})
    if shape is not None and not _shape_in_scope(actor, shape):
        raise ValidationError({field: [_("The drawn target reaches beyond your areas.")]})
    notice.shape, notice.target, notice.area_id = shape, target, area_id
    if notice.pk:
        notice.version += 1
    notice.save()
    notice.target_areas.set(data.target_areas)


def _prefixes(actor):
    """The actor's area prefixes; the system (a command: actor None) is unrestricted."""
    return UNRESTRICTED if actor is None else user_area_prefixes(actor)


def _area_in_scope(actor, area: Area) -> bool:
    prefixes = _prefixes(actor)
    return prefixes is UNRESTRICTED or any(area.code.startswith(p) for p in prefixes)


def _geometry(polygon, center, radius_m, area_ids) -> tuple:
    """(shape, target, area id): the drawn polygon and the circle (buffered on the
    spheroid) united; that with the target areas' boundaries; the deepest area covering it
    that is also an ancestor (or itself) of each target area."""
    from django.contrib.gis.geos import GEOSGeometry

    with connection.cursor() as cursor:
        cursor.execute("""
            WITH s AS (
              SELECT ST_Multi(ST_CollectionExtract(ST_Union(g), 3)) AS shape FROM (
                SELECT ST_GeomFromEWKB(%s) AS g
                UNION ALL SELECT ST_Buffer(ST_GeomFromEWKB(%s)::geography, %s, 'quad_segs=16')::geometry) x
              WHERE g IS NOT NULL),
            t AS (
              SELECT ST_Multi(ST_CollectionExtract(ST_Union(g), 3)) AS target FROM (
                SELECT boundary AS g FROM gis_core_area WHERE id = ANY(%s) UNION ALL SELECT shape FROM s) y
              WHERE g IS NOT NULL)
            SELECT ST_AsEWKB(s.shape), ST_AsEWKB(t.target),
                   (SELECT a.id FROM gis_core_area a WHERE a.boundary && t.target
                      AND ST_Covers(ST_Buffer(a.boundary, %s), t.target)
                      AND NOT EXISTS (SELECT 1 FROM gis_core_area c WHERE c.id = ANY(%s)
                                      AND c.code NOT LIKE a.prefix || '%%')
                    ORDER BY a.level DESC, a.id LIMIT 1)
            FROM s, t""", [bytes(polygon.ewkb) if polygon is not None else None,
                           bytes(center.ewkb) if center is not None else None, radius_m, list(area_ids),
                           TOLERANCE_DEG, list(area_ids)])
        shape, target, area_id = cursor.fetchone()
    return (GEOSGeometry(memoryview(bytes(shape))) if shape else None,
            GEOSGeometry(memoryview(bytes(target))) if target else None, area_id)


def _shape_in_scope(actor, shape) -> bool:
    """A drawn shape lies within the actor's own areas (a community worker's community)."""
    if _prefixes(actor) is UNRESTRICTED:
        return True
    with connection.cursor() as cursor:
        cursor.execute("""SELECT coalesce(ST_Covers(ST_Buffer(ST_Union(a.boundary), %s), ST_GeomFromEWKB(%s)), false)
                          FROM gis_core_area a JOIN gis_core_user_areas ua ON ua.area_id = a.id
                          WHERE ua.user_id = %s""", [TOLERANCE_DEG, bytes(shape.ewkb), actor.pk])
        return cursor.fetchone()[0]


def _locked(notice: Notice, *, version: int | None = None) -> Notice:
    from gis_core.conflicts import VersionConflict

    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if version is not None and version != locked.version:
        raise VersionConflict(locked)
    return locked


def _step(notice: Notice, *, actor, action: str, from_status: str, note: str = "", data: dict | None = None) -> None:
    NoticeStep.objects.create(notice=notice, action=action, from_status=from_status, to_status=notice.status,
                              actor=actor if getattr(actor, "is_authenticated", False) else None, note=note,
                              data=data or {})


def notice_attach(*, actor, notice: Notice, upload, name: str = "") -> NoticeAttachment:
    """A PDF, JPEG or PNG (decided by its content: an attachment is served to the public
    under MEDIA_URL, so nothing a browser would run) added to a draft."""
    require_permission(actor, "notices.change_notice")
    checked = scan_check(upload, "file")
    with transaction.atomic():
        notice = _locked(notice)
        if notice.status not in (NoticeStatus.DRAFT, NoticeStatus.REJECTED):
            raise ValidationError({"file": [_("Attachments are added to drafts.")]})
        attachment = NoticeAttachment(notice=notice, name=(name or upload.name)[:120])
        attachment.file.save(f"{Path(upload.name or 'file').stem[:80]}.{checked.extension}", upload, save=False)
        attachment.save()
        _step(notice, actor=actor, action="attach", from_status=notice.status, data={"name": attachment.name})
    return attachment


def notice_import_cap(*, actor, document: bytes, note: str = "") -> tuple[Notice, bool]:
    """A CAP 1.2 alert from upstream as a draft warning targeted by its areas (our area
    codes) and its polygons and circles. The same alert (sender, identifier) imports once:
    (notice, created)."""
    from notices.cap import cap_alert_read

    fields = cap_alert_read(document)
    existing = Notice.objects.filter(source_sender=fields["source_sender"],
                                     source_identifier=fields["source_identifier"]).first()
    if existing is not None and fields["source_identifier"]:
        return existing, False
    return notice_create(actor=actor, data=NoticeInput(**fields), note=note or _("Imported from a CAP alert")), True


# --------------------------------------------------------------------------- the flow

def notice_submit(*, actor, notice: Notice, note: str = "", version: int | None = None) -> Notice:
    """A draft goes to the approvers."""
    require_permission(actor, "notices.change_notice")
    return _move(notice, actor=actor, action="submit", allowed=(NoticeStatus.DRAFT, NoticeStatus.REJECTED),
                 to=NoticeStatus.SUBMITTED, note=note, version=version)


def notice_reject(*, actor, notice: Notice, note: str, version: int | None = None) -> Notice:
    _require_approver(actor, notice)
    if not note.strip():
        raise ValidationError({"note": [_("Say why it is rejected.")]})
    return _move(notice, actor=actor, action="reject", allowed=(NoticeStatus.SUBMITTED,),
                 to=NoticeStatus.REJECTED, note=note, version=version)


def notice_withdraw(*, actor, notice: Notice, note: str, version: int | None = None) -> Notice:
    """Take a notice down (a published one leaves the screens, lists and feeds)."""
    require_permission(actor, "notices.change_notice")
    if not note.strip():
        raise ValidationError({"note": [_("Say why it is withdrawn.")]})
    return _move(notice, actor=actor, action="withdraw",
                 allowed=(NoticeStatus.DRAFT, NoticeStatus.SUBMITTED, NoticeStatus.APPROVED, NoticeStatus.REJECTED),
                 to=NoticeStatus.WITHDRAWN, note=note, version=version)


def _move(notice: Notice, *, actor, action: str, allowed, to: str, note: str, version: int | None) -> Notice:
    with transaction.atomic():
        notice = _locked(notice, version=version)
        if notice.status not in allowed:
            raise ValidationError({"status": [_("Not possible while the notice is %(status)s.")
                                              % {"status": notice.get_status_display()}]})
        before, notice.status = notice.status, to
        notice.version += 1
        notice.save(update_fields=["status", "version"])
        _step(notice, actor=actor, action=action, from_status=before, note=note)
    return notice


def _require_approver(actor, notice: Notice) -> None:
    from django.core.exceptions import PermissionDenied

    if not (actor.is_superuser or actor.role in APPROVER_ROLES):
        raise PermissionDenied(_("Only a street official or a district administrator approves notices."))
    if not in_scope(actor, notice):
        raise PermissionDenied(_("This notice is outside your areas."))


def notice_approve(*, actor, notice: Notice, note: str = "", version: int | None = None) -> Notice:
    """Publish a submitted notice and fan it out (in the same transaction)."""
    _require_approver(actor, notice)
    with transaction.atomic():
        notice = _locked(notice, version=version)
        if notice.status != NoticeStatus.SUBMITTED:
            raise ValidationError({"status": [_("Only a notice awaiting approval can be approved; this one is "
                                                "%(status)s.") % {"status": notice.get_status_display()}]})
        notice.status, notice.approved_by, notice.published_at = NoticeStatus.APPROVED, actor, timezone.now()
        notice.version += 1
        fanned = notice_fan_out(notice=notice)
        notice.people_count, notice.phone_count, notice.staff_count = (fanned["people"], fanned["phones"],
                                                                        fanned["staff"])
        notice.save(update_fields=["status", "approved_by", "published_at", "version", "people_count",
                                   "phone_count", "staff_count"])
        _step(notice, actor=actor, action="approve", from_status=NoticeStatus.SUBMITTED, note=note, data=fanned)
    return notice


def notice_sms_text(notice: Notice) -> str:
    """The SMS: kind, title, what to do (a warning's instruction) or the start of the text."""
    detail = notice.instruction or notice.body
    if len(detail) > 60:
        detail = detail[:59] + "…"
    return f"【{notice.get_kind_display()}】{notice.title}：{detail}"


def notice_fan_out(*, notice: Notice) -> dict[str, int]:
    """Queue the notice's messages: one SMS per distinct phone of the residents reached,
    one inbox message per staff member — two INSERT … SELECT, keys unique, ON CONFLICT DO
    NOTHING — then the delivery jobs, one per chunk. Idempotent: run again, it queues
    nothing already queued. Returns the counts (reached and newly queued)."""
    templates_load(MessageTemplate)
    target = Target.of(notice)
    reach = target_reach(target)
    table = Notification._meta.db_table
    rate = max(settings.NOTICES_SMS_RATE, 1)
    expires = notice.valid_until
    values_sms = {"text": notice_sms_text(notice), "notice": notice.pk}
    values_staff = {"title": notice.title, "text": notice.body[:500], "notice": notice.pk,
                    "link": f"/notices/{notice.pk}/"}
    phones, phone_params = phones_sql(target)
    staff, staff_params = staff_sql(target)
    common = """%s::jsonb, 'zh-hans', %s, 'notice', %s, %s, 'queued', '', 0, '', '', '', '', '', now()"""
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO {table} (key, template, values, language, channel, subject_type, subject_id, urgent, state,
                                 reason, tries, subject, body, provider_id, receipt, reply, created_at, user_id,
                                 address, area_id, next_try_at, expires_at)
            SELECT 'notice:' || %s || ':staff:' || s.user_id, 'notice_inbox', {common}, s.user_id, '', %s,
                   now(), %s
            FROM ({staff}) s
            WHERE %s OR NOT EXISTS (SELECT 1 FROM notify_channelchoice c  -- who chose no notices (warnings come)
                                    WHERE c.user_id = s.user_id AND c.kind = %s AND NOT 'inbox' = ANY(c.channels))
            ON CONFLICT (key) DO NOTHING""",
                       [notice.pk, _json(values_staff), Channel.INBOX, notice.pk, notice.urgent, notice.area_id,
                        expires, *staff_params, notice.is_warning, NOTICE_KIND])
        staff_queued = cursor.rowcount
        # Paced: next_try_at is each message's turn at the gateway's rate, so the outbox's
        # recovery (notify.services.notifications_recover) leaves waiting ones alone.
        cursor.execute(f"""
            INSERT INTO {table} (key, template, values, language, channel, subject_type, subject_id, urgent, state,
                                 reason, tries, subject, body, provider_id, receipt, reply, created_at, person_id,
                                 address, area_id, next_try_at, expires_at)
            SELECT 'notice:' || %s || ':sms:' || left(md5(ph.phone), 16), 'notice_sms', {common}, ph.person_id,
                   ph.phone, ph.area_id,
                   now() + (row_number() OVER (ORDER BY ph.phone)) / %s::float * interval '1 second', %s
            FROM ({phones}) ph
            ON CONFLICT (key) DO NOTHING""",
                       [notice.pk, _json(values_sms), Channel.SMS, notice.pk, notice.urgent, rate, expires,
                        *phone_params])
        sms_queued = cursor.rowcount
        chunks = _chunks(cursor, notice.pk)
    _defer_chunks(notice.pk, chunks, rate=rate, urgent=notice.urgent)
    return {"people": reach.people, "phones": reach.phones, "staff": reach.staff,
            "sms_queued": sms_queued, "staff_queued": staff_queued}


def _json(value: dict) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _chunks(cursor, notice_id: int) -> list[tuple[int, int]]:
    """Id ranges of NOTICES_CHUNK queued messages of the notice (inbox ones first)."""
    table = Notification._meta.db_table
    cursor.execute(f"""
        SELECT min(id), max(id) FROM (
          SELECT id, (row_number() OVER (ORDER BY id) - 1) / %s AS chunk FROM {table}
          WHERE subject_type = 'notice' AND subject_id = %s AND state = 'queued') q
        GROUP BY chunk ORDER BY chunk""", [settings.NOTICES_CHUNK, notice_id])
    return cursor.fetchall()


def _defer_chunks(notice_id: int, chunks: list[tuple[int, int]], *, rate: int, urgent: bool) -> None:
    from notices.tasks import send_chunk

    now = timezone.now()
    for number, (first, last) in enumerate(chunks):
        at = now + dt.timedelta(seconds=number * settings.NOTICES_CHUNK / rate)
        send_chunk.configure(queue="urgent" if urgent else "notify", priority=5 if urgent else 0,
                             schedule_at=at if number else None).defer(notice_id=notice_id, first_id=first,
                                                                       last_id=last)


def notice_chunk_send(*, notice_id: int, first_id: int, last_id: int, rate: int | None = None) -> dict[str, int]:
    """The worker's job: deliver the notice's queued messages with ids in the range, at
    most ``rate`` (NOTICES_SMS_RATE) a second, through notify's batches
    (notify.services.notifications_deliver: per batch one claim, one SMPP window, one
    record), so a crash mid-chunk sends nothing twice. Returns the count of each state."""
    from notify.services import notifications_deliver

    ids = list(Notification.objects.filter(subject_type="notice", subject_id=notice_id, state="queued",
                                           id__gte=first_id, id__lte=last_id).order_by("id")
               .values_list("id", flat=True))
    states: dict[str, int] = {}
    for state in notifications_deliver(ids=ids, rate=rate or settings.NOTICES_SMS_RATE).values():
        states[state] = states.get(state, 0) + 1
    return states
