"""What each role may do. One table serves the API, the admin and the pages: it is synced
into one auth Group per role (``role_groups_sync``, run after every migrate), and users
are put in the group of their role (``user_role_set``)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from gis_core.models import Role

VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
ALL = (VIEW, ADD, CHANGE, DELETE)

ADMIN, STREET, COMMUNITY, LEADER, DISPATCHER, HANDLER = (
    Role.DISTRICT_ADMIN, Role.STREET_OFFICIAL, Role.COMMUNITY_WORKER, Role.GRID_LEADER, Role.DISPATCHER,
    Role.DEPARTMENT_HANDLER)
# Community workers and grid leaders keep the rolls: they may do the same everywhere.
ROLL_KEEPERS = (COMMUNITY, LEADER)
EVERYONE = tuple(Role)

Grants = dict[Role | tuple[Role, ...], tuple[str, ...]]  # role(s) -> actions

# role -> model label -> actions. Anything not granted is refused. Each app grants the
# actions on its own models (``grant`` from its ``roles.py``, called by AppConfig.ready()).
ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {role: {} for role in Role}


def grant(table: dict[str, Grants]) -> None:
    """``{"app.model": {role or (roles…): actions}}`` into ROLE_PERMISSIONS."""
    for model, grants in table.items():
        for roles, actions in grants.items():
            for role in (roles if isinstance(roles, tuple) else (roles,)):
                ROLE_PERMISSIONS[role][model] = actions


def grant_core() -> None:
    grant({
        "gis_core.area": {ADMIN: ALL, (STREET, *ROLL_KEEPERS, DISPATCHER, HANDLER): (VIEW,)},
        "gis_core.user": {ADMIN: ALL},
        "gis_core.personaldataaccess": {ADMIN: (VIEW,)},
    })


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


def require_permission(user, permission: str) -> None:
    """PermissionDenied (403) unless the user's role grants ``permission``."""
    if not role_allows(user, permission):
        raise PermissionDenied(_("Your role may not do this."))
