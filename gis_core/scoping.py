"""The one mechanism that limits data to the signed-in user's areas.

Every model whose rows belong to an area declares ``scope_lookup``: the ORM path from the
model to an ``Area`` foreign key ("area" for a building or a person, "building__area" for
a house), or "" for Area itself. A model whose rows are further limited by role declares
``scope_narrow(qs, user)`` (cases: a department handler's departments); base data that
everyone reads around their areas (roads) declares ``scope_shared = True`` and is kept to
the districts of the user's areas. Lists, details,
map tiles, exports and the admin all call ``scope_queryset(queryset, user)``, never their
own filters.

An area's subtree is every area whose code starts with its prefix (gis_core.models), so
the scope is one indexed ``code LIKE 'prefix%'`` subquery whatever the depth.
"""
from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from gis_core.models import User

UNRESTRICTED = None
DISTRICT_PREFIX = 6  # a district's GB/T 2260 code is the first six digits of its areas'


def user_area_prefixes(user: "User") -> list[str] | None:
    """Code prefixes of the user's areas; None means unrestricted (a superuser with no
    areas: the system operator). Read from the user row (kept by a database trigger)."""
    if not getattr(user, "is_authenticated", False):
        return []
    prefixes = list(user.area_prefixes)
    if not prefixes and user.is_superuser:
        return UNRESTRICTED
    return prefixes


def model_area_prefixes(model: type[models.Model] | None, user: "User") -> list[str] | None:
    """The user's code prefixes for rows of ``model``: their areas', widened to the whole
    districts of those areas for base data (``scope_shared``: roads)."""
    prefixes = user_area_prefixes(user)
    if prefixes and getattr(model, "scope_shared", False):
        prefixes = sorted({p[:DISTRICT_PREFIX] for p in prefixes})
    return prefixes


def code_in_scope(code: str | None, prefixes: list[str] | None) -> bool:
    """Whether an area code lies in the subtrees of ``prefixes`` (from user_area_prefixes):
    the same test as the queries, for rows that arrive without one (live notifications)."""
    if prefixes is UNRESTRICTED:
        return True
    return bool(code) and any(code.startswith(p) for p in prefixes)


def code_prefix_q(prefixes: list[str], field: str = "code") -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in prefixes))


def areas_for_user(user: User, model: type[models.Model] | None = None) -> models.QuerySet:
    """Every area in the user's areas' subtrees (their own areas included); with a
    ``model``, the areas whose rows of it the user reads (whole districts for base data)."""
    Area = apps.get_model("gis_core", "Area")
    prefixes = model_area_prefixes(model, user)
    if prefixes is UNRESTRICTED:
        return Area.objects.all()
    if not prefixes:
        return Area.objects.none()
    return Area.objects.filter(code_prefix_q(prefixes))


def lookup_crosses_many(model: type[models.Model], lookup: str) -> bool:
    """Whether following ``lookup`` from ``model`` crosses a one-to-many or many-to-many
    relation (then filtering directly would repeat rows)."""
    for name in lookup.split("__"):
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False


def _scope_filter(model: type[models.Model], lookup: str, subtree: models.QuerySet) -> Q:
    """``lookup`` in ``subtree`` as a filter on ``model``. When the path crosses a
    one-to-many relation it becomes ``pk IN (…)``, which does not repeat rows; when that
    relation is the first step (a person → residences → …) the subquery reads that table
    directly — ``pk IN (SELECT person_id FROM residence …)`` — without joining the model
    to itself."""
    if not lookup_crosses_many(model, lookup):
        return Q(**{f"{lookup}__in": subtree})
    first, _, rest = lookup.partition("__")
    field = model._meta.get_field(first)
    if field.one_to_many and rest:
        related = field.related_model._base_manager.filter(**{f"{rest}__in": subtree})
        return Q(pk__in=related.values(field.field.attname))
    return Q(pk__in=model._base_manager.filter(**{f"{lookup}__in": subtree}).values("pk"))


def scope_queryset(qs: models.QuerySet, user: "User", *, within: models.QuerySet | None = None) -> models.QuerySet:
    """The rows of ``qs`` the user may see: those of their areas, further narrowed by the
    model's ``scope_narrow(qs, user)`` when it has one (cases: a department handler sees
    only their departments'). ``within`` (areas) narrows further to those areas' subtrees:
    a workspace of the user's own cells rather than of everything they may read."""
    prefixes = model_area_prefixes(qs.model, user)
    if prefixes is not UNRESTRICTED and not prefixes:
        return qs.none()
    lookup = qs.model.scope_lookup
    if within is not None:
        # the areas' prefixes: a street's subtree is not the codes starting with its code
        codes = list(within.values_list("prefix", flat=True))
        if not codes:
            return qs.none()
        if lookup == "":
            qs = qs.filter(code_prefix_q(codes))
        else:
            subtree = apps.get_model("gis_core", "Area").objects.filter(code_prefix_q(codes)).values("pk")
            qs = qs.filter(_scope_filter(qs.model, lookup, subtree))
    if prefixes is UNRESTRICTED:
        pass
    elif lookup == "":
        qs = qs.filter(code_prefix_q(prefixes))
    else:
        qs = qs.filter(_scope_filter(qs.model, lookup, areas_for_user(user, qs.model).values("pk")))
    narrow = getattr(qs.model, "scope_narrow", None)
    return narrow(qs, user) if narrow is not None else qs


def is_area_in_scope(user: User, area_id: int | None) -> bool:
    if user_area_prefixes(user) is UNRESTRICTED:
        return True
    return area_id is not None and areas_for_user(user).filter(pk=area_id).exists()


def in_scope(user: User, obj: models.Model) -> bool:
    """Whether ``obj`` (a record of a model with ``scope_lookup``) is in the user's areas."""
    return scope_queryset(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


def require_in_scope(user: User, obj: models.Model | None, *, field: str) -> None:
    """A referenced record (the building of a house, the person of a terminal …) must be in
    the user's areas; otherwise a ValidationError naming ``field``. None passes."""
    if obj is not None and not in_scope(user, obj):
        raise ValidationError({field: [_("%(obj)s is outside your areas.") % {"obj": obj}]})

