"""The rules: which events send what to whom. Receivers of the lower apps' signals
(gis_core.events) only queue work in the sender's transaction.

- SOS / fall: raised → the elder's emergency contacts, in their order, by SMS at once
  (urgent queue); acknowledged / dispatched / resolved → the same contacts are told. The
  ingest's transaction gets one job (``notify.alert_changed``); the worker fans it out.
- Cases: dispatched → the department's handlers, in-app; closed → the reporter (a resident by SMS
  with the tracking number and a rating request, else by e-mail; a grid leader or other
  staff reporter in-app).
- Applications: collected → the applicant by SMS with a rating request (a reply digit rates
  it: sms_reply_route); a poor rating → its follow-up in the inbox of the street's head
  (the street officials whose areas hold the application's community; the district's
  administrators when no street official does).
"""
from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from notify.models import Channel
from notify.services import notification_enqueue

ALERT_KINDS = {"sos", "fall"}
# lifecycle steps the family hears of, with the words of each (zh-hans, en)
ALERT_STEPS = {
    "acknowledge": ("平台已接警", "the platform has taken the call"),
    "dispatch": ("已派人前往", "a responder is on the way"),
    "resolve": ("已处置完毕", "it has been dealt with"),
    "false_alarm": ("确认为误报", "it was a false alarm"),
}


def on_alert_changed(sender, *, changes, **kwargs) -> None:
    from notify.tasks import alert_changed

    for change in changes:
        if change.kind in ALERT_KINDS and (change.action == "raised" or change.action in ALERT_STEPS):
            alert_changed.configure(queue="urgent", priority=10).defer(alert_id=change.id, action=change.action)


def alert_fan_out(*, alert_id: int, action: str) -> int:
    """The messages of one alert change to the elder's emergency contacts; how many were queued."""
    from assets.models import Residence
    from iot.models import Alert

    alert = Alert.objects.select_related("person", "area").filter(pk=alert_id).first()
    if alert is None or alert.person is None:
        return 0
    home = (Residence.objects.filter(person=alert.person, is_primary=True, moved_out__isnull=True)
            .select_related("house__building").first())
    values = {"elder": alert.person.name, "time": timezone.localtime(alert.raised_at).strftime("%m-%d %H:%M"),
              "address": (home.house.building.address or home.house.building.name) if home else "",
              "phone": settings.NOTIFY_DISPATCH_PHONE}
    template = f"{alert.kind}_raised" if action == "raised" else "alert_update"
    queued = 0
    for contact in alert.person.emergency_contacts.order_by("priority", "id"):
        language = "zh-hans"
        step = ALERT_STEPS.get(action)
        item_values = {**values, "step": step[0]} if step else values
        queued += notification_enqueue(
            key=f"alert:{alert.pk}:{action}:contact:{contact.pk}", template=template, channel=Channel.SMS,
            values=item_values, language=language, person=alert.person, address=contact.phone,
            area_id=alert.area_id, subject_type="alert", subject_id=alert.pk, urgent=True) is not None
    return queued


def on_case_changed(sender, *, case, event, **kwargs) -> None:
    if event.action == "dispatch":
        case_dispatched_notify(case=case, event=event)
    elif event.action == "close":
        case_closed_notify(case=case, event=event)


def _case_values(case) -> dict:
    return {"tracking": case.tracking_number, "category": case.category.name,
            "department": case.department.name if case.department_id else "",
            "link": f"/console/cases/?case={case.pk}"}


def case_dispatched_notify(*, case, event) -> None:
    values = _case_values(case)
    for user in case.department.members.filter(is_active=True):
        notification_enqueue(key=f"case:{case.pk}:event:{event.pk}:user:{user.pk}", template="case_dispatched",
                             channel=Channel.INBOX, values=values, user=user, area_id=case.cell_id,
                             language=_language(user), subject_type="case", subject_id=case.pk)


def case_closed_notify(*, case, event) -> None:
    values, key = _case_values(case), f"case:{case.pk}:event:{event.pk}:reporter"
    common = {"key": key, "values": values, "area_id": case.cell_id, "subject_type": "case", "subject_id": case.pk}
    # A resident reporting at the desk or on the phone left their number: the staff user
    # who took it down is not the one to tell.
    if case.reporter_phone:
        notification_enqueue(template="case_closed_rate", channel=Channel.SMS, address=case.reporter_phone,
                             **common)
    elif case.reporter_email:
        notification_enqueue(template="case_closed", channel=Channel.EMAIL, address=case.reporter_email, **common)
    elif case.reporter is not None and case.reporter.is_active:
        notification_enqueue(template="case_closed", channel=Channel.INBOX, user=case.reporter,
                             language=_language(case.reporter), **common)


def on_application_changed(sender, *, application, step, followup=None, **kwargs) -> None:
    if step.action == "collect" and application.applicant_phone:
        notification_enqueue(
            key=f"application:{application.pk}:collect:applicant", template="application_collected_rate",
            channel=Channel.SMS, address=application.applicant_phone, area_id=application.area_id,
            values={"item": application.item.name, "number": application.number},
            subject_type="application", subject_id=application.pk)
    if followup is not None:
        application_followup_notify(application=application, followup=followup)


def application_followup_notify(*, application, followup) -> int:
    """The follow-up in the inbox of the street's head; how many were queued."""
    from gis_core.models import Role, User
    from gis_core.scoping import code_in_scope

    code = application.area.code
    heads = []
    for role in (Role.STREET_OFFICIAL, Role.DISTRICT_ADMIN):
        heads = [u for u in User.objects.filter(role=role, is_active=True) if code_in_scope(code, u.area_prefixes)]
        if heads:
            break
    values = {"number": application.number, "item": application.item.name, "community": application.area.name,
              "level": followup.rating.get_level_display(), "link": "/services/desk/#followups"}
    return sum(notification_enqueue(
        key=f"followup:{followup.pk}:user:{user.pk}", template="application_followup", channel=Channel.INBOX,
        values=values, user=user, area_id=application.area_id, language=_language(user),
        subject_type="followup", subject_id=followup.pk) is not None for user in heads)


def _language(user) -> str:
    return getattr(user, "language", "") or settings.LANGUAGE_CODE
