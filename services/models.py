"""The service catalogue (事项清单) and applications (办件).

A ServiceItem is one public-service item with its materials, time limits and the levels
that accept and decide it; withdrawing it (事项退出) keeps it, with its history. An
Application is one resident's request for an item, filed at a desk: its number (the
cases' scheme, prefix BJ), its materials checklist, its state and its clock in working
days; every step goes to the append-only ApplicationStep log.

Appointments (预约): a ServiceCentre (of a community or a street) has Desks, each handling
some items, and weekly OpeningHours; an Appointment books one desk for one item from
``starts_at`` to ``ends_at``. The database refuses two bookings of one desk that overlap
(an exclusion constraint over the non-cancelled ones).

The flow (which action moves an application from which state to which, for which roles)
is services/workflow.py; the writes services/services.py.
"""
from __future__ import annotations

import uuid

import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from assets.models import Person, Timestamped
from gis_core.history import track_history
from gis_core.models import Area, Role
from gis_core.photos import private_storage
from incidents.models import Department


class BusinessArea(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("civil affairs (民政)")
    HUMAN_RESOURCES = "human_resources", _("human resources and social security (人社)")
    DISABLED = "disabled", _("disabled persons' federation (残联)")
    HEALTH = "health", _("health (卫健)")
    HOUSING = "housing", _("housing (住建)")
    VETERANS = "veterans", _("veterans affairs (退役军人)")
    MEDICAL_INSURANCE = "medical_insurance", _("medical insurance (医保)")
    PARTY = "party", _("party building (党建)")
    PUBLIC_SECURITY = "public_security", _("public security (公安)")
    OTHER = "other", _("other")


class Level(models.TextChoices):
    COMMUNITY = "community", _("community")
    STREET = "street", _("street")
    DISTRICT = "district", _("district")


class Channel(models.TextChoices):
    DESK = "desk", _("at the desk")
    ONLINE = "online", _("online")
    DELEGATED = "delegated", _("delegated (代办)")


class ResultKind(models.TextChoices):
    CERTIFICATE = "certificate", _("certificate")
    APPROVAL = "approval", _("approval")
    PAYMENT = "payment", _("payment")
    SERVICE = "service", _("service")


class LifeEvent(models.TextChoices):
    """What happens in a resident's life that brings them to the desk (the portal's 办事指南
    groups the catalogue by these, 按人生事件)."""

    BIRTH = "birth", _("having a child")
    WORK = "work", _("work and unemployment")
    RESIDENCE = "residence", _("residence and moving")
    HOUSING = "housing", _("housing")
    HARDSHIP = "hardship", _("hardship and relief")
    ELDERLY = "elderly", _("old age and pension")
    DISABILITY = "disability", _("disability")
    MEDICAL = "medical", _("medical insurance")
    MILITARY = "military", _("veterans")
    DEATH = "death", _("bereavement")
    PARTY = "party", _("party members")


class ItemStatus(models.TextChoices):
    IN_FORCE = "in_force", _("in force")
    WITHDRAWN = "withdrawn", _("withdrawn")


@track_history
class ServiceItem(Timestamped):
    """A public-service item (事项) as the catalogue publishes it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    business_area = models.CharField(_("business area"), max_length=20, choices=BusinessArea.choices)
    department = models.ForeignKey(Department, verbose_name=_("deciding department"), on_delete=models.PROTECT,
                                   related_name="service_items")
    accepting_level = models.CharField(_("accepting level"), max_length=10, choices=Level.choices,
                                       default=Level.COMMUNITY)
    deciding_level = models.CharField(_("deciding level"), max_length=10, choices=Level.choices,
                                      default=Level.STREET)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    legal_days = models.PositiveSmallIntegerField(_("legal time limit (working days)"),
                                                  validators=[MinValueValidator(1), MaxValueValidator(365)])
    promised_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"),
                                                     validators=[MinValueValidator(1), MaxValueValidator(365)])
    fee = models.CharField(_("fee"), max_length=100, blank=True, help_text=_("Empty: free of charge."))
    channels = ArrayField(models.CharField(max_length=10, choices=Channel.choices), verbose_name=_("channels"),
                          default=list, blank=True)
    result_kind = models.CharField(_("result"), max_length=12, choices=ResultKind.choices,
                                   default=ResultKind.CERTIFICATE)
    status = models.CharField(_("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.IN_FORCE)
    life_events = ArrayField(models.CharField(max_length=12, choices=LifeEvent.choices), verbose_name=_("life events"),
                             default=list, blank=True, help_text=_("Where residents find the item on the portal."))
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("service item")
        verbose_name_plural = _("service items")
        ordering = ["business_area", "sort_order", "code"]
        constraints = [models.CheckConstraint(condition=Q(promised_days__lte=models.F("legal_days")),
                                              name="service_item_promise_within_law")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.promised_days and self.legal_days and self.promised_days > self.legal_days:
            raise ValidationError({"promised_days": [_("The promised limit cannot exceed the legal limit.")]})


class MaterialForm(models.TextChoices):
    ORIGINAL = "original", _("original")
    COPY = "copy", _("copy")


def _blank_form_path(instance: "Material", filename: str) -> str:
    return f"services/forms/{instance.item.code}/{filename}"


@track_history
class Material(models.Model):
    """One material an item needs (申请材料): required always, or only under a condition."""

    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.CASCADE,
                             related_name="materials")
    name = models.CharField(_("name"), max_length=150)
    form = models.CharField(_("original or copy"), max_length=10, choices=MaterialForm.choices,
                            default=MaterialForm.ORIGINAL)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1, validators=[MinValueValidator(1),
                                                                                  MaxValueValidator(20)])
    required = models.BooleanField(_("required"), default=True)
    condition = models.CharField(_("condition"), max_length=200, blank=True,
                                 help_text=_("When a conditional material is needed."))
    blank_form = models.FileField(_("blank form"), upload_to=_blank_form_path, blank=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["item", "name"], name="material_name_unique")]

    def __str__(self) -> str:
        return self.name


class AppState(models.TextChoices):
    RECEIVED = "received", _("received")                # 收件
    CORRECTION = "correction", _("awaiting materials")  # 补正 (clock stopped)
    ACCEPTED = "accepted", _("accepted")                # 受理
    NOT_ACCEPTED = "not_accepted", _("not accepted")    # 不予受理
    FORWARDED = "forwarded", _("forwarded")             # 流转 to the deciding department
    APPROVED = "approved", _("approved")                # 准予
    REJECTED = "rejected", _("rejected")                # 不予批准
    ISSUED = "issued", _("result issued")               # 出证
    COLLECTED = "collected", _("collected")             # 领取/送达
    SUSPENDED = "suspended", _("suspended")             # 中止 (clock stopped)
    WITHDRAWN = "withdrawn", _("withdrawn")             # 撤回


OPEN_STATES = (AppState.RECEIVED, AppState.CORRECTION, AppState.ACCEPTED, AppState.FORWARDED,
               AppState.APPROVED, AppState.SUSPENDED)
# Whose clock is stopped: the applicant owes materials, or the handling is suspended.
PAUSED_STATES = (AppState.CORRECTION, AppState.SUSPENDED)
# The promise is kept when the decision (or refusal) comes by the due date.
DECIDED_STATES = (AppState.NOT_ACCEPTED, AppState.APPROVED, AppState.REJECTED, AppState.ISSUED,
                  AppState.COLLECTED)


class Application(models.Model):
    """One application (办件): the item, the applicant (a person of the roll, or registered
    at the desk by name, ID number and phone), the community it belongs to (its scope),
    the state and the clock. ``version`` goes up with every change: an action on an older
    version is refused (409)."""

    number = models.CharField(_("number"), max_length=32, unique=True, editable=False)
    tracking_key = models.CharField(_("tracking key"), max_length=16, editable=False, default="")
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT,
                             related_name="applications")
    person = models.ForeignKey(Person, verbose_name=_("applicant (roll)"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="applications")
    applicant_name = models.CharField(_("applicant"), max_length=50)
    applicant_id_number = models.CharField(_("applicant's ID number"), max_length=18, blank=True)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=20, blank=True)
    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=14, choices=AppState.choices, default=AppState.RECEIVED)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="applications",
                                   help_text=_("Where it was forwarded to decide."))
    level = models.CharField(_("deciding level"), max_length=10, choices=Level.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.DESK)
    note = models.TextField(_("note"), blank=True)

    received_at = models.DateTimeField(_("received"))
    promised_days = models.PositiveSmallIntegerField(_("promised time limit (working days)"))
    due_date = models.DateField(_("due"))
    paused_on = models.DateField(null=True, blank=True)
    paused_from = models.CharField(max_length=14, blank=True, choices=AppState.choices)
    paused_days = models.PositiveSmallIntegerField(_("working days stopped"), default=0)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_on_time = models.BooleanField(_("decided on time"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("received by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope_lookup = "area"
    personal_fields = {"applicant_id_number": "id_number", "applicant_phone": "phone"}

    @staticmethod
    def scope_narrow(qs, user):
        """Beyond area scope (gis_core.scoping): a department handler sees what is forwarded
        to their departments."""
        if getattr(user, "role", None) == Role.DEPARTMENT_HANDLER:
            return qs.filter(department__in=Department.objects.filter(members=user).values("pk"))
        return qs

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-received_at", "-id"]
        indexes = [
            # the desk's queue: open applications by due date
            models.Index(fields=["due_date"], name="application_open_due_idx", condition=Q(state__in=OPEN_STATES)),
            models.Index(fields=["area", "state"], name="application_area_idx"),
            models.Index(fields=["department", "state"], name="application_department_idx"),
            models.Index(fields=["received_at"], name="application_received_idx"),
            # a resident's applications on the portal (我的办件), and an SMS rating reply's
            # latest collected application: by their phone
            models.Index(fields=["applicant_phone", "closed_at"], name="application_phone_idx",
                         condition=~Q(applicant_phone="")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class ApplicationMaterial(models.Model):
    """One line of an application's checklist: the item's material (its name kept as it
    was when filed) and whether the desk received it."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checklist")
    material = models.ForeignKey(Material, null=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=150)
    form = models.CharField(_("original or copy"), max_length=10, choices=MaterialForm.choices)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    required = models.BooleanField(_("required"))
    condition = models.CharField(_("condition"), max_length=200, blank=True)
    received = models.BooleanField(_("received"), default=False)

    class Meta:
        ordering = ["id"]


class ApplicationStep(models.Model):
    """The application's log (append-only; the database refuses updates and deletes)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=24)
    from_state = models.CharField(_("from"), max_length=14, blank=True, choices=AppState.choices)
    to_state = models.CharField(_("to"), max_length=14, choices=AppState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("application step")
        verbose_name_plural = _("application steps")
        ordering = ["at", "id"]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


def _scan_path(instance: "ApplicationScan", filename: str) -> str:
    application = instance.application
    return f"applications/{application.received_at:%Y/%m}/{application.number}/{uuid.uuid4().hex}.{instance.extension}"


class ApplicationScan(models.Model):
    """A scanned material (PDF, JPEG or PNG, checked by content: gis_core.scans), served only
    through the application's scoped endpoint."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scans")
    line = models.ForeignKey(ApplicationMaterial, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="scans")
    step = models.ForeignKey(ApplicationStep, null=True, blank=True, on_delete=models.PROTECT, related_name="scans")
    file = models.FileField(upload_to=_scan_path, storage=private_storage)
    name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=5)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


# --------------------------------------------------------------------------- appointments (预约)

class ServiceCentre(Timestamped):
    """A service centre (便民服务中心/站) of a community or a street: where residents come,
    with its desks and weekly hours. It is open on the district's working days only
    (incidents.workcalendar), during its hours for that weekday."""

    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(Area, verbose_name=_("area served"), on_delete=models.PROTECT, related_name="+",
                             help_text=_("The community or street the centre serves."))
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    location = models.PointField(_("location"), srid=4326, null=True, blank=True)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=15,
                                                    validators=[MinValueValidator(5), MaxValueValidator(240)])
    active = models.BooleanField(_("taking bookings"), default=True)

    scope_lookup = "area"

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["name", "id"]
        constraints = [models.CheckConstraint(condition=Q(slot_minutes__gte=5, slot_minutes__lte=240),
                                              name="centre_slot_minutes_range")]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        from gis_core.models import AreaLevel

        if self.area_id and self.area.level not in (AreaLevel.COMMUNITY, AreaLevel.STREET):
            raise ValidationError({"area": [_("A service centre serves a community or a street.")]})


class Desk(models.Model):
    """A desk (窗口) of a centre and the items it handles."""

    centre = models.ForeignKey(ServiceCentre, verbose_name=_("service centre"), on_delete=models.CASCADE,
                               related_name="desks")
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    items = models.ManyToManyField(ServiceItem, verbose_name=_("service items"), related_name="desks", blank=True)
    active = models.BooleanField(_("open for bookings"), default=True)

    scope_lookup = "centre__area"

    class Meta:
        verbose_name = _("desk")
        verbose_name_plural = _("desks")
        ordering = ["centre", "number"]
        constraints = [models.UniqueConstraint(fields=["centre", "number"], name="desk_number_unique")]

    def __str__(self) -> str:
        return f"{self.centre} {self.label}"

    @property
    def label(self) -> str:
        return self.name or _("Desk %(number)s") % {"number": self.number}


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening period of a centre on a weekday (the weekly template; a day may have
    several, e.g. 09:00–12:00 and 13:30–17:00). A worked weekend day (调休) takes the
    hours of that weekday if the centre has any, else Monday's."""

    centre = models.ForeignKey(ServiceCentre, verbose_name=_("service centre"), on_delete=models.CASCADE,
                               related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    scope_lookup = "centre__area"

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["centre", "weekday", "opens"]
        constraints = [models.CheckConstraint(condition=Q(opens__lt=models.F("closes")), name="hours_open_before_close"),
                       models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_range")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class AppointmentState(models.TextChoices):
    BOOKED = "booked", _("booked")
    CANCELLED = "cancelled", _("cancelled")
    ATTENDED = "attended", _("attended")
    NO_SHOW = "no_show", _("no-show")


class BookingChannel(models.TextChoices):
    PORTAL = "portal", _("online")
    PHONE = "phone", _("by phone")
    DESK = "desk", _("at the desk")


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class Appointment(models.Model):
    """One booking (预约) of a desk for an item, from ``starts_at`` to ``ends_at``: the
    resident is a person of the roll when known, else a name and phone. The database
    refuses a second booking of the same desk overlapping a non-cancelled one."""

    number = models.CharField(_("booking number"), max_length=32, unique=True, editable=False)
    centre = models.ForeignKey(ServiceCentre, verbose_name=_("service centre"), on_delete=models.PROTECT,
                               related_name="appointments")
    desk = models.ForeignKey(Desk, verbose_name=_("desk"), on_delete=models.PROTECT, related_name="appointments")
    item = models.ForeignKey(ServiceItem, verbose_name=_("service item"), on_delete=models.PROTECT,
                             related_name="appointments")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    person = models.ForeignKey(Person, verbose_name=_("resident (roll)"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="appointments")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=20)
    channel = models.CharField(_("channel"), max_length=10, choices=BookingChannel.choices,
                               default=BookingChannel.PORTAL)
    state = models.CharField(_("state"), max_length=10, choices=AppointmentState.choices,
                             default=AppointmentState.BOOKED)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("booked at"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("booked by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField(_("marked or cancelled at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("marked or cancelled by"), null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")

    scope_lookup = "centre__area"
    personal_fields = {"phone": "phone"}

    @staticmethod
    def scope_narrow(qs, user):
        """A department handler sees the bookings of their departments' items."""
        if getattr(user, "role", None) == Role.DEPARTMENT_HANDLER:
            return qs.filter(item__department__in=Department.objects.filter(members=user).values("pk"))
        return qs

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["starts_at", "desk", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="appointment_ends_after_start"),
            # One desk, one booking at a time: two overlapping non-cancelled bookings are refused
            # by the database, whoever writes them and however close together.
            ExclusionConstraint(
                name="appointment_desk_slot_once",
                expressions=[("desk", RangeOperators.EQUAL),
                             (TsTzRange("starts_at", "ends_at"), RangeOperators.OVERLAPS)],
                condition=~Q(state=AppointmentState.CANCELLED)),
        ]
        indexes = [
            # the daily list of a centre's desks; free slots read a desk's day
            models.Index(fields=["centre", "starts_at"], name="appointment_centre_day_idx"),
            models.Index(fields=["phone", "starts_at"], name="appointment_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def area_id(self) -> int | None:
        """The centre's area: where the personal-data access log files a read of the phone."""
        return self.centre.area_id if self.centre_id else None


# --------------------------------------------------------------------------- ratings (好差评)

class Satisfaction(models.IntegerChoices):
    """The five levels of the national 好差评 system; an SMS reply's digit is the value."""

    VERY_SATISFIED = 5, _("very satisfied")
    SATISFIED = 4, _("satisfied")
    FAIRLY_SATISFIED = 3, _("fairly satisfied")
    DISSATISFIED = 2, _("dissatisfied")
    VERY_DISSATISFIED = 1, _("very dissatisfied")


# 差评: opens a follow-up. The satisfaction rate counts the other three as satisfied.
POOR_LEVELS = (Satisfaction.DISSATISFIED, Satisfaction.VERY_DISSATISFIED)


class RatingChannel(models.TextChoices):
    DESK = "desk", _("at the desk")
    PORTAL = "portal", _("on the portal")
    SMS = "sms", _("by SMS reply")


class ApplicationRating(models.Model):
    """The applicant's rating of a collected application: one per application (the
    database's unique key on ``application``), at the desk (recorded by staff), on the
    portal or by SMS reply."""

    application = models.OneToOneField(Application, verbose_name=_("application"), on_delete=models.CASCADE,
                                       related_name="rating")
    level = models.PositiveSmallIntegerField(_("rating"), choices=Satisfaction.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=RatingChannel.choices)
    comment = models.TextField(_("comment"), blank=True)
    rated_at = models.DateTimeField(_("rated"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True,
                                    blank=True, on_delete=models.PROTECT, related_name="+")

    scope_lookup = "application__area"

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-rated_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="application_rating_range")]
        indexes = [models.Index(fields=["rated_at"], name="application_rating_at_idx")]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.get_level_display()}"

    @property
    def is_poor(self) -> bool:
        return self.level in POOR_LEVELS


class FollowUpState(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")


class FollowUp(models.Model):
    """A poor rating's follow-up (差评整改) for the street's head (a street official of
    the application's street): open until they close it with what was done."""

    rating = models.OneToOneField(ApplicationRating, verbose_name=_("rating"), on_delete=models.PROTECT,
                                  related_name="followup")
    application = models.ForeignKey(Application, verbose_name=_("application"), on_delete=models.CASCADE,
                                    related_name="followups")
    area = models.ForeignKey(Area, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("state"), max_length=8, choices=FollowUpState.choices, default=FollowUpState.OPEN)
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("closed by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("what was done"), blank=True)

    scope_lookup = "area"

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["area", "opened_at"], name="followup_open_idx",
                                condition=Q(state="open"))]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.get_state_display()}"
