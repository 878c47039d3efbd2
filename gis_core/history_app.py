"""django-pghistory's app under a name an administrator reads (INSTALLED_APPS names
``gis_core.history_app.HistoryConfig`` instead of "pghistory"). In its own module: a
second AppConfig in gis_core/apps.py would stop Django choosing the core's."""
from django.utils.translation import gettext_lazy as _
from pghistory.apps import PGHistoryConfig


class HistoryConfig(PGHistoryConfig):
    """django-pghistory (the change history's trace tables) under a name an administrator
    reads: its app and models would show as "Pghistory | events" (content types, the
    access log's record types, permissions)."""

    verbose_name = _("change history")

    def ready(self):
        super().ready()
        from pghistory.models import Context, Events, MiddlewareEvents

        for model, one, many in ((Events, _("change event"), _("change events")),
                                 (MiddlewareEvents, _("change event by request"), _("change events by request")),
                                 (Context, _("change context"), _("change contexts"))):
            model._meta.verbose_name, model._meta.verbose_name_plural = one, many
