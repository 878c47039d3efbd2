"""What each role may do with notices (gis_core.roles). Community staff (and grid leaders,
who share their set) and street officials draft; street officials and district
administrators approve (notices.services.APPROVER_ROLES); everyone reads their areas'."""
from gis_core.roles import ADD, ADMIN, ALL, CHANGE, DISPATCHER, HANDLER, ROLL_KEEPERS, STREET, VIEW, grant


def grant_notices() -> None:
    grant({
        "notices.notice": {ADMIN: ALL, (STREET, *ROLL_KEEPERS): (VIEW, ADD, CHANGE), (DISPATCHER, HANDLER): (VIEW,)},
    })
