"""What can be imported, and how each file column becomes a field.

An ``ImportLayer`` names its model, geometry field and types, and its columns: each
accepts a few header names (Chinese and English; the labels of a choice are accepted in
every language the site speaks) and parses the text of a whole column at once into
values and per-row reasons. Buildings, key sites and organizations are written in bulk
(gis_core.importing.upsert) and keyed by ``source_key``; areas go through the area
services one by one (their hierarchy rules matter more than speed) and are keyed by code.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gis_core.importing.geometry import POINT, POLYGONAL

# One parser per column: the column's text → (values for the database, reason per row
# or '' when the value is fine).
Parsed = tuple[list, np.ndarray]
Parser = Callable[[pd.Series], Parsed]

KEY_ALIASES = ("source_key", "key", "id", "fid", "objectid", "编号", "唯一编号", "编码", "code")


@dataclass(frozen=True)
class Column:
    field: str                     # model field (and staging column)
    aliases: tuple[str, ...]       # accepted headers, normalised (gis_core.importing.readers)
    parse: Parser
    required: bool = False
    sql_type: str = "text"


@dataclass(frozen=True)
class ImportLayer:
    name: str
    title: Promise | str
    model: str                     # "app_label.Model"
    geometry: str
    families: tuple[str, ...]      # POINT / POLYGONAL
    multi: bool                    # polygons stored as MultiPolygon
    columns: tuple[Column, ...]
    keyed_by_code: bool = False    # areas: the code is the key; otherwise source_key
    help: Promise | str = ""
    extra_columns: dict[str, str] = field(default_factory=dict)  # constant columns written

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    @property
    def unique_columns(self) -> list[Column]:
        """Columns whose model field is unique (besides the key): a value another record
        holds cannot be imported."""
        if self.keyed_by_code:
            return []
        model = self.model_class
        return [c for c in self.columns if model._meta.get_field(c.field).unique]

    @property
    def permission(self) -> str:
        app_label, model = self.model.lower().split(".")
        return f"{app_label}.add_{model}"


_REGISTRY: dict[str, ImportLayer] = {}


def register_import_layer(layer: ImportLayer) -> ImportLayer:
    _REGISTRY[layer.name] = layer
    return layer


def import_layer_for(name: str) -> ImportLayer | None:
    return _REGISTRY.get(name)


def import_layers() -> list[ImportLayer]:
    return list(_REGISTRY.values())


# --------------------------------------------------------------------------- parsers

def _ok(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def text(label: str, max_length: int, *, nonempty: bool = False) -> Parser:
    def parse(column: pd.Series) -> Parsed:
        values = column.to_numpy(dtype=object)
        reasons = _ok(len(values))
        lengths = np.fromiter((len(v) for v in values), dtype=int, count=len(values))
        reasons[lengths > max_length] = _("%(field)s is longer than %(n)d characters") % {"field": label,
                                                                                          "n": max_length}
        if nonempty:
            reasons[lengths == 0] = _("%(field)s is empty") % {"field": label}
        return values.tolist(), reasons
    return parse


def integer(label: str, low: int, high: int, default: int | None) -> Parser:
    def parse(column: pd.Series) -> Parsed:
        numbers = pd.to_numeric(column.where(column != "", None), errors="coerce").to_numpy(dtype=float)
        empty = (column == "").to_numpy()
        reasons = _ok(len(column))
        whole = np.isfinite(numbers) & (numbers == np.round(numbers))
        bad = ~empty & ~whole
        reasons[bad] = [_("%(field)s “%(value)s” is not a whole number") % {"field": label, "value": v}
                        for v in column.to_numpy()[bad]]
        out_of_range = ~empty & whole & ((numbers < low) | (numbers > high))
        reasons[out_of_range] = _("%(field)s must be %(low)d–%(high)d") % {"field": label, "low": low, "high": high}
        if default is None:
            reasons[empty] = _("%(field)s is empty") % {"field": label}
        values = [default if e else (int(v) if np.isfinite(v) else None)
                  for e, v in zip(empty, numbers, strict=True)]
        return values, reasons
    return parse


def _labels(choices: type[models.Choices]) -> dict[str, object]:
    """value, and its label in every site language, lower-cased → value."""
    names: dict[str, object] = {}
    for member in choices:
        names[str(member.value).lower()] = member.value
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                names[str(member.label).strip().lower()] = member.value
    return names


def choice(label: str, choices: type[models.Choices], default, synonyms: dict[str, str] | None = None) -> Parser:
    def parse(column: pd.Series) -> Parsed:
        names = {**_labels(choices), **{k.lower(): v for k, v in (synonyms or {}).items()}}
        values = np.array([names.get(v.lower()) for v in column.tolist()], dtype=object)
        empty = (column == "").to_numpy()
        reasons = _ok(len(column))
        unknown = ~empty & np.array([v is None for v in values], dtype=bool)
        allowed = ", ".join(str(m.value) for m in choices)
        reasons[unknown] = [_("%(field)s “%(value)s” is not one of %(allowed)s")
                            % {"field": label, "value": v, "allowed": allowed} for v in column.to_numpy()[unknown]]
        if default is None:
            reasons[empty] = _("%(field)s is empty") % {"field": label}
        values[empty] = default
        values[unknown] = None
        return values.tolist(), reasons
    return parse


TRUE = {"1", "true", "t", "yes", "y", "是", "√", "✓"}
FALSE = {"", "0", "false", "f", "no", "n", "否"}


def boolean(label: str) -> Parser:
    def parse(column: pd.Series) -> Parsed:
        lowered = column.str.lower()
        values = lowered.isin(TRUE).to_numpy()
        reasons = _ok(len(column))
        bad = ~(lowered.isin(TRUE) | lowered.isin(FALSE)).to_numpy()
        reasons[bad] = _("%(field)s must be yes/no (是/否, 1/0)") % {"field": label}
        return values.tolist(), reasons
    return parse


def lookup(label: str, model: str, fields: tuple[str, ...]) -> Parser:
    """A reference by any of ``fields`` (code or name), case-insensitive → primary key."""
    def parse(column: pd.Series) -> Parsed:
        known: dict[str, int] = {}
        for row in apps.get_model(model).objects.values("pk", *fields):
            for f in fields:
                known.setdefault(str(row[f]).strip().lower(), row["pk"])
        values = np.array([known.get(v.lower()) for v in column.tolist()], dtype=object)
        reasons = _ok(len(column))
        missing = np.array([v is None for v in values], dtype=bool)
        reasons[missing] = [(_("%(field)s “%(value)s” does not exist") if v else _("%(field)s is empty"))
                            % {"field": label, "value": v} for v in column.to_numpy()[missing]]
        values[missing] = None
        return values.tolist(), reasons
    return parse


def credit_code(label: str) -> Parser:
    from assets.identity import IdNumberError, credit_code_validate

    def parse(column: pd.Series) -> Parsed:
        values: list = []
        reasons = _ok(len(column))
        for i, value in enumerate(column.tolist()):
            try:
                values.append(credit_code_validate(value) if value else None)
            except IdNumberError as error:
                values.append(None)
                reasons[i] = f"{label}: {error}"
        return values, reasons
    return parse


# --------------------------------------------------------------------------- the layers

def register_base_import_layers() -> None:
    from assets.models import BuildingCategory, OrganizationKind, RiskLevel

    t = gettext_lazy
    name = ("name", "名称", "名字", "标准名称")
    address = ("address", "地址", "门牌地址", "标准地址")
    register_import_layer(ImportLayer(
        name="buildings", title=t("Buildings"), model="assets.Building", geometry="footprint",
        families=(POLYGONAL,), multi=True,
        help=t("Footprint polygons; columns name, address, floors, category, is_key."),
        columns=(
            Column("name", ("name", "名称", "楼栋名称", "楼名", "建筑名称"), text(t("name"), 100, nonempty=True),
                   required=True),
            Column("address", address, text(t("address"), 200)),
            Column("floors", ("floors", "层数", "楼层数", "地上层数"), integer(t("floors"), 1, 200, 1),
                   sql_type="int"),
            Column("category", ("category", "类别", "用途", "建筑类别"),
                   choice(t("category"), BuildingCategory, BuildingCategory.RESIDENTIAL,
                          {"商业": "shop", "商场": "shop", "办公楼": "office", "工厂": "factory", "工业": "factory",
                           "政府": "government", "机关": "government", "医疗": "hospital", "教育": "school",
                           "宗教": "religious"})),
            Column("is_key", ("is_key", "key_building", "重点楼栋", "是否重点"), boolean(t("key building")),
                   sql_type="boolean"),
        )))
    register_import_layer(ImportLayer(
        name="areas", title=t("Areas and grid cells"), model="gis_core.Area", geometry="boundary",
        families=(POLYGONAL,), multi=True, keyed_by_code=True,
        help=t("Boundaries keyed by division code (a grid cell: its community's 12 digits and 3 more); "
               "columns code, name, optional level and parent_code."),
        columns=(
            Column("code", ("code", "编码", "代码", "区划代码", "网格编码", "area_code"),
                   text(t("code"), 15, nonempty=True), required=True),
            Column("name", name + ("网格名称",), text(t("name"), 100, nonempty=True), required=True),
            Column("level", ("level", "层级", "级别"), text(t("level"), 20)),
            Column("parent_code", ("parent_code", "parent", "上级编码", "上级代码"), text(t("parent code"), 15)),
        )))
    register_import_layer(ImportLayer(
        name="key-sites", title=t("Key sites and facilities"), model="assets.KeySite",
        geometry="geometry", families=(POINT, POLYGONAL), multi=False,
        help=t("Points or polygons; columns name, category (code or name), risk_level, responsible_name, "
               "responsible_phone, notes."),
        columns=(
            Column("name", name, text(t("name"), 150, nonempty=True), required=True),
            Column("category_id", ("category", "类别", "场所类别", "设施类别"),
                   lookup(t("category"), "assets.KeySiteCategory", ("code", "name")), required=True,
                   sql_type="bigint"),
            Column("risk_level", ("risk_level", "risk", "风险等级"),
                   choice(t("risk level"), RiskLevel, RiskLevel.LOW,
                          {"1": 1, "2": 2, "3": 3, "4": 4, "一般": 1, "较大": 2, "重大": 4}), sql_type="int"),
            Column("responsible_name", ("responsible_name", "responsible", "负责人"),
                   text(t("responsible person"), 50)),
            Column("responsible_phone", ("responsible_phone", "phone", "负责人电话", "联系电话", "电话"),
                   text(t("phone"), 20)),
            Column("notes", ("notes", "备注"), text(t("notes"), 2000)),
        )))
    register_import_layer(ImportLayer(
        name="organizations", title=t("Organizations"), model="assets.Organization",
        geometry="location", families=(POINT,), multi=False,
        help=t("Points; columns name, kind, credit_code, address, contact_name, contact_phone."),
        columns=(
            Column("name", name + ("单位名称", "机构名称"), text(t("name"), 150, nonempty=True), required=True),
            Column("kind", ("kind", "type", "类型", "单位类型", "组织类型"),
                   choice(t("kind"), OrganizationKind, None,
                          {"政府": "government", "机关": "government", "事业单位": "public_institution",
                           "公司": "enterprise", "社会团体": "social", "社会组织": "social",
                           "基层组织": "grassroots"}), required=True),
            Column("credit_code", ("credit_code", "统一社会信用代码", "信用代码"), credit_code(t("credit code"))),
            Column("address", address, text(t("address"), 200)),
            Column("contact_name", ("contact_name", "contact", "联系人"), text(t("contact person"), 50)),
            Column("contact_phone", ("contact_phone", "phone", "联系电话", "电话"), text(t("contact phone"), 20)),
        )))


register_base_import_layers()
