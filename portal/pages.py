"""The portal's pages (no staff login). Readable without JavaScript — plain links and GET
or POST forms — so they work as H5 pages behind a WeChat official-account menu; only the
report page needs scripts (the map and GPS). Thin: query serializer, selectors, render."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from rest_framework.exceptions import Throttled

from gis_core.models import Area, AreaLevel
from incidents.models import Case, Department
from incidents.pages import STATUS_BADGES
from incidents.selectors import categories_tree
from incidents.serializers import CategorySerializer, public_case
from incidents.tracking import case_track
from notices.selectors import notices_for_area
from portal import selectors
from portal.limits import limit_check
from portal.models import CodePurpose
from portal.serializers import CatalogueQuerySerializer, CodeRequestSerializer, SignInSerializer, TrackQuerySerializer
from portal.services import phone_code_send, resident_session_end, resident_session_start
from services.appointment_selectors import centres_for_item
from services.models import Application, BusinessArea, Channel, Level, LifeEvent, ServiceItem
from services.selectors import life_event_counts, service_item_public, service_items_public
from services.serializers import public_application
from services.tracking import application_track
from tiles.maps import map_page_config

# Where a resident goes, by the level that accepts an item.
WHERE_TO_GO = {
    Level.COMMUNITY: _("the service station (便民服务站) of your community's residents' committee"),
    Level.STREET: _("the service centre (便民服务中心) of your street office"),
    Level.DISTRICT: _("the district government service centre (政务服务中心)"),
}


def home_page(request):
    """办事指南: the life events, a search box, the business areas."""
    counts = life_event_counts()
    events = [(e.value, e.label, counts.get(e.value, 0)) for e in LifeEvent if counts.get(e.value)]
    return render(request, "portal/home.html", {"events": events, "areas": BusinessArea.choices, "tab": "guide"})


def items_page(request):
    """The catalogue in force, by life event, business area or department, and by name."""
    query = CatalogueQuerySerializer(data=request.GET)
    valid = query.is_valid()
    filters = query.validated_data if valid else {}
    items = list(service_items_public(
        life_event=filters.get("event", ""), business_area=filters.get("area", ""),
        department=filters["department"].code if filters.get("department") else "", q=filters.get("q", "")))
    context = {
        "items": items if valid else [], "errors": query.errors, "filters": {k: request.GET.get(k, "") for k in
                                                                             ("event", "area", "department", "q")},
        "events": LifeEvent.choices, "areas": BusinessArea.choices,
        "departments": Department.objects.filter(active=True, service_items__isnull=False).distinct()
        .order_by("name").values_list("code", "name"),
        "tab": "guide",
    }
    return render(request, "portal/items.html", context, status=200 if valid else 400)


def item_page(request, code: str):
    """One item: conditions, materials, time limits, fee, where to go, channels, result."""
    try:
        item = service_item_public(code)
    except ServiceItem.DoesNotExist:
        raise Http404 from None
    materials = list(item.materials.all())
    context = {"item": item, "required": [m for m in materials if m.required],
               "conditional": [m for m in materials if not m.required],
               "where": WHERE_TO_GO.get(item.accepting_level, ""),
               "centres": list(centres_for_item(item)),
               "channel_labels": [Channel(c).label for c in item.channels if c in Channel.values],
               "book_url": reverse("portal-book") + "?item=" + item.code,  # services' booking page
               "tab": "guide"}
    return render(request, "portal/item.html", context)


def track_page(request):
    """查询进度: one box for a case's tracking number or an application's number (BJ…),
    with its check; both under the public tracking's limits (incidents.tracking)."""
    query = TrackQuerySerializer(data=request.GET)
    if not query.is_valid():
        return render(request, "portal/track.html", {"errors": query.errors, "tab": "track"}, status=400)
    number, check = query.validated_data["number"].strip(), query.validated_data["check"].strip()
    context = {"number": number, "check": check, "tab": "track"}
    status = 200
    if number:
        try:
            if number.upper().startswith("BJ"):
                context["application"] = public_application(application_track(request, number, check=check))
            else:
                context["case"] = public_case(case_track(request, number, check=check))
        except (Case.DoesNotExist, Application.DoesNotExist):
            context["missing"], status = True, 404
        except Throttled:
            context["throttled"], status = True, 429
    return render(request, "portal/track.html", context, status=status)


def report_page(request):
    """反映问题: where (GPS or a tap on the map), what, photos, the phone and its SMS code.
    The map and sending are incidents' report widget (incidents/static/incidents/report.js)."""
    config = map_page_config(request, extra={
        "inspect": False, "openZoom": 15, "tilesUrl": reverse("portal-map-index"),
        "casesUrl": reverse("portal-api-report"), "codesUrl": reverse("portal-api-codes"),
        "categories": CategorySerializer(categories_tree(), many=True).data, "desk": False,
        "extraFields": ["phone", "code"], "popups": {},
    })
    return render(request, "portal/report.html", {"map_config": config, "tab": "report"})


def map_index(request):
    """The report map's tile index for the public: the district's extent and no data layers
    (the tile layers are staff's); the basemap is the deployment's (BASEMAP_URL)."""
    return JsonResponse({"bounds": selectors.district_bounds(), "layers": []})


def notices_page(request):
    """通知公告: the active notices of the community the resident picks (``?area=<code>``, a
    community, street or the district; default the district: what reaches everyone)."""
    places = list(Area.objects.filter(level__lte=AreaLevel.COMMUNITY, level__gte=AreaLevel.DISTRICT)
                  .defer("boundary").order_by("code"))
    chosen = request.GET.get("area", "")
    area = next((a for a in places if a.code == chosen), None) or next(
        (a for a in places if a.level == AreaLevel.DISTRICT), None)
    if area is not None:  # the boundary, for notices drawn over it
        area = Area.objects.get(pk=area.pk)
    return render(request, "portal/notices.html", {
        "tab": "notices", "places": places, "area": area,
        "notices": list(notices_for_area(area)) if area is not None else []})


def _mine_form(request, *, status: int = 200, **context):
    return render(request, "portal/signin.html", {"tab": "mine", "purpose": CodePurpose.SIGN_IN, **context},
                  status=status)


def mine_page(request):
    """我的办件: signed in (phone + SMS code), the resident's applications and cases, each
    linking to its tracking page; otherwise the sign-in form."""
    phone = selectors.resident_phone(request)
    if phone is None:
        return _mine_form(request)
    records = selectors.resident_records(phone)
    for case in records["cases"]:
        case.badge = STATUS_BADGES.get(case.status, "")
    masked = f"{phone[:3]}****{phone[-4:]}"
    return render(request, "portal/mine.html", {"tab": "mine", "phone": masked, **records})


@require_POST
def mine_code(request):
    """Text a sign-in code (the form's first step)."""
    body = CodeRequestSerializer(data={"phone": request.POST.get("phone", ""), "purpose": CodePurpose.SIGN_IN})
    if not body.is_valid():
        return _mine_form(request, status=400, errors=body.errors, phone=request.POST.get("phone", ""))
    phone = body.validated_data["phone"]
    try:
        limit_check(request, scope="code-ip", rate=settings.PORTAL_CODE_IP_RATE)
        limit_check(request, scope="code-phone", rate=settings.PORTAL_CODE_PHONE_RATE, phone=phone)
    except Throttled:
        return _mine_form(request, status=429, phone=phone, throttled=True)
    phone_code_send(phone=phone, purpose=CodePurpose.SIGN_IN)
    return _mine_form(request, phone=phone, sent=True, minutes=settings.PORTAL_CODE_MINUTES)


@require_POST
def mine_signin(request):
    body = SignInSerializer(data={"phone": request.POST.get("phone", ""), "code": request.POST.get("code", "")})
    if not body.is_valid():
        return _mine_form(request, status=400, errors=body.errors, phone=request.POST.get("phone", ""), sent=True)
    try:
        token = resident_session_start(**body.validated_data)
    except ValidationError as error:
        return _mine_form(request, status=400, errors=error.message_dict, phone=body.validated_data["phone"],
                          sent=True)
    response = HttpResponseRedirect(reverse("portal-mine"))
    response.set_cookie(selectors.COOKIE, token, max_age=settings.PORTAL_SESSION_MINUTES * 60, path="/portal/",
                        secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
    return response


@require_POST
def mine_signout(request):
    token = request.COOKIES.get(selectors.COOKIE)
    if token:
        resident_session_end(token=token)
    response = HttpResponseRedirect(reverse("portal-mine"))
    response.delete_cookie(selectors.COOKIE, path="/portal/")
    return response
