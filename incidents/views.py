"""The case API: the queue (GeoJSON), reporting, one case with its log and actions, taking
an action, photos, nearby open cases, metrics, categories and departments, and the public
tracking answer. Thin: select (incidents.selectors, scoped through gis_core), serialize,
and hand writes to incidents.services."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.api_base import AtomicWritesMixin, GeoListMixin, conflict_schema, path_id
from gis_core.replicas import replica_view
from incidents import selectors, services
from incidents.filters import CaseFilter
from incidents.metrics import case_metrics
from incidents.models import Case, CaseAttachment, Department
from incidents.serializers import (
    CaseActSerializer,
    CaseDetailSerializer,
    CaseReportSerializer,
    CaseSerializer,
    CategorySerializer,
    DepartmentSerializer,
    MetricsQuerySerializer,
    MetricsRowSerializer,
    MetricsSerializer,
    NearbyQuerySerializer,
    PublicEventSerializer,
    TrackQuerySerializer,
    public_case,
)
from incidents.services import ActionInput, CaseConflict
from incidents.tracking import case_track


class CaseViewSet(AtomicWritesMixin, GeoListMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                  mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Cases in the user's areas (a department handler: those sent to their departments),
    newest first, as GeoJSON; filters: see CaseFilter; ``?search=`` tracking number,
    description or address; ``?in_bbox=``. POST reports a case (JSON or multipart with
    ``photos``)."""

    queryset = Case.objects.all()
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    bbox_filter_field = "location"
    search_fields = ["tracking_number", "description", "address"]
    ordering_fields = ["reported_at", "due_at", "filed_at", "closed_at"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.cases_queue(selectors.cases_for(self.request.user))

    def get_serializer_class(self):
        return CaseDetailSerializer if self.action == "retrieve" else CaseSerializer

    def retrieve(self, request, pk=None):
        return Response(self._detail(pk))

    def _detail(self, pk) -> dict:
        try:
            case = selectors.case_detail(selectors.cases_for(self.request.user), path_id(pk))
        except Case.DoesNotExist:
            raise Http404 from None
        return CaseDetailSerializer(case, context=self.get_serializer_context()).data

    @extend_schema(request=CaseReportSerializer, responses={201: CaseDetailSerializer})
    def create(self, request):
        body = CaseReportSerializer(data=_data_with_files(request))
        body.is_valid(raise_exception=True)
        data = body.validated_data
        case = services.case_report(
            actor=request.user, category=data["category"], description=data["description"],
            location=data["location"], address=data["address"], source=data.get("source") or None,
            reporter_name=data["reporter_name"],
            reporter_phone=data["reporter_phone"], reporter_email=data["reporter_email"], photos=data["photos"])
        return Response(self._detail(case.pk), status=status.HTTP_201_CREATED)

    @extend_schema(request=CaseActSerializer, responses={200: CaseDetailSerializer, 409: conflict_schema("CaseConflict", case=CaseDetailSerializer())})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser, MultiPartParser, FormParser],
            permission_classes=[permissions.IsAuthenticated])
    def act(self, request, pk=None):
        """Take a workflow action (see ``actions`` in the case detail). Send the
        ``version`` you saw: if the case changed meanwhile the answer is 409 with
        ``detail`` and the current ``case``."""
        body = CaseActSerializer(data=_data_with_files(request))
        body.is_valid(raise_exception=True)
        data = body.validated_data
        params = ActionInput(department=data.get("department"), duplicate_of=data.get("duplicate_of") or "",
                             hours=data.get("hours"),
                             rating=data.get("rating"), reporter_rating=data.get("reporter_rating"))
        try:
            case = services.case_act(actor=request.user, case_id=path_id(pk), action=data["action"],
                                     version=data["version"], note=data["note"], params=params,
                                     photos=data["photos"])
        except Case.DoesNotExist:
            raise Http404 from None
        except CaseConflict as conflict:
            return Response(conflict.answer(case=self._detail(conflict.case.pk)), status=status.HTTP_409_CONFLICT)
        try:
            return Response(self._detail(case.pk))
        except Http404:  # e.g. a handler returned it: no longer theirs to see
            return Response({"id": case.pk, "type": "Feature", "geometry": None, "detail": _(
                "Done; the case has left your queue."), "properties": {"status": case.status, "version": case.version,
                                                                      "department": None}})

    @action(detail=True, methods=["get"], url_path=r"photos/(?P<photo_id>\d+)", url_name="photo")
    def photo(self, request, pk=None, photo_id=None):
        """One photo of a case in the user's areas (photos are never public files)."""
        attachment = CaseAttachment.objects.filter(
            pk=path_id(photo_id, field="photo_id"),
            case__in=selectors.cases_for(request.user).filter(pk=path_id(pk))).first()
        if attachment is None:
            raise Http404
        response = FileResponse(attachment.file.open("rb"), content_type=attachment.content_type)
        response["Cache-Control"] = "private, max-age=86400"
        return response

    @extend_schema(parameters=[NearbyQuerySerializer], responses=CaseSerializer(many=True))
    @action(detail=False, methods=["get"], pagination_class=None)
    def nearby(self, request):
        """Open cases near a point (default 50 m), nearest first, of ``category`` when
        given: shown before a report is sent, to avoid filing the same problem twice."""
        query = NearbyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cases = selectors.cases_nearby(selectors.cases_for(request.user), point=query.validated_data["point"],
                                       category=query.validated_data.get("category"),
                                       radius_m=query.validated_data.get("radius"))[:20]
        features = CaseSerializer(cases, many=True, context=self.get_serializer_context()).data
        for feature, case in zip(features["features"], cases):
            feature["properties"]["distance_m"] = round(case.distance.m, 1)
        return Response(features)

    @extend_schema(parameters=[MetricsQuerySerializer], responses=MetricsSerializer)
    @action(detail=False, methods=["get"], pagination_class=None)
    @replica_view
    def metrics(self, request):
        """Filed, due, deferred, closed and closed on time, closure rate (结案率), on-time
        closure rate (按期结案率), rework and extension rates, mean and p90 handling hours,
        per ``by`` group over [``since``, ``until``) (dates; default this month); the last
        row is the total."""
        query = MetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        by, since, until = (query.validated_data[k] for k in ("by", "since", "until"))
        rows = case_metrics(selectors.cases_for(request.user), by=by, since=since, until=until)
        return Response({"by": by, "since": since, "until": until,
                         "rows": MetricsRowSerializer([r.as_dict() for r in rows], many=True).data})


def _data_with_files(request) -> dict:
    """Request data with the repeated ``photos`` files as a list (multipart)."""
    if not request.FILES:
        return request.data
    data = {k: v for k, v in request.data.items() if k != "photos"}
    data["photos"] = request.FILES.getlist("photos")
    return data


class CategoryList(APIView):
    """Active case categories: main categories (大类) with their subcategories (小类),
    each with its department, time limit and urgency."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=CategorySerializer(many=True))
    def get(self, request):
        return Response(CategorySerializer(selectors.categories_tree(), many=True).data)


class DepartmentList(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=DepartmentSerializer(many=True))
    def get(self, request):
        return Response(DepartmentSerializer(Department.objects.filter(active=True), many=True).data)


class PublicTrackView(APIView):
    """Anyone with a tracking number: the case's category, area, status and timeline, with
    no personal data (no names, phones, notes or photos)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    may_throttle = True  # lookups per address, wrong checks per number (incidents.tracking)

    @extend_schema(parameters=[TrackQuerySerializer], responses=PublicEventSerializer(many=True))
    def get(self, request, number: str):
        """An internal case needs ``check``: the tracking key printed on the receipt, or
        the last four digits of the reporter's phone (Open311 cases: the number alone).
        A wrong check answers 404 like an unknown number; too many answer 429."""
        query = TrackQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            case = case_track(request, number, check=query.validated_data["check"])
        except (Case.DoesNotExist, DjangoValidationError):
            raise Http404 from None
        return Response(public_case(case))
