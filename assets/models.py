"""The five basic databases' spatial spine: buildings (楼栋), houses (房屋), people (人口)
and where they live (人房关联), organizations (组织) and key sites and facilities (重点场所/设施).

Areas of buildings, key sites and organizations are derived from their geometry by the
database (gis_core.spatial); a house's area is its building's, a person's their houses'.
"""
from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.gis.db.models.functions import IsValid, PointOnSurface
from django.contrib.postgres.indexes import GinIndex, GistIndex, OpClass
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.db.models.lookups import In
from django.utils.translation import gettext_lazy as _

from gis_core.history import track_history
from gis_core.models import Area
from gis_core.spatial import GeometryType, derive_area_trigger


class Timestamped(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


def _derived_area_field() -> models.ForeignKey:
    return models.ForeignKey(
        Area, verbose_name=_("area"), null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
        help_text=_("Derived from the geometry: the grid cell (or deepest area) containing it."),
    )


def _trigram_index(field: str, name: str) -> GinIndex:
    """Serves ``icontains`` searches (Django compares UPPER(field) LIKE UPPER('%…%'))."""
    return GinIndex(OpClass(Upper(field), name="gin_trgm_ops"), name=name)


def _source_key_field() -> models.CharField:
    """The record's key in the file it was imported from (gis_core.importing): re-importing
    the file updates the record instead of adding another."""
    return models.CharField(_("source key"), max_length=200, blank=True, default="", db_default="", editable=False)


def _source_key_unique(name: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(fields=["source_key"], condition=~Q(source_key=""), name=name)


class BuildingCategory(models.TextChoices):
    RESIDENTIAL = "residential", _("residential")
    OFFICE = "office", _("office")
    SCHOOL = "school", _("school")
    HOSPITAL = "hospital", _("hospital")
    SHOP = "shop", _("shop")
    FACTORY = "factory", _("factory")
    GOVERNMENT = "government", _("government")
    RELIGIOUS = "religious", _("religious")
    OTHER = "other", _("other")


@track_history(exclude=("anchor", "resident_count"))
class Building(Timestamped):
    """A building (楼栋) drawn on the map."""

    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    footprint = models.MultiPolygonField(_("footprint"), srid=4326)
    floors = models.PositiveSmallIntegerField(
        _("floors above ground"), default=1, validators=[MinValueValidator(1), MaxValueValidator(200)])
    category = models.CharField(_("use category"), max_length=20, choices=BuildingCategory.choices,
                                default=BuildingCategory.RESIDENTIAL)
    is_key = models.BooleanField(_("key building"), default=False,
                                 help_text=_("Shown distinctively on maps (hospitals, schools, key-management buildings)."))
    area = _derived_area_field()
    # A point on the footprint, for heatmaps and point symbols (a generated column).
    anchor = models.GeneratedField(expression=PointOnSurface("footprint"),
                                   output_field=models.PointField(srid=4326), db_persist=True)
    # Current residents, kept by triggers on residences (assets/sql/0005_resident_count.sql).
    resident_count = models.PositiveIntegerField(_("residents"), default=0, db_default=0, editable=False)
    source_key = _source_key_field()

    scope_lookup = "area"
    derived_area_geometry = "footprint"

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["id"]
        indexes = [
            GistIndex(fields=["anchor"], name="building_anchor_gist"),
            _trigram_index("name", "building_name_trgm"),
            _trigram_index("address", "building_address_trgm"),
        ]
        constraints = [
            models.CheckConstraint(condition=IsValid("footprint"), name="building_footprint_valid"),
            models.CheckConstraint(condition=Q(floors__gte=1, floors__lte=200), name="building_floors_range"),
            _source_key_unique("building_source_key_unique"),
        ]
        triggers = [derive_area_trigger("footprint")]

    def __str__(self) -> str:
        return self.name


class HouseUse(models.TextChoices):
    SELF_OCCUPIED = "self_occupied", _("self-occupied")
    RENTED = "rented", _("rented")
    VACANT = "vacant", _("vacant")
    COMMERCIAL = "commercial", _("commercial")


@track_history
class House(Timestamped):
    """A house (房屋): one unit × floor × room of a building."""

    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT,
                                 related_name="houses")
    unit = models.PositiveSmallIntegerField(_("unit"), default=1, validators=[MinValueValidator(1)])
    floor = models.SmallIntegerField(_("floor"), validators=[MinValueValidator(-10), MaxValueValidator(200)])
    room = models.CharField(_("room"), max_length=16)
    floor_area = models.DecimalField(_("floor area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True,
                                     validators=[MinValueValidator(0)])
    use = models.CharField(_("use"), max_length=20, choices=HouseUse.choices, default=HouseUse.SELF_OCCUPIED)

    scope_lookup = "building__area"

    class Meta:
        verbose_name = _("house")
        verbose_name_plural = _("houses")
        ordering = ["building_id", "unit", "floor", "room"]
        constraints = [
            models.UniqueConstraint(fields=["building", "unit", "floor", "room"], name="house_unique_room"),
            models.CheckConstraint(condition=Q(floor_area__gte=0) | Q(floor_area__isnull=True),
                                   name="house_floor_area_positive"),
        ]

    def __str__(self) -> str:
        return _("%(building)s unit %(unit)s room %(room)s") % {
            "building": self.building.name, "unit": self.unit, "room": self.room}


class TagGroup(models.TextChoices):
    KEY_SERVICE = "key_service", _("key service group")
    KEY_MANAGEMENT = "key_management", _("key management group")
    OTHER = "other", _("other")


@track_history
class PersonTag(models.Model):
    """A configurable key-group tag: living alone, elderly, disabled, low-income, …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    group = models.CharField(_("group"), max_length=20, choices=TagGroup.choices, default=TagGroup.KEY_SERVICE)
    sensitive = models.BooleanField(
        _("sensitive"), default=False,
        help_text=_("Health or management status: hidden from roles without access to personal data."))
    color = models.CharField(_("colour"), max_length=7, default="#888888")
    sort_order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("person tag")
        verbose_name_plural = _("person tags")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Gender(models.TextChoices):
    MALE = "M", _("male")
    FEMALE = "F", _("female")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("registered resident")
    MIGRANT = "migrant", _("migrant")
    FOREIGN = "foreign", _("foreigner")


@track_history(exclude=("area",))
class Person(Timestamped):
    """A person (人口). Birth date and gender come from the ID number when there is one."""

    name = models.CharField(_("name"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=18, null=True, blank=True, unique=True)
    id_verified = models.BooleanField(_("ID number verified"), default=False)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    residence_type = models.CharField(_("residence type"), max_length=20, choices=ResidenceType.choices,
                                      default=ResidenceType.REGISTERED)
    nationality = models.CharField(_("nationality"), max_length=3, default="CHN",
                                   help_text=_("ISO 3166-1 alpha-3 code."))
    tags = models.ManyToManyField(PersonTag, verbose_name=_("tags"), blank=True, through="PersonTagging",
                                  related_name="people")
    notes = models.TextField(_("notes"), blank=True)
    # Where the person belongs, for scoping: the area of the building of their current
    # primary residence, else of a current one, else of the one they left last (moved
    # away from the district). Kept by the database (assets/sql/0007_person_area.sql).
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, blank=True, editable=False,
                             on_delete=models.SET_NULL, related_name="+",
                             help_text=_("Where the person lives (or last lived): derived from the residences."))

    scope_lookup = "area"
    # field -> mask (gis_core.personal_data): masked unless the role needs them
    personal_fields = {"id_number": "id_number", "phone": "phone", "birth_date": "birth_date"}

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["id"]
        indexes = [_trigram_index("name", "person_name_trgm")]
        constraints = [
            models.CheckConstraint(condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$") | Q(id_number__isnull=True),
                                   name="person_id_number_format"),
        ]

    def __str__(self) -> str:
        return self.name


@track_history
class PersonTagging(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="taggings")
    tag = models.ForeignKey(PersonTag, on_delete=models.PROTECT, related_name="taggings")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("person tag assignment")
        constraints = [models.UniqueConstraint(fields=["person", "tag"], name="person_tag_unique")]


class ResidenceRelation(models.TextChoices):
    OWNER = "owner", _("owner")
    FAMILY = "family", _("family member")
    TENANT = "tenant", _("tenant")
    COLLECTIVE = "collective", _("collective household")


@track_history
class Residence(Timestamped):
    """Person ↔ house (人房关联) over a period. One current primary residence per person."""

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.CASCADE,
                               related_name="residences")
    house = models.ForeignKey(House, verbose_name=_("house"), on_delete=models.PROTECT,
                              related_name="residences")
    relation = models.CharField(_("relation"), max_length=20, choices=ResidenceRelation.choices)
    is_primary = models.BooleanField(_("primary residence"), default=True)
    moved_in = models.DateField(_("moved in"))
    moved_out = models.DateField(_("moved out"), null=True, blank=True)

    scope_lookup = "house__building__area"

    class Meta:
        verbose_name = _("residence")
        verbose_name_plural = _("residences")
        ordering = ["-moved_in", "id"]
        indexes = [models.Index(fields=["house"], condition=Q(moved_out__isnull=True),
                                name="residence_current_house_idx"),
                   models.Index(F("moved_in").desc(), "id", name="residence_ordering_idx")]
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(is_primary=True, moved_out__isnull=True),
                                    name="residence_one_primary",
                                    violation_error_message=_("A person has one current primary residence.")),
            models.UniqueConstraint(fields=["person", "house"], condition=Q(moved_out__isnull=True),
                                    name="residence_current_unique"),
            models.CheckConstraint(condition=Q(moved_out__isnull=True) | Q(moved_out__gte=F("moved_in")),
                                   name="residence_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.house}"

    @property
    def is_current(self) -> bool:
        return self.moved_out is None


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("government body")
    PUBLIC_INSTITUTION = "public_institution", _("public institution")
    ENTERPRISE = "enterprise", _("enterprise")
    SOCIAL = "social", _("social organization")
    GRASSROOTS = "grassroots", _("grassroots organization")


@track_history
class Organization(Timestamped):
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=30, choices=OrganizationKind.choices)
    credit_code = models.CharField(_("unified social credit code"), max_length=18, null=True, blank=True,
                                   unique=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    location = models.PointField(_("location"), srid=4326)
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="organizations")
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    area = _derived_area_field()
    source_key = _source_key_field()

    scope_lookup = "area"
    derived_area_geometry = "location"
    personal_fields = {"contact_phone": "phone"}

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["id"]
        indexes = [_trigram_index("name", "organization_name_trgm")]
        constraints = [_source_key_unique("organization_source_key_unique")]
        triggers = [derive_area_trigger("location")]

    def __str__(self) -> str:
        return self.name


class KeySiteKind(models.TextChoices):
    KEY_PLACE = "key_place", _("key place")            # 重点场所
    SPECIAL_TRADE = "special_trade", _("special trade")  # 特种行业
    KEY_PART = "key_part", _("key part")                # 重点部位
    KEY_FACILITY = "key_facility", _("key facility")    # 重点设施
    HAZARDOUS_GOODS = "hazardous_goods", _("hazardous goods")  # 重点物品
    PREVENTION = "prevention", _("prevention facility")  # 防控设施


@track_history
class KeySiteCategory(models.Model):
    """Configurable category of key sites: school, hospital, fuel station, fire hydrant, …"""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=KeySiteKind.choices)
    color = models.CharField(_("colour"), max_length=7, default="#d9534f")

    class Meta:
        verbose_name = _("key site category")
        verbose_name_plural = _("key site categories")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class RiskLevel(models.IntegerChoices):
    LOW = 1, _("low")
    MEDIUM = 2, _("medium")
    HIGH = 3, _("high")
    MAJOR = 4, _("major")


@track_history
class KeySite(Timestamped):
    """A key site, special trade or facility (重点场所/特种行业/重点设施): a point or a polygon."""

    name = models.CharField(_("name"), max_length=150)
    category = models.ForeignKey(KeySiteCategory, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="sites")
    geometry = models.GeometryField(_("geometry"), srid=4326)
    risk_level = models.PositiveSmallIntegerField(_("risk level"), choices=RiskLevel.choices, default=RiskLevel.LOW)
    responsible_name = models.CharField(_("responsible person"), max_length=50, blank=True)
    responsible_phone = models.CharField(_("responsible person's phone"), max_length=20, blank=True)
    building = models.ForeignKey(Building, verbose_name=_("building"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="key_sites")
    notes = models.TextField(_("notes"), blank=True)
    area = _derived_area_field()
    source_key = _source_key_field()

    scope_lookup = "area"
    derived_area_geometry = "geometry"
    personal_fields = {"responsible_phone": "phone"}

    class Meta:
        verbose_name = _("key site")
        verbose_name_plural = _("key sites")
        ordering = ["id"]
        indexes = [_trigram_index("name", "keysite_name_trgm")]
        constraints = [
            models.CheckConstraint(
                condition=In(GeometryType("geometry"), ["POINT", "POLYGON", "MULTIPOLYGON"]),
                name="keysite_geometry_type"),
            models.CheckConstraint(condition=IsValid("geometry"), name="keysite_geometry_valid"),
            _source_key_unique("keysite_source_key_unique"),
        ]
        triggers = [derive_area_trigger("geometry")]

    def __str__(self) -> str:
        return self.name


class RoadKind(models.TextChoices):
    TRUNK = "trunk", _("trunk road")              # 主干道
    SECONDARY = "secondary", _("secondary road")  # 次干道
    BRANCH = "branch", _("branch road")           # 支路
    FOOTWAY = "footway", _("footway")             # 步行道


@track_history
class Road(Timestamped):
    """A road's centre line (道路中心线): base data that maps draw under everything else so
    people can find their way without an internet basemap."""

    name = models.CharField(_("name"), max_length=100, blank=True)
    kind = models.CharField(_("road class"), max_length=20, choices=RoadKind.choices, default=RoadKind.BRANCH)
    centreline = models.MultiLineStringField(_("centre line"), srid=4326)
    area = _derived_area_field()
    source_key = _source_key_field()

    scope_lookup = "area"
    # Base data: every signed-in user reads the roads of the districts of their areas
    # (gis_core.scoping), not only those of their own cell.
    scope_shared = True
    derived_area_geometry = "centreline"

    class Meta:
        verbose_name = _("road")
        verbose_name_plural = _("roads")
        ordering = ["id"]
        indexes = [_trigram_index("name", "road_name_trgm")]
        constraints = [
            models.CheckConstraint(condition=IsValid("centreline"), name="road_centreline_valid"),
            _source_key_unique("road_source_key_unique"),
        ]
        triggers = [derive_area_trigger("centreline")]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()
