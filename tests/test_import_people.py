"""People, houses and residences from CSV and XLSX: ID numbers checked, the same ID twice
in a file reported, a registered ID merged (updated, moved), addresses matched to houses
in the importer's areas (a missing house in a found building created), unmatched rows
reported; re-importing changes nothing."""
from __future__ import annotations

import pandas as pd
import pytest

from assets.models import House, Person
from assets.people_import import people_import
from tests.helpers import id_number

NEW_1 = id_number("53010319850203004")
NEW_2 = id_number("53010319920715005")
NEW_3 = id_number("53010319700101006")


def _roll(world, tmp_path, fmt="csv"):
    pa_id = world.people["pA"].id_number
    frame = pd.DataFrame([
        {"姓名": "新居民一", "身份证号": NEW_1, "电话": "13600000001", "地址": "盘龙路bA号", "单元": "1", "楼层": "",
         "房号": "402", "与户主关系": "户主"},
        {"姓名": "新居民二", "身份证号": NEW_2, "电话": "", "地址": "盘龙路bA号1单元302室", "单元": "", "楼层": "",
         "房号": "", "与户主关系": "家庭成员"},
        {"姓名": "居民pA", "身份证号": pa_id, "电话": "13800009999", "地址": "盘龙路bA号", "单元": "1", "楼层": "3",
         "房号": "302", "与户主关系": "owner"},
        {"姓名": "错号", "身份证号": NEW_3[:-1] + ("0" if NEW_3[-1] != "0" else "1"), "电话": "",
         "地址": "盘龙路bA号", "单元": "1", "楼层": "3", "房号": "302", "与户主关系": ""},
        {"姓名": "重复", "身份证号": NEW_1, "电话": "", "地址": "盘龙路bA号", "单元": "1", "楼层": "3",
         "房号": "302", "与户主关系": ""},
        {"姓名": "无此楼", "身份证号": NEW_3, "电话": "", "地址": "不存在路1号", "单元": "1", "楼层": "3",
         "房号": "302", "与户主关系": ""},
        {"姓名": "B格居民", "身份证号": world.people["pB"].id_number, "电话": "", "地址": "盘龙路bB号", "单元": "1",
         "楼层": "3", "房号": "302", "与户主关系": "owner"},
    ])
    path = tmp_path / f"roll.{fmt}"
    frame.to_csv(path, index=False) if fmt == "csv" else frame.to_excel(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_roll_imported_matched_and_reported(world, tmp_path, fmt):
    report = people_import(actor=world.users["community"], path=_roll(world, tmp_path, fmt))

    # created: rows 2, 3; updated: pA's phone (row 4), pB's name (row 8); rejected: rows 5–7
    assert (report.total, report.created, report.updated, report.unchanged, report.rejected) == (7, 2, 2, 0, 3)
    assert report.counts == {"houses created": 1, "moved in": 2}
    reasons = {i.row: i.reason for i in report.issues}
    assert reasons[5].startswith("ID number: Wrong check character")
    assert reasons[6] == "duplicate ID number (first on row 2)"
    assert reasons[7] == "unmatched address: no building “不存在路1号” in your areas"
    one = Person.objects.get(id_number=NEW_1)
    home = one.residences.get(moved_out__isnull=True)
    assert (home.house.building, home.house.floor, home.house.room, home.relation) == (
        world.buildings["bA"], 4, "402", "owner")
    two = Person.objects.get(id_number=NEW_2)
    assert two.residences.get().house == world.houses["hA"] and two.gender == "M"
    assert Person.objects.get(pk=world.people["pA"].pk).phone == "13800009999"  # merged
    assert Person.objects.get(pk=world.people["pB"].pk).name == "B格居民"

    again = people_import(actor=world.users["community"], path=_roll(world, tmp_path, fmt))
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 4, 3)
    assert House.objects.filter(building=world.buildings["bA"]).count() == 2


def test_grid_leader_only_their_cell(world, tmp_path):
    report = people_import(actor=world.users["leader_a"], path=_roll(world, tmp_path))
    reasons = {i.row: i.reason for i in report.issues}
    assert reasons[8] == "unmatched address: no building “盘龙路bB号” in your areas"
    assert Person.objects.get(pk=world.people["pB"].pk).residences.get().house == world.houses["hB"]


def test_person_registered_elsewhere_not_merged(world, tmp_path):
    frame = pd.DataFrame([{"姓名": "冒名", "身份证号": world.people["pB"].id_number, "地址": "盘龙路bA号",
                           "单元": "1", "楼层": "3", "房号": "302"}])
    path = tmp_path / "elsewhere.csv"
    frame.to_csv(path, index=False)
    report = people_import(actor=world.users["leader_a"], path=path)
    assert report.issues[0].reason == "this ID number is registered to a person outside your areas"
    assert Person.objects.get(pk=world.people["pB"].pk).name == "居民pB"


def test_dry_run_and_missing_columns(world, tmp_path):
    report = people_import(actor=world.users["admin"], path=_roll(world, tmp_path), dry_run=True)
    assert report.created == 2 and not Person.objects.filter(id_number=NEW_1).exists()
    bad = tmp_path / "bad.csv"
    pd.DataFrame([{"姓名": "甲", "电话": "1"}]).to_csv(bad, index=False)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Required column missing: id_number, address / building"):
        people_import(actor=world.users["admin"], path=bad)
