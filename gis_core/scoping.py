"""The one mechanism that limits data to the signed-in user's areas.

Every model whose rows belong to an area declares ``scope_lookup``: the ORM path from the
model to an ``Area`` foreign key ("area" for a building, "building__area" for a house,
"residences__house__building__area" for a person), or "" for Area itself. Lists, details,
map tiles, exports and the admin all call ``Model.objects.for_user(user)`` (or
``scope_queryset``), never their own filters.

An area's subtree is every area whose code starts with its prefix (gis_core.models), so
the scope is one indexed ``code LIKE 'prefix%'`` subquery whatever the depth.
"""
from __future__ import annotations

from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from gis_core.models import User

UNRESTRICTED = None


def user_area_prefixes(user: "User") -> list[str] | None:
    """Code prefixes of the user's areas; None means unrestricted (a superuser with no
    areas: the system operator). Read from the user row (kept by a database trigger)."""
    if not getattr(user, "is_authenticated", False):
        return []
    prefixes = list(user.area_prefixes)
    if not prefixes and user.is_superuser:
        return UNRESTRICTED
    return prefixes


def code_prefix_q(prefixes: list[str], field: str = "code") -> Q:
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in prefixes))


def areas_for_user(user: User) -> models.QuerySet:
    """Every area in the user's areas' subtrees (their own areas included)."""
    Area = apps.get_model("gis_core", "Area")
    prefixes = user_area_prefixes(user)
    if prefixes is UNRESTRICTED:
        return Area.objects.all()
    if not prefixes:
        return Area.objects.none()
    return Area.objects.filter(code_prefix_q(prefixes))


def _scope_filter(model: type[models.Model], lookup: str, subtree: models.QuerySet) -> Q:
    """``lookup`` in ``subtree`` as a filter on ``model``. When the path crosses a
    one-to-many relation first (a person → residences → …), it filters through that table
    directly — ``pk IN (SELECT person_id FROM residence … )`` — which neither duplicates
    rows nor joins the model to itself."""
    first, _, rest = lookup.partition("__")
    field = model._meta.get_field(first)
    if field.one_to_many and rest:
        related = field.related_model._base_manager.filter(**{f"{rest}__in": subtree})
        return Q(pk__in=related.values(field.field.attname))
    if field.one_to_many or field.many_to_many:
        return Q(pk__in=model._base_manager.filter(**{f"{lookup}__in": subtree}).values("pk"))
    return Q(**{f"{lookup}__in": subtree})


def scope_queryset(qs: models.QuerySet, user: "User") -> models.QuerySet:
    prefixes = user_area_prefixes(user)
    if prefixes is UNRESTRICTED:
        return qs
    if not prefixes:
        return qs.none()
    lookup = qs.model.scope_lookup
    if lookup == "":
        return qs.filter(code_prefix_q(prefixes))
    return qs.filter(_scope_filter(qs.model, lookup, areas_for_user(user).values("pk")))


def is_area_in_scope(user: User, area_id: int | None) -> bool:
    if user_area_prefixes(user) is UNRESTRICTED:
        return True
    return area_id is not None and areas_for_user(user).filter(pk=area_id).exists()


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user: User) -> ScopedQuerySet:
        return scope_queryset(self, user)
