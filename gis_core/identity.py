"""What the district's unified identity says a user is: the one mapping from directory
groups (LDAP) or token claims (OpenID Connect) to our role and areas.

Convention (README, "Single sign-on"): a user belongs to exactly one role group, named
``SSO_ROLE_GROUP_PREFIX`` + a role (``grid-role-grid_leader``), and to one or more area
groups, named ``SSO_AREA_GROUP_PREFIX`` + an area code (``grid-area-530103001001001``).
Groups with neither prefix are ignored. Anything else is refused: a sign-in never guesses a
role or grants a user without areas.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from gis_core.models import Role


@dataclass(frozen=True)
class Identity:
    role: Role
    area_codes: tuple[str, ...]


class IdentityRefused(Exception):
    """The groups give no role or no area, or more than one role: no sign-in."""


def identity_from_groups(groups: Iterable[str], *, role_prefix: str | None = None,
                         area_prefix: str | None = None) -> Identity:
    role_prefix = settings.SSO_ROLE_GROUP_PREFIX if role_prefix is None else role_prefix
    area_prefix = settings.SSO_AREA_GROUP_PREFIX if area_prefix is None else area_prefix
    roles, codes = set(), set()
    for group in groups:
        group = str(group).strip()
        # The longer prefix first: one may begin with the other ("grid-" and "grid-area-").
        for prefix, found in sorted(((role_prefix, roles), (area_prefix, codes)), key=lambda p: -len(p[0])):
            if group.startswith(prefix) and len(group) > len(prefix):
                found.add(group[len(prefix):])
                break
    known = {role for role in roles if role in Role.values}
    if not known:
        raise IdentityRefused(f"no role group (groups named {role_prefix}<role>, e.g. {role_prefix}grid_leader)")
    if len(known) > 1:
        raise IdentityRefused(f"more than one role group: {', '.join(sorted(known))}")
    if not codes:
        raise IdentityRefused(f"no area group (groups named {area_prefix}<area code>)")
    return Identity(role=Role(known.pop()), area_codes=tuple(sorted(codes)))
