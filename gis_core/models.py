"""The area hierarchy, users with roles and areas, and the personal-data access log."""
from __future__ import annotations

import pgtrigger
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import OpClass
from django.db.models import Case, Q, Value, When
from django.db.models.functions import Substr
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from gis_core.history import track_history


class AreaLevel(models.IntegerChoices):
    """Levels of the administrative hierarchy, coarse to fine."""

    CITY = 1, _("city")
    DISTRICT = 2, _("district/county")
    STREET = 3, _("street/town")
    COMMUNITY = 4, _("community/village")
    GRID = 5, _("grid cell")


# How many leading digits of a code identify an area of each level (GB/T 2260 division
# codes are 12 digits: 2 province, 2 city, 2 district, 3 street, 3 community; a grid cell
# code is its community's 12 digits plus a 3-digit sequence). Everything below an area
# has a code starting with its prefix, which is what access scoping matches on.
PREFIX_LENGTH = {
    AreaLevel.CITY: 4,
    AreaLevel.DISTRICT: 6,
    AreaLevel.STREET: 9,
    AreaLevel.COMMUNITY: 12,
    AreaLevel.GRID: 15,
}
CODE_LENGTH = {level: (15 if level == AreaLevel.GRID else 12) for level in AreaLevel}


@track_history(exclude=("prefix",))
class Area(models.Model):
    """A district, street, community or grid cell, with its boundary."""

    code = models.CharField(_("code"), max_length=15, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent area"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    boundary = models.MultiPolygonField(_("boundary"), srid=4326)
    # Leading code digits shared by this area and everything under it (PREFIX_LENGTH).
    prefix = models.GeneratedField(
        expression=Substr("code", 1, Case(*[When(level=level, then=Value(n)) for level, n in PREFIX_LENGTH.items()])),
        output_field=models.CharField(max_length=15), db_persist=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)


    # Areas are scoped by their own code (see gis_core.scoping).
    scope_lookup = ""

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [
            # LIKE 'prefix%' on codes: the access-scoping subquery.
            models.Index(OpClass("code", name="varchar_pattern_ops"), name="area_code_prefix_idx"),
            models.Index(fields=["level"], name="area_level_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(level=AreaLevel.GRID) & Q(code__regex=r"^[0-9]{15}$"))
                | (~Q(level=AreaLevel.GRID) & Q(code__regex=r"^[0-9]{12}$")),
                name="area_code_format",
                violation_error_message=_("A code has 12 digits (15 for a grid cell)."),
            ),
            models.CheckConstraint(condition=IsValid("boundary"), name="area_boundary_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_grid_cell(self) -> bool:
        return self.level == AreaLevel.GRID


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("district administrator")
    STREET_OFFICIAL = "street_official", _("street official")
    COMMUNITY_WORKER = "community_worker", _("community worker")
    GRID_LEADER = "grid_leader", _("grid leader")
    DISPATCHER = "dispatcher", _("dispatcher")
    DEPARTMENT_HANDLER = "department_handler", _("department handler")


class User(AbstractUser):
    """A platform user: one role, and the areas whose data they may see."""

    name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    areas = models.ManyToManyField(Area, verbose_name=_("areas"), blank=True, related_name="users")
    # The prefixes of those areas, kept by a trigger on the assignments
    # (gis_core/sql/0003_user_area_prefixes.sql): scoping reads them from the user row
    # every request loads anyway, with no query of its own.
    area_prefixes = ArrayField(models.CharField(max_length=15), default=list, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    # Set by the user (the console, the notification settings): an on-duty grid leader is
    # messaged as the nearest responder of an SOS; an on-duty dispatcher hears, with the
    # supervisors, of an SOS nobody acknowledged.
    on_duty = models.BooleanField(_("on duty"), default=False)

    # Users are visible to administrators whose areas contain one of theirs.
    scope_lookup = "areas"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.name or self.username

    def __str__(self) -> str:
        return self.name or self.username


class PersonalDataAccess(models.Model):
    """One read of unmasked personal data (ID number, phone, health tags): who read whose
    record, when, and through which page or endpoint. Append-only."""

    user = models.ForeignKey(User, verbose_name=_("user"), null=True, on_delete=models.SET_NULL)
    username = models.CharField(_("username"), max_length=150)
    content_type = models.ForeignKey(ContentType, verbose_name=_("record type"), on_delete=models.PROTECT)
    object_id = models.BigIntegerField(_("record id"))
    record = models.CharField(_("record"), max_length=200)
    fields = ArrayField(models.CharField(max_length=50), verbose_name=_("fields"))
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(_("page or endpoint"), max_length=300)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    scope_lookup = "area"

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="pda_record_idx")]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.username} → {self.record} @ {localtime(self.at):%Y-%m-%d %H:%M}"  # the district's time, not UTC
