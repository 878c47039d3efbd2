"""Incidents and cases (事件/部件 案件): categories with their department and time limit,
the cases themselves with their derived areas and clocks, the append-only case log, photos,
the working calendar, and the Open311 clients allowed to file.

The workflow (which action moves a case from which status to which, for which roles) is
in incidents/workflow.py; the writes in incidents/services.py.
"""
from __future__ import annotations

import uuid

import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assets.models import Timestamped
from gis_core.history import track_history
from gis_core.models import Area, Role
from gis_core.photos import private_storage


class CaseKind(models.TextChoices):
    EVENT = "event", _("event")            # 事件: something happening (a dispute, dumping, …)
    COMPONENT = "component", _("component")  # 部件: a thing that is broken (a manhole, a street light, …)


class Urgency(models.TextChoices):
    NORMAL = "normal", _("normal")
    URGENT = "urgent", _("urgent")
    EMERGENCY = "emergency", _("emergency")


@track_history
class Department(Timestamped):
    """A functional department (职能部门) that handles cases; its handlers are members."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("duty phone"), max_length=20, blank=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("handlers"), blank=True,
                                     related_name="departments")
    # the department head (科室负责人): told of due soon, late and 督办 with the handlers
    head = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("head"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="headed_departments")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


@track_history
class Category(Timestamped):
    """A two-level case category: a main category (大类, no parent) groups subcategories
    (小类). Cases are filed under a subcategory, which carries the department, time limit
    and urgency (a main category's values are the defaults its subcategories start from)."""

    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey("self", verbose_name=_("main category"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="subcategories")
    department = models.ForeignKey(Department, verbose_name=_("default department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="categories")
    time_limit_hours = models.PositiveIntegerField(
        _("time limit (hours)"), default=40, validators=[MinValueValidator(1), MaxValueValidator(2000)],
        help_text=_("From filing to closing, in working hours unless the clock runs round the clock."))
    round_the_clock = models.BooleanField(
        _("round the clock"), default=False,
        help_text=_("Count the time limit in calendar hours (emergencies), not working hours."))
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")
        ordering = ["kind", "sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.parent.name} / {self.name}" if self.parent_id else self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": [_("Categories have two levels: choose a main category.")]})
            if self.parent.kind != self.kind:
                raise ValidationError({"kind": [_("A subcategory has its main category's kind.")]})


class CaseStatus(models.TextChoices):
    COLLECTED = "collected", _("collected")             # 信息收集
    FILED = "filed", _("filed")                         # 立案
    DISPATCHED = "dispatched", _("dispatched")          # 任务派遣
    HANDLING = "handling", _("handling")                # 任务处理
    REPORTED_BACK = "reported_back", _("reported back")  # 处理反馈
    CLOSED = "closed", _("closed")                      # 核查结案
    EVALUATED = "evaluated", _("evaluated")             # 综合评价
    ARCHIVED = "archived", _("archived")                # 归档
    SUSPENDED = "suspended", _("suspended")             # 挂起
    DEFERRED = "deferred", _("deferred")                # 缓办
    REJECTED = "rejected", _("not filed")               # 不予立案
    DUPLICATE = "duplicate", _("duplicate")             # 重复案件


# Statuses whose deadline clock runs (suspended and deferred cases are paused).
TIMED_STATUSES = (CaseStatus.FILED, CaseStatus.DISPATCHED, CaseStatus.HANDLING, CaseStatus.REPORTED_BACK)
OPEN_STATUSES = (CaseStatus.COLLECTED, *TIMED_STATUSES, CaseStatus.SUSPENDED, CaseStatus.DEFERRED)
DONE_STATUSES = (CaseStatus.CLOSED, CaseStatus.EVALUATED, CaseStatus.ARCHIVED)


class TimeState(models.TextChoices):
    ON_TIME = "on_time", _("on time")
    DUE_SOON = "due_soon", _("due soon")   # 即将超期
    LATE = "late", _("late")               # 超期


class CaseSource(models.TextChoices):
    GRID_LEADER = "grid_leader", _("grid leader on the spot")
    DESK = "desk", _("one-stop desk")
    OPEN311 = "open311", _("public (Open311)")
    PORTAL = "portal", _("resident on the portal")


class PendingRequest(models.TextChoices):
    NONE = "", _("none")
    EXTENSION = "extension", _("extension")
    DEFERRAL = "deferral", _("deferral")


class Case(models.Model):
    """A case: where (point → cell → community → street, derived at intake), what
    (category → kind, department, time limit), who reported it, and where it stands.

    ``version`` goes up with every change: an action taken on an older version is refused
    (two people acting at once: one wins, the other is told and shown the new state)."""

    tracking_number = models.CharField(_("tracking number"), max_length=32, unique=True, editable=False)
    # Printed on the receipt with the number: numbers run in sequence, so following an
    # internal case publicly needs this key (or the reporter's phone's last four digits).
    tracking_key = models.CharField(_("tracking key"), max_length=16, editable=False, default="")
    kind = models.CharField(_("kind"), max_length=10, choices=CaseKind.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases")
    description = models.TextField(_("description"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326)
    cell = models.ForeignKey(Area, verbose_name=_("grid cell"), on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(Area, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="cases")
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    source = models.CharField(_("source"), max_length=12, choices=CaseSource.choices)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.COLLECTED)
    time_state = models.CharField(_("time state"), max_length=10, choices=TimeState.choices,
                                  default=TimeState.ON_TIME)
    duplicate_of = models.ForeignKey("self", verbose_name=_("duplicate of"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="duplicates")

    # Who reported it: a signed-in user (grid leader, desk staff) and/or a resident.
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="reported_cases")
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("reporter's phone"), max_length=20, blank=True)
    reporter_email = models.EmailField(_("reporter's email"), blank=True)
    open311_client = models.ForeignKey("Open311Client", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="cases")
    open311_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    # The clock: set at filing from the category, moved by extensions and pauses.
    time_limit_hours = models.PositiveIntegerField(_("time limit (hours)"), null=True, blank=True)
    round_the_clock = models.BooleanField(default=False)
    warn_at = models.DateTimeField(_("due soon from"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_from = models.CharField(max_length=16, blank=True, choices=CaseStatus.choices)
    pending_request = models.CharField(_("pending request"), max_length=10, blank=True,
                                       choices=PendingRequest.choices)
    pending_hours = models.PositiveIntegerField(null=True, blank=True)

    reported_at = models.DateTimeField(_("reported"))
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    reported_back_at = models.DateTimeField(_("reported back"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_on_time = models.BooleanField(_("closed on time"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    deferred_at = models.DateTimeField(_("deferred"), null=True, blank=True)

    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    supervision_count = models.PositiveSmallIntegerField(_("supervisions"), default=0)
    rating = models.PositiveSmallIntegerField(_("evaluation"), null=True, blank=True)          # 综合评价 1–5
    reporter_rating = models.PositiveSmallIntegerField(_("reporter's rating"), null=True, blank=True)  # 回访 1–5
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope_lookup = "cell"

    @staticmethod
    def scope_narrow(qs, user):
        """Beyond area scope (gis_core.scoping): a department handler sees the cases sent to
        their departments; those their department once had (still in the log) do not count."""
        if getattr(user, "role", None) == Role.DEPARTMENT_HANDLER:
            return qs.filter(department__in=Department.objects.filter(members=user).values("pk"))
        return qs
    personal_fields = {"reporter_phone": "phone"}

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-reported_at"], name="case_queue_idx"),
            # the clock's scan: open cases past their warning time
            models.Index(fields=["warn_at"], name="case_clock_idx", condition=Q(status__in=TIMED_STATUSES)),
            # the desk's queue ordered by deadline: open cases only
            models.Index(fields=["due_at"], name="case_open_due_idx", condition=Q(status__in=OPEN_STATUSES)),
            # metrics take the cases with one of these dates in the period
            models.Index(fields=["filed_at"], name="case_filed_idx"),
            models.Index(fields=["due_at"], name="case_due_idx"),
            models.Index(fields=["closed_at"], name="case_closed_idx"),
            models.Index(fields=["department", "status"], name="case_department_idx"),
            models.Index(fields=["cell", "status"], name="case_cell_idx"),
            # a resident's own cases on the portal (我的办件), by their phone
            models.Index(fields=["reporter_phone"], name="case_reporter_phone_idx", condition=~Q(reporter_phone="")),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="case_rating_range"),
            models.CheckConstraint(condition=Q(reporter_rating__isnull=True)
                                   | Q(reporter_rating__gte=1, reporter_rating__lte=5),
                                   name="case_reporter_rating_range"),
            models.CheckConstraint(condition=~Q(status="duplicate") | Q(duplicate_of__isnull=False),
                                   name="case_duplicate_has_original"),
        ]

    def __str__(self) -> str:
        return self.tracking_number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseEvent(models.Model):
    """The case log (append-only; the database refuses updates and deletes): every action
    with who, when, from which status to which, the note and its data."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=24)
    from_status = models.CharField(_("from"), max_length=16, blank=True, choices=CaseStatus.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=CaseStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)  # department, hours, rating, …

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


def _attachment_path(instance: "CaseAttachment", filename: str) -> str:
    return f"cases/{instance.case.reported_at:%Y/%m}/{instance.case.tracking_number}/{uuid.uuid4().hex}.{instance.extension}"


class CaseAttachment(models.Model):
    """A photo of a case, from the report or from a later step (``event``). Served only
    through the case's scoped endpoint, never as a public media URL."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path, storage=private_storage)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


class TrackingSequence(models.Model):
    """The last sequence number given out per day and street (tracking numbers are
    date-street-sequence); bumped by one atomic upsert, so concurrent reports never share one."""

    day = models.DateField()
    area_prefix = models.CharField(max_length=15)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "area_prefix"], name="tracking_sequence_unique")]


class WorkCalendarDay(models.Model):
    """An exception to the Monday–Friday working week: a public holiday on a weekday, or a
    weekend day worked in exchange (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("working calendar")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class Open311Client(Timestamped):
    """A system or app allowed to POST service requests through Open311 with its api_key
    (stored as a hash; the key itself is shown once when created)."""

    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return self.name
