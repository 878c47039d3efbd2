"""The catalogue from a spreadsheet (gis_core.importing, a TableImport): one row per item
in the export's columns (services/exports.py), the materials one per line. An item is
keyed by its code: new codes are created, known ones updated (their materials replaced),
and a row that breaks a rule is reported with its reason while the others go in."""
from __future__ import annotations

import time
from pathlib import Path

import pandas as pd
import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.importing.layers import TableImport, register_table_import
from gis_core.importing.readers import read_table
from gis_core.importing.report import ImportReport
from gis_core.models import User
from gis_core.roles import role_allows
from incidents.models import Department
from services.exports import MATERIAL_SEPARATOR
from services.models import Channel, ItemStatus, Material, MaterialForm, ServiceItem

FIELDS = ("name", "business_area", "department", "accepting_level", "deciding_level", "legal_days",
          "promised_days", "fee", "channels", "result_kind", "status", "conditions", "legal_basis")
ALIASES = {"编码": "code", "事项编码": "code", "名称": "name", "事项名称": "name", "业务领域": "business_area",
           "实施部门": "department", "受理层级": "accepting_level", "决定层级": "deciding_level",
           "法定时限": "legal_days", "承诺时限": "promised_days", "收费": "fee", "办理渠道": "channels",
           "办理结果": "result_kind", "状态": "status", "受理条件": "conditions", "设定依据": "legal_basis",
           "申请材料": "materials"}


def register_service_imports() -> None:
    register_table_import(TableImport(
        name="service-items", title=gettext_lazy("Service catalogue"),
        help=gettext_lazy("One row per item (code, name, business_area, department, levels, time limits, fee, "
                          "channels, result_kind, status, conditions, legal_basis, materials: one per line, "
                          "“name | original/copy | copies | required” or “… | conditional: when”) — "
                          "the columns of the catalogue's export."),
        permission="services.add_serviceitem", run=service_items_import))


def service_items_import(*, actor: User, path: Path | str, dry_run: bool = False, progress=None,
                         file_name: str | None = None, url: str | None = None) -> ImportReport:
    if not role_allows(actor, "services.add_serviceitem"):
        raise PermissionDenied(_("Your role may not edit the service catalogue."))
    path = Path(path)
    report = ImportReport(layer="service-items", file=file_name or path.name, dry_run=dry_run)
    clock = time.perf_counter()
    attributes, rows = read_table(path)
    attributes = attributes.rename(columns=ALIASES)
    if "code" not in attributes.columns:
        raise ValidationError({"file": [_("The file has no “code” column.")]})
    report.total = len(attributes)
    report.seconds["read"] = time.perf_counter() - clock
    clock = time.perf_counter()
    departments = {d.code: d for d in Department.objects.all()}
    with transaction.atomic(), pghistory.context(user=actor.pk, url=url or f"import service items {report.file}"):
        for i, values in enumerate(attributes.to_dict("records")):
            code = str(values.get("code") or "").strip()
            try:
                with transaction.atomic():
                    outcome = _item_row(code, {k: str(v if not pd.isna(v) else "").strip() for k, v in values.items()},
                                        departments)
                setattr(report, outcome, getattr(report, outcome) + 1)
            except ValidationError as error:
                report.reject(int(rows[i]), code, "; ".join(error.messages), values)
            if progress and (i + 1) % 50 == 0:
                progress("write", i + 1, report.total)
        if dry_run:
            transaction.set_rollback(True)
    report.seconds["write"] = time.perf_counter() - clock
    return report


def _item_row(code: str, values: dict[str, str], departments: dict[str, Department]) -> str:
    if not code:
        raise ValidationError(_("the code is empty"))
    item = ServiceItem.objects.filter(code=code).first()
    created = item is None
    item = item or ServiceItem(code=code)
    before = {f: getattr(item, f) for f in ("name", "business_area", "department_id", "accepting_level",
                                            "deciding_level", "legal_days", "promised_days", "fee", "channels",
                                            "result_kind", "status", "conditions", "legal_basis")}
    for field in FIELDS:
        if field not in values:
            continue
        value = values[field]
        if field == "department":
            if value not in departments:
                raise ValidationError(_("no department “%(code)s”") % {"code": value})
            item.department = departments[value]
        elif field == "channels":
            item.channels = [c.strip() for c in value.replace("，", ",").split(",") if c.strip()]
            unknown = set(item.channels) - set(Channel.values)
            if unknown:
                raise ValidationError(_("unknown channel %(names)s") % {"names": ", ".join(sorted(unknown))})
        elif field in ("legal_days", "promised_days"):
            try:
                setattr(item, field, int(float(value)))
            except ValueError:
                raise ValidationError(_("%(field)s “%(value)s” is not a whole number") % {
                    "field": field, "value": value}) from None
        elif field == "status" and not value:
            item.status = ItemStatus.IN_FORCE
        else:
            setattr(item, field, value)
    materials = _materials(values.get("materials", ""))
    item.full_clean()
    after = {f: getattr(item, f) for f in before}
    old_materials = [] if created else list(item.materials.order_by("sort_order", "id").values_list(
        "name", "form", "copies", "required", "condition"))
    if not created and after == before and old_materials == [m[:5] for m in materials]:
        return "unchanged"
    item.save()
    if old_materials != [m[:5] for m in materials]:
        item.materials.all().delete()
        Material.objects.bulk_create([Material(item=item, name=n, form=f, copies=c, required=r, condition=cond,
                                               sort_order=i * 10) for i, (n, f, c, r, cond) in enumerate(materials)])
    return "created" if created else "updated"


def _materials(text: str) -> list[tuple[str, str, int, bool, str]]:
    """The materials cell: one material a line (see MATERIAL_SEPARATOR)."""
    materials = []
    for line in (x.strip() for x in text.splitlines()):
        if not line:
            continue
        parts = [p.strip() for p in line.split(MATERIAL_SEPARATOR.strip())]
        if len(parts) != 4 or parts[1] not in MaterialForm.values or not parts[2].isdigit():
            raise ValidationError(_("material “%(line)s” is not “name | original/copy | copies | required”") % {
                "line": line})
        need, _sep, condition = parts[3].partition(":")
        if need.strip() not in ("required", "conditional"):
            raise ValidationError(_("material “%(line)s” is neither required nor conditional") % {"line": line})
        materials.append((parts[0], parts[1], int(parts[2]), need.strip() == "required", condition.strip()))
    return materials
