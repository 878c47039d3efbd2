from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Notices and warnings (信息发布): drafting, approval, fan-out through notify, the
    noticeboard screens, the residents' list, CAP 1.2 alerts and their import."""

    name = "notices"
    verbose_name = _("Notices and warnings")

    def ready(self):
        from gis_core.demo import DemoPart, register_demo_part
        from gis_core.models import Role
        from gis_core.navigation import Page, register_page
        from notices.demo import demo_notices_load
        from notices.layers import register_notice_layer
        from notices.roles import grant_notices

        grant_notices()
        register_notice_layer()
        register_demo_part(DemoPart("notices", demo_notices_load))
        register_page(Page("notices", _("Notices and warnings"),
                           _("Draft notices and warnings for an area, approve them, see who has read them"),
                           order=40, may_open={Role.COMMUNITY_WORKER, Role.GRID_LEADER, Role.STREET_OFFICIAL,
                                               Role.DISTRICT_ADMIN, Role.DISPATCHER}))
