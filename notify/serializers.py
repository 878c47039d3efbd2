from rest_framework import serializers

from gis_core.api_base import PersonalDataSerializerMixin
from notify.models import InboxItem, Notification


class NotificationSerializer(PersonalDataSerializerMixin, serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "key", "template", "channel", "language", "user", "person", "address", "area", "subject_type",
                  "subject_id", "urgent", "state", "reason", "tries", "subject", "body", "provider_id", "receipt",
                  "reply", "created_at", "next_try_at", "expires_at", "sent_at", "delivered_at"]


class InboxItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InboxItem
        fields = ["id", "title", "body", "link", "created_at", "read_at"]


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, allow_empty=False,
                                help_text="Items to mark read; all unread ones when left out.")


class UnreadSerializer(serializers.Serializer):
    unread = serializers.IntegerField()
