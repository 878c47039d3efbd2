"""Reads of the notification engine."""
from __future__ import annotations

from django.db.models import QuerySet

from gis_core.scoping import scope_queryset
from notify.models import InboxItem, Notification


def notifications_for(user) -> QuerySet[Notification]:
    return scope_queryset(Notification.objects.all(), user)


def inbox_for(user) -> QuerySet[InboxItem]:
    return InboxItem.objects.filter(user=user)


def inbox_unread_count(user) -> int:
    return InboxItem.objects.filter(user=user, read_at__isnull=True).count()


def channel_choices_for(user) -> list[dict]:
    """Each kind of non-urgent message with its label, the channels it offers, those the
    user can receive, and the user's choice (or the kind's default)."""
    from notify.models import ChannelChoice
    from notify.rules import KINDS, channels_available

    usable = channels_available(user)
    chosen = dict(ChannelChoice.objects.filter(user=user).values_list("kind", "channels"))
    rows = []
    for code, kind in KINDS.items():
        available = [c for c in usable if c in kind.offered]
        rows.append({"kind": code, "label": str(kind.label), "offered": list(kind.offered), "available": available,
                     "channels": [c for c in available if c in chosen.get(code, kind.default)]})
    return rows
