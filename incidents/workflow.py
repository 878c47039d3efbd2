"""The case workflow as data: each action, the statuses it may start from, where it leads
and which roles may take it. The seven steps of GB/T 30428 — collect (the report itself),
file, dispatch, handle, report back, verify and close, evaluate — and the exception paths:
return (回退), extension (延期), deferral (缓办), suspend/resume (挂起/恢复), supervise
(督办), rework (返工), follow-up visit (回访) and archiving (归档).

incidents.services.case_act applies an action; ``case_actions`` tells a page which buttons
to show. Department handlers act only on cases sent to their department.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gis_core.models import Role
from incidents.models import Case, CaseStatus, PendingRequest

S = CaseStatus
ADMIN, DISPATCHER, HANDLER = Role.DISTRICT_ADMIN, Role.DISPATCHER, Role.DEPARTMENT_HANDLER
COMMAND = frozenset({ADMIN, DISPATCHER})  # the command centre (指挥中心)
SAME = None  # the action leaves the status as it is


@dataclass(frozen=True)
class Action:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str | None
    roles: frozenset[str]
    note_required: bool = False
    pending: str = ""          # the request that must be pending (approve/deny)
    no_pending: bool = False   # refused while a request is pending
    fields: tuple[str, ...] = ()  # what the action takes besides the note (for pages and the API)


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("file", _("File (立案)"), (S.COLLECTED,), S.FILED, COMMAND),
    Action("reject", _("Do not file"), (S.COLLECTED,), S.REJECTED, COMMAND, note_required=True),
    Action("mark_duplicate", _("Duplicate of…"), (S.COLLECTED, S.FILED), S.DUPLICATE, COMMAND,
           fields=("duplicate_of",)),
    Action("dispatch", _("Dispatch (派遣)"), (S.FILED,), S.DISPATCHED, COMMAND, fields=("department",)),
    Action("accept", _("Accept"), (S.DISPATCHED,), S.HANDLING, frozenset({HANDLER})),
    Action("return", _("Return to dispatcher (回退)"), (S.DISPATCHED, S.HANDLING), S.FILED,
           frozenset({HANDLER}), note_required=True, no_pending=True),
    Action("report_back", _("Report back (反馈)"), (S.HANDLING,), S.REPORTED_BACK, frozenset({HANDLER}),
           note_required=True, no_pending=True),
    Action("close", _("Verify and close (结案)"), (S.REPORTED_BACK,), S.CLOSED,
           COMMAND | {Role.GRID_LEADER}),
    Action("rework", _("Rework (返工)"), (S.REPORTED_BACK,), S.HANDLING, COMMAND | {Role.GRID_LEADER},
           note_required=True),
    Action("evaluate", _("Evaluate (评价)"), (S.CLOSED,), S.EVALUATED, COMMAND, fields=("rating",)),
    Action("visit", _("Follow-up visit (回访)"), (S.CLOSED, S.EVALUATED), SAME,
           COMMAND | {Role.COMMUNITY_WORKER, Role.GRID_LEADER}, note_required=True, fields=("reporter_rating",)),
    Action("archive", _("Archive"), (S.EVALUATED,), S.ARCHIVED, frozenset({ADMIN})),
    Action("request_extension", _("Request extension (延期)"), (S.DISPATCHED, S.HANDLING), SAME,
           frozenset({HANDLER}), note_required=True, no_pending=True, fields=("hours",)),
    Action("approve_extension", _("Approve extension"), (S.DISPATCHED, S.HANDLING), SAME, COMMAND,
           pending=PendingRequest.EXTENSION),
    Action("deny_extension", _("Deny extension"), (S.DISPATCHED, S.HANDLING), SAME, COMMAND,
           note_required=True, pending=PendingRequest.EXTENSION),
    Action("request_deferral", _("Request deferral (缓办)"), (S.HANDLING,), SAME, frozenset({HANDLER}),
           note_required=True, no_pending=True),
    Action("approve_deferral", _("Approve deferral"), (S.HANDLING,), S.DEFERRED, COMMAND,
           pending=PendingRequest.DEFERRAL),
    Action("deny_deferral", _("Deny deferral"), (S.HANDLING,), SAME, COMMAND, note_required=True,
           pending=PendingRequest.DEFERRAL),
    Action("suspend", _("Suspend (挂起)"), (S.FILED, S.DISPATCHED, S.HANDLING), S.SUSPENDED, COMMAND,
           note_required=True, no_pending=True),
    Action("resume", _("Resume (恢复)"), (S.SUSPENDED, S.DEFERRED), SAME, COMMAND),
    Action("supervise", _("Supervise (督办)"),
           (S.FILED, S.DISPATCHED, S.HANDLING, S.REPORTED_BACK, S.SUSPENDED, S.DEFERRED), SAME,
           COMMAND | {Role.STREET_OFFICIAL}, note_required=True),
)}

# Actions only the system takes (the clock), logged like the others.
SYSTEM_ACTIONS = {"report": _("Reported (信息收集)"), "due_soon": _("Due soon"), "late": _("Late"),
                  "auto_archive": _("Archived automatically"), "comment": _("Comment")}


def action_label(name: str) -> str:
    action = ACTIONS.get(name)
    return str(action.label if action else SYSTEM_ACTIONS.get(name, name))


def may_take(user, case: Case, action: Action, *, department_ids: set[int] | None = None) -> bool:
    """Whether ``user`` may take ``action`` on ``case`` now: its status, any pending
    request, the user's role and, for handlers, the case's department. (Area scope is
    checked by the caller's query.)"""
    if case.status not in action.sources:
        return False
    if action.pending and case.pending_request != action.pending:
        return False
    if action.no_pending and case.pending_request:
        return False
    if not (user.is_superuser and not user.role) and user.role not in action.roles:
        return False
    if user.role == HANDLER:
        if department_ids is None:
            department_ids = set(user.departments.values_list("pk", flat=True))
        return case.department_id in department_ids
    return True


def case_actions(user, case: Case, *, department_ids: set[int] | None = None) -> list[Action]:
    if user.role == HANDLER and department_ids is None:
        department_ids = set(user.departments.values_list("pk", flat=True))
    return [a for a in ACTIONS.values() if may_take(user, case, a, department_ids=department_ids)]
