from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_role_groups(sender, **kwargs):
    from gis_core.services import role_groups_sync

    role_groups_sync()


class GisCoreConfig(AppConfig):
    name = "gis_core"
    verbose_name = _("Areas and access")

    def ready(self):
        # After the last app migrates, so every model's permissions exist.
        post_migrate.connect(_sync_role_groups, dispatch_uid="gis_core.role_groups")
