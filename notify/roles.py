"""What each role may do with notifications (gis_core.roles): the outbox is read-only
for everyone; administrators edit the templates. Each user's inbox is their own."""
from gis_core.roles import ADMIN, ALL, DISPATCHER, STREET, VIEW, grant


def grant_notify() -> None:
    grant({
        "notify.notification": {(ADMIN, DISPATCHER, STREET): (VIEW,)},
        "notify.messagetemplate": {ADMIN: ALL},
        "notify.ruleswitch": {ADMIN: ALL},
        "notify.alertescalation": {(ADMIN, DISPATCHER): (VIEW,)},
    })
