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
