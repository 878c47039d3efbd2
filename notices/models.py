"""Notices and warnings (信息发布): a notice, its target on the map, its audience, the CAP
fields of a warning, its attachments and its append-only log.

A notice is drafted (community or street staff), submitted, approved (a street official or
a district administrator) — which fans it out through the notify outbox — or rejected, and
may be withdrawn. ``target`` is the union of the chosen areas and the drawn shape (polygon,
circle) kept by the services for the map, the screens and CAP; the people it reaches are
resolved set-wise in SQL (notices/targeting.py).
"""
from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assets.models import PersonTag
from gis_core.models import Area


class NoticeKind(models.TextChoices):
    POLICY = "policy", _("policy")
    COMMUNITY = "community", _("community notice")
    WARNING = "warning", _("warning")


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("awaiting approval")
    APPROVED = "approved", _("published")
    REJECTED = "rejected", _("rejected")
    WITHDRAWN = "withdrawn", _("withdrawn")


# CAP 1.2 value lists (OASIS CAP 1.2 §3.2.2), labels for the forms.
class CapCategory(models.TextChoices):
    GEO = "Geo", _("geophysical")
    MET = "Met", _("meteorological")
    SAFETY = "Safety", _("public safety")
    SECURITY = "Security", _("security")
    RESCUE = "Rescue", _("rescue")
    FIRE = "Fire", _("fire")
    HEALTH = "Health", _("health")
    ENV = "Env", _("environmental")
    TRANSPORT = "Transport", _("transport")
    INFRA = "Infra", _("infrastructure")
    CBRNE = "CBRNE", _("CBRNE")
    OTHER = "Other", _("other")


class CapUrgency(models.TextChoices):
    IMMEDIATE = "Immediate", _("immediate")
    EXPECTED = "Expected", _("expected")
    FUTURE = "Future", _("future")
    PAST = "Past", _("past")
    UNKNOWN = "Unknown", _("unknown")


class CapSeverity(models.TextChoices):
    EXTREME = "Extreme", _("extreme")
    SEVERE = "Severe", _("severe")
    MODERATE = "Moderate", _("moderate")
    MINOR = "Minor", _("minor")
    UNKNOWN = "Unknown", _("unknown")


class CapCertainty(models.TextChoices):
    OBSERVED = "Observed", _("observed")
    LIKELY = "Likely", _("likely")
    POSSIBLE = "Possible", _("possible")
    UNLIKELY = "Unlikely", _("unlikely")
    UNKNOWN = "Unknown", _("unknown")


class Notice(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=12, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    version = models.PositiveIntegerField(default=1)
    # Where it belongs, for scoping: the deepest area covering the whole target.
    area = models.ForeignKey(Area, verbose_name=_("area"), on_delete=models.PROTECT, related_name="+")
    # The target: areas chosen on the map and/or a drawn shape.
    target_areas = models.ManyToManyField(Area, verbose_name=_("target areas"), blank=True, related_name="+")
    polygon = models.MultiPolygonField(_("drawn polygon"), srid=4326, null=True, blank=True)
    circle_center = models.PointField(_("circle centre"), srid=4326, null=True, blank=True)
    circle_radius_m = models.PositiveIntegerField(_("circle radius (m)"), null=True, blank=True)
    # The drawn polygon and the circle (buffered on the spheroid), united: what queries use.
    shape = models.MultiPolygonField(srid=4326, null=True, blank=True, editable=False)
    # Everything targeted (areas and shape), for the map, the screens and CAP.
    target = models.MultiPolygonField(_("target"), srid=4326, null=True, blank=True, editable=False)
    # Audience
    to_residents = models.BooleanField(_("residents of the target"), default=True)
    group = models.ForeignKey(PersonTag, verbose_name=_("only the key group"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+",
                              help_text=_("Only residents with this tag (e.g. elders living alone)."))
    to_staff = models.BooleanField(_("staff of the target areas"), default=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    # CAP 1.2 (warnings)
    cap_category = models.CharField(_("category"), max_length=10, choices=CapCategory.choices, blank=True)
    event = models.CharField(_("event"), max_length=100, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=CapUrgency.choices, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=CapSeverity.choices, blank=True)
    certainty = models.CharField(_("certainty"), max_length=10, choices=CapCertainty.choices, blank=True)
    instruction = models.TextField(_("instruction"), blank=True)
    # An imported CAP alert: its identifier and sender (the same alert imports once).
    source_identifier = models.CharField(_("source alert"), max_length=200, blank=True)
    source_sender = models.CharField(_("source sender"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("approved by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # What the approval fanned out (counted by the same SQL as the preview).
    people_count = models.PositiveIntegerField(_("people"), default=0)
    phone_count = models.PositiveIntegerField(_("distinct phones"), default=0)
    staff_count = models.PositiveIntegerField(_("staff"), default=0)

    scope_lookup = "area"

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "valid_until"], name="notice_active_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("valid_from")), name="notice_valid_ordered",
                                   violation_error_message=_("The end of validity comes after its start.")),
            models.CheckConstraint(condition=Q(circle_center__isnull=True, circle_radius_m__isnull=True)
                                   | Q(circle_center__isnull=False, circle_radius_m__gt=0), name="notice_circle_whole"),
            models.UniqueConstraint(fields=["source_sender", "source_identifier"], condition=~Q(source_identifier=""),
                                    name="notice_source_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_warning(self) -> bool:
        return self.kind == NoticeKind.WARNING

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.status == NoticeStatus.APPROVED and self.valid_from <= now < self.valid_until

    @property
    def urgent(self) -> bool:
        """Sent at once, through quiet hours: an immediate, severe or extreme warning."""
        return (self.is_warning and self.urgency == CapUrgency.IMMEDIATE
                and self.severity in (CapSeverity.EXTREME, CapSeverity.SEVERE))


def _attachment_path(instance: "NoticeAttachment", filename: str) -> str:
    return f"notices/{instance.notice_id}/{filename}"


class NoticeAttachment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class NoticeStep(models.Model):
    """The notice's log (append-only; the database refuses updates and deletes): drafted,
    edited, submitted, approved (with what it fanned out), rejected, withdrawn."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="steps")
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=12, blank=True, choices=NoticeStatus.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=NoticeStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("notice step")
        verbose_name_plural = _("notice steps")
        ordering = ["at", "id"]
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]
