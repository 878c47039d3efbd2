"""People, their houses and residences (人房关联) from a CSV or XLSX roll.

Each row is a person with an ID number (checked: GB 11643 check character), a name,
optionally phone, ethnicity, residence type, relation and move-in date, and where they
live: an address matching a building's address plus unit/floor/room columns, a building
name instead of the address, or the whole address in one cell ("盘龙路8号2单元302室").
Rows go through the assets services one by one (each in a savepoint), as every other
write of people does: the checks and history are theirs.

- The same ID number twice in the file: the later rows are rejected (reported).
- An ID number already registered (and visible to the importer): the person is merged —
  changed fields updated, and moved into the row's house if that is not their home.
  Registered outside the importer's areas: rejected.
- A building not found in the importer's areas: rejected ("unmatched address"). A house
  not yet recorded in a found building is created.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pandas as pd
import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from assets import services as assets_services
from assets.identity import IdNumberError, id_number_parse
from assets.models import Building, House, Person, ResidenceRelation, ResidenceType
from gis_core.importing.layers import choice
from gis_core.importing.readers import normalise_header, read_table
from gis_core.importing.report import ImportReport
from gis_core.models import User
from gis_core.roles import role_allows
from gis_core.scoping import scope_queryset

COLUMNS = {  # field → accepted headers
    "name": ("name", "姓名"),
    "id_number": ("id_number", "身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "phone": ("phone", "电话", "手机", "手机号", "联系电话"),
    "ethnicity": ("ethnicity", "民族"),
    "nationality": ("nationality", "国籍"),
    "residence_type": ("residence_type", "人口类型", "户籍类型"),
    "relation": ("relation", "与户主关系", "人房关系", "关系"),
    "moved_in": ("moved_in", "入住日期", "迁入日期"),
    "address": ("address", "地址", "住址", "门牌地址"),
    "building": ("building", "楼栋", "楼栋名称"),
    "unit": ("unit", "单元"),
    "floor": ("floor", "楼层", "层"),
    "room": ("room", "房号", "室", "门牌号"),
}
REQUIRED = ("name", "id_number")
# "盘龙路8号2单元302室", "盘龙路8号2单元3层302": the building's address, then unit, floor, room.
FULL_ADDRESS = re.compile(
    r"^(?P<address>.+?)(?P<unit>\d+)单元(?:(?P<floor>-?\d+)(?:层|楼))?(?P<room>[0-9A-Za-z-]+)室?$")
RELATION_SYNONYMS = {"户主": "owner", "本人": "owner", "配偶": "family", "子女": "family", "父母": "family",
                     "租户": "tenant", "租住": "tenant", "集体户": "collective"}
RESIDENCE_SYNONYMS = {"户籍": "registered", "户籍人口": "registered", "常住": "registered", "流动": "migrant",
                      "流动人口": "migrant", "境外": "foreign", "境外人员": "foreign", "外籍": "foreign"}


def _columns(attributes: pd.DataFrame) -> dict[str, str]:
    found = {f: next((normalise_header(a) for a in aliases if normalise_header(a) in attributes.columns), None)
             for f, aliases in COLUMNS.items()}
    missing = [COLUMNS[f][0] for f in REQUIRED if found[f] is None]
    if found["address"] is None and found["building"] is None:
        missing.append("address / building")
    if missing:
        raise ValidationError({"file": [_("Required column missing: %(columns)s.") % {"columns": ", ".join(missing)}]})
    return {f: h for f, h in found.items() if h is not None}


class _Houses:
    """Finds (or creates) the house of a row among the buildings the importer can see."""

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.buildings = scope_queryset(Building.objects.all(), actor)

    def building(self, address: str, name: str) -> Building | None:
        if address:
            found = self.buildings.filter(address=address).order_by("id").first()
            if found is not None:
                return found
        return self.buildings.filter(name=name or address).order_by("id").first() if (name or address) else None

    def house(self, row: dict) -> tuple[House | None, bool, str]:
        """(house, created, reason if none)."""
        address, unit = row.get("address", ""), row.get("unit", "")
        floor, room = row.get("floor", ""), row.get("room", "")
        building = self.building(address, row.get("building", ""))
        if building is None and address and not room:
            match = FULL_ADDRESS.match(address)
            if match:
                address, unit, floor, room = match["address"], match["unit"], match["floor"] or "", match["room"]
                building = self.building(address, "")
        if building is None:
            return None, False, _("unmatched address: no building “%(address)s” in your areas") % {
                "address": address or row.get("building", "")}
        if not room:
            return None, False, _("the room is missing (unit, floor, room)")
        unit_number = int(unit) if unit.isdigit() else 1
        if floor.lstrip("-").isdigit():
            floor_number = int(floor)
        elif room[:-2].isdigit():  # "302": floor 3, the usual numbering
            floor_number = int(room[:-2])
        else:
            return None, False, _("the floor of room %(room)s is missing") % {"room": room}
        house = House.objects.filter(building=building, unit=unit_number, floor=floor_number, room=room).first()
        if house is not None:
            return house, False, ""
        house = assets_services.house_create(actor=self.actor, building=building, unit=unit_number,
                                             floor=floor_number, room=room)
        return house, True, ""


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return pd.Timestamp(text).date()
    except (ValueError, TypeError):
        raise ValidationError({"moved_in": [_("“%(value)s” is not a date") % {"value": text}]}) from None


def people_import(*, actor: User, path: Path | str, dry_run: bool = False, progress=None,
                  file_name: str | None = None, url: str | None = None) -> ImportReport:
    if not role_allows(actor, "assets.add_person"):
        raise PermissionDenied(_("Your role may not add people."))
    path = Path(path)
    file_name = file_name or path.name
    report = ImportReport(layer="people", file=file_name, dry_run=dry_run)
    clock = time.perf_counter()
    attributes, rows = read_table(path)
    headers = _columns(attributes)
    n = report.total = len(rows)
    table = pd.DataFrame({f: attributes[h] for f, h in headers.items()})
    relations, relation_reasons = choice("relation", ResidenceRelation, ResidenceRelation.FAMILY, RELATION_SYNONYMS)(
        table.get("relation", pd.Series([""] * n, dtype=object)))
    types, type_reasons = choice("residence type", ResidenceType, ResidenceType.REGISTERED, RESIDENCE_SYNONYMS)(
        table.get("residence_type", pd.Series([""] * n, dtype=object)))
    report.seconds["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    houses, seen = _Houses(actor), {}
    visible = scope_queryset(Person.objects.all(), actor)
    counts = {"houses created": 0, "moved in": 0}
    with transaction.atomic(), pghistory.context(user=actor.pk, url=url or f"import people {file_name}"):
        for i, values in enumerate(table.to_dict("records")):
            row, raw = int(rows[i]), attributes.iloc[i].to_dict()
            id_number = values["id_number"].upper()
            try:
                problem = "; ".join(r for r in (relation_reasons[i], type_reasons[i]) if r)
                if problem:
                    raise ValidationError(problem)
                if not values["name"]:
                    raise ValidationError(_("the name is empty"))
                if id_number:
                    id_number_parse(id_number)
                elif types[i] != ResidenceType.FOREIGN:
                    raise ValidationError(_("the ID number is empty"))
                if id_number and id_number in seen:
                    raise ValidationError(_("duplicate ID number (first on row %(row)d)") % {"row": seen[id_number]})
                seen[id_number] = row
                with transaction.atomic():
                    outcome = _person_row(actor, houses, visible, values, id_number, relations[i], types[i], counts)
                setattr(report, outcome, getattr(report, outcome) + 1)
            except IdNumberError as error:
                report.reject(row, id_number, _("ID number: %(error)s") % {"error": error}, raw)
            except ValidationError as error:
                report.reject(row, id_number, "; ".join(error.messages), raw)
            if progress and (i + 1) % 200 == 0:
                progress("write", i + 1, n)
        if dry_run:
            transaction.set_rollback(True)
    report.counts = counts
    report.seconds["write"] = time.perf_counter() - clock
    if progress:
        progress("write", n, n)
    return report


def _person_row(actor: User, houses: _Houses, visible, values: dict, id_number: str, relation: str,
                residence_type: str, counts: dict) -> str:
    """Write one row; returns the report counter it adds to (created, updated, unchanged)."""
    house, house_created, reason = houses.house(values)
    if house is None:
        raise ValidationError(reason)
    counts["houses created"] += house_created
    fields = {"name": values["name"], "phone": values.get("phone", ""), "ethnicity": values.get("ethnicity", ""),
              "residence_type": residence_type, "nationality": values.get("nationality", "").upper()}
    moved_in = _date(values.get("moved_in", "")) or dt.date.today()
    person = Person.objects.filter(id_number=id_number).first() if id_number else None
    if person is None:
        assets_services.person_create(actor=actor, house=house, relation=relation, moved_in=moved_in,
                                      id_number=id_number or None, **{k: v for k, v in fields.items() if v != ""})
        counts["moved in"] += 1
        return "created"
    if not visible.filter(pk=person.pk).exists():
        raise ValidationError(_("this ID number is registered to a person outside your areas"))
    changed = {k: v for k, v in fields.items() if v and getattr(person, k) != v}
    if changed:
        assets_services.person_update(actor=actor, person=person, **changed)
    home = person.residences.filter(is_primary=True, moved_out__isnull=True).first()
    if home is None or home.house_id != house.pk:
        assets_services.residence_move_in(actor=actor, person=person, house=house, relation=relation,
                                          moved_in=max(moved_in, home.moved_in) if home else moved_in)
        counts["moved in"] += 1
        return "updated"
    return "updated" if changed else "unchanged"

