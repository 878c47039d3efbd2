"""Read queries on areas, users and history."""
from __future__ import annotations

from django.contrib.gis.db.models import Extent
from django.db import models
from pghistory.models import Events

from gis_core.models import PREFIX_LENGTH, Area, User
from gis_core.personal_data import reveal
from gis_core.scoping import areas_for_user


def area_ancestors(area: Area) -> list[Area]:
    """Parents of ``area``, root first, in one query (their codes are prefixes of its code)."""
    prefixes = {area.code[:n].ljust(12, "0") for n in PREFIX_LENGTH.values() if n < len(area.prefix)}
    return list(Area.objects.filter(code__in=prefixes).order_by("level"))


def user_areas_bounds(user, model: type[models.Model] | None = None) -> list[float] | None:
    """[west, south, east, north] of the user's areas (TileJSON bounds, OGC API extents) —
    for ``model``'s rows, of the areas its scoping reaches (whole districts for base data);
    None when they have none."""
    extent = areas_for_user(user, model).aggregate(e=Extent("boundary"))["e"]
    return [round(v, 6) for v in extent] if extent else None


def record_history(*, obj: models.Model, request) -> list[dict]:
    """Events of one record, newest first: when, what, who, through which URL, and the
    fields changed as {field: [old, new]}."""
    events = list(Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id"))
    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    users = {u.pk: str(u) for u in User.objects.filter(pk__in=user_ids)}
    personal = getattr(obj, "personal_fields", {})
    area_id = getattr(obj, "area_id", None)
    entries = []
    for event in events:
        context = event.pgh_context or {}
        if event.pgh_diff:
            changes = {k: list(v) for k, v in event.pgh_diff.items() if k not in ("updated_at",)}
            kind = "update" if event.pgh_label == "snapshot" else event.pgh_label
        else:
            changes = {k: [None, v] for k, v in (event.pgh_data or {}).items()
                       if k not in ("created_at", "updated_at", "pgh_id", "pgh_obj", "pgh_created_at",
                                    "pgh_label", "pgh_context")}
            kind = "create" if event.pgh_label == "snapshot" else event.pgh_label
        for field, mask_kind in personal.items():
            if field in changes:
                changes[field] = [reveal(request, obj, field, v, kind=mask_kind, area_id=area_id)
                                  if isinstance(v, str) else v for v in changes[field]]
        entries.append({
            "at": event.pgh_created_at, "event": kind, "user": users.get(context.get("user")),
            "url": context.get("url"), "changes": changes,
        })
    return entries
