"""What each role may do with grid cells and visits (gis_core.roles)."""
from gis_core.roles import ADD, ADMIN, ALL, DISPATCHER, HANDLER, ROLL_KEEPERS, STREET, VIEW, grant


def grant_grids() -> None:
    grant({
        "grids.gridcell": {ADMIN: ALL, (STREET, *ROLL_KEEPERS, DISPATCHER, HANDLER): (VIEW,)},
        "grids.visit": {(ADMIN, *ROLL_KEEPERS): (VIEW, ADD), STREET: (VIEW,)},
    })
