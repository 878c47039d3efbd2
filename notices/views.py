"""The API (``/api/v1/notices/``): the staff's notices in their areas, drafting, the
preview of a target, the flow (submit, approve, reject, withdraw), attachments, read
receipts, the CAP import; and the public list of an area's active notices
(``/api/v1/public/notices/?area=<code>``). Thin: serializers, selectors, services."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.api_base import ScopedViewSetMixin, conflict_schema
from notices import selectors, services
from notices.models import Notice
from notices.serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    CapUploadSerializer,
    NoticeDetailSerializer,
    NoticeInputSerializer,
    NoticeSerializer,
    NoticeStepInputSerializer,
    PublicNoticeSerializer,
    PublicQuerySerializer,
    ReachSerializer,
    ReceiptSerializer,
)
from notices.targeting import Target, target_reach

NOTICE_CONFLICT = conflict_schema("NoticeConflict")
STEPS = {"submit": services.notice_submit, "approve": services.notice_approve, "reject": services.notice_reject,
         "withdraw": services.notice_withdraw}


class NoticeViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Notices of the user's areas, newest first; ``?status=`` and ``?kind=`` filter.
    POST drafts one (community or street staff), PUT edits a draft; the steps are their
    own actions (``version`` guards them: 409 when the notice moved on)."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_fields = ["status", "kind"]
    search_fields = ["title"]
    ordering_fields = ["created_at", "valid_from", "valid_until"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.notices_for(self.request.user)

    def get_serializer_class(self):
        return NoticeDetailSerializer if self.action != "list" else NoticeSerializer

    def _detail(self, notice: Notice) -> dict:
        notice = self.get_queryset().prefetch_related("target_areas", "attachments", "steps__actor").get(pk=notice.pk)
        return NoticeDetailSerializer(notice, context=self.get_serializer_context()).data

    @extend_schema(request=NoticeInputSerializer, responses={201: NoticeDetailSerializer})
    def create(self, request):
        body = NoticeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notice = services.notice_create(actor=request.user, data=body.notice_input())
        return Response(self._detail(notice), status=status.HTTP_201_CREATED)

    @extend_schema(request=NoticeInputSerializer, responses={200: NoticeDetailSerializer})
    def update(self, request, pk=None, partial=False):
        notice = self.get_object()
        body = NoticeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notice = services.notice_update(actor=request.user, notice=notice, data=body.notice_input(),
                                        version=request.data.get("version"))
        return Response(self._detail(notice))

    @extend_schema(request=NoticeInputSerializer, responses=ReachSerializer)
    @action(detail=False, methods=["post"], url_path="preview")
    def preview_input(self, request):
        """How many people, distinct phones and staff a draft would reach, and its target
        on the map — without saving anything."""
        body = NoticeInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        from django.db import transaction

        with transaction.atomic():  # the same checks and geometry as a draft, then undone
            notice = services.notice_create(actor=request.user, data=body.notice_input())
            answer = _reach(notice)
            transaction.set_rollback(True)
        return Response(answer)

    @extend_schema(responses=ReachSerializer)
    @action(detail=True, methods=["get"])
    def preview(self, request, pk=None):
        """The reach of a saved notice (what approving it would send) and its target."""
        return Response(_reach(self.get_object()))

    def _step(self, request, pk, step):
        notice = self.get_object()
        body = NoticeStepInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        STEPS[step](actor=request.user, notice=notice, note=body.validated_data["note"],
                    version=body.validated_data.get("version"))
        return Response(self._detail(notice))

    @extend_schema(request=NoticeStepInputSerializer, responses={200: NoticeDetailSerializer,
                                                                 409: NOTICE_CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def submit(self, request, pk=None):
        """Send the draft to the approvers."""
        return self._step(request, pk, "submit")

    @extend_schema(request=NoticeStepInputSerializer, responses={200: NoticeDetailSerializer,
                                                                 409: NOTICE_CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def approve(self, request, pk=None):
        """Publish and send (a street official or a district administrator)."""
        return self._step(request, pk, "approve")

    @extend_schema(request=NoticeStepInputSerializer, responses={200: NoticeDetailSerializer,
                                                                 409: NOTICE_CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def reject(self, request, pk=None):
        """Send back to the drafter with the reason (``note``)."""
        return self._step(request, pk, "reject")

    @extend_schema(request=NoticeStepInputSerializer, responses={200: NoticeDetailSerializer,
                                                                 409: NOTICE_CONFLICT})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def withdraw(self, request, pk=None):
        """Take it down, with the reason (``note``)."""
        return self._step(request, pk, "withdraw")

    @extend_schema(request=AttachmentUploadSerializer, responses={201: AttachmentSerializer})
    @action(detail=True, methods=["post"])
    def attachments(self, request, pk=None):
        """Attach a file to a draft (multipart ``file``, ``name``)."""
        notice = self.get_object()
        body = AttachmentUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        attachment = services.notice_attach(actor=request.user, notice=notice, upload=body.validated_data["file"],
                                            name=body.validated_data["name"])
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=ReceiptSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def receipts(self, request, pk=None):
        """The staff it went to and when each read it (unread first)."""
        return Response(ReceiptSerializer(selectors.notice_staff_receipts(self.get_object()), many=True).data)

    @extend_schema(request=CapUploadSerializer, responses={201: NoticeDetailSerializer, 200: NoticeDetailSerializer})
    @action(detail=False, methods=["post"], url_path="import-cap")
    def import_cap(self, request):
        """A CAP 1.2 alert (multipart ``file``) as a draft warning targeted by its areas;
        the same alert again answers 200 with the draft it made."""
        body = CapUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        notice, created = services.notice_import_cap(actor=request.user, document=_read_upload(body))
        if not selectors.notices_for(request.user).filter(pk=notice.pk).exists():
            raise Http404
        return Response(self._detail(notice), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


def _read_upload(body: CapUploadSerializer) -> bytes:
    from django.conf import settings
    from rest_framework.exceptions import ValidationError

    upload = body.validated_data["file"]
    if upload.size > settings.NOTICES_CAP_MAX_BYTES:
        raise ValidationError({"file": ["The file is larger than %s bytes." % settings.NOTICES_CAP_MAX_BYTES]})
    return upload.read()


def _reach(notice: Notice) -> dict:
    reach = target_reach(Target.of(notice))
    return ReachSerializer({"people": reach.people, "phones": reach.phones, "staff": reach.staff,
                            "target": notice.target}).data


class PublicNoticesView(APIView):
    """Public (no sign-in): the active notices of an area and of the areas above it —
    ``?area=<code>``. What the residents' list, the portal and the screens show."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []

    @extend_schema(parameters=[PublicQuerySerializer], responses=PublicNoticeSerializer(many=True))
    def get(self, request):
        query = PublicQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        notices = selectors.notices_for_area(query.validated_data["area"])[:50]
        return Response(PublicNoticeSerializer(notices, many=True).data)
