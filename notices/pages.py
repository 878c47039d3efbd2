"""Pages: the staff's notices (list and drafting with the target on the map), one notice
(its reach before approval, the steps, the actions), who has not read it; and the public
ones — the noticeboard screen of an area (/screens/<code>/), the residents' list of an
area, the CAP alerts and their Atom feed."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from gis_core.models import Area, AreaLevel, Role
from gis_core.navigation import page_view
from gis_core.roles import role_allows
from gis_core.scoping import areas_for_user
from notices import selectors, services
from notices.cap import cap_alert_xml, cap_atom_feed
from notices.models import CapCategory, CapCertainty, CapSeverity, CapUrgency, Notice, NoticeKind, NoticeStatus
from notices.services import APPROVER_ROLES
from notices.targeting import Target, target_reach
from notify.models import Channel, State
from tiles.maps import map_page_config

STATUS_BADGES = {NoticeStatus.APPROVED: "badge-ok", NoticeStatus.SUBMITTED: "badge-warn",
                 NoticeStatus.REJECTED: "badge-muted", NoticeStatus.WITHDRAWN: "badge-muted"}
SCREEN_SECONDS = 12  # each notice stays this long on a screen


def _choices(choices) -> list[list[str]]:
    return [[value, str(label)] for value, label in choices]


def _labels() -> dict:
    return {
        "people": _("people"), "phones": _("distinct phones"), "staff": _("staff"), "failed": _(
            "The server could not be reached; try again."), "saved": _("Saved."), "target": _("Target"),
        "draw": _("Draw a polygon"), "finish": _("Finish the polygon"), "circle": _("Place a circle"),
        "clear": _("Clear the drawing"), "tapMap": _("Tap the map to add corners, then finish."),
        "tapCentre": _("Tap the map where the circle's centre is."), "confirm": _("Are you sure?"),
    }


@page_view("notices")
def notices_page(request):
    """The notices of my areas, and a new draft: text, target (areas, a polygon or a
    circle drawn on the map), audience, validity, a warning's CAP fields; the preview
    counts people and phones before anything is saved."""
    if not role_allows(request.user, "notices.view_notice"):
        raise PermissionDenied
    notices = list(selectors.notices_for(request.user)[:200])
    for notice in notices:
        notice.badge = STATUS_BADGES.get(notice.status, "")
    may_draft = role_allows(request.user, "notices.add_notice")
    areas = (areas_for_user(request.user).filter(level__gte=AreaLevel.STREET).order_by("code")
             .values("code", "name", "level") if may_draft else [])
    from assets.models import PersonTag

    config = map_page_config(request, extra={
        "inspect": False, "noticesUrl": "/api/v1/notices/", "labels2": _labels(),
    })
    return render(request, "notices/notices.html", {
        "notices": notices, "may_draft": may_draft, "areas": areas, "map_config": config,
        "kinds": _choices(NoticeKind.choices), "groups": PersonTag.objects.filter(sensitive=False),
        "categories": _choices(CapCategory.choices), "urgencies": _choices(CapUrgency.choices),
        "severities": _choices(CapSeverity.choices), "certainties": _choices(CapCertainty.choices)})


def _notice_for(request, pk: int) -> Notice:
    notice = (selectors.notices_for(request.user).prefetch_related("target_areas", "attachments", "steps__actor")
              .filter(pk=pk).first())
    if notice is None:
        raise Http404
    return notice


@page_view("notices")
def notice_page(request, pk: int):
    """One notice: its text, target on the map and reach (before approval: how many
    people and phones approving will send to), the log and the actions."""
    return _notice_render(request, _notice_for(request, pk))


@require_POST
@page_view("notices")
def notice_attach_page(request, pk: int):
    """POST a draft's attachment (multipart ``file``) from the notice's page: back to the
    page, or the page again with the reason (400)."""
    notice = _notice_for(request, pk)
    upload = request.FILES.get("file")
    try:
        if upload is None:
            raise ValidationError({"file": [_("Choose a file.")]})
        services.notice_attach(actor=request.user, notice=notice, upload=upload)
    except ValidationError as error:
        return _notice_render(request, _notice_for(request, pk), attach_error=" ".join(
            error.message_dict.get("file", error.messages)), status=400)
    return redirect("notice-page", pk=notice.pk)


def _notice_render(request, notice: Notice, *, attach_error: str = "", status: int = 200):
    reach = target_reach(Target.of(notice))
    user = request.user
    approver = user.is_superuser or user.role in APPROVER_ROLES
    may_change = role_allows(user, "notices.change_notice")
    actions = []
    if may_change and notice.status in (NoticeStatus.DRAFT, NoticeStatus.REJECTED):
        actions.append(("submit", _("Submit for approval"), False))
    if approver and notice.status == NoticeStatus.SUBMITTED:
        actions += [("approve", _("Approve and send"), False), ("reject", _("Reject"), True)]
    if may_change and notice.status != NoticeStatus.WITHDRAWN:
        actions.append(("withdraw", _("Withdraw"), True))
    config = map_page_config(request, extra={"inspect": False, "noticeUrl": f"/api/v1/notices/{notice.pk}/",
                                             "labels2": _labels()})
    return render(request, "notices/notice.html", {
        "notice": notice, "reach": reach, "actions": actions, "map_config": config,
        "badge": STATUS_BADGES.get(notice.status, ""), "delivery": _delivery_labels(selectors.notice_delivery(notice)),
        "is_warning": notice.is_warning, "attach_error": attach_error,
        "may_attach": may_change and notice.status in (NoticeStatus.DRAFT, NoticeStatus.REJECTED)}, status=status)


def _delivery_labels(counts: dict) -> dict:
    return {Channel(channel).label: {State(state).label: n for state, n in states.items()}
            for channel, states in counts.items()}


@page_view("notices")
def notice_unread_page(request, pk: int):
    """The staff the notice went to who have not read it yet (and those who have)."""
    notice = _notice_for(request, pk)
    receipts = selectors.notice_staff_receipts(notice)
    for receipt in receipts:
        receipt["role_display"] = Role(receipt["role"]).label if receipt["role"] in Role.values else ""
        receipt["state_display"] = State(receipt["state"]).label
    return render(request, "notices/unread.html", {
        "notice": notice, "unread": [r for r in receipts if r["read_at"] is None],
        "read": [r for r in receipts if r["read_at"] is not None]})


# --------------------------------------------------------------------------- public

def _area_or_404(code: str) -> Area:
    return get_object_or_404(Area, code=code[:15])


@cache_control(public=True, max_age=60)
def screen_page(request, code: str):
    """The noticeboard screen of an area (no sign-in): large type, one notice at a time,
    rotating; reloads itself every few minutes and keeps working offline (a service
    worker keeps the last page it loaded)."""
    area = _area_or_404(code)
    notices = list(selectors.notices_for_area(area)[:20])
    return render(request, "notices/screen.html", {
        "area": area, "notices": notices, "seconds": SCREEN_SECONDS, "reload_seconds": 300})


def screen_worker(request):
    """The screens' service worker, served from /screens/ so that its scope covers them."""
    from django.contrib.staticfiles import finders

    path = finders.find("notices/screen_worker.js")
    with open(path, "rb") as script:
        response = HttpResponse(script.read(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = "/screens/"
    response["Cache-Control"] = "no-cache"
    return response


def area_notices_page(request, code: str):
    """The residents' list of an area's active notices (no sign-in)."""
    area = _area_or_404(code)
    return render(request, "notices/area_list.html", {"area": area, "notices": selectors.notices_for_area(area),
                                                     "tab": "notices"})


def _published_warning(pk: int) -> Notice:
    notice = (Notice.objects.select_related("area").prefetch_related("target_areas")
              .filter(pk=pk, kind=NoticeKind.WARNING, status__in=[NoticeStatus.APPROVED, NoticeStatus.WITHDRAWN])
              .first())
    if notice is None:
        raise Http404
    return notice


@cache_control(public=True, max_age=60)
def cap_alert(request, pk: int):
    """A published warning as a CAP 1.2 alert (a withdrawn one as its Cancel)."""
    return HttpResponse(cap_alert_xml(_published_warning(pk)), content_type="application/cap+xml; charset=utf-8")


@cache_control(public=True, max_age=60)
def cap_atom(request):
    """The Atom feed of the warnings in force, each entry linking its CAP alert."""
    warnings = selectors.notices_active().filter(kind=NoticeKind.WARNING).order_by("-published_at")[:200]
    base = request.build_absolute_uri("/").rstrip("/")
    return HttpResponse(cap_atom_feed(warnings, base_url=base), content_type="application/atom+xml; charset=utf-8")
