"""Who may read the sign-in audit: the roles that read the personal-data access log.
They may also lift a lockout (delete its counter)."""
from gis_core.roles import AUDIT_ROLES, DELETE, VIEW, grant


def grant_signin() -> None:
    auditors = tuple(AUDIT_ROLES)
    grant({
        "signin.signinrecord": {auditors: (VIEW,)},
        "signin.signinfailure": {auditors: (VIEW,)},
        "signin.signinlockout": {auditors: (VIEW, DELETE)},
    })
