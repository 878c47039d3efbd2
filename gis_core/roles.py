"""What each role may do. One table serves the API, the admin and the pages: it is synced
into one auth Group per role (``role_groups_sync``, run after every migrate), and users
are put in the group of their role (``user_role_set``)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from gis_core.models import Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = (VIEW, ADD, CHANGE, DELETE)

# model label -> actions, per role. Anything not listed is refused.
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.DISTRICT_ADMIN: {
        "gis_core.area": ALL, "grids.gridcell": ALL, "gis_core.user": ALL,
        "gis_core.personaldataaccess": (VIEW,),
        "assets.building": ALL, "assets.house": ALL, "assets.person": ALL,
        "assets.residence": ALL, "assets.persontag": ALL, "assets.organization": ALL,
        "assets.keysite": ALL, "assets.keysitecategory": ALL,
        "iot.terminal": ALL, "iot.emergencycontact": ALL, "iot.safezone": ALL, "iot.alert": (VIEW, CHANGE),
        "iot.quarantinedmessage": (VIEW,),
        "incidents.case": (VIEW, ADD, CHANGE), "incidents.category": ALL, "incidents.department": ALL,
        "incidents.workcalendarday": ALL, "incidents.open311client": ALL,
        "grids.visit": (VIEW, ADD),
    },
    Role.STREET_OFFICIAL: {
        "gis_core.area": (VIEW,), "grids.gridcell": (VIEW,),
        "assets.building": (VIEW,), "assets.house": (VIEW,), "assets.person": (VIEW,),
        "assets.residence": (VIEW,), "assets.persontag": (VIEW,), "assets.organization": (VIEW,),
        "assets.keysite": (VIEW,), "assets.keysitecategory": (VIEW,),
        "iot.terminal": (VIEW,), "iot.emergencycontact": (VIEW,), "iot.safezone": (VIEW,), "iot.alert": (VIEW,),
        "incidents.case": (VIEW, CHANGE), "incidents.category": (VIEW,), "incidents.department": (VIEW,),
        "grids.visit": (VIEW,),
    },
    Role.COMMUNITY_WORKER: {
        "gis_core.area": (VIEW,), "grids.gridcell": (VIEW,),
        "assets.building": (VIEW, ADD, CHANGE), "assets.house": (VIEW, ADD, CHANGE),
        "assets.person": (VIEW, ADD, CHANGE), "assets.residence": (VIEW, ADD, CHANGE),
        "assets.persontag": (VIEW,), "assets.organization": (VIEW, ADD, CHANGE),
        "assets.keysite": (VIEW, ADD, CHANGE), "assets.keysitecategory": (VIEW,),
        "iot.terminal": (VIEW, ADD, CHANGE), "iot.emergencycontact": ALL, "iot.safezone": (VIEW, ADD, CHANGE),
        "iot.alert": (VIEW, CHANGE),
        "incidents.case": (VIEW, ADD, CHANGE), "incidents.category": (VIEW,), "incidents.department": (VIEW,),
        "grids.visit": (VIEW, ADD),
    },
    Role.GRID_LEADER: {
        "gis_core.area": (VIEW,), "grids.gridcell": (VIEW,),
        "assets.building": (VIEW, ADD, CHANGE), "assets.house": (VIEW, ADD, CHANGE),
        "assets.person": (VIEW, ADD, CHANGE), "assets.residence": (VIEW, ADD, CHANGE),
        "assets.persontag": (VIEW,), "assets.organization": (VIEW, ADD, CHANGE),
        "assets.keysite": (VIEW, ADD, CHANGE), "assets.keysitecategory": (VIEW,),
        "iot.terminal": (VIEW, ADD, CHANGE), "iot.emergencycontact": ALL, "iot.safezone": (VIEW, ADD, CHANGE),
        "iot.alert": (VIEW, CHANGE),
        "incidents.case": (VIEW, ADD, CHANGE), "incidents.category": (VIEW,), "incidents.department": (VIEW,),
        "grids.visit": (VIEW, ADD),
    },
    Role.DISPATCHER: {
        "gis_core.area": (VIEW,), "grids.gridcell": (VIEW,),
        "assets.building": (VIEW,), "assets.house": (VIEW,), "assets.person": (VIEW,),
        "assets.residence": (VIEW,), "assets.persontag": (VIEW,), "assets.organization": (VIEW,),
        "assets.keysite": (VIEW,), "assets.keysitecategory": (VIEW,),
        "iot.terminal": (VIEW,), "iot.emergencycontact": (VIEW,), "iot.safezone": (VIEW,),
        "iot.alert": (VIEW, CHANGE),
        "incidents.case": (VIEW, ADD, CHANGE), "incidents.category": (VIEW,), "incidents.department": (VIEW,),
    },
    Role.DEPARTMENT_HANDLER: {
        "gis_core.area": (VIEW,), "grids.gridcell": (VIEW,),
        "assets.building": (VIEW,), "assets.organization": (VIEW,),
        "assets.keysite": (VIEW,), "assets.keysitecategory": (VIEW,),
        "incidents.case": (VIEW, CHANGE), "incidents.category": (VIEW,), "incidents.department": (VIEW,),
    },
}

# Roles whose work needs ID numbers, phones and health tags unmasked (every such read is
# logged). Street officials and department handlers see statistics and places, not people.
PERSONAL_DATA_ROLES = frozenset({
    Role.DISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_LEADER, Role.DISPATCHER,
})

# Roles that may read the personal-data access log.
AUDIT_ROLES = frozenset({Role.DISTRICT_ADMIN})

ROLE_HELP = {
    Role.DISTRICT_ADMIN: _("manages the district's areas, users and base data"),
    Role.STREET_OFFICIAL: _("views maps and statistics of their street"),
    Role.COMMUNITY_WORKER: _("takes in requests at the one-stop desk, keeps rolls current"),
    Role.GRID_LEADER: _("keeps the rolls of their grid cell current"),
    Role.DISPATCHER: _("answers emergency alerts and dispatches cases"),
    Role.DEPARTMENT_HANDLER: _("handles the cases sent to their department"),
}


def role_allows(user, permission: str) -> bool:
    """Whether the user's role grants ``permission`` ("app.action_model"), straight from
    ROLE_PERMISSIONS: no query (the hot path of map tiles). Superusers may everything."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    app_label, codename = permission.split(".")
    action, _sep, model = codename.partition("_")
    return action in ROLE_PERMISSIONS.get(user.role, {}).get(f"{app_label}.{model}", ())
