"""What each role may do with terminals, contacts, safe zones and alerts (gis_core.roles)."""
from gis_core.roles import ADD, ADMIN, ALL, CHANGE, DISPATCHER, ROLL_KEEPERS, STREET, VIEW, grant


def grant_iot() -> None:
    grant({
        "iot.terminal": {ADMIN: ALL, ROLL_KEEPERS: (VIEW, ADD, CHANGE), (STREET, DISPATCHER): (VIEW,)},
        "iot.safezone": {ADMIN: ALL, ROLL_KEEPERS: (VIEW, ADD, CHANGE), (STREET, DISPATCHER): (VIEW,)},
        "iot.emergencycontact": {(ADMIN, *ROLL_KEEPERS): ALL, (STREET, DISPATCHER): (VIEW,)},
        "iot.alert": {(ADMIN, *ROLL_KEEPERS, DISPATCHER): (VIEW, CHANGE), STREET: (VIEW,)},
        "iot.quarantinedmessage": {ADMIN: (VIEW,)},
    })
