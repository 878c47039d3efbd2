"""Strings of Django's own admin templates that Django's zh_Hans catalogue does not translate
(added in Django 5.x). Marked here so makemessages keeps them in our catalogue, which
LOCALE_PATHS puts ahead of Django's."""
from django.utils.translation import gettext_noop

ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)
