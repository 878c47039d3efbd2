"""Imports: ``layer_import`` (any registered layer — areas; buildings, key sites,
organizations — from GIS files and spreadsheets). People rolls are the assets app's
(assets/people_import.py).

Everything a file holds is checked in memory first — columns, coordinate system,
geometries, values, keys — so a hard error (unreadable file, a required column missing,
projected coordinates without a CRS) refuses the whole file before anything is written.
Row problems reject that row with the reason. The write is one transaction; a dry run
does all of it and rolls back, so its report says exactly what an import would do.
"""
from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pghistory
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gis_core.importing import upsert
from gis_core.importing.areas import areas_write
from gis_core.importing.crs import crs_label, crs_resolve, to_wgs84
from gis_core.importing.geometry import geometries_check
from gis_core.importing.layers import KEY_ALIASES, ImportLayer, import_layer_for, import_layers
from gis_core.importing.offsets import OFFSETS, offset_remove
from gis_core.importing.readers import Features, normalise_header, read_features
from gis_core.importing.report import REPAIRED, ImportReport, RowIssue
from gis_core.models import User
from gis_core.roles import role_allows
from gis_core.scoping import user_area_prefixes

# progress(phase, done, total): the command draws it with tqdm.
Progress = Callable[[str, int, int], None]
KEY_MAX_LENGTH = 200


def _noop(phase: str, done: int, total: int) -> None:
    pass


def import_layer_get(*, actor: User, layer: str) -> ImportLayer:
    """The layer, if ``actor``'s role may add its records; else ValidationError /
    PermissionDenied."""
    spec = import_layer_for(layer)
    if spec is None:
        raise ValidationError({"layer": [_("Unknown layer %(layer)s; expected one of %(layers)s.")
                                         % {"layer": layer, "layers": ", ".join(lay.name for lay in import_layers())}]})
    if not role_allows(actor, spec.permission):
        raise PermissionDenied(_("Your role may not add %(what)s.") % {"what": spec.title})
    return spec


def columns_match(spec_columns, attributes: pd.DataFrame) -> dict[str, str]:
    """field → the file's header for it; a ValidationError naming every required column
    that is missing, with the headers accepted for it."""
    found, missing = {}, []
    for column in spec_columns:
        header = next((normalise_header(a) for a in column.aliases if normalise_header(a) in attributes.columns), None)
        if header is not None:
            found[column.field] = header
        elif column.required:
            missing.append(_("“%(column)s” (accepted headers: %(aliases)s)")
                           % {"column": column.aliases[0], "aliases": ", ".join(column.aliases)})
    if missing:
        raise ValidationError({"file": [_("Required column missing: %(columns)s.") % {"columns": "; ".join(missing)}]})
    return found


def _geometry_keys(geoms: np.ndarray) -> list[str]:
    """Without a key column a feature is known by its geometry (to ~1 cm): re-importing the
    same file changes nothing; a moved feature becomes a new record."""
    rounded = shapely.transform(geoms, lambda c: np.round(c, 7))
    return ["geom:" + hashlib.sha1(w).hexdigest()[:20] if w is not None else ""
            for w in shapely.to_wkb(rounded).tolist()]


def _source_keys(spec: ImportLayer, attributes: pd.DataFrame, geoms: np.ndarray, *, source: str,
                 key_column: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Each row's key and a rejection reason ('' if fine): "<source>:<key column>", the
    geometry's hash without a key column, or an area's code."""
    n = len(attributes)
    reasons = np.full(n, "", dtype=object)
    if spec.keyed_by_code:
        return attributes[columns_match(spec.columns[:1], attributes)["code"]].to_numpy(dtype=object), reasons
    if key_column:
        header = normalise_header(key_column)
        if header not in attributes.columns:
            raise ValidationError({"key": [_("The file has no column “%(column)s”.") % {"column": key_column}]})
    else:
        header = next((a for a in KEY_ALIASES if a in attributes.columns), None)
    raw = attributes[header].to_numpy(dtype=object) if header else np.array(_geometry_keys(geoms), dtype=object)
    keys = np.array([f"{source}:{k}" if k else "" for k in raw], dtype=object)
    reasons[keys == ""] = _("the key (%(column)s) is empty") % {"column": header or "geometry"}
    too_long = np.fromiter((len(k) > KEY_MAX_LENGTH for k in keys), dtype=bool, count=n)
    reasons[too_long] = _("the key is longer than %(n)d characters") % {"n": KEY_MAX_LENGTH - len(source) - 1}
    return keys, reasons


def _duplicates(values: np.ndarray, rows: np.ndarray, ok: np.ndarray, what: str) -> dict[int, str]:
    """index → reason for every later occurrence of a value among the rows still ``ok``."""
    frame = pd.DataFrame({"v": values, "row": rows})[ok & (values != "") & pd.notna(values)]
    later = frame[frame.duplicated("v", keep="first")]
    first = frame.drop_duplicates("v").set_index("v")["row"]
    return {i: _("duplicate %(what)s “%(value)s” (first on row %(row)d)") % {"what": what, "value": v,
                                                                             "row": first[v]}
            for i, v in zip(later.index, later["v"], strict=True)}


def _reason_text(code: str, detail: str) -> str:
    return {
        upsert.OUTSIDE_DISTRICT: _("outside the district: no area contains it"),
        upsert.OUTSIDE_SCOPE: _("outside your areas (it lies in %(area)s)") % {"area": detail},
        upsert.EXISTING_OUTSIDE_SCOPE: _("the record with this key is outside your areas (%(area)s)")
        % {"area": detail or _("no area")},
        upsert.CONFLICT: _("another record already has %(value)s") % {"value": detail},
    }[code]


@dataclass
class _Checked:
    """A file's rows after every check that needs no database: WGS84 geometries, parsed
    values, keys, and per row the rejection reason ('' if fine) or what was repaired."""

    features: Features
    geometries: np.ndarray
    values: dict[str, list]
    keys: np.ndarray
    reasons: np.ndarray
    repaired: np.ndarray


def _rows_check(spec: ImportLayer, features: Features, *, crs: str | None, offset: str | None, source: str,
                key_column: str | None, report: ImportReport) -> _Checked:
    n = len(features.rows)
    headers = columns_match(spec.columns, features.attributes)
    present = features.geometries[~shapely.is_missing(features.geometries)]
    bounds = shapely.total_bounds(present) if len(present) else np.full(4, np.nan)
    source_crs = crs_resolve(features.crs, crs, bounds)
    report.crs = crs_label(source_crs)
    geoms = to_wgs84(features.geometries, source_crs)
    if offset:
        geoms = shapely.transform(geoms, partial(offset_remove, offset=offset))
    checked = geometries_check(geoms, families=spec.families, multi=spec.multi)
    reasons, values = [checked.rejected], {}
    for column in spec.columns:
        text = features.attributes[headers[column.field]] if column.field in headers \
            else pd.Series([""] * n, index=features.attributes.index, dtype=object)
        values[column.field], column_reasons = column.parse(text)
        reasons.append(column_reasons)
    keys, key_reasons = _source_keys(spec, features.attributes, checked.geometries, source=source,
                                     key_column=key_column)
    reasons.append(key_reasons)
    reason = np.array(["; ".join(r for r in parts if r) for parts in zip(*reasons, strict=True)], dtype=object)
    for column in [*spec.unique_columns, None]:  # later duplicates of a key or unique value
        duplicates = _duplicates(keys if column is None else np.array(values[column.field], dtype=object),
                                 features.rows, reason == "", _("key") if column is None else str(column.field))
        for i, text in duplicates.items():
            reason[i] = text
    return _Checked(features, checked.geometries, values, keys, reason, checked.repaired)


def _write(spec: ImportLayer, rows: _Checked, index: np.ndarray, actor: User, report: ImportReport) -> list:
    """Write the rows at ``index`` (inside the caller's transaction); (row, reason) of
    the rows the database set aside."""
    if spec.keyed_by_code:
        items = [{"row": int(rows.features.rows[i]), "code": rows.keys[i], "name": rows.values["name"][i],
                  "level": rows.values["level"][i], "parent_code": rows.values["parent_code"][i],
                  "boundary": GEOSGeometry(shapely.to_wkb(rows.geometries[i], hex=True), srid=4326)}
                 for i in index]
        report.created, report.updated, report.unchanged, set_aside = areas_write(rows=items, actor=actor)
        return set_aside
    geometries = shapely.set_srid(rows.geometries[index], 4326)
    staged = upsert.Staged(
        rows=rows.features.rows[index].tolist(), keys=rows.keys[index].tolist(),
        values={f: [v[i] for i in index] for f, v in rows.values.items()},
        ewkb=shapely.to_wkb(geometries, hex=True, include_srid=True).tolist() if len(index) else [])
    written = upsert.rows_upsert(layer=spec, staged=staged, prefixes=user_area_prefixes(actor))
    report.created, report.updated, report.unchanged = written.created, written.updated, written.unchanged
    report.seconds.update({f"write: {step}": t for step, t in written.seconds.items()})
    return [(row, _reason_text(code, detail)) for row, code, detail in written.set_aside]


def layer_import(*, actor: User, layer: str, path: Path | str, crs: str | None = None, offset: str | None = None,
                 dry_run: bool = False, progress: Progress | None = None, source: str | None = None,
                 key_column: str | None = None, file_name: str | None = None, url: str | None = None) -> ImportReport:
    """Import one GIS file or spreadsheet into ``layer`` as ``actor``. ``crs`` overrides
    the file's coordinate system; ``offset`` ("gcj02", "bd09") removes a web-map offset;
    ``source`` namespaces the source keys (default: the file name without extension);
    ``key_column`` names the key column (default: the first of KEY_ALIASES present)."""
    spec = import_layer_get(actor=actor, layer=layer)
    if offset and offset not in OFFSETS:
        raise ValidationError({"offset": [_("Unknown offset %(offset)s; expected gcj02 or bd09.")
                                          % {"offset": offset}]})
    path, progress = Path(path), progress or _noop
    file_name = file_name or path.name
    report = ImportReport(layer=spec.name, file=file_name, dry_run=dry_run, offset=offset or "")

    clock = time.perf_counter()
    features = read_features(path)
    n = report.total = len(features.rows)
    progress("read", n, n)
    rows = _rows_check(spec, features, crs=crs, offset=offset, source=source or Path(file_name).stem,
                       key_column=key_column, report=report)
    ok = rows.reasons == ""
    for i in np.flatnonzero(~ok):
        report.reject(features.rows[i], rows.keys[i], rows.reasons[i], features.attributes.iloc[i].to_dict())
    report.seconds["read and check"] = time.perf_counter() - clock
    progress("check", n, n)

    clock = time.perf_counter()
    with transaction.atomic(), pghistory.context(user=actor.pk, url=url or f"import {spec.name} {file_name}"):
        set_aside = _write(spec, rows, np.flatnonzero(ok), actor, report)
        if dry_run:
            transaction.set_rollback(True)
    position = {int(r): i for i, r in enumerate(features.rows)}
    for row, text in set_aside:
        i = position[row]
        report.reject(row, rows.keys[i], text, features.attributes.iloc[i].to_dict())
    rejected = {row for row, _text in set_aside}
    for i in np.flatnonzero(ok & (rows.repaired != "")):
        if int(features.rows[i]) not in rejected:
            report.issues.append(RowIssue(int(features.rows[i]), rows.keys[i], REPAIRED, rows.repaired[i],
                                          features.attributes.iloc[i].to_dict()))
    report.seconds["write"] = time.perf_counter() - clock
    progress("write", n, n)
    return report
