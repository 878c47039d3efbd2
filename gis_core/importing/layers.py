"""What can be imported, and how each file column becomes a field.

An ``ImportLayer`` names its model, geometry field and types, and its columns: each
accepts a few header names (Chinese and English; the labels of a choice are accepted in
every language the site speaks) and parses the text of a whole column at once into
values and per-row reasons. Layers are written in bulk (gis_core.importing.upsert) and
keyed by ``source_key``; areas — the one layer registered here — go through the area
services one by one (their hierarchy rules matter more than speed) and are keyed by code.
Apps register their layers from their AppConfig.ready() (assets/imports.py: buildings,
key sites, organizations).

A ``TableImport`` is an import of rows without geometry that its app runs through its
own services (assets: people, houses and residences from a roll); the upload page, the
API and the report are shared.
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

from gis_core.importing.geometry import POLYGONAL

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


@dataclass(frozen=True)
class TableImport:
    name: str
    title: Promise | str
    help: Promise | str
    permission: str                # "app.add_model" the user needs
    # run(actor=, path=, dry_run=, url=, progress=) -> ImportReport, in one transaction
    run: Callable[..., object]


_REGISTRY: dict[str, ImportLayer] = {}
_TABLES: dict[str, TableImport] = {}


def register_import_layer(layer: ImportLayer) -> ImportLayer:
    _REGISTRY[layer.name] = layer
    return layer


def import_layer_for(name: str) -> ImportLayer | None:
    return _REGISTRY.get(name)


def import_layers() -> list[ImportLayer]:
    return list(_REGISTRY.values())


def register_table_import(table: TableImport) -> TableImport:
    _TABLES[table.name] = table
    return table


def table_import_for(name: str) -> TableImport | None:
    return _TABLES.get(name)


def table_imports() -> list[TableImport]:
    return list(_TABLES.values())


# --------------------------------------------------------------------------- parsers

def ok_reasons(n: int) -> np.ndarray:
    return np.full(n, "", dtype=object)


def text(label: str, max_length: int, *, nonempty: bool = False) -> Parser:
    def parse(column: pd.Series) -> Parsed:
        values = column.to_numpy(dtype=object)
        reasons = ok_reasons(len(values))
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
        reasons = ok_reasons(len(column))
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
        reasons = ok_reasons(len(column))
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
        reasons = ok_reasons(len(column))
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
        reasons = ok_reasons(len(column))
        missing = np.array([v is None for v in values], dtype=bool)
        reasons[missing] = [(_("%(field)s “%(value)s” does not exist") if v else _("%(field)s is empty"))
                            % {"field": label, "value": v} for v in column.to_numpy()[missing]]
        values[missing] = None
        return values.tolist(), reasons
    return parse


# --------------------------------------------------------------------------- the core's layer

NAME_ALIASES = ("name", "名称", "名字", "标准名称")
ADDRESS_ALIASES = ("address", "地址", "门牌地址", "标准地址")


def register_area_import_layer() -> None:
    register_import_layer(ImportLayer(
        name="areas", title=gettext_lazy("Areas and grid cells"), model="gis_core.Area", geometry="boundary",
        families=(POLYGONAL,), multi=True, keyed_by_code=True,
        help=gettext_lazy("Boundaries keyed by division code (a grid cell: its community's 12 digits and 3 more); "
               "columns code, name, optional level and parent_code."),
        columns=(
            Column("code", ("code", "编码", "代码", "区划代码", "网格编码", "area_code"),
                   text(gettext_lazy("code"), 15, nonempty=True), required=True),
            Column("name", NAME_ALIASES + ("网格名称",), text(gettext_lazy("name"), 100, nonempty=True), required=True),
            Column("level", ("level", "层级", "级别"), text(gettext_lazy("level"), 20)),
            Column("parent_code", ("parent_code", "parent", "上级编码", "上级代码"), text(gettext_lazy("parent code"), 15)),
        )))
