"""{% load single_sign_on %}: whether the login page offers the OpenID Connect sign-in."""
from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def oidc_enabled() -> bool:
    return settings.OIDC_ENABLED
