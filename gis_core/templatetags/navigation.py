"""The top bar's parts (gis_core/templates/gis_core/base.html): ``{% topbar_nav as nav %}``
— the pages the user's role may open (gis_core.navigation), who is signed in and where —
and ``{% topbar_items %}``, the snippets apps registered (e.g. the inbox)."""
from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.shortcuts import resolve_url
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import mark_safe

from gis_core.navigation import may_open_named, topbar_pages_for
from gis_core.navigation import topbar_items as registered

register = template.Library()


@register.simple_tag(takes_context=True)
def topbar_nav(context) -> dict:
    """Works on every page, error pages answered before authentication too (no
    ``request.user`` there: signed out)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(getattr(user, "is_authenticated", False))
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    return {
        "signed_in": signed_in,
        "user": user if signed_in else None,
        "links": [{"url": reverse(page.url_name), "title": page.title, "current": page.url_name == current}
                  for page in topbar_pages_for(user)],
        "areas": "、".join(area.name for area in user.areas.order_by("code")) if signed_in else "",
        "signin_url": _signin_url(request),
    }


def _signin_url(request) -> str:
    """The sign-in form, coming back here afterwards (home from the form itself)."""
    login = resolve_url(settings.LOGIN_URL)
    here = request.get_full_path() if request is not None else "/"
    return f"{login}?{urlencode({'next': '/' if here.startswith(login) else here})}"


@register.simple_tag(takes_context=True)
def topbar_items(context) -> str:
    request = context.get("request")
    return mark_safe("".join(get_template(item.template).render(context.flatten(), request)
                             for item in registered()))


@register.simple_tag(takes_context=True)
def may_open_page(context, url_name: str) -> bool:
    """``{% may_open_page "case-report" as can_report %}``: draw a link only for who may follow it."""
    request = context.get("request")
    return may_open_named(getattr(request, "user", None), url_name)
