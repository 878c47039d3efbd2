"""The outbox (read-only, scoped, recipients masked by role) and the user's own inbox."""
from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from gis_core.api_base import ScopedViewSetMixin
from gis_core.filters import PersonalDataFilterBackend, PersonalDataOrderingFilter
from notify import selectors, services
from notify.filters import NotificationFilter
from notify.models import Notification
from notify.serializers import (
    ChannelChoiceOutSerializer,
    ChannelChoicesSerializer,
    InboxItemSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    UnreadSerializer,
)


class NotificationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Notifications about events in the user's areas. ``?search=`` the event key or the
    provider's message id."""

    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filter_backends = [PersonalDataFilterBackend, DjangoFilterBackend, PersonalDataOrderingFilter]
    filterset_class = NotificationFilter
    search_fields = ["key", "provider_id"]
    ordering_fields = ["created_at", "sent_at", "state"]


class InboxViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The signed-in user's inbox, newest first; ``?unread=1`` for unread only."""

    serializer_class = InboxItemSerializer
    permission_classes = [permissions.IsAuthenticated]
    filter_backends = []

    def get_queryset(self):
        items = selectors.inbox_for(self.request.user)
        if self.request.query_params.get("unread") in ("1", "true"):
            items = items.filter(read_at__isnull=True)
        return items

    @extend_schema(request=MarkReadSerializer, responses=UnreadSerializer)
    @action(detail=False, methods=["post"], url_path="read")
    def mark_read(self, request):
        """Read receipts: ``{"ids": [...]}``, or every unread item without ``ids``."""
        data = MarkReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.inbox_mark_read(user=request.user, item_ids=data.validated_data.get("ids"))
        return Response({"unread": selectors.inbox_unread_count(request.user)})

    @extend_schema(responses=UnreadSerializer)
    @action(detail=False, methods=["get"])
    def unread(self, request):
        return Response({"unread": selectors.inbox_unread_count(request.user)})

    @extend_schema(methods=["get"], responses=ChannelChoiceOutSerializer(many=True))
    @extend_schema(methods=["put"], request=ChannelChoicesSerializer, responses=ChannelChoiceOutSerializer(many=True))
    @action(detail=False, methods=["get", "put"], pagination_class=None)  # one list, not pages
    def channels(self, request):
        """The user's channels per kind of non-urgent message (PUT ``{"choices": {kind:
        [channels]}}``; 400 names a kind or channel that cannot be chosen). Urgent
        messages (SOS) ignore them."""
        if request.method == "PUT":
            data = ChannelChoicesSerializer(data=request.data, context={"user": request.user})
            data.is_valid(raise_exception=True)
            services.channel_choices_set(user=request.user, choices=data.validated_data["choices"])
        return Response(selectors.channel_choices_for(request.user))
