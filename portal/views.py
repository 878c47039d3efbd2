"""The portal's public API (no login): ask for an SMS code, file a report. Thin: input
serializer, rate limits (portal.limits), service."""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.limits import limit_check
from portal.serializers import (
    CodeAnswerSerializer,
    CodeRequestSerializer,
    ReportAnswerSerializer,
    ResidentReportSerializer,
)
from portal.services import phone_code_send, resident_case_report


class PublicView(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes = []
    may_throttle = True  # per address and per phone (portal.limits)


class CodeRequestView(PublicView):
    """Text a 6-digit code to ``phone`` for ``purpose`` (``report`` or ``sign_in``), valid
    PORTAL_CODE_MINUTES; at most PORTAL_CODE_PHONE_RATE per phone and PORTAL_CODE_IP_RATE
    per address (then 429)."""

    @extend_schema(request=CodeRequestSerializer, responses={202: CodeAnswerSerializer})
    def post(self, request):
        body = CodeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        phone = body.validated_data["phone"]
        limit_check(request, scope="code-ip", rate=settings.PORTAL_CODE_IP_RATE)
        limit_check(request, scope="code-phone", rate=settings.PORTAL_CODE_PHONE_RATE, phone=phone)
        phone_code_send(phone=phone, purpose=body.validated_data["purpose"])
        return Response({"sent": True, "minutes": settings.PORTAL_CODE_MINUTES}, status=status.HTTP_202_ACCEPTED)


class ResidentReportView(PublicView):
    """反映问题: a resident files a case (JSON or multipart with repeated ``photos``) with the
    SMS code texted to their phone (``purpose=report``). It enters the normal case workflow;
    the answer is its tracking number and key. At most PORTAL_REPORT_PHONE_RATE per phone and
    PORTAL_REPORT_IP_RATE per address."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=ResidentReportSerializer, responses={201: ReportAnswerSerializer})
    def post(self, request):
        body = ResidentReportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        limit_check(request, scope="report-ip", rate=settings.PORTAL_REPORT_IP_RATE)
        limit_check(request, scope="report-phone", rate=settings.PORTAL_REPORT_PHONE_RATE, phone=data["phone"])
        case = resident_case_report(phone=data["phone"], code=data["code"], category=data["category"],
                                    description=data["description"], location=data["location"],
                                    address=data["address"], photos=data["photos"])
        track = reverse("portal-track") + "?" + urlencode({"number": case.tracking_number, "check": case.tracking_key})
        return Response({"tracking_number": case.tracking_number, "tracking_key": case.tracking_key,
                         "track_url": track}, status=status.HTTP_201_CREATED)
