"""Write operations on terminals, safe zones, emergency contacts and alerts.

Each runs in one transaction, validates the whole record and raises ValidationError
naming the field; ``actor`` is the user acting, and what they touch must be in their areas.
(The ingester's writes are in iot/batch_write.py and iot/alerting.py.)
"""
from __future__ import annotations

from typing import Any

from django.contrib.gis.geos import MultiPolygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assets.models import Person
from gis_core.conflicts import VersionConflict
from gis_core.models import User
from gis_core.roles import require_permission
from gis_core.scoping import require_in_scope, scope_queryset
from iot.alerting import AlertChange, alerts_notify
from iot.broker import broker_credentials_write, password_hash
from iot.models import OPEN_STATES, Alert, AlertEvent, AlertState, EmergencyContact, SafeZone, Terminal

MIN_PASSWORD = 8


# --------------------------------------------------------------------------- terminals

def _terminal_save(*, actor: User, terminal: Terminal, fields: dict[str, Any], password: str | None) -> Terminal:
    if "person" in fields:
        require_in_scope(actor, fields["person"], field="person")
    for name, value in fields.items():
        setattr(terminal, name, value)
    if password is not None:
        if len(password) < MIN_PASSWORD:
            raise ValidationError({"password": [_("At least %(n)d characters.") % {"n": MIN_PASSWORD}]})
        terminal.mqtt_password_hash = password_hash(password)
    terminal.full_clean()
    terminal.save()
    # The broker learns the new credentials once they are committed.
    transaction.on_commit(broker_credentials_write)
    return terminal


@transaction.atomic
def terminal_register(*, actor: User, device_id: str, password: str | None = None, **fields: Any) -> Terminal:
    require_permission(actor, "iot.add_terminal")
    return _terminal_save(actor=actor, terminal=Terminal(device_id=device_id), fields=fields, password=password)


@transaction.atomic
def terminal_update(*, actor: User, terminal: Terminal, password: str | None = None, **fields: Any) -> Terminal:
    require_permission(actor, "iot.change_terminal")
    require_in_scope(actor, terminal, field="terminal")
    return _terminal_save(actor=actor, terminal=terminal, fields=fields, password=password)


@transaction.atomic
def terminal_delete(*, actor: User, terminal: Terminal) -> None:
    """Remove a terminal: its credentials leave the broker once committed (its positions
    stay in the partitioned history, keyed by the id)."""
    require_permission(actor, "iot.delete_terminal")
    require_in_scope(actor, terminal, field="terminal")
    terminal.delete()
    transaction.on_commit(broker_credentials_write)


# --------------------------------------------------------------------------- safe zones, contacts

@transaction.atomic
def safe_zone_set(*, actor: User, person: Person, radius_m: int | None = None,
                  polygon: MultiPolygon | None = None) -> SafeZone:
    """The elder's safe zone: a circle of ``radius_m`` around home, or a drawn polygon
    (``polygon``; None returns to the circle)."""
    require_permission(actor, "iot.change_safezone")
    require_in_scope(actor, person, field="person")
    zone = SafeZone.objects.filter(person=person).first() or SafeZone(person=person)
    if radius_m is not None:
        zone.radius_m = radius_m
    zone.polygon = polygon
    zone.full_clean()
    zone.save()
    zone.refresh_from_db(fields=["center", "zone"])  # derived by the database
    return zone


@transaction.atomic
def emergency_contact_add(*, actor: User, person: Person, name: str, relation: str, phone: str,
                          priority: int = 1) -> EmergencyContact:
    require_permission(actor, "iot.add_emergencycontact")
    require_in_scope(actor, person, field="person")
    contact = EmergencyContact(person=person, name=name, relation=relation, phone=phone, priority=priority)
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def emergency_contact_update(*, actor: User, contact: EmergencyContact, **fields: Any) -> EmergencyContact:
    require_permission(actor, "iot.change_emergencycontact")
    require_in_scope(actor, contact.person, field="person")
    for name, value in fields.items():
        setattr(contact, name, value)
    require_in_scope(actor, contact.person, field="person")  # the elder it moves to, too
    contact.full_clean()
    contact.save()
    return contact


@transaction.atomic
def emergency_contact_delete(*, actor: User, contact: EmergencyContact) -> None:
    require_permission(actor, "iot.delete_emergencycontact")
    require_in_scope(actor, contact.person, field="person")
    contact.delete()


# --------------------------------------------------------------------------- alert lifecycle

# action → (state it leads to, time field it stamps). Steps go forward only (one may be
# skipped: a responder already on the way); resolve and false alarm close from any open state.
STEPS: dict[str, tuple[str, str]] = {
    "acknowledge": (AlertState.ACKNOWLEDGED, "acknowledged_at"),
    "dispatch": (AlertState.DISPATCHED, "dispatched_at"),
    "on_scene": (AlertState.ON_SCENE, "on_scene_at"),
    "resolve": (AlertState.RESOLVED, "closed_at"),
    "false_alarm": (AlertState.FALSE_ALARM, "closed_at"),
}
_ORDER = [AlertState.NEW, AlertState.ACKNOWLEDGED, AlertState.DISPATCHED, AlertState.ON_SCENE]


def alert_actions(alert: Alert) -> list[str]:
    """The steps that may be taken next."""
    if alert.state not in OPEN_STATES:
        return []
    rank = _ORDER.index(alert.state)
    return [a for a, (state, _f) in STEPS.items() if state not in _ORDER or _ORDER.index(state) > rank]


@transaction.atomic
def alert_advance(*, actor: User, alert: Alert, action: str, note: str = "", version: int | None = None) -> Alert:
    """Take one lifecycle step. ``version`` (the one the actor saw) refuses a step on an
    alert someone else changed meanwhile."""
    require_permission(actor, "iot.change_alert")
    alert = scope_queryset(Alert.objects.select_for_update(of=("self",)), actor).filter(pk=alert.pk).first()
    if alert is None:
        raise ValidationError({"alert": [_("This alert is outside your areas.")]})
    if action not in STEPS:
        raise ValidationError({"action": [_("Unknown step %(action)r.") % {"action": action}]})
    if version is not None and version != alert.version:
        raise VersionConflict(alert, _("Someone else changed this alert meanwhile; reload it."))
    if action not in alert_actions(alert):
        raise ValidationError({"action": [_("An alert that is %(state)s cannot be given the step %(action)s.") % {
            "state": alert.get_state_display(), "action": action}]})
    now = timezone.now()
    state, stamp = STEPS[action]
    alert.state = state
    setattr(alert, stamp, now)
    alert.version += 1
    alert.save(update_fields=["state", stamp, "version"])
    AlertEvent.objects.create(alert=alert, at=now, action=action, state=state, user=actor, note=note.strip())
    area_code = alert.area.code if alert.area_id else None
    alerts_notify([AlertChange(alert.id, alert.kind, alert.state, action, area_code, alert.terminal_id)])
    return alert

