"""The in-app inbox: the item is written in the worker's transaction and announced on
channel ``notify_inbox`` for the live unread count."""
from __future__ import annotations

import json

from django.db import connection, transaction

from notify.channels import PermanentFailure

INBOX_CHANNEL = "notify_inbox"


class InboxSender:
    def open(self) -> None:
        pass

    def send(self, notification) -> str:
        from notify.models import InboxItem

        if notification.user_id is None:
            raise PermanentFailure("no user to put it in the inbox of")
        with transaction.atomic():
            item = InboxItem.objects.create(user_id=notification.user_id, notification=notification,
                                            title=notification.subject, body=notification.body,
                                            link=notification.values.get("link", ""))
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [INBOX_CHANNEL, json.dumps({"user": item.user_id})])
        return f"inbox:{item.pk}"
