from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    """Incident reporting and case handling: intake, the workflow, time limits, metrics,
    public tracking and Open311."""

    name = "incidents"
    verbose_name = _("Incidents and cases")

    def ready(self):
        from gis_core.demo import DemoPart, register_demo_part
        from gis_core.models import Role
        from gis_core.navigation import PUBLIC, Page, register_page
        from incidents.demo import demo_banner, demo_cases_load
        from incidents.exports import register_case_export
        from incidents.heat import register_case_heat
        from incidents.layers import register_case_layer
        from incidents.roles import grant_incidents

        grant_incidents()
        register_case_layer()
        register_case_heat()
        register_case_export()
        register_page(Page("case-report", _("Report a case"),
                           _("From the spot (grid leaders, on a phone) or at the one-stop desk"), order=20,
                           may_open={Role.GRID_LEADER, Role.COMMUNITY_WORKER, Role.DISPATCHER, Role.DISTRICT_ADMIN},
                           workspace_of={Role.COMMUNITY_WORKER}))
        # Street officials supervise cases (督办) from the desk.
        register_page(Page("case-desk", _("Case handling desk"),
                           _("Dispatchers and departments: queue, map of open cases, the workflow"), order=30,
                           may_open={Role.DISPATCHER, Role.DEPARTMENT_HANDLER, Role.STREET_OFFICIAL,
                                     Role.DISTRICT_ADMIN}, workspace_of={Role.DEPARTMENT_HANDLER}))
        register_page(Page("track", _("Track a case"), _("Anyone with a tracking number"), order=80, may_open=PUBLIC))
        register_demo_part(DemoPart("cases", demo_cases_load, banner=demo_banner))
