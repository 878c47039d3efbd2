"""What assets imports (gis_core.importing): buildings, key sites and organizations from GIS
files and spreadsheets, and people with their houses and residences from a roll
(assets/people_import.py)."""
from __future__ import annotations

import pandas as pd
from django.utils.translation import gettext_lazy

from assets.identity import IdNumberError, credit_code_validate
from assets.models import BuildingCategory, OrganizationKind, RiskLevel, RoadKind
from assets.people_import import people_import
from gis_core.importing.geometry import LINEAR, POINT, POLYGONAL
from gis_core.importing.layers import (
    ADDRESS_ALIASES,
    NAME_ALIASES,
    Column,
    ImportLayer,
    Parsed,
    Parser,
    TableImport,
    boolean,
    choice,
    integer,
    lookup,
    ok_reasons,
    register_import_layer,
    register_table_import,
    text,
)


def credit_code(label: str) -> Parser:
    def parse(column: pd.Series) -> Parsed:
        values: list = []
        reasons = ok_reasons(len(column))
        for i, value in enumerate(column.tolist()):
            try:
                values.append(credit_code_validate(value) if value else None)
            except IdNumberError as error:
                values.append(None)
                reasons[i] = f"{label}: {error}"
        return values, reasons
    return parse


def register_asset_imports() -> None:
    name, address = NAME_ALIASES, ADDRESS_ALIASES
    register_import_layer(ImportLayer(
        name="buildings", title=gettext_lazy("Buildings"), model="assets.Building", geometry="footprint",
        families=(POLYGONAL,), multi=True,
        help=gettext_lazy("Footprint polygons; columns name, address, floors, category, is_key."),
        columns=(
            Column("name", ("name", "名称", "楼栋名称", "楼名", "建筑名称"), text(gettext_lazy("name"), 100, nonempty=True),
                   required=True),
            Column("address", address, text(gettext_lazy("address"), 200)),
            Column("floors", ("floors", "层数", "楼层数", "地上层数"), integer(gettext_lazy("floors"), 1, 200, 1),
                   sql_type="int"),
            Column("category", ("category", "类别", "用途", "建筑类别"),
                   choice(gettext_lazy("category"), BuildingCategory, BuildingCategory.RESIDENTIAL,
                          {"商业": "shop", "商场": "shop", "办公楼": "office", "工厂": "factory", "工业": "factory",
                           "政府": "government", "机关": "government", "医疗": "hospital", "教育": "school",
                           "宗教": "religious"})),
            Column("is_key", ("is_key", "key_building", "重点楼栋", "是否重点"), boolean(gettext_lazy("key building")),
                   sql_type="boolean"),
        )))
    register_import_layer(ImportLayer(
        name="key-sites", title=gettext_lazy("Key sites and facilities"), model="assets.KeySite",
        geometry="geometry", families=(POINT, POLYGONAL), multi=False,
        help=gettext_lazy("Points or polygons; columns name, category (code or name), risk_level, responsible_name, "
               "responsible_phone, notes."),
        columns=(
            Column("name", name, text(gettext_lazy("name"), 150, nonempty=True), required=True),
            Column("category_id", ("category", "类别", "场所类别", "设施类别"),
                   lookup(gettext_lazy("category"), "assets.KeySiteCategory", ("code", "name")), required=True,
                   sql_type="bigint"),
            Column("risk_level", ("risk_level", "risk", "风险等级"),
                   choice(gettext_lazy("risk level"), RiskLevel, RiskLevel.LOW,
                          {"1": 1, "2": 2, "3": 3, "4": 4, "一般": 1, "较大": 2, "重大": 4}), sql_type="int"),
            Column("responsible_name", ("responsible_name", "responsible", "负责人"),
                   text(gettext_lazy("responsible person"), 50)),
            Column("responsible_phone", ("responsible_phone", "phone", "负责人电话", "联系电话", "电话"),
                   text(gettext_lazy("phone"), 20)),
            Column("notes", ("notes", "备注"), text(gettext_lazy("notes"), 2000)),
        )))
    register_import_layer(ImportLayer(
        name="organizations", title=gettext_lazy("Organizations"), model="assets.Organization",
        geometry="location", families=(POINT,), multi=False,
        help=gettext_lazy("Points; columns name, kind, credit_code, address, contact_name, contact_phone."),
        columns=(
            Column("name", name + ("单位名称", "机构名称"), text(gettext_lazy("name"), 150, nonempty=True), required=True),
            Column("kind", ("kind", "type", "类型", "单位类型", "组织类型"),
                   choice(gettext_lazy("kind"), OrganizationKind, None,
                          {"政府": "government", "机关": "government", "事业单位": "public_institution",
                           "公司": "enterprise", "社会团体": "social", "社会组织": "social",
                           "基层组织": "grassroots"}), required=True),
            Column("credit_code", ("credit_code", "统一社会信用代码", "信用代码"), credit_code(gettext_lazy("credit code"))),
            Column("address", address, text(gettext_lazy("address"), 200)),
            Column("contact_name", ("contact_name", "contact", "联系人"), text(gettext_lazy("contact person"), 50)),
            Column("contact_phone", ("contact_phone", "phone", "联系电话", "电话"), text(gettext_lazy("contact phone"), 20)),
        )))
    register_import_layer(ImportLayer(
        name="roads", title=gettext_lazy("Roads"), model="assets.Road", geometry="centreline", families=(LINEAR,), multi=True,
        help=gettext_lazy("Centre lines; columns name, kind (trunk, secondary, branch, footway or 主干道, 次干道, 支路, 步行道)."),
        columns=(
            Column("name", name + ("路名", "道路名称"), text(gettext_lazy("name"), 100)),
            Column("kind", ("kind", "class", "type", "等级", "道路等级", "类型", "道路类型"),
                   choice(gettext_lazy("road class"), RoadKind, RoadKind.BRANCH,
                          {"快速路": "trunk", "主干路": "trunk", "次干路": "secondary", "街巷": "branch",
                           "小路": "branch", "人行道": "footway", "步道": "footway"})),
        )))
    register_table_import(TableImport(
        name="people", title=gettext_lazy("People, houses and residences"),
        help=gettext_lazy("CSV or XLSX: name, ID number, phone, address or building, unit, floor, room, relation."),
        permission="assets.add_person", run=people_import))
