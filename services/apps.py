from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    """Serving residents: the service catalogue (事项清单), applications (办件) filed at
    the one-stop desk, and appointments (预约) at the service centres."""

    name = "services"
    verbose_name = _("Public services")

    def ready(self):
        from gis_core.demo import DemoPart, register_demo_part
        from gis_core.models import Role
        from gis_core.navigation import PUBLIC, Page, register_page
        from services.console import register_console_late_panel
        from services.demo import demo_applications_load, demo_appointments_load
        from services.exports import register_service_exports
        from services.imports import register_service_imports
        from services.roles import grant_services

        grant_services()
        register_service_imports()
        register_service_exports()
        register_page(Page("services-desk", _("Service desk"),
                           _("One-stop desk: file applications for residents, the queue, one-time notices"),
                           order=25, may_open={Role.COMMUNITY_WORKER, Role.STREET_OFFICIAL,
                                               Role.DEPARTMENT_HANDLER, Role.DISTRICT_ADMIN}))
        register_page(Page("appointments-today", _("Today's appointments"),
                           _("A desk's bookings of the day: attended, no-show, cancel, book by phone"),
                           order=26, may_open={Role.COMMUNITY_WORKER, Role.STREET_OFFICIAL,
                                               Role.DEPARTMENT_HANDLER, Role.DISTRICT_ADMIN}))
        register_page(Page("portal-book", _("Book an appointment"),
                           _("Residents book a time at a service centre, no sign-in needed"),
                           order=81, may_open=PUBLIC))
        register_page(Page("services-metrics", _("Service metrics"),
                           _("Applications, on-time completion and satisfaction by item, department, community, "
                             "street and month"), order=27,
                           may_open={Role.STREET_OFFICIAL, Role.DEPARTMENT_HANDLER, Role.DISTRICT_ADMIN}))
        register_page(Page("services-rate", _("Rate a service"), _("Applicants rate a collected application"),
                           order=82, may_open=PUBLIC, in_topbar=False))
        register_console_late_panel()
        register_demo_part(DemoPart("applications", demo_applications_load))
        register_demo_part(DemoPart("appointments", demo_appointments_load))
