"""Areas (districts, streets, communities, grid cells) from a file, keyed by their code,
through the area services one row at a time: each is checked against its parent and
siblings (gis_core.services), and a district has a few thousand at most. Parents are
written before their children; a row that fails is rejected with the service's reason
and the rest go on (each row in its own savepoint)."""
from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gis_core.models import CODE_LENGTH, PREFIX_LENGTH, Area, AreaLevel, User
from gis_core.scoping import code_in_scope, user_area_prefixes
from gis_core.services import area_create, area_update

LEVEL_NAMES = {
    AreaLevel.CITY: ("city", "市", "1"),
    AreaLevel.DISTRICT: ("district", "county", "区", "县", "区/县", "2"),
    AreaLevel.STREET: ("street", "town", "街道", "乡镇", "镇", "乡", "3"),
    AreaLevel.COMMUNITY: ("community", "village", "社区", "村", "4"),
    AreaLevel.GRID: ("grid", "cell", "grid cell", "网格", "5"),
}


def level_parse(text: str, code: str) -> AreaLevel | None:
    """The level named in the file, or else the one the code implies: 15 digits a grid
    cell; 12 digits by where the trailing zeros start (GB/T 2260)."""
    text = text.strip().lower()
    if text:
        for level, names in LEVEL_NAMES.items():
            if text in names or text == str(AreaLevel(level).label).lower():
                return level
        return None
    if len(code) == CODE_LENGTH[AreaLevel.GRID] and code.isdigit():
        return AreaLevel.GRID
    for level in (AreaLevel.COMMUNITY, AreaLevel.STREET, AreaLevel.DISTRICT, AreaLevel.CITY):
        start = PREFIX_LENGTH[AreaLevel(level - 1)] if level > AreaLevel.CITY else 2
        if set(code[PREFIX_LENGTH[level]:]) <= {"0"} and set(code[start:PREFIX_LENGTH[level]]) - {"0"}:
            return level
    return None


def parent_code(code: str, level: AreaLevel) -> str | None:
    if level <= AreaLevel.CITY:
        return None
    return code[:PREFIX_LENGTH[AreaLevel(level - 1)]].ljust(12, "0")


def areas_write(*, rows: list[dict], actor: User) -> tuple[int, int, int, list[tuple[int, str]]]:
    """``rows``: dicts with row, code, name, level, parent_code, boundary (GEOS). Returns
    created, updated, unchanged and (row, reason) of the rejected."""
    created = updated = unchanged = 0
    prefixes = user_area_prefixes(actor)
    rejected: list[tuple[int, str]] = []
    for item in rows:
        item["level_value"] = level_parse(item["level"], item["code"])
    order = sorted(rows, key=lambda r: (r["level_value"] or 99, r["code"]))
    for item in order:
        level, code = item["level_value"], item["code"]
        if level is None:
            rejected.append((item["row"], _("level “%(level)s” is not district, street, community or grid")
                             % {"level": item["level"] or code}))
            continue
        existing = Area.objects.filter(code=code).first()
        try:
            with transaction.atomic():
                if existing is not None:
                    if not code_in_scope(existing.code, prefixes):
                        raise ValidationError(_("%(area)s is outside your areas") % {"area": existing})
                    boundary: GEOSGeometry = item["boundary"]
                    same = existing.boundary.equals_exact(boundary, 1e-9) or existing.boundary.equals(boundary)
                    if existing.name == item["name"] and same:
                        unchanged += 1
                        continue
                    area_update(area=existing, name=item["name"], boundary=boundary)
                    updated += 1
                    continue
                wanted = item["parent_code"] or parent_code(code, level)
                parent = Area.objects.filter(code=wanted).first() if wanted else None
                if parent is None and level > AreaLevel.DISTRICT:
                    raise ValidationError(_("parent area %(code)s does not exist") % {"code": wanted})
                area_create(code=code, name=item["name"], level=level, parent=parent, boundary=item["boundary"],
                            actor=actor)
                created += 1
        except ValidationError as error:
            rejected.append((item["row"], "; ".join(error.messages)))
    return created, updated, unchanged, rejected
