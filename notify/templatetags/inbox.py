from django import template

from notify.selectors import inbox_unread_count

register = template.Library()


@register.simple_tag
def unread_count(user) -> int:
    return inbox_unread_count(user) if getattr(user, "is_authenticated", False) else 0
