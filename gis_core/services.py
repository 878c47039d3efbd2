"""Write operations on areas and users. Views, the admin and commands call these; they
validate, write in one transaction, and raise ValidationError naming the field."""
from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from gis_core.identity import IdentityRefused, identity_from_groups
from gis_core.models import CODE_LENGTH, PREFIX_LENGTH, Area, AreaLevel, Role, User
from gis_core.roles import ROLE_PERMISSIONS
from gis_core.scoping import UNRESTRICTED, code_in_scope, user_area_prefixes
from gis_core.spatial import MAX_AREA_VERTICES, derived_areas_reassign, geometry_clean

logger = logging.getLogger(__name__)

# Parent level expected for each level; None: may be a root.
PARENT_LEVELS = {
    AreaLevel.CITY: (None,),
    AreaLevel.DISTRICT: (None, AreaLevel.CITY),
    AreaLevel.STREET: (AreaLevel.DISTRICT,),
    AreaLevel.COMMUNITY: (AreaLevel.STREET,),
    AreaLevel.GRID: (AreaLevel.COMMUNITY,),
}


def _code_check(*, code: str, level: AreaLevel, parent: Area | None) -> None:
    length = CODE_LENGTH[level]
    if not code.isdigit() or len(code) != length:
        raise ValidationError({"code": [_("A %(level)s code has %(n)d digits; got “%(code)s”.")
                                        % {"level": level.label, "n": length, "code": code}]})
    # The digits this level adds to its parent's prefix (a city's: 3–4, after the province).
    start = PREFIX_LENGTH[AreaLevel(level - 1)] if level > AreaLevel.CITY else 2
    end = PREFIX_LENGTH[level]
    if set(code[start:end]) == {"0"} or set(code[end:]) - {"0"}:
        raise ValidationError({"code": [
            _("“%(code)s” is not a %(level)s code: digits %(a)d–%(b)d identify it and must not "
              "all be 0; the digits after them must be 0.")
            % {"code": code, "level": level.label, "a": start + 1, "b": end}
        ]})
    if parent is not None and not code.startswith(parent.prefix):
        raise ValidationError({"code": [
            _("Code %(code)s does not extend the code of its parent %(parent)s (%(prefix)s…).")
            % {"code": code, "parent": parent, "prefix": parent.prefix}
        ]})


def _extends_outside_m2(inner: GEOSGeometry, outer: GEOSGeometry) -> float | None:
    """Area in m² of ``inner`` outside ``outer`` when some of it lies farther than the
    tolerance outside; None when it is within (tolerance included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT ST_Covers(ST_Buffer(o::geography, %s)::geometry, i),
                   ST_Area(ST_Difference(i, o)::geography)
            FROM (SELECT ST_GeomFromEWKB(%s) AS i, ST_GeomFromEWKB(%s) AS o) g
            """,
            [settings.AREA_TOLERANCE_M, bytes(inner.ewkb), bytes(outer.ewkb)],
        )
        covered, outside = cursor.fetchone()
    return None if covered else outside


def _overlapping_siblings(area: Area, boundary: GEOSGeometry) -> list[tuple[Area, float]]:
    """Areas of the same level and parent whose overlap with ``boundary`` exceeds the
    tolerance, with the overlap in m²."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT a.id, ST_Area(ST_Intersection(a.boundary, g.geom)::geography)
            FROM gis_core_area a, (SELECT ST_GeomFromEWKB(%s) AS geom) g
            WHERE a.level = %s AND a.parent_id IS NOT DISTINCT FROM %s AND a.id <> %s
              AND ST_Intersects(a.boundary, g.geom)
            """,
            [bytes(boundary.ewkb), area.level, area.parent_id, area.pk or -1],
        )
        overlaps = {pk: m2 for pk, m2 in cursor.fetchall() if m2 > settings.AREA_OVERLAP_TOLERANCE_M2}
    return [(a, overlaps[a.pk]) for a in Area.objects.filter(pk__in=overlaps)]


def _hierarchy_check(*, area: Area, boundary: GEOSGeometry) -> None:
    """A child lies within its parent, siblings do not overlap, and (for an existing area)
    its children still lie within the new boundary."""
    if area.parent is not None:
        outside = _extends_outside_m2(boundary, area.parent.boundary)
        if outside is not None:
            raise ValidationError({"boundary": [
                _("%(child)s extends %(m2).0f m² outside its parent %(parent)s.")
                % {"child": area, "m2": outside, "parent": area.parent}
            ]})
    overlaps = _overlapping_siblings(area, boundary)
    if overlaps:
        sibling, m2 = overlaps[0]
        raise ValidationError({"boundary": [
            _("%(area)s overlaps %(other)s by %(m2).0f m².")
            % {"area": area, "other": sibling, "m2": m2}
        ]})
    if area.pk:
        for child in area.children.all():
            outside = _extends_outside_m2(child.boundary, boundary)
            if outside is not None:
                raise ValidationError({"boundary": [
                    _("%(child)s would extend %(m2).0f m² outside %(area)s.")
                    % {"child": child, "m2": outside, "area": area}
                ]})


@transaction.atomic
def area_create(*, code: str, name: str, level: int, parent: Area | None,
                boundary: GEOSGeometry, actor: User | None = None) -> Area:
    """A new area under ``parent``. An ``actor`` with areas creates only inside them (a
    top-level area needs an unrestricted operator); None: the system (demo, imports of the
    operator)."""
    if actor is not None and user_area_prefixes(actor) is not UNRESTRICTED:
        if parent is None:
            raise ValidationError({"parent": [_("Choose the parent area within your areas.")]})
        if not code_in_scope(parent.code, user_area_prefixes(actor)):
            raise ValidationError({"parent": [_("%(obj)s is outside your areas.") % {"obj": parent}]})
    level = AreaLevel(level)
    if (parent.level if parent else None) not in PARENT_LEVELS[level]:
        raise ValidationError({"parent": [
            _("A %(level)s must have a parent of level %(expected)s.")
            % {"level": level.label,
               "expected": _(" or ").join(str(AreaLevel(p).label) if p else _("none") for p in PARENT_LEVELS[level])}
        ]})
    if parent is not None:
        # Serialise creations under one parent so two overlapping siblings cannot both pass.
        Area.objects.select_for_update().get(pk=parent.pk)
    _code_check(code=code, level=level, parent=parent)
    if Area.objects.filter(code=code).exists():
        raise ValidationError({"code": [_("An area with code %(code)s already exists.") % {"code": code}]})
    boundary = geometry_clean(boundary, field="boundary", allowed=("Polygon", "MultiPolygon"),
                              promote_to_multi=True, max_vertices=MAX_AREA_VERTICES)
    area = Area(code=code, name=name, level=level, parent=parent, boundary=boundary)
    _hierarchy_check(area=area, boundary=boundary)
    area.save()
    derived_areas_reassign(boundary.envelope)
    return area


@transaction.atomic
def area_update(*, area: Area, name: str | None = None, boundary: GEOSGeometry | None = None) -> Area:
    area = Area.objects.select_for_update().get(pk=area.pk)
    if name is not None:
        area.name = name
    old_boundary = area.boundary
    if boundary is not None:
        boundary = geometry_clean(boundary, field="boundary", allowed=("Polygon", "MultiPolygon"),
                                  promote_to_multi=True, max_vertices=MAX_AREA_VERTICES)
        if area.parent_id:
            Area.objects.select_for_update().get(pk=area.parent_id)
        _hierarchy_check(area=area, boundary=boundary)
        area.boundary = boundary
    area.save()
    if boundary is not None and not boundary.equals_exact(old_boundary):
        # Everything that was or now is inside: the envelope of old and new boundaries.
        derived_areas_reassign(old_boundary.union(boundary).envelope)
    return area


@transaction.atomic
def area_delete(*, area: Area) -> None:
    if area.children.exists():
        raise ValidationError({"area": [_("%(area)s still has sub-areas; delete or move them first.")
                                        % {"area": area}]})
    extent = area.boundary.envelope
    area.delete()  # derived areas of its records are set to NULL, then recomputed:
    derived_areas_reassign(extent)


def role_groups_sync() -> None:
    """Make one auth Group per role hold exactly the permissions of ROLE_PERMISSIONS."""
    permissions = {(p.content_type.app_label, p.codename): p
                   for p in Permission.objects.select_related("content_type")}
    for role, models in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=f"role:{role}")
        wanted = []
        for label, actions in models.items():
            app_label, model = label.split(".")
            wanted += [permissions.get((app_label, f"{action}_{model}")) for action in actions]
        group.permissions.set([p for p in wanted if p is not None])


@transaction.atomic
def user_create(*, username: str, password: str | None, role: str, areas: list[Area],
                name: str = "", phone: str = "", is_superuser: bool = False) -> User:
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("User %(username)s already exists.") % {"username": username}]})
    user = User(username=username, name=name, phone=phone, is_staff=True, is_superuser=is_superuser)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user_role_set(user=user, role=role, areas=areas)
    return user


@transaction.atomic
def user_role_set(*, user: User, role: str, areas: list[Area]) -> User:
    role = Role(role)
    user.role = role
    user.save(update_fields=["role"])
    user.areas.set(areas)
    user.refresh_from_db(fields=["area_prefixes"])  # kept by the database
    user.groups.set([Group.objects.get_or_create(name=f"role:{role}")[0]])
    return user


DUTY_ROLES = (Role.GRID_LEADER, Role.DISPATCHER)  # who go on and off duty


def user_duty_set(*, user: User, on_duty: bool) -> User:
    """The user goes on or off duty (grid leaders and dispatchers): an on-duty grid leader
    is called to a nearby SOS, an on-duty dispatcher hears with the supervisors of one left open."""
    if user.role not in DUTY_ROLES:
        raise ValidationError({"on_duty": [_("Only grid leaders and dispatchers go on duty.")]})
    user.on_duty = on_duty
    user.save(update_fields=["on_duty"])
    return user


@transaction.atomic
def user_role_clear(*, user: User) -> User:
    """No role, no areas, no API tokens: the user sees nothing and holds no key."""
    from rest_framework.authtoken.models import Token

    user.role = ""
    user.save(update_fields=["role"])
    user.areas.clear()
    user.refresh_from_db(fields=["area_prefixes"])
    user.groups.clear()
    Token.objects.filter(user=user).delete()
    return user


@transaction.atomic
def user_identity_sync(*, user: User, groups: Iterable[str]) -> User | None:
    """At each single sign-on: set the user's role and areas from their directory groups or
    token claims (gis_core.identity). Returns the user, or None when the sign-in is refused —
    then a user who had a role here loses it, so a stale session or token sees nothing."""
    if user.is_superuser:
        # The superuser is the local break-glass account: never taken over by a directory.
        logger.warning("single sign-on refused for %s: a superuser signs in with the local password", user.username)
        return None
    try:
        identity = identity_from_groups(groups)
        areas = list(Area.objects.filter(code__in=identity.area_codes))
        if unknown := set(identity.area_codes) - {area.code for area in areas}:
            logger.warning("single sign-on of %s: no area with code %s", user.username, ", ".join(sorted(unknown)))
        if not areas:
            raise IdentityRefused("none of the area groups names an area of ours")
    except IdentityRefused as refused:
        logger.warning("single sign-on refused for %s: %s", user.username, refused)
        user_role_clear(user=user)
        return None
    if not user.is_staff:  # the admin's login form, like every user user_create makes
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user_role_set(user=user, role=identity.role, areas=areas)
