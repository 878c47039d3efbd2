"""Reads of notices: the staff's scoped list, the active notices of an area (screens, the
residents' list, the portal), the preview of a target and the staff's read receipts."""
from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from gis_core.models import Area
from gis_core.scoping import scope_queryset
from notices.models import Notice, NoticeStatus
from notify.models import InboxItem, Notification


def notices_for(user) -> QuerySet[Notice]:
    """Notices of the user's areas (gis_core.scoping), with what lists show."""
    return scope_queryset(Notice.objects.select_related("area", "group", "created_by", "approved_by"), user)


def notices_active(*, now=None) -> QuerySet[Notice]:
    now = now or timezone.now()
    return Notice.objects.filter(status=NoticeStatus.APPROVED, valid_from__lte=now, valid_until__gt=now)


def notices_for_area(area: Area, *, now=None) -> QuerySet[Notice]:
    """The active notices of an area and of its parents: targeted at it or an area above
    it, or drawn over its inside. Warnings first, then the newest. For the screens, the
    residents' list and the portal (``{% include "notices/area_notices.html" %}``)."""
    ancestors = Area.objects.extra(where=["%s LIKE gis_core_area.prefix || '%%'"], params=[area.code])
    drawn = Q(shape__intersects=area.boundary) & ~Q(shape__touches=area.boundary)
    return (notices_active(now=now).filter(Q(target_areas__in=ancestors) | drawn).distinct()
            .select_related("area").prefetch_related("attachments")
            .order_by("-kind", "-published_at", "-id"))


def notice_staff_receipts(notice: Notice) -> list[dict]:
    """The staff the notice went to, each with when they read it (None: not yet), unread
    first: one query over the outbox and the inbox."""
    table, inbox = Notification._meta.db_table, InboxItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT u.id, coalesce(nullif(u.name, ''), u.username), u.role, n.state, i.read_at
            FROM {table} n JOIN gis_core_user u ON u.id = n.user_id
            LEFT JOIN {inbox} i ON i.notification_id = n.id
            WHERE n.subject_type = 'notice' AND n.subject_id = %s AND n.channel = 'inbox'
            ORDER BY i.read_at IS NOT NULL, i.read_at, u.username""", [notice.pk])
        return [{"user_id": r[0], "name": r[1], "role": r[2], "state": r[3], "read_at": r[4]}
                for r in cursor.fetchall()]


def notice_delivery(notice: Notice) -> dict[str, dict[str, int]]:
    """Messages of the notice by channel and state."""
    rows = (Notification.objects.filter(subject_type="notice", subject_id=notice.pk)
            .values_list("channel", "state").order_by())
    counts: dict[str, dict[str, int]] = {}
    for channel, state, count in rows.annotate(n=Count("id")).values_list("channel", "state", "n"):
        counts.setdefault(channel, {})[state] = count
    return counts
