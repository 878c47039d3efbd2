"""manage.py import_layer / import_people: counts on stdout, the rejected rows written
next to the input, --as scoping, --dry-run, --crs, errors as CommandError."""
from __future__ import annotations

import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command
from import_files import buildings_frame, footprint, write

from assets.models import Building


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, "--no-progress", stdout=out)
    return out.getvalue()


def test_import_layer_command(world, tmp_path):
    path = write(buildings_frame([{"id": "1", "name": "甲", "geometry": footprint(102.702, 25.005)},
                                  {"id": "2", "name": "乙", "geometry": footprint(102.745, 25.04)}], crs="EPSG:4543"),
                 tmp_path, "csv-wkt", "survey")
    with pytest.raises(CommandError, match="no coordinate system"):
        _run("import_layer", "buildings", str(path), "--as", "leader_a")

    dry = _run("import_layer", "buildings", str(path), "--as", "leader_a", "--crs", "EPSG:4543", "--dry-run")
    assert "dry run" in dry and "created 1" in dry and not Building.objects.filter(source_key__startswith="survey:")
    out = _run("import_layer", "buildings", str(path), "--as", "leader_a", "--crs", "EPSG:4543")
    assert "created 1, updated 0, unchanged 0, rejected 1" in out and "outside your areas" in out
    issues = tmp_path / "survey.import-issues.csv"
    assert issues.exists() and "survey:2" in issues.read_text(encoding="utf-8-sig")
    again = _run("import_layer", "buildings", str(path), "--crs", "EPSG:4543")  # the operator: root
    assert "created 1, updated 0, unchanged 1, rejected 0" in again


def test_import_people_command(world, tmp_path):
    path = tmp_path / "roll.csv"
    pd.DataFrame([{"姓名": "甲", "身份证号": world.people["pA"].id_number, "地址": "盘龙路bA号", "单元": 1,
                   "楼层": 3, "房号": "302"}]).to_csv(path, index=False)
    out = _run("import_people", str(path), "--as", "leader_a")
    assert "created 0, updated 1" in out
    with pytest.raises(CommandError, match="No active user nobody"):
        _run("import_people", str(path), "--as", "nobody")
