"""The catalogue to XLSX and back: the export (every item, its materials one per line)
imports unchanged; an edited file updates the item and replaces its materials; a row
naming an unknown department is reported and the others go in. The shipped defaults
hold about thirty community items, each with materials."""
from __future__ import annotations

import pandas as pd

from services.imports import service_items_import
from services.models import Material, ServiceItem


def _export(client, tmp_path):
    response = client.get("/api/v1/service-items/export.xlsx")
    assert response.status_code == 200
    path = tmp_path / "catalogue.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_defaults(service_desk):
    assert ServiceItem.objects.count() >= 30
    assert not ServiceItem.objects.filter(materials__isnull=True).exists()
    names = set(ServiceItem.objects.values_list("name", flat=True))
    assert {"居住证申领", "高龄津贴申领", "残疾人证申领", "独生子女证明", "临时救助申请", "老年人优待证办理"} <= names


def test_round_trip(service_desk, tmp_path):
    world = service_desk.world
    path = _export(world.client("admin"), tmp_path)
    frame = pd.read_excel(path, dtype=str)
    assert len(frame) == ServiceItem.objects.count()
    row = frame[frame.code == "senior_card"].iloc[0]
    assert row["materials"].splitlines()[0] == "申请人居民身份证 | original | 1 | required"

    report = service_items_import(actor=world.users["admin"], path=path)
    assert (report.created, report.updated, report.rejected, report.unchanged) == (0, 0, 0, len(frame))

    frame.loc[frame.code == "senior_card", "promised_days"] = "3"
    frame.loc[frame.code == "senior_card", "materials"] = "申请人居民身份证 | original | 1 | required\n" \
                                                          "户口簿 | copy | 2 | conditional: 非本区户籍时"
    frame.loc[frame.code == "senior_card", "status"] = "withdrawn"
    new = frame[frame.code == "senior_card"].copy()
    new["code"], new["department"] = "new_item", "no_such_department"
    edited = tmp_path / "edited.xlsx"
    pd.concat([frame, new]).to_excel(edited, index=False)
    report = service_items_import(actor=world.users["admin"], path=edited)
    assert (report.updated, report.rejected) == (1, 1)
    assert "no_such_department" in report.issues[0].reason
    item = ServiceItem.objects.get(code="senior_card")
    assert (item.promised_days, item.status) == (3, "withdrawn")
    assert list(Material.objects.filter(item=item).values_list("name", "form", "copies", "required", "condition")) == [
        ("申请人居民身份证", "original", 1, True, ""), ("户口簿", "copy", 2, False, "非本区户籍时")]
    assert item.events.count() >= 2  # history (pghistory): created, then changed


def test_import_needs_the_admin(service_desk, tmp_path):
    import pytest
    from django.core.exceptions import PermissionDenied

    path = _export(service_desk.world.client("admin"), tmp_path)
    with pytest.raises(PermissionDenied):
        service_items_import(actor=service_desk.world.users["community"], path=path)
