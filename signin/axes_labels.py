"""The labels of django-axes' fields, which it ships without Chinese: listed here so that
makemessages keeps them in our catalog (gis_core/locale), where the admin of the sign-in
audit finds their translations. Not imported: it only holds the strings."""
from django.utils.translation import gettext_noop

AXES_FIELD_LABELS = [
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
]
