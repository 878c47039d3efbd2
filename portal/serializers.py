"""Input of the portal's forms and endpoints, validated here (a 400 names the field)."""
from __future__ import annotations

from django.contrib.gis.geos import Point
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.models import Category, Department
from notify.channels.sms import phone_normalize
from portal.models import CodePurpose
from services.models import BusinessArea, LifeEvent


class PhoneField(serializers.CharField):
    """An 11-digit mainland mobile number (spaces, dashes and +86 allowed), normalised."""

    def __init__(self, **kwargs):
        super().__init__(max_length=20, **kwargs)

    def to_internal_value(self, data):
        phone = phone_normalize(super().to_internal_value(data))
        if phone is None:
            raise serializers.ValidationError(_("Enter an 11-digit mobile number."))
        return phone


class CodeRequestSerializer(serializers.Serializer):
    phone = PhoneField()
    purpose = serializers.ChoiceField(choices=CodePurpose.choices)


class CodeAnswerSerializer(serializers.Serializer):
    sent = serializers.BooleanField()
    minutes = serializers.IntegerField(help_text="how long the code is valid")


class SignInSerializer(serializers.Serializer):
    phone = PhoneField()
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": _("Enter the 6-digit code.")})


class ResidentReportSerializer(serializers.Serializer):
    """A resident's report: where (``lon``/``lat``, WGS84: GPS or a tap on the map), what
    (``category``: a subcategory code, ``description``, ``photos``), and their ``phone``
    with the SMS ``code`` texted to it."""

    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(active=True))
    description = serializers.CharField(max_length=4000)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = PhoneField()
    code = serializers.RegexField(r"^\d{6}$", error_messages={"invalid": _("Enter the 6-digit code.")})
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def validate(self, data):
        data["location"] = Point(data.pop("lon"), data.pop("lat"), srid=4326)
        return data


class ReportAnswerSerializer(serializers.Serializer):
    tracking_number = serializers.CharField()
    tracking_key = serializers.CharField()
    track_url = serializers.CharField()


class CatalogueQuerySerializer(serializers.Serializer):
    """The guide's filters: ``event`` (life event), ``area`` (business area),
    ``department`` (code), ``q`` (part of the name)."""

    event = serializers.ChoiceField(choices=LifeEvent.choices, required=False, allow_blank=True, default="")
    area = serializers.ChoiceField(choices=BusinessArea.choices, required=False, allow_blank=True, default="")
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.all(), required=False,
                                              allow_null=True, default=None)
    q = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class TrackQuerySerializer(serializers.Serializer):
    """查询进度: a case's tracking number or an application's number (BJ…), and its check."""

    number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    check = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
