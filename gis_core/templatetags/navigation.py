"""``{% topbar_items %}``: the snippets apps registered for the top bar (gis_core.navigation)."""
from django import template
from django.template.loader import get_template
from django.utils.safestring import mark_safe

from gis_core.navigation import topbar_items as registered

register = template.Library()


@register.simple_tag(takes_context=True)
def topbar_items(context) -> str:
    request = context.get("request")
    return mark_safe("".join(get_template(item.template).render(context.flatten(), request)
                             for item in registered()))
