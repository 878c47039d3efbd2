"""The rules: which events send what to whom. Receivers of the lower apps' signals
(gis_core.events) only queue work in the sender's transaction. Every rule is named in
``RULES`` (its code, its label in the admin) and asks ``rule_enabled`` before it queues
anything: a district switches rules off in the admin (RuleSwitch; no switch = on).

- SOS / fall (urgent: fixed channels, no quiet hours, users' choices ignored): raised → the
  elder's emergency contacts, in their order, by SMS, and the nearest on-duty grid leader
  (SMS and inbox) at once; acknowledged / dispatched / resolved → the contacts are told.
  Not acknowledged within NOTIFY_SOS_ESCALATE_MINUTES (the periodic job notify.escalate):
  step 1 → the contacts whose first SMS has no delivery receipt are texted again and the
  next on-duty responders are called; step 2 (twice the time) → the area's on-duty
  dispatchers and their supervisors (its district administrators). Each step once (AlertEscalation);
  none once the alert is acknowledged.
- Cases: filed (立案) → the reporter (a resident by SMS with the tracking number, else by
  e-mail; a staff reporter by their channels); dispatched → the department's handlers; due
  soon, late and 督办 → the handlers and the department head; closed → the reporter.
- Applications: collected → the applicant by SMS with a rating request (a reply digit rates
  it: sms_reply_route); a poor rating → its follow-up to the street's head (the street
  officials whose areas hold the application's community; the district's administrators
  when no street official does).

Staff hear of non-urgent kinds (``KINDS``) through the channels they chose (ChannelChoice,
the settings page); the in-app inbox when they chose nothing.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from notify.models import AlertEscalation, Channel, ChannelChoice, RuleSwitch
from notify.services import notification_enqueue


@dataclass(frozen=True)
class Rule:
    code: str
    label: Promise


NOTICE_KIND = "notice"


@dataclass(frozen=True)
class Kind:
    """A kind of non-urgent message whose channels each user chooses."""

    code: str
    label: Promise
    default: tuple[str, ...] = (Channel.INBOX,)
    offered: tuple[str, ...] = (Channel.INBOX, Channel.EMAIL, Channel.SMS)


RULES: dict[str, Rule] = {r.code: r for r in (
    Rule("sos_contacts", _("SOS and falls: the elder's emergency contacts at once")),
    Rule("sos_responder", _("SOS and falls: the nearest on-duty responder at once")),
    Rule("sos_escalation", _("SOS and falls: escalation when nobody acknowledges in time")),
    Rule("alert_updates", _("SOS and falls: the family told of each step")),
    Rule("case_filed", _("Cases: the reporter told on filing")),
    Rule("case_dispatched", _("Cases: the department told on dispatch")),
    Rule("case_deadline", _("Cases: due soon and late to the handlers and the department head")),
    Rule("case_supervised", _("Cases: supervision (督办) to the handlers and the department head")),
    Rule("case_closed", _("Cases: the reporter told on closing and asked for a rating")),
    Rule("application_collected", _("Applications: the applicant told on completion and asked for a rating")),
    Rule("application_followup", _("Applications: a poor rating to the street's head")),
)}

KINDS: dict[str, Kind] = {k.code: k for k in (
    Kind("case_dispatched", _("A case dispatched to my department")),
    Kind("case_deadline", _("Cases due soon, late or supervised (督办)")),
    Kind("case_report", _("Cases I reported: filed and closed")),
    Kind("followup", _("Poor ratings to follow up")),
    # notices.services.notice_fan_out honours it (inbox or nothing); warnings always come
    Kind(NOTICE_KIND, _("Policy and community notices (warnings always come)"), offered=(Channel.INBOX,)),
)}

ALERT_KINDS = {"sos", "fall"}
ALERT_WORDS = {"sos": "紧急呼叫", "fall": "跌倒报警"}
# lifecycle steps the family hears of, with the words of each (zh-hans, en)
ALERT_STEPS = {
    "acknowledge": ("平台已接警", "the platform has taken the call"),
    "dispatch": ("已派人前往", "a responder is on the way"),
    "resolve": ("已处置完毕", "it has been dealt with"),
    "false_alarm": ("确认为误报", "it was a false alarm"),
}
ESCALATION_STEPS = 2
ESCALATION_RESPONDERS = 2  # how many more on-duty responders step 1 calls
# An alert older than this escalates no more: after a worker's long outage (or on the first
# run over old data) nobody is to be woken for an SOS of days ago.
ESCALATION_MAX_AGE = dt.timedelta(hours=6)


# --------------------------------------------------------------------------- switches, choices

def rule_enabled(code: str, area_code: str | None) -> bool:
    """Whether rule ``code`` is on in the district of ``area_code`` (on without a switch)."""
    from gis_core.scoping import DISTRICT_PREFIX

    if code not in RULES:
        raise KeyError(code)
    if not area_code:
        return True
    return not RuleSwitch.objects.filter(rule=code, enabled=False,
                                         area__prefix=area_code[:DISTRICT_PREFIX]).exists()


def channels_available(user) -> list[str]:
    """The channels a user can receive: the inbox, e-mail with an address, SMS with a phone."""
    return [c for c, usable in ((Channel.INBOX, True), (Channel.EMAIL, user.email), (Channel.SMS, user.phone))
            if usable]


def channels_chosen(users, kind: str) -> dict[int, list[str]]:
    """user id → the channels of ``kind`` for each of ``users`` (one query): their choice,
    else the kind's default, of the channels the kind offers and they can receive."""
    users = list(users)
    chosen = dict(ChannelChoice.objects.filter(user__in=users, kind=kind).values_list("user_id", "channels"))
    spec = KINDS[kind]
    return {user.pk: [c for c in channels_available(user)
                      if c in spec.offered and c in chosen.get(user.pk, spec.default)] for user in users}


def _to_staff(*, users, kind: str, key: str, template: str, values: dict, area_id: int | None,
              subject_type: str, subject_id: int) -> int:
    """Queue ``template`` to each user through the channels they chose for ``kind``; how
    many were queued. ``key`` + the user (+ the channel beyond the inbox) keys each."""
    users = [u for u in users if u.is_active]
    queued = 0
    chosen = channels_chosen(users, kind)
    for user in users:
        for channel in chosen[user.pk]:
            address = {Channel.EMAIL: user.email, Channel.SMS: user.phone}.get(channel, "")
            suffix = "" if channel == Channel.INBOX else f":{channel}"
            queued += notification_enqueue(
                key=f"{key}:user:{user.pk}{suffix}", template=template, channel=channel, values=values, user=user,
                address=address, area_id=area_id, language=_language(user), subject_type=subject_type,
                subject_id=subject_id) is not None
    return queued


def _language(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


# --------------------------------------------------------------------------- SOS and falls

def on_alert_changed(sender, *, changes, **kwargs) -> None:
    from notify.tasks import alert_changed

    for change in changes:
        if change.kind in ALERT_KINDS and (change.action == "raised" or change.action in ALERT_STEPS):
            alert_changed.configure(queue="urgent", priority=10).defer(alert_id=change.id, action=change.action)


def _alert_values(alert) -> dict:
    from assets.models import Residence

    home = (Residence.objects.filter(person=alert.person, is_primary=True, moved_out__isnull=True)
            .select_related("house__building").first())
    return {"elder": alert.person.name, "time": timezone.localtime(alert.raised_at).strftime("%m-%d %H:%M"),
            "address": (home.house.building.address or home.house.building.name) if home else "",
            "phone": settings.NOTIFY_DISPATCH_PHONE, "event": ALERT_WORDS.get(alert.kind, alert.kind)}


def alert_fan_out(*, alert_id: int, action: str) -> int:
    """The messages of one alert change: the elder's emergency contacts (and, when raised,
    the nearest on-duty responder); how many were queued."""
    from iot.models import Alert

    alert = Alert.objects.select_related("person", "area").filter(pk=alert_id).first()
    if alert is None or alert.person is None:
        return 0
    area_code = alert.area.code if alert.area_id else None
    raised = action == "raised"
    if not rule_enabled("sos_contacts" if raised else "alert_updates", area_code):
        contacts = []
    else:
        contacts = list(alert.person.emergency_contacts.order_by("priority", "id"))
    values = _alert_values(alert)
    template = f"{alert.kind}_raised" if raised else "alert_update"
    step = ALERT_STEPS.get(action)
    item_values = {**values, "step": step[0]} if step else values
    queued = 0
    for contact in contacts:
        queued += notification_enqueue(
            key=f"alert:{alert.pk}:{action}:contact:{contact.pk}", template=template, channel=Channel.SMS,
            values=item_values, language="zh-hans", person=alert.person, address=contact.phone,
            area_id=alert.area_id, subject_type="alert", subject_id=alert.pk, urgent=True) is not None
    if raised and rule_enabled("sos_responder", area_code):
        queued += _responders_call(alert, values, key=f"alert:{alert.pk}:raised:responder", count=1)
    return queued


def _responders_call(alert, values: dict, *, key: str, count: int, skip: int = 0) -> int:
    """The ``count`` nearest on-duty grid leaders after the ``skip`` nearest, by SMS and in
    their inbox (urgent: whatever they chose)."""
    from gis_core.models import User
    from iot.selectors import responders_nearest

    found = responders_nearest(alert, viewer=None, on_duty_only=True, limit=skip + count)[skip:]
    users = User.objects.in_bulk([r.id for r in found])
    queued = 0
    for responder in found:
        user = users.get(responder.id)
        if user is not None:
            queued += _urgent_to_user(user, key=f"{key}:user:{user.pk}", template="alert_responder",
                                      values={**values, "distance": f"{responder.distance_m:.0f}"}, alert=alert)
    return queued


def _urgent_to_user(user, *, key: str, template: str, values: dict, alert) -> int:
    common = {"template": template, "values": values, "user": user, "area_id": alert.area_id,
              "subject_type": "alert", "subject_id": alert.pk, "urgent": True}
    queued = notification_enqueue(key=key, channel=Channel.INBOX, language=_language(user), **common) is not None
    if user.phone:
        queued += notification_enqueue(key=f"{key}:sms", channel=Channel.SMS, address=user.phone,
                                       language="zh-hans", **common) is not None
    return queued


def alerts_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: every SOS and fall still unacknowledged NOTIFY_SOS_ESCALATE_MINUTES
    after it arrived (server time), and younger than ESCALATION_MAX_AGE, takes the
    escalation steps it is due (step k after k times the delay), each once. Returns how
    many steps were taken and messages queued."""
    from iot.models import Alert, AlertState

    minutes = settings.NOTIFY_SOS_ESCALATE_MINUTES
    if not minutes:
        return {"steps": 0, "queued": 0}
    now = now or timezone.now()
    delay = dt.timedelta(minutes=minutes)
    due = (Alert.objects.filter(state=AlertState.NEW, kind__in=ALERT_KINDS, received_at__lte=now - delay,
                                received_at__gt=now - ESCALATION_MAX_AGE, person__isnull=False)
           .exclude(escalations__step=ESCALATION_STEPS).values_list("id", "received_at"))
    steps = queued = 0
    for alert_id, received_at in due:
        for step in range(1, min(ESCALATION_STEPS, int((now - received_at) / delay)) + 1):
            taken = alert_escalate_step(alert_id=alert_id, step=step, now=now)
            if taken is not None:
                steps, queued = steps + 1, queued + taken
    return {"steps": steps, "queued": queued}


def alert_escalate_step(*, alert_id: int, step: int, now: dt.datetime) -> int | None:
    """Take escalation ``step`` of an alert that is still new: None when it is not (it was
    acknowledged: escalation stops), was taken already, or the district switched the rule
    off; else how many messages were queued. The alert's row is locked as the console's
    step locks it: an acknowledgement and a step never cross."""
    from iot.models import Alert, AlertState

    with transaction.atomic():
        alert = (Alert.objects.select_for_update(of=("self",)).select_related("person", "area")
                 .filter(pk=alert_id, state=AlertState.NEW).first())
        if alert is None or alert.person is None:
            return None
        if not rule_enabled("sos_escalation", alert.area.code if alert.area_id else None):
            return None
        escalation, created = AlertEscalation.objects.get_or_create(alert=alert, step=step, defaults={"at": now})
        if not created:
            return None
        values = {**_alert_values(alert), "minutes": str(settings.NOTIFY_SOS_ESCALATE_MINUTES * step)}
        key = f"alert:{alert.pk}:escalate:{step}"
        if step == 1:
            queued = _contacts_not_reached_text(alert, values, key=key)
            queued += _responders_call(alert, values, key=key, count=ESCALATION_RESPONDERS, skip=1)
        else:
            queued = sum(_urgent_to_user(user, key=f"{key}:user:{user.pk}", template="alert_supervisor",
                                         values=values, alert=alert)
                         for user in alert_supervisors(alert.area.code if alert.area_id else None))
        escalation.queued = queued
        escalation.save(update_fields=["queued"])
        return queued


def _contacts_not_reached_text(alert, values: dict, *, key: str) -> int:
    """Contacts whose first SMS has no delivery receipt, texted again."""
    from notify.models import Notification, State

    reached = set(Notification.objects.filter(
        subject_type="alert", subject_id=alert.pk, state=State.DELIVERED,
        key__startswith=f"alert:{alert.pk}:raised:contact:").values_list("key", flat=True))
    queued = 0
    for contact in alert.person.emergency_contacts.order_by("priority", "id"):
        if f"alert:{alert.pk}:raised:contact:{contact.pk}" in reached:
            continue
        queued += notification_enqueue(
            key=f"{key}:contact:{contact.pk}", template="alert_escalated", channel=Channel.SMS, values=values,
            language="zh-hans", person=alert.person, address=contact.phone, area_id=alert.area_id,
            subject_type="alert", subject_id=alert.pk, urgent=True) is not None
    return queued


def alert_supervisors(area_code: str | None) -> list:
    """Who hears of an SOS left open: the dispatchers on duty for the area and their
    supervisors, the district administrators whose areas hold it (the platform has no
    finer chain of command)."""
    from django.db.models import Q

    from gis_core.models import Role, User
    from gis_core.scoping import code_in_scope

    if not area_code:
        return []
    users = User.objects.filter(Q(role=Role.DISTRICT_ADMIN) | Q(role=Role.DISPATCHER, on_duty=True), is_active=True)
    return [u for u in users.order_by("id") if code_in_scope(area_code, u.area_prefixes)]


# --------------------------------------------------------------------------- cases

def on_case_changed(sender, *, case, event, **kwargs) -> None:
    if event.action == "file":
        case_filed_notify(case=case, event=event)
    elif event.action == "dispatch":
        case_dispatched_notify(case=case, event=event)
    elif event.action == "supervise":
        case_deadline_notify(case=case, event=event)
    elif event.action == "close":
        case_closed_notify(case=case, event=event)


def on_cases_flagged(sender, *, event_ids, **kwargs) -> None:
    """The clock flagged cases due soon or late: one job fans them out."""
    from notify.tasks import cases_flagged

    if event_ids:
        cases_flagged.defer(event_ids=list(event_ids))


def _case_values(case) -> dict:
    return {"tracking": case.tracking_number, "category": case.category.name,
            "department": case.department.name if case.department_id else "",
            "link": f"/console/cases/?case={case.pk}"}


def case_dispatched_notify(*, case, event) -> int:
    if not rule_enabled("case_dispatched", case.cell.code):
        return 0
    return _to_staff(users=case.department.members.all(), kind="case_dispatched",
                     key=f"case:{case.pk}:event:{event.pk}", template="case_dispatched", values=_case_values(case),
                     area_id=case.cell_id, subject_type="case", subject_id=case.pk)


DEADLINE_RULES = {"due_soon": ("case_deadline", "case_due_soon"), "late": ("case_deadline", "case_late"),
                  "supervise": ("case_supervised", "case_supervised")}


def case_deadline_notify(*, case, event) -> int:
    """Due soon, late or 督办: the handlers of the case's department and its head."""
    rule, template = DEADLINE_RULES[event.action]
    if case.department_id is None or not rule_enabled(rule, case.cell.code):
        return 0
    department = case.department
    users = {u.pk: u for u in department.members.all()}
    if department.head_id and department.head_id not in users:
        users[department.head_id] = department.head
    values = {**_case_values(case), "note": event.note or "", "times": str(case.supervision_count),
              "due": timezone.localtime(case.due_at).strftime("%m-%d %H:%M") if case.due_at else ""}
    return _to_staff(users=users.values(), kind="case_deadline", key=f"case:{case.pk}:event:{event.pk}",
                     template=template, values=values, area_id=case.cell_id, subject_type="case",
                     subject_id=case.pk)


def cases_flagged_notify(*, event_ids: list[int]) -> int:
    """The worker's fan-out of the clock's due-soon and late events; how many were queued."""
    from incidents.models import CaseEvent

    events = (CaseEvent.objects.filter(pk__in=event_ids, action__in=("due_soon", "late"))
              .select_related("case__category", "case__department__head", "case__cell").order_by("id"))
    return sum(case_deadline_notify(case=event.case, event=event) for event in events)


def _to_reporter(*, case, key: str, sms_template: str, template: str, rule: str) -> int:
    """The reporter: a resident by SMS (their phone) or e-mail; a staff reporter through
    the channels they chose for their reports."""
    if not rule_enabled(rule, case.cell.code):
        return 0
    values = _case_values(case)
    common = {"key": key, "values": values, "area_id": case.cell_id, "subject_type": "case", "subject_id": case.pk}
    # A resident reporting at the desk or on the phone left their number: the staff user
    # who took it down is not the one to tell.
    if case.reporter_phone:
        return notification_enqueue(template=sms_template, channel=Channel.SMS, address=case.reporter_phone,
                                    **common) is not None
    if case.reporter_email:
        return notification_enqueue(template=template, channel=Channel.EMAIL, address=case.reporter_email,
                                    **common) is not None
    if case.reporter is not None:
        return _to_staff(users=[case.reporter], kind="case_report", key=key.removesuffix(":reporter"),
                         template=template, values=values, area_id=case.cell_id, subject_type="case",
                         subject_id=case.pk)
    return 0


def case_filed_notify(*, case, event) -> int:
    return _to_reporter(case=case, key=f"case:{case.pk}:event:{event.pk}:reporter", sms_template="case_filed",
                        template="case_filed", rule="case_filed")


def case_closed_notify(*, case, event) -> int:
    return _to_reporter(case=case, key=f"case:{case.pk}:event:{event.pk}:reporter", sms_template="case_closed_rate",
                        template="case_closed", rule="case_closed")


# --------------------------------------------------------------------------- applications

def on_application_changed(sender, *, application, step, followup=None, **kwargs) -> None:
    if (step.action == "collect" and application.applicant_phone
            and rule_enabled("application_collected", application.area.code)):
        notification_enqueue(
            key=f"application:{application.pk}:collect:applicant", template="application_collected_rate",
            channel=Channel.SMS, address=application.applicant_phone, area_id=application.area_id,
            values={"item": application.item.name, "number": application.number},
            subject_type="application", subject_id=application.pk)
    if followup is not None:
        application_followup_notify(application=application, followup=followup)


def application_followup_notify(*, application, followup) -> int:
    """The follow-up to the street's head; how many were queued."""
    from gis_core.models import Role, User
    from gis_core.scoping import code_in_scope

    code = application.area.code
    if not rule_enabled("application_followup", code):
        return 0
    heads = []
    for role in (Role.STREET_OFFICIAL, Role.DISTRICT_ADMIN):
        heads = [u for u in User.objects.filter(role=role, is_active=True) if code_in_scope(code, u.area_prefixes)]
        if heads:
            break
    values = {"number": application.number, "item": application.item.name, "community": application.area.name,
              "level": followup.rating.get_level_display(), "link": "/services/desk/#followups"}
    return _to_staff(users=heads, kind="followup", key=f"followup:{followup.pk}", template="application_followup",
                     values=values, area_id=application.area_id, subject_type="followup", subject_id=followup.pk)
