"""Single sign-on settings from the environment (README, "Single sign-on"): the directory
(LDAP, django-auth-ldap) when LDAP_SERVER_URI is set, OpenID Connect (mozilla-django-oidc)
when OIDC_OP_ISSUER, OIDC_RP_CLIENT_ID and OIDC_RP_CLIENT_SECRET are. config/settings.py
takes the whole dict; tests build one from their own servers' environment."""
from __future__ import annotations

from collections.abc import Mapping, Sequence

LDAP_BACKEND = "gis_core.identity_ldap.DirectoryBackend"
OIDC_BACKEND = "gis_core.identity_oidc.OidcBackend"

# LDAP_GROUP_TYPE → the django_auth_ldap.config class and the default group search filter.
# A group's name is its cn.
LDAP_GROUP_TYPES = {
    "groupOfNames": ("GroupOfNamesType", "(objectClass=groupOfNames)"),
    "groupOfUniqueNames": ("GroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "posixGroup": ("PosixGroupType", "(objectClass=posixGroup)"),
    "activeDirectory": ("ActiveDirectoryGroupType", "(objectClass=group)"),
    "nestedGroupOfNames": ("NestedGroupOfNamesType", "(objectClass=groupOfNames)"),
    "nestedGroupOfUniqueNames": ("NestedGroupOfUniqueNamesType", "(objectClass=groupOfUniqueNames)"),
    "nestedActiveDirectory": ("NestedActiveDirectoryGroupType", "(objectClass=group)"),
}


def _pairs(text: str) -> dict[str, str]:
    """"name=cn,email=mail" → {"name": "cn", "email": "mail"}."""
    pairs = (item.split("=", 1) for item in text.split(",") if "=" in item)
    return {key.strip(): value.strip() for key, value in pairs}


def _required(env: Mapping[str, str], name: str) -> str:
    if not env.get(name):
        raise ValueError(f"{name} must be set for single sign-on (README, Single sign-on)")
    return env[name]


def _ldap_settings(env: Mapping[str, str]) -> dict[str, object]:
    import ldap
    from django_auth_ldap import config as ldap_config

    group_type = env.get("LDAP_GROUP_TYPE", "groupOfNames")
    if group_type not in LDAP_GROUP_TYPES:
        raise ValueError(f"LDAP_GROUP_TYPE={group_type!r}: one of {', '.join(LDAP_GROUP_TYPES)}")
    group_class, group_filter = LDAP_GROUP_TYPES[group_type]
    return {
        "AUTH_LDAP_SERVER_URI": env["LDAP_SERVER_URI"],
        "AUTH_LDAP_START_TLS": env.get("LDAP_START_TLS", "0") == "1",
        "AUTH_LDAP_BIND_DN": env.get("LDAP_BIND_DN", ""),
        "AUTH_LDAP_BIND_PASSWORD": env.get("LDAP_BIND_PASSWORD", ""),
        "AUTH_LDAP_USER_SEARCH": ldap_config.LDAPSearch(
            _required(env, "LDAP_USER_SEARCH_BASE"), ldap.SCOPE_SUBTREE, env.get("LDAP_USER_SEARCH_FILTER", "(uid=%(user)s)")),
        "AUTH_LDAP_GROUP_SEARCH": ldap_config.LDAPSearch(
            _required(env, "LDAP_GROUP_SEARCH_BASE"), ldap.SCOPE_SUBTREE, env.get("LDAP_GROUP_SEARCH_FILTER", group_filter)),
        "AUTH_LDAP_GROUP_TYPE": getattr(ldap_config, group_class)(),
        "AUTH_LDAP_USER_ATTR_MAP": _pairs(env.get("LDAP_USER_ATTR_MAP", "name=cn,email=mail")),
        # Roles and areas come from the groups at every sign-in (gis_core.identity), never
        # from a cache, and the library mirrors no groups of its own.
        "AUTH_LDAP_CACHE_TIMEOUT": 0,
        "AUTH_LDAP_ALWAYS_UPDATE_USER": True,
        "AUTH_LDAP_MIRROR_GROUPS": False,
        "AUTH_LDAP_FIND_GROUP_PERMS": False,
        "AUTH_LDAP_CONNECTION_OPTIONS": {ldap.OPT_NETWORK_TIMEOUT: float(env.get("LDAP_TIMEOUT", "5")),
                                         ldap.OPT_TIMEOUT: float(env.get("LDAP_TIMEOUT", "5"))},
    }


def _oidc_settings(env: Mapping[str, str]) -> dict[str, object]:
    return {
        "OIDC_RP_CLIENT_ID": env["OIDC_RP_CLIENT_ID"],
        "OIDC_RP_CLIENT_SECRET": env["OIDC_RP_CLIENT_SECRET"],
        "OIDC_RP_SIGN_ALGO": env.get("OIDC_RP_SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": env.get("OIDC_RP_SCOPES", "openid profile email"),
        "OIDC_USERNAME_CLAIM": env.get("OIDC_USERNAME_CLAIM", "preferred_username"),
        "OIDC_GROUPS_CLAIM": env.get("OIDC_GROUPS_CLAIM", "groups"),
        "OIDC_TIMEOUT": float(env.get("OIDC_TIMEOUT", "10")),
        # A refused or failed sign-in lands back on the login page, which says so.
        "LOGIN_REDIRECT_URL_FAILURE": "/admin/login/?sso=refused",
    }


def sso_settings(env: Mapping[str, str], *, backends: Sequence[str]) -> dict[str, object]:
    """Settings for single sign-on; AUTHENTICATION_BACKENDS is ``backends`` (the local
    ones, tried first) followed by the directory and OpenID Connect when configured."""
    ldap_on = bool(env.get("LDAP_SERVER_URI"))
    oidc_on = all(env.get(name) for name in ("OIDC_OP_ISSUER", "OIDC_RP_CLIENT_ID", "OIDC_RP_CLIENT_SECRET"))
    settings: dict[str, object] = {
        "SSO_ROLE_GROUP_PREFIX": env.get("SSO_ROLE_GROUP_PREFIX", "grid-role-"),
        "SSO_AREA_GROUP_PREFIX": env.get("SSO_AREA_GROUP_PREFIX", "grid-area-"),
        "LDAP_ENABLED": ldap_on,
        "OIDC_ENABLED": oidc_on,
        "OIDC_OP_ISSUER": env.get("OIDC_OP_ISSUER", "").rstrip("/") if oidc_on else "",
        "LOGIN_REDIRECT_URL": "/",
        "AUTHENTICATION_BACKENDS": [*backends,
                                    *([LDAP_BACKEND] if ldap_on else []), *([OIDC_BACKEND] if oidc_on else [])],
    }
    if ldap_on:
        settings |= _ldap_settings(env)
    if oidc_on:
        settings |= _oidc_settings(env)
    return settings
