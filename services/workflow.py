"""The application flow as data: each action, the states it may start from, where it
leads and which roles may take it.

    received → accepted (受理) | not_accepted (不予受理, reason) | correction (补正)
    correction → received (materials supplied: the clock runs again)
    accepted → forwarded (流转 to the deciding department, at its level)
    forwarded → approved | rejected (reason) → approved → issued → collected
    accepted | forwarded → suspended → resume (the clock stopped meanwhile)
    any open state → withdrawn (by the applicant, at the desk)

services.services.application_act applies an action; ``application_actions`` tells a page
which buttons to show. Department handlers act only on what is forwarded to their
department.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.models import Role
from services.models import OPEN_STATES, AppState

S = AppState
DESK = frozenset({Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER})
DECIDERS = frozenset({Role.DISTRICT_ADMIN, Role.DEPARTMENT_HANDLER})
SAME = None


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str | None
    roles: frozenset[str]
    note_required: bool = False
    fields: tuple[str, ...] = ()


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("accept", _("Accept (受理)"), (S.RECEIVED,), S.ACCEPTED, DESK, fields=("received",)),
    Action("not_accept", _("Do not accept"), (S.RECEIVED, S.CORRECTION), S.NOT_ACCEPTED, DESK, note_required=True),
    Action("request_materials", _("Ask for materials (补正)"), (S.RECEIVED,), S.CORRECTION, DESK,
           fields=("received",)),
    Action("supplement", _("Materials supplied"), (S.CORRECTION,), S.RECEIVED, DESK, fields=("received",)),
    Action("forward", _("Forward (流转)"), (S.ACCEPTED,), S.FORWARDED, DESK, fields=("department",)),
    Action("approve", _("Approve"), (S.FORWARDED,), S.APPROVED, DECIDERS),
    Action("reject", _("Reject"), (S.FORWARDED,), S.REJECTED, DECIDERS, note_required=True),
    Action("issue", _("Issue the result"), (S.APPROVED,), S.ISSUED, DESK | DECIDERS),
    Action("collect", _("Collected"), (S.ISSUED,), S.COLLECTED, DESK),
    Action("suspend", _("Suspend"), (S.ACCEPTED, S.FORWARDED), S.SUSPENDED, DESK | DECIDERS, note_required=True),
    Action("resume", _("Resume"), (S.SUSPENDED,), SAME, DESK | DECIDERS),
    Action("withdraw", _("Withdrawn by the applicant"), OPEN_STATES, S.WITHDRAWN, DESK, note_required=True),
)}

SYSTEM_ACTIONS = {"file": _("Received (收件)"), "scan": _("Scans added"), "rate": _("Rating recorded (评价)")}


def action_label(name: str) -> str:
    action = ACTIONS.get(name)
    return str(action.label if action else SYSTEM_ACTIONS.get(name, name))


def may_take(user, application, action: Action, *, department_ids: set[int] | None = None) -> bool:
    """Whether ``user`` may take ``action`` on ``application`` now (area scope is the
    caller's query)."""
    if application.state not in action.sources:
        return False
    if not (user.is_superuser and not user.role) and user.role not in action.roles:
        return False
    if user.role == Role.DEPARTMENT_HANDLER:
        if department_ids is None:
            department_ids = set(user.departments.values_list("pk", flat=True))
        return application.department_id in department_ids
    return True


def application_actions(user, application) -> list[Action]:
    department_ids = (set(user.departments.values_list("pk", flat=True))
                      if user.role == Role.DEPARTMENT_HANDLER else None)
    return [a for a in ACTIONS.values() if may_take(user, application, a, department_ids=department_ids)]
