"""The API: the catalogue (``/api/v1/service-items/``) and applications
(``/api/v1/applications/``: the queue, filing, one application with its checklist, log and
actions, taking an action, scans). Thin: selectors (scoped through gis_core), serializers,
services."""
from __future__ import annotations

from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.api_base import AtomicWritesMixin, conflict_schema, path_id
from gis_core.filters import PersonalDataFilterBackend, PersonalDataOrderingFilter
from gis_core.replicas import replica_view
from services import selectors
from services.filters import ApplicationFilter, FollowUpFilter, ServiceItemFilter
from services.metrics import application_metrics
from services.models import Application, ApplicationScan, FollowUp, RatingChannel, ServiceItem
from services.serializers import (
    ApplicationActSerializer,
    ApplicationDetailSerializer,
    ApplicationFileSerializer,
    ApplicationMetricsQuerySerializer,
    ApplicationMetricsRowSerializer,
    ApplicationMetricsSerializer,
    ApplicationRateSerializer,
    ApplicationSerializer,
    FollowUpCloseSerializer,
    FollowUpSerializer,
    PublicApplicationSerializer,
    PublicRatingSerializer,
    PublicTrackQuerySerializer,
    RatingSerializer,
    ServiceItemSerializer,
    public_application,
)
from services.services import ApplicationConflict, application_act, application_file, application_rate, followup_close
from services.tracking import application_track, public_rate


class ServiceItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The catalogue (事项清单): every item with its materials; ``?status=in_force`` for
    what takes applications. Edited in the admin; imported and exported as XLSX."""

    queryset = ServiceItem.objects.all()
    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilter
    filter_backends = [PersonalDataFilterBackend, SearchFilter, PersonalDataOrderingFilter]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "promised_days"]

    def get_queryset(self):
        return selectors.service_items()

    def get_object(self):
        item = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if item is None:
            raise Http404
        return item


class ApplicationViewSet(AtomicWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Applications in the user's scope (a community's desk: its community; a department
    handler: those forwarded to their departments; officials: their areas), newest first;
    filters: see ApplicationFilter (``?time_state=late``, ``?open=true``); ``?search=``
    number or applicant. POST files one (JSON, or multipart with ``scans``)."""

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    filterset_class = ApplicationFilter
    filter_backends = [PersonalDataFilterBackend, SearchFilter, PersonalDataOrderingFilter]
    search_fields = ["number", "applicant_name"]
    ordering_fields = ["received_at", "due_date"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if self.action == "metrics":  # asked by the permission check only: no queue clock
            return selectors.applications_for(self.request.user)
        return selectors.applications_queue(selectors.applications_for(self.request.user))

    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    def _detail(self, pk) -> dict:
        try:
            application = selectors.application_detail(selectors.applications_for(self.request.user), path_id(pk))
        except Application.DoesNotExist:
            raise Http404 from None
        return ApplicationDetailSerializer(application, context=self.get_serializer_context()).data

    @extend_schema(request=ApplicationFileSerializer, responses={201: ApplicationDetailSerializer})
    def create(self, request):
        body = ApplicationFileSerializer(data=_data_with_files(request), context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        application = application_file(
            actor=request.user, item=data["item"], person=data.get("person"), applicant_name=data["applicant_name"],
            applicant_id_number=data["applicant_id_number"], applicant_phone=data["applicant_phone"],
            area=data.get("area"), received=data["received"], scans=data["scans"], note=data["note"])
        return Response(self._detail(application.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=ApplicationActSerializer,
                   responses={200: ApplicationDetailSerializer,
                              409: conflict_schema("ApplicationConflict", application=ApplicationDetailSerializer())})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def act(self, request, pk=None):
        """Take an action (see ``actions`` in the detail). Send the ``version`` you saw: if
        the application changed meanwhile the answer is 409 with ``detail`` and the
        current ``application``."""
        body = ApplicationActSerializer(data=_data_with_files(request))
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            application = application_act(
                actor=request.user, application_id=path_id(pk), action=data["action"], version=data["version"],
                note=data["note"], received=data["received"], department=data.get("department"),
                scans=data["scans"])
        except Application.DoesNotExist:
            raise Http404 from None
        except ApplicationConflict as conflict:
            return Response(conflict.answer(application=self._detail(conflict.application.pk)),
                            status=status.HTTP_409_CONFLICT)
        try:
            return Response(self._detail(application.pk))
        except Http404:  # forwarded away from a handler's department: no longer theirs
            return Response({"id": application.pk, "state": application.state, "version": application.version})

    @extend_schema(request=ApplicationRateSerializer, responses={200: ApplicationDetailSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def rate(self, request, pk=None):
        """Record the applicant's rating at the desk (a collected application, once): ``level``
        5 非常满意 … 1 非常不满意, ``comment``. A poor one (2, 1) opens a follow-up."""
        body = ApplicationRateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            application_rate(application_id=path_id(pk), level=body.validated_data["level"],
                             comment=body.validated_data["comment"], channel=RatingChannel.DESK, actor=request.user)
        except Application.DoesNotExist:
            raise Http404 from None
        return Response(self._detail(pk))

    @extend_schema(parameters=[ApplicationMetricsQuerySerializer], responses=ApplicationMetricsSerializer)
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    @replica_view
    def metrics(self, request):
        """Applications, accepted, due and decided on time (on-time completion rate 按期办结率),
        decided with their average working days, ratings and the satisfaction rate (满意率),
        per ``group_by`` over the months ``since``–``until`` within ``area``; the last row is
        the total (services/metrics.py says how each is counted)."""
        query = ApplicationMetricsQuerySerializer(data=request.query_params, context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        rows = application_metrics(selectors.applications_for(request.user, within=data["area"]),
                                   group_by=data["group_by"], since=data["since"], until=data["until"])
        return Response({"group_by": data["group_by"], "since": data["since"], "until": data["until"],
                         "area": data["area"].pk if data["area"] else None,
                         "rows": ApplicationMetricsRowSerializer([r.as_dict() for r in rows], many=True).data})

    @action(detail=True, methods=["get"], url_path=r"scans/(?P<scan_id>\d+)", url_name="scan")
    def scan(self, request, pk=None, scan_id=None):
        """One scanned material of an application in the user's scope (never a public file)."""
        scan = ApplicationScan.objects.filter(
            pk=path_id(scan_id, field="scan_id"),
            application__in=selectors.applications_for(request.user).filter(pk=path_id(pk))).first()
        if scan is None:
            raise Http404
        response = FileResponse(scan.file.open("rb"), content_type=scan.content_type)
        response["Cache-Control"] = "private, max-age=86400"
        return response


class FollowUpViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Follow-ups of poor ratings in the user's areas, newest first (``?state=open``). The
    street's head (street officials, admins) closes one with what was done."""

    queryset = FollowUp.objects.all()
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter

    def get_queryset(self):
        return selectors.followups_for(self.request.user)

    def get_object(self):
        followup = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if followup is None:
            raise Http404
        return followup

    @extend_schema(request=FollowUpCloseSerializer, responses={200: FollowUpSerializer})
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def close(self, request, pk=None):
        body = FollowUpCloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            followup_close(actor=request.user, followup_id=path_id(pk), outcome=body.validated_data["outcome"])
        except FollowUp.DoesNotExist:
            raise Http404 from None
        return Response(FollowUpSerializer(self.get_object(), context=self.get_serializer_context()).data)


class PublicRatingView(APIView):
    """The applicant rates a collected application on the portal (no sign-in): its
    ``number`` and ``check`` (the query code on the receipt, or the last four digits of
    the applicant's phone) under the public tracking limits (incidents.tracking); a wrong
    check answers 404 like an unknown number."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    may_throttle = True

    @extend_schema(request=PublicRatingSerializer, responses={201: RatingSerializer})
    def post(self, request):
        body = PublicRatingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rating = public_rate(request, **body.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


LIST_FIELDS = ("scans", "received")


def _data_with_files(request) -> dict:
    """Request data with the repeated multipart fields (``scans``, ``received``) as lists."""
    if request.content_type.startswith("application/json"):
        return request.data
    data = {k: v for k, v in request.data.items() if k not in LIST_FIELDS}
    data["scans"] = request.FILES.getlist("scans")
    if "received" in request.data:
        data["received"] = [v for v in request.data.getlist("received") if v != ""]
    return data


class PublicApplicationTrackView(APIView):
    """Anyone with an application's number and its check — the query code (tracking key) on
    the receipt or the last four digits of the applicant's phone: the item, state and
    timeline, with no personal data. Same limits as the cases' tracking (TRACK_*): a wrong
    check answers 404 like an unknown number; too many answer 429."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    may_throttle = True  # lookups per address, wrong checks per number (incidents.tracking)

    @extend_schema(parameters=[PublicTrackQuerySerializer], responses=PublicApplicationSerializer)
    def get(self, request, number: str):
        query = PublicTrackQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            application = application_track(request, number, check=query.validated_data["check"])
        except Application.DoesNotExist:
            raise Http404 from None
        return Response(public_application(application))
