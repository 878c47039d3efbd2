from django.utils.translation import gettext as _
from rest_framework import serializers

from gis_core.api_base import PersonalDataSerializerMixin
from notify.models import Channel, InboxItem, Notification


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


class ChannelChoicesSerializer(serializers.Serializer):
    """The signed-in user's channels per kind of non-urgent message (notify.rules.KINDS):
    ``{"choices": {"case_deadline": ["inbox", "sms"], …}}``; kinds left out keep their
    choice. E-mail needs the user's address, SMS their phone. Urgent messages (SOS) come
    whatever is chosen."""

    choices = serializers.DictField(child=serializers.ListField(
        child=serializers.ChoiceField(choices=[Channel.INBOX, Channel.EMAIL, Channel.SMS]), allow_empty=True))

    def validate_choices(self, value):
        from notify.rules import KINDS

        user = self.context["user"]
        errors = []
        for kind, channels in value.items():
            if kind not in KINDS:
                errors.append(_("Unknown kind of message %(kind)r.") % {"kind": kind})
            elif set(channels) - set(KINDS[kind].offered):
                offered = ", ".join(str(Channel(c).label) for c in KINDS[kind].offered)
                errors.append(_("%(kind)s come only through: %(channels)s.") % {
                    "kind": KINDS[kind].label, "channels": offered})
            if Channel.EMAIL in channels and not user.email:
                errors.append(_("You have no e-mail address: e-mail cannot be chosen."))
            if Channel.SMS in channels and not user.phone:
                errors.append(_("You have no phone number: SMS cannot be chosen."))
        if errors:
            raise serializers.ValidationError(sorted(set(errors)))
        return {kind: sorted(set(channels)) for kind, channels in value.items()}


class ChannelChoiceOutSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    channels = serializers.ListField(child=serializers.CharField())
    offered = serializers.ListField(child=serializers.CharField(), help_text="The channels this kind comes by.")
    available = serializers.ListField(child=serializers.CharField(),
                                      help_text="The channels this user can receive (e-mail with an address, "
                                                "SMS with a phone).")
