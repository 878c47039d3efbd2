"""The catalogue and applications as the API shows them, and the input of filing and of
an action (thin: the rules are in services/services.py)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from assets.models import Person
from gis_core.api_base import ChoiceLabelField, PersonalDataSerializerMixin, ScopedPrimaryKeyRelatedField
from gis_core.models import Area
from gis_core.roles import role_allows
from incidents.models import Department
from services.metrics import GROUP_BY
from services.models import (
    Application,
    ApplicationMaterial,
    ApplicationRating,
    ApplicationScan,
    ApplicationStep,
    AppState,
    FollowUp,
    FollowUpState,
    Material,
    Satisfaction,
    ServiceItem,
)
from services.workflow import action_label, application_actions


class MaterialSerializer(serializers.ModelSerializer):
    form_display = ChoiceLabelField(source="form")
    blank_form = serializers.SerializerMethodField()

    class Meta:
        model = Material
        fields = ["id", "name", "form", "form_display", "copies", "required", "condition", "blank_form"]

    def get_blank_form(self, material) -> str | None:
        return material.blank_form.url if material.blank_form else None


class ServiceItemSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    business_area_display = ChoiceLabelField(source="business_area")
    status_display = ChoiceLabelField(source="status")
    materials = MaterialSerializer(many=True, read_only=True)

    class Meta:
        model = ServiceItem
        fields = ["id", "code", "name", "business_area", "business_area_display", "department", "department_name",
                  "accepting_level", "deciding_level", "legal_basis", "conditions", "legal_days", "promised_days",
                  "fee", "channels", "result_kind", "status", "status_display", "materials"]


class ApplicationSerializer(PersonalDataSerializerMixin, serializers.ModelSerializer):
    """A queue row."""

    item_code = serializers.CharField(source="item.code", read_only=True)
    item_name = serializers.CharField(source="item.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    state_display = ChoiceLabelField(source="state")
    time_state = serializers.CharField(read_only=True)
    department = serializers.CharField(source="department.code", read_only=True, default=None, allow_null=True)
    department_name = serializers.CharField(source="department.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Application
        fields = ["id", "number", "item", "item_code", "item_name", "applicant_name", "applicant_id_number",
                  "applicant_phone", "area", "area_name", "state", "state_display", "time_state", "department",
                  "department_name", "level", "received_at", "due_date", "paused_days", "decided_at", "closed_at",
                  "version"]


class ChecklistSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApplicationMaterial
        fields = ["id", "material", "name", "form", "copies", "required", "condition", "received"]


class StepSerializer(serializers.ModelSerializer):
    action_display = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    scans = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationStep
        fields = ["at", "action", "action_display", "from_state", "to_state", "actor", "note", "data", "scans"]

    def get_action_display(self, step) -> str:
        return action_label(step.action)

    def get_actor(self, step) -> str | None:
        return str(step.actor) if step.actor_id else None

    def get_scans(self, step) -> list[int]:
        return [s.pk for s in step.scans.all()]


class ScanSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ApplicationScan
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, scan) -> str:
        return reverse("application-scan", args=[scan.application_id, scan.pk])


class RatingSerializer(serializers.ModelSerializer):
    level_display = ChoiceLabelField(source="level")
    channel_display = ChoiceLabelField(source="channel")

    class Meta:
        model = ApplicationRating
        fields = ["level", "level_display", "channel", "channel_display", "comment", "rated_at"]


class FollowUpSerializer(serializers.ModelSerializer):
    """A poor rating's follow-up, with the application and the rating it answers."""

    number = serializers.CharField(source="application.number", read_only=True)
    item_name = serializers.CharField(source="application.item.name", read_only=True)
    area_name = serializers.CharField(source="area.name", read_only=True)
    state_display = ChoiceLabelField(source="state")
    level = serializers.IntegerField(source="rating.level", read_only=True)
    level_display = serializers.CharField(source="rating.get_level_display", read_only=True)
    comment = serializers.CharField(source="rating.comment", read_only=True)
    closed_by = serializers.CharField(source="closed_by.__str__", read_only=True, allow_null=True, default=None)
    may_close = serializers.SerializerMethodField()

    class Meta:
        model = FollowUp
        fields = ["id", "application", "number", "item_name", "area", "area_name", "state", "state_display", "level",
                  "level_display", "comment", "opened_at", "closed_at", "closed_by", "outcome", "may_close"]

    def get_may_close(self, followup) -> bool:
        return followup.state == FollowUpState.OPEN and role_allows(self.context["request"].user,
                                                                   "services.change_followup")


def _rating_of(application) -> ApplicationRating | None:
    try:
        return application.rating
    except ObjectDoesNotExist:
        return None


class ApplicationDetailSerializer(ApplicationSerializer):
    checklist = ChecklistSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    scans = ScanSerializer(many=True, read_only=True)
    actions = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()
    notice_url = serializers.SerializerMethodField()
    rating = serializers.SerializerMethodField()
    followup = serializers.SerializerMethodField()
    may_rate = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "note", "paused_from", "promised_days", "checklist", "steps",
                  "scans", "actions", "receipt_url", "notice_url", "rating", "followup", "may_rate"]

    def get_rating(self, application) -> RatingSerializer(allow_null=True):
        rating = _rating_of(application)
        return RatingSerializer(rating).data if rating else None

    def get_followup(self, application) -> FollowUpSerializer(allow_null=True):
        rating = _rating_of(application)
        followup = getattr(rating, "followup", None) if rating else None
        user = self.context["request"].user
        if followup is None or not role_allows(user, "services.view_followup"):
            return None
        return FollowUpSerializer(followup, context=self.context).data

    def get_may_rate(self, application) -> bool:
        """Whether the desk may record the applicant's rating now."""
        return (application.state == AppState.COLLECTED and _rating_of(application) is None
                and role_allows(self.context["request"].user, "services.add_applicationrating"))

    def get_actions(self, application) -> list[dict]:
        user = self.context["request"].user
        return [{"name": a.name, "label": str(a.label), "note_required": a.note_required, "fields": list(a.fields)}
                for a in application_actions(user, application)]

    def get_receipt_url(self, application) -> str:
        return reverse("application-receipt", args=[application.pk])

    def get_notice_url(self, application) -> str:
        return reverse("application-notice", args=[application.pk])


class ApplicationFileSerializer(serializers.Serializer):
    """Filing: ``item`` (code), the applicant — ``person`` (id, of the roll) or
    ``applicant_name`` with ``area`` (the community's id) — the ``received`` material ids
    and the ``scans`` (multipart)."""

    item = serializers.SlugRelatedField(slug_field="code", queryset=ServiceItem.objects.all())
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    applicant_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    applicant_id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, default="")
    applicant_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, allow_null=True)
    received = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list)
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    scans = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ApplicationActSerializer(serializers.Serializer):
    action = serializers.CharField(max_length=24)
    version = serializers.IntegerField()
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")
    received = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, allow_null=True,
                                     default=None)
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(active=True),
                                              required=False, allow_null=True)
    scans = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ApplicationRateSerializer(serializers.Serializer):
    """A rating: ``level`` 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意."""

    level = serializers.ChoiceField(choices=Satisfaction.choices)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class PublicRatingSerializer(ApplicationRateSerializer):
    """The applicant's rating on the portal: the application's ``number`` and ``check`` — the
    query code on the receipt, or the last four digits of the applicant's phone."""

    number = serializers.CharField(max_length=32)
    check = serializers.CharField(max_length=32, help_text="the query code on the receipt, or the last four "
                                                           "digits of the applicant's phone")


class FollowUpCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=4000)


# --------------------------------------------------------------------------- metrics

METRICS_LONGEST_MONTHS = 36


class ApplicationMetricsQuerySerializer(serializers.Serializer):
    """``group_by`` item, department, community, street or month, over the months ``since``
    to ``until`` (both included, YYYY-MM; default this month, at most three years), within
    ``area`` (an area of the user's, with its subtree) when given."""

    group_by = serializers.ChoiceField(choices=GROUP_BY, default="community")
    since = serializers.DateField(required=False, input_formats=["%Y-%m"], help_text="YYYY-MM, default this month")
    until = serializers.DateField(required=False, input_formats=["%Y-%m"], help_text="YYYY-MM (included), "
                                                                                     "default the month of since")
    area = ScopedPrimaryKeyRelatedField(queryset=Area.objects.all(), required=False, allow_null=True)

    def validate(self, data):
        first = data.get("since") or timezone.localdate().replace(day=1)
        last = data.get("until") or first
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        if months < 1 or months > METRICS_LONGEST_MONTHS:
            raise serializers.ValidationError(
                {"until": [_("The months must run forwards and span at most three years.")]})
        end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # the 1st of the month after
        tz = timezone.get_current_timezone()
        return {"group_by": data["group_by"], "area": data.get("area"), "first_month": first, "last_month": last,
                "since": dt.datetime.combine(first, dt.time(), tz), "until": dt.datetime.combine(end, dt.time(), tz)}


class ApplicationMetricsRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    applications = serializers.IntegerField()
    accepted = serializers.IntegerField()
    due = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True)
    decided = serializers.IntegerField()
    mean_working_days = serializers.FloatField(allow_null=True)
    rated = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    poor = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True)


class ApplicationMetricsSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    area = serializers.IntegerField(allow_null=True)
    rows = ApplicationMetricsRowSerializer(many=True)


# --------------------------------------------------------------------------- the public

class PublicStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    action_display = serializers.CharField()
    from_state_display = serializers.CharField(allow_null=True)
    state = serializers.CharField()
    state_display = serializers.CharField()


class PublicApplicationSerializer(serializers.Serializer):
    """What the applicant sees by number and check: no names, ID numbers, phones, notes or
    scans."""

    number = serializers.CharField()
    item = serializers.CharField()
    item_code = serializers.CharField()
    state = serializers.CharField()
    state_display = serializers.CharField()
    area = serializers.CharField()
    department = serializers.CharField(allow_null=True)
    received_at = serializers.DateTimeField()
    due_date = serializers.DateField()
    clock_stopped = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    timeline = PublicStepSerializer(many=True)


def public_application(application: Application) -> dict:
    from services.models import PAUSED_STATES, AppState

    area = application.area
    return {
        "number": application.number, "item": application.item.name, "item_code": application.item.code,
        "state": application.state, "state_display": application.get_state_display(),
        "area": f"{area.parent.name} {area.name}" if area.parent_id else area.name,
        "department": application.department.name if application.department else None,
        "received_at": application.received_at, "due_date": application.due_date,
        "clock_stopped": application.state in PAUSED_STATES, "closed_at": application.closed_at,
        "timeline": [{"at": s.at, "action": s.action, "action_display": action_label(s.action),
                      "from_state_display": str(AppState(s.from_state).label) if s.from_state else None,
                      "state": s.to_state, "state_display": str(AppState(s.to_state).label)}
                     for s in application.steps.all()],
    }


class PublicTrackQuerySerializer(serializers.Serializer):
    check = serializers.CharField(required=False, allow_blank=True, max_length=32, default="", help_text=(
        "the query code (tracking key) on the receipt, or the last four digits of the applicant's phone"))
