"""The appointments API. Public (no login): the free slots of an item
(``GET /api/v1/booking/slots/``) and a resident's booking (``POST /api/v1/booking/``),
limited per client address and per phone. Staff: the service centres of their areas
(``/api/v1/service-centres/``) and the bookings of those centres
(``/api/v1/appointments/``: the daily list, booking on a resident's behalf, ``…/mark/``,
``…/cancel/``), scoped through gis_core. Thin: serializers, selectors, services."""
from __future__ import annotations

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.views import APIView

from gis_core.api_base import AtomicWritesMixin, path_id
from gis_core.filters import PersonalDataFilterBackend, PersonalDataOrderingFilter
from incidents.tracking import TrackThrottle
from services import appointment_selectors as selectors
from services.appointment_serializers import (
    AppointmentSerializer,
    BookingReceiptSerializer,
    CancelSerializer,
    CentreSerializer,
    MarkSerializer,
    PublicBookingSerializer,
    PublicCentreSerializer,
    SlotQuerySerializer,
    SlotSerializer,
    SlotsSerializer,
    StaffBookingSerializer,
)
from services.appointment_services import SlotTaken, appointment_book, appointment_cancel, appointment_mark, phone_clean
from services.filters import AppointmentFilter
from services.models import Appointment, BookingChannel, ServiceCentre

# ------------------------------------------------------------------ limits of the public endpoints
# The same throttle as public case tracking (incidents.tracking), with the appointments' rates.


class SlotsThrottle(TrackThrottle):
    """Free-slot lookups per client address (APPOINTMENT_SLOTS_RATE)."""

    scope = "booking-slots"

    def get_rate(self) -> str:
        return settings.APPOINTMENT_SLOTS_RATE


class BookingThrottle(TrackThrottle):
    """Bookings per client address (APPOINTMENT_BOOK_RATE)."""

    scope = "booking"

    def get_rate(self) -> str:
        return settings.APPOINTMENT_BOOK_RATE


class PhoneThrottle(TrackThrottle):
    """Bookings per phone number (APPOINTMENT_PHONE_RATE), whatever the address."""

    scope = "booking-phone"

    def __init__(self, phone: str):
        self.phone = phone
        super().__init__()

    def get_rate(self) -> str:
        return settings.APPOINTMENT_PHONE_RATE

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.phone}


def _throttle(throttle: TrackThrottle, request) -> None:
    if not throttle.allow_request(request, None):
        raise Throttled(throttle.wait())


class PublicSlotsView(APIView):
    """Anyone: the free times to book an item, at each centre with a desk for it."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    may_throttle = True

    @extend_schema(parameters=[SlotQuerySerializer], responses=SlotsSerializer)
    def get(self, request):
        """Free slots of ``item`` from ``date_from`` to ``date_to`` (working days of the
        district calendar, within each centre's hours; default the coming week), each with
        its centre and how many desks are free."""
        _throttle(SlotsThrottle(), request)
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        item, centre, desk = data["item"], data.get("centre"), data.get("desk")
        centres = selectors.centres_for_item(item).select_related("area")
        if centre is not None or desk is not None:
            centres = centres.filter(pk=desk.centre_id if desk is not None else centre.pk)
        centres = list(centres)
        slots = selectors.free_slots(item=item, date_from=data["date_from"], date_to=data["date_to"],
                                     centres=[c.pk for c in centres], desk=desk.pk if desk is not None else None)
        return Response({"item": item.code, "item_name": item.name,
                         "centres": PublicCentreSerializer(centres, many=True).data,
                         "slots": SlotSerializer(slots, many=True).data})


class PublicBookingView(AtomicWritesMixin, APIView):
    """Anyone: book a free slot with a name and a mobile phone; the answer is the booking
    number with what, where and when."""

    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    may_throttle = True

    @extend_schema(request=PublicBookingSerializer,
                   responses={201: BookingReceiptSerializer,
                              409: inline_serializer("SlotTaken", {"detail": serializers.CharField(),
                                                                   "start": serializers.ListField()})})
    def post(self, request):
        """Limited per client address (APPOINTMENT_BOOK_RATE) and per phone
        (APPOINTMENT_PHONE_RATE): 429. A time that is not free is a 400 naming ``start``;
        one booked by someone else a moment ago a 409 naming ``start``."""
        _throttle(BookingThrottle(), request)
        body = PublicBookingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        _throttle(PhoneThrottle(phone_clean(data["phone"])), request)
        return _booked(lambda: appointment_book(actor=None, item=data["item"], centre=data["centre"],
                                                starts_at=data["start"], name=data["name"], phone=data["phone"]),
                       BookingReceiptSerializer)


def _booked(book, serializer, context=None) -> Response:
    try:
        appointment = book()
    except SlotTaken as taken:
        return Response({"detail": taken.message_dict["start"][0], **taken.message_dict},
                        status=status.HTTP_409_CONFLICT)
    appointment = Appointment.objects.select_related("centre", "desk", "item").get(pk=appointment.pk)
    return Response(serializer(appointment, context=context or {}).data, status=status.HTTP_201_CREATED)


class ServiceCentreViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The service centres of the user's areas with their desks (and the items each handles)
    and weekly hours. Edited in the admin."""

    queryset = ServiceCentre.objects.all()
    serializer_class = CentreSerializer
    filter_backends = [PersonalDataFilterBackend, PersonalDataOrderingFilter]
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.centres_for(self.request.user)

    def get_object(self):
        centre = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if centre is None:
            raise Http404
        return centre


class AppointmentViewSet(AtomicWritesMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """Bookings of the centres in the user's areas (a community worker: the community's
    centres; officials: their areas'; a department handler: their departments' items), by
    start; ``?date=`` with ``?desk=`` or ``?centre=`` is the daily list. POST books on a
    resident's behalf (by phone or at the desk)."""

    queryset = Appointment.objects.all()
    serializer_class = AppointmentSerializer
    filterset_class = AppointmentFilter
    filter_backends = [PersonalDataFilterBackend, PersonalDataOrderingFilter]
    ordering_fields = ["starts_at", "created_at"]

    def get_queryset(self):
        return selectors.appointments_list(selectors.appointments_for(self.request.user))

    def get_object(self):
        appointment = self.get_queryset().filter(pk=path_id(self.kwargs["pk"])).first()
        if appointment is None:
            raise Http404
        return appointment

    @extend_schema(request=StaffBookingSerializer,
                   responses={201: AppointmentSerializer,
                              409: inline_serializer("StaffSlotTaken", {"detail": serializers.CharField(),
                                                                        "start": serializers.ListField()})})
    def create(self, request):
        """Book for a resident: a ``person`` of the roll or ``name`` and ``phone``, the slot
        (``item``, ``centre``, ``start``; a ``desk`` if wanted), ``channel`` phone or desk."""
        body = StaffBookingSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return _booked(lambda: appointment_book(
            actor=request.user, item=data["item"], centre=data["centre"], starts_at=data["start"],
            name=data["name"], phone=data["phone"], person=data.get("person"), desk=data.get("desk"),
            channel=data["channel"] or BookingChannel.PHONE, note=data["note"]),
            AppointmentSerializer, self.get_serializer_context())

    @extend_schema(request=MarkSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def mark(self, request, pk=None):
        """The resident came (``attended``) or did not (``no_show``, once the time has begun)."""
        body = MarkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._acted(lambda: appointment_mark(actor=request.user, appointment_id=path_id(pk),
                                                    state=body.validated_data["state"]))

    @extend_schema(request=CancelSerializer, responses=AppointmentSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def cancel(self, request, pk=None):
        """Cancel a booking still to come; the slot is free again."""
        body = CancelSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._acted(lambda: appointment_cancel(actor=request.user, appointment_id=path_id(pk),
                                                      note=body.validated_data["note"]))

    def _acted(self, act) -> Response:
        try:
            appointment = act()
        except Appointment.DoesNotExist:
            raise Http404 from None
        return Response(self.get_serializer(self.get_queryset().get(pk=appointment.pk)).data)
