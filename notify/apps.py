from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    """Notifications: the outbox, its worker and channels (SMS over SMPP, e-mail, the
    in-app inbox, webhooks), the templates and the rules that use them."""

    name = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        from gis_core.events import alert_changed, application_changed, case_changed, cases_flagged
        from gis_core.demo import DemoPart, register_demo_part
        from gis_core.navigation import Page, TopbarItem, register_page, register_topbar_item
        from notify.demo import demo_duty_load
        from notify.roles import grant_notify
        from notify.rules import on_alert_changed, on_application_changed, on_case_changed, on_cases_flagged

        grant_notify()
        alert_changed.connect(on_alert_changed, dispatch_uid="notify.alert_changed")
        case_changed.connect(on_case_changed, dispatch_uid="notify.case_changed")
        cases_flagged.connect(on_cases_flagged, dispatch_uid="notify.cases_flagged")
        application_changed.connect(on_application_changed, dispatch_uid="notify.application_changed")
        register_page(Page("inbox", _("Inbox"), _("Messages for you, with what is unread"), order=90,
                           in_topbar=False))  # the top bar has its own inbox item (unread count)
        register_page(Page("notify-settings", _("Notification settings"),
                           _("How you are told of each kind of message; on or off duty"), order=91,
                           in_topbar=False))
        register_topbar_item(TopbarItem("notify/topbar_inbox.html"))
        register_demo_part(DemoPart("duty", demo_duty_load))
