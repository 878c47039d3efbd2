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
    """Each kind of non-urgent message with its label, the user's channels (or the kind's
    default) and the channels the user can receive."""
    from notify.models import ChannelChoice
    from notify.rules import KINDS, channels_available

    available = channels_available(user)
    chosen = dict(ChannelChoice.objects.filter(user=user).values_list("kind", "channels"))
    return [{"kind": code, "label": str(kind.label), "available": available,
             "channels": [c for c in available if c in chosen.get(code, kind.default)]}
            for code, kind in KINDS.items()]
