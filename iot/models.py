"""Elderly-care terminals (GPS watches, home alarms, OwnTracks phones), their safe zones,
the positions they report, the alerts those raise, and the messages that could not be read.

Positions live in a table partitioned by day (iot/sql/; older days are downsampled into
iot_position_history by iot.retention); the ingester (iot/batch_write.py) writes them
in bulk with their grid cell and safe-zone status computed by the database.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.gis.db import models
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from assets.models import Person, Timestamped
from gis_core.history import track_history
from gis_core.models import Area
from iot.formats.reasons import Reason


class Protocol(models.TextChoices):
    NATIVE = "native", _("native JSON")
    OWNTRACKS = "owntracks", _("OwnTracks")
    WATCH3G = "watch3g", _("3G watch")


class TerminalStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    INACTIVE = "inactive", _("inactive")
    LOST = "lost", _("lost")


@track_history(exclude=(
    "last_seen_at", "last_fix_at", "last_position", "last_accuracy_m", "last_gps_fix", "battery", "signal",
    "zone_state", "zone_streak"))
class Terminal(Timestamped):
    """A terminal bound to an elder. The ``last_*``, battery, signal and zone fields are
    the device's live state, kept by the ingester (not edits, so not in the history)."""

    device_id = models.CharField(
        _("device id"), max_length=40, unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_.-]+$", _("Letters, digits, '.', '_' and '-' only (it is an MQTT "
                                                          "user name and topic level)."))],
        help_text=_("IMEI of a watch, or the OwnTracks device name. Also its MQTT user."))
    model = models.CharField(_("model"), max_length=60, blank=True)
    protocol = models.CharField(_("protocol"), max_length=20, choices=Protocol.choices, default=Protocol.WATCH3G)
    sim_number = models.CharField(_("SIM number"), max_length=20, blank=True)
    person = models.ForeignKey(Person, verbose_name=_("elder"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="terminals")
    status = models.CharField(_("status"), max_length=10, choices=TerminalStatus.choices, default=TerminalStatus.ACTIVE)
    mqtt_password_hash = models.CharField(max_length=200, blank=True, editable=False)

    # The live state below is rewritten for every batch a device is in. It has no indexes
    # (a few thousand rows are scanned in no time), so those updates stay HOT: in place,
    # with no index entries to add (see the fillfactor in migration 0004).
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True, editable=False)
    last_fix_at = models.DateTimeField(_("last fix"), null=True, blank=True, editable=False)
    last_position = models.PointField(_("last position"), srid=4326, null=True, blank=True, editable=False,
                                      spatial_index=False)
    last_accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True, editable=False)
    last_gps_fix = models.BooleanField(_("GPS lock"), null=True, editable=False)
    battery = models.PositiveSmallIntegerField(_("battery %"), null=True, blank=True, editable=False)
    signal = models.PositiveSmallIntegerField(_("signal"), null=True, blank=True, editable=False)
    # Safe-zone hysteresis: the last settled state and how many fixes in a row disagree with it.
    zone_state = models.CharField(max_length=8, blank=True, editable=False)  # "inside", "outside" or ""
    zone_streak = models.PositiveSmallIntegerField(default=0, editable=False)

    scope_lookup = "person__residences__house__building__area"
    personal_fields = {"sim_number": "phone"}

    class Meta:
        verbose_name = _("terminal")
        verbose_name_plural = _("terminals")
        ordering = ["device_id"]

    def __str__(self) -> str:
        return self.device_id


@track_history
class EmergencyContact(models.Model):
    """Family (or others) to call when the elder's terminal raises an alert."""

    person = models.ForeignKey(Person, verbose_name=_("elder"), on_delete=models.CASCADE,
                               related_name="emergency_contacts")
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=30)
    phone = models.CharField(_("phone"), max_length=20)
    priority = models.PositiveSmallIntegerField(_("order"), default=1)

    scope_lookup = "person__residences__house__building__area"
    personal_fields = {"phone": "phone"}

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["person_id", "priority", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.relation})"


@track_history(exclude=("center", "zone"))
class SafeZone(Timestamped):
    """Where an elder is expected to be: a circle of ``radius_m`` around their home
    building (it follows them when they move), or a drawn polygon. ``center`` (the home
    building's anchor) and ``zone`` (the circle or polygon, for maps) are kept by the
    database (iot/sql/0002_safe_zones.sql)."""

    person = models.OneToOneField(Person, verbose_name=_("elder"), on_delete=models.CASCADE, related_name="safe_zone")
    radius_m = models.PositiveIntegerField(_("radius (m)"), default=500)
    polygon = models.MultiPolygonField(_("drawn zone"), srid=4326, null=True, blank=True)
    center = models.PointField(srid=4326, null=True, blank=True, editable=False)
    zone = models.GeometryField(srid=4326, null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("safe zone")
        verbose_name_plural = _("safe zones")

    def __str__(self) -> str:
        return str(self.person)


# --------------------------------------------------------------------------- positions

class Position(models.Model):
    """One fix. The table is partitioned by day on ``time`` and created by SQL
    (iot/sql/0002_positions.sql, 0009_positions_daily.sql); ``(terminal, time)`` identifies a fix, so a message
    delivered twice is stored once. ``flags`` say why a fix is not drawn (no_fix, zero,
    out_of_range, future) or that it arrived after a newer one (late)."""

    pk = models.CompositePrimaryKey("terminal", "time")
    terminal = models.ForeignKey(Terminal, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    time = models.DateTimeField()
    received_at = models.DateTimeField()
    geom = models.PointField(srid=4326, null=True)
    accuracy_m = models.FloatField(null=True)
    speed_kmh = models.FloatField(null=True)
    course = models.FloatField(null=True)
    battery = models.SmallIntegerField(null=True)
    gps_fix = models.BooleanField()
    drawable = models.BooleanField()
    flags = models.CharField(max_length=80, blank=True)  # comma-separated
    area = models.ForeignKey(Area, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+")
    zone = models.CharField(max_length=8, blank=True)  # inside / outside / near / "" (no zone or no fix)
    format = models.CharField(max_length=12)

    class Meta:
        managed = False
        db_table = "iot_position"


# --------------------------------------------------------------------------- alerts

class AlertKind(models.TextChoices):
    SOS = "sos", _("SOS")
    FALL = "fall", _("fall")
    LEFT_ZONE = "left_zone", _("left safe zone")
    LOW_BATTERY = "low_battery", _("low battery")
    REMOVED = "removed", _("device taken off")
    SILENT = "silent", _("device silent")


URGENT_KINDS = frozenset({AlertKind.SOS, AlertKind.FALL})


class AlertState(models.TextChoices):
    NEW = "new", _("new")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    DISPATCHED = "dispatched", _("responder dispatched")
    ON_SCENE = "on_scene", _("on scene")
    RESOLVED = "resolved", _("resolved")
    FALSE_ALARM = "false_alarm", _("false alarm")


OPEN_STATES = (AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.DISPATCHED, AlertState.ON_SCENE)


# How far a device's time may be from the receipt time before the console flags its clock.
DEVICE_CLOCK_TOLERANCE = dt.timedelta(hours=1)


class Alert(models.Model):
    """An alert of one kind for one terminal. While it is open, further reports of the
    same kind attach to it (``repeats``) instead of opening new ones."""

    terminal = models.ForeignKey(Terminal, verbose_name=_("terminal"), on_delete=models.PROTECT, related_name="alerts")
    person = models.ForeignKey(Person, verbose_name=_("elder"), null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    state = models.CharField(_("state"), max_length=20, choices=AlertState.choices, default=AlertState.NEW)
    area = models.ForeignKey(Area, verbose_name=_("area"), null=True, on_delete=models.SET_NULL, related_name="+",
                             help_text=_("The elder's home cell (scopes the alert)."))
    position = models.PointField(_("position"), srid=4326, null=True, blank=True)
    accuracy_m = models.FloatField(_("accuracy (m)"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised at"), db_index=True)     # device time of the first report
    received_at = models.DateTimeField(_("received at"))
    last_report_at = models.DateTimeField(_("last report"))
    repeats = models.PositiveIntegerField(_("repeats"), default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    on_scene_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)  # for conflicting updates

    scope_lookup = "area"

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        # By receipt: the server's clock, not the device's (which may say 2017).
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["terminal", "kind"], condition=Q(state__in=OPEN_STATES),
                                    name="alert_one_open_per_kind"),
        ]
        indexes = [models.Index(fields=["state", "-received_at"], name="alert_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.terminal}"

    @property
    def device_clock_off(self) -> bool:
        """The device's time of the first report is far from when it arrived: its clock is
        wrong (a watch that lost its time says 2017), so only the receipt time is trusted."""
        return abs(self.raised_at - self.received_at) > DEVICE_CLOCK_TOLERANCE

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AlertEvent(models.Model):
    """Append-only log of an alert: each lifecycle step (who, when, note) and each
    repeated report from the device."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=20)  # raised, repeat, acknowledge, dispatch, …
    state = models.CharField(_("state"), max_length=20, choices=AlertState.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    note = models.TextField(_("note"), blank=True)
    device_time = models.DateTimeField(null=True, blank=True)  # for reports: dedupes redelivered messages

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "device_time"], condition=Q(action__in=["raised", "repeat"]),
                                    name="alert_event_report_once"),
        ]


# --------------------------------------------------------------------------- quarantine and counters

class QuarantinedMessage(models.Model):
    """A message the ingester could not use, kept with the reason (never dropped)."""

    received_at = models.DateTimeField(_("received at"), db_index=True)
    topic = models.CharField(_("topic"), max_length=300)
    payload = models.BinaryField(_("payload"))
    # Why, as a code shown by its label; the decoder's detail (field, value) beside it.
    code = models.CharField(_("reason"), max_length=20, choices=Reason.choices, default=Reason.SHAPE)
    reason = models.CharField(_("detail"), max_length=300)

    class Meta:
        verbose_name = _("quarantined message")
        verbose_name_plural = _("quarantined messages")
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.topic}: {self.get_code_display()}"


class IngestCount(models.Model):
    """Messages per day, format and outcome (stored, duplicate, late, heartbeat,
    quarantined), for administrators."""

    day = models.DateField(_("day"))
    format = models.CharField(_("message format"), max_length=12)
    outcome = models.CharField(_("outcome"), max_length=20)
    count = models.BigIntegerField(_("messages"), default=0)

    class Meta:
        verbose_name = _("ingest count")
        verbose_name_plural = _("ingest counts")
        constraints = [models.UniqueConstraint(fields=["day", "format", "outcome"], name="ingest_count_unique")]
