"""What each role may do with buildings, houses, people and places (gis_core.roles)."""
from gis_core.roles import ADD, ADMIN, ALL, CHANGE, DISPATCHER, HANDLER, ROLL_KEEPERS, STREET, VIEW, grant

EDIT = (VIEW, ADD, CHANGE)


def grant_assets() -> None:
    grant({
        # Places: every role sees them on the map.
        **{model: {ADMIN: ALL, ROLL_KEEPERS: EDIT, (STREET, DISPATCHER, HANDLER): (VIEW,)}
           for model in ("assets.building", "assets.organization", "assets.keysite")},
        # Roads are base data: every role reads them on the map; the district keeps them.
        "assets.road": {ADMIN: ALL, (*ROLL_KEEPERS, STREET, DISPATCHER, HANDLER): (VIEW,)},
        "assets.keysitecategory": {ADMIN: ALL, (*ROLL_KEEPERS, STREET, DISPATCHER, HANDLER): (VIEW,)},
        # People and where they live: not department handlers.
        **{model: {ADMIN: ALL, ROLL_KEEPERS: EDIT, (STREET, DISPATCHER): (VIEW,)}
           for model in ("assets.house", "assets.person", "assets.residence")},
        "assets.persontag": {ADMIN: ALL, (*ROLL_KEEPERS, STREET, DISPATCHER): (VIEW,)},
    })
