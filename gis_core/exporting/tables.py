"""A scoped queryset read in chunks, with personal data masked or recorded: into an export
file, or for another reader (the OGC API's feature pages)."""
from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from django.contrib.gis.db.models.functions import AsGeoJSON, AsWKB, AsWKT
from django.db import models
from django.db.models import Case, Expression, F, Func, QuerySet, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

from gis_core.exporting.formats import FORMATS, Column
from gis_core.personal_data import MASKS, may_see_personal_data, reads_flush, record_read
from gis_core.scoping import lookup_crosses_many

CHUNK_ROWS = 20_000  # rows per writer call, and per flush of the access log
FETCH_ROWS = 10_000  # rows per round trip of the server-side cursor

OGR_TYPES = {"POINT": "Point", "MULTIPOINT": "MultiPoint", "LINESTRING": "LineString",
             "MULTILINESTRING": "MultiLineString", "POLYGON": "Polygon", "MULTIPOLYGON": "MultiPolygon"}


@dataclass(frozen=True)
class Display:
    """A choice field's label in the user's language, e.g. ``category`` → 住宅."""

    field: str


Source = str | Expression | Display  # a field path, an expression, or a choice label


@dataclass
class ExportFile:
    file: BinaryIO
    filename: str
    content_type: str
    rows: int


def _date_text(expression: Expression, pattern: str) -> Func:
    return Func(expression, Value(pattern), function="to_char", output_field=models.CharField())


def _plain(expression: Expression, field) -> tuple[Expression, str, Callable | None]:
    """How a column is selected so that it arrives as int, float, bool or str: (the SQL
    expression, its kind, a conversion left to Python or None). Dates and times become
    ISO 8601 text in SQL, times in local time (TIME_ZONE) — cheaper than in Python, the
    same in every format, and masks such as 1950-**-** keep the column's type."""
    if field.is_relation:
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return expression, "bool", None
    if isinstance(field, models.IntegerField):
        return expression, "int", None
    if isinstance(field, models.DecimalField):
        return Cast(expression, models.FloatField()), "float", None
    if isinstance(field, models.FloatField):
        return expression, "float", None
    if isinstance(field, models.DateTimeField):
        local = Func(Value(timezone.get_current_timezone_name()), expression, function="timezone")
        return _date_text(local, 'YYYY-MM-DD"T"HH24:MI:SS'), "str", None
    if isinstance(field, models.DateField):
        return _date_text(expression, "YYYY-MM-DD"), "str", None
    if isinstance(field, (models.CharField, models.TextField)):
        return expression, "str", None
    return expression, "str", _text


def _text(value):
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _geometry(geometry: Source, form: str, precision: int = 8) -> Expression:
    return {"wkb": AsWKB, "wkt": AsWKT, "geojson": lambda g: AsGeoJSON(g, precision=precision)}[form](geometry)


def _single_valued(model, lookup: str) -> bool:
    return not lookup_crosses_many(model, lookup)


def _record_area(qs: QuerySet) -> Expression | None:
    """The area a record is logged under: a person's current cell (annotated by the
    list), else the area its scoping goes through."""
    if "current_area_id" in qs.query.annotations:
        return F("current_area_id")
    lookup = getattr(qs.model, "scope_lookup", "")
    return F(lookup) if lookup and _single_valued(qs.model, lookup) else None


def _label_fields(model) -> list[str]:
    """The columns ``str(record)`` needs for the log (fetched, so it costs no query)."""
    names = [f.attname for f in model._meta.concrete_fields]
    for candidate in ("name", "tracking_number"):
        if candidate in names:
            return [candidate]
    return [f.attname for f in model._meta.concrete_fields
            if not f.primary_key and not getattr(f, "geom_type", None)]


def _chunks(rows: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(rows, size)):
        yield chunk


@dataclass
class Rows:
    """A scoped queryset read for output: the columns' names and kinds, the geometry type
    (OGR's name) and the rows, ``(geometry, *values)``, in chunks."""

    columns: list[Column]
    geometry_type: str
    chunks: Iterator[list[tuple]]


def queryset_rows(*, queryset: QuerySet, columns: Mapping[str, Source], geometry: str | Expression,
                  geometry_as: str, request, audits: Mapping[str, Expression] | None = None,
                  precision: int = 8, offset: int = 0, limit: int | None = None) -> Rows:
    """Read ``queryset`` (already scoped and filtered) with ``columns`` ({output name:
    source}) and ``geometry`` as ``geometry_as`` (wkb, wkt or geojson with ``precision``
    decimals), rows ``offset`` to ``offset + limit`` — for export files and the OGC API alike.

    The model's ``personal_fields`` among the sources are masked unless the user may see
    personal data; when they may, every record read with one of them (or with a true
    ``audits`` expression, {field: condition}, e.g. a sensitive tag) is recorded in the
    access log, one INSERT per chunk. Rows come from a server-side cursor ``CHUNK_ROWS``
    at a time: memory does not grow with the rows."""
    model = queryset.model
    sees = may_see_personal_data(getattr(request, "user", None))
    personal = getattr(model, "personal_fields", {})

    sources = {f"x_{i}": _as_expression(source.field if isinstance(source, Display) else source)
               for i, source in enumerate(columns.values())}
    resolved = queryset.annotate(**sources, x_geom=_as_expression(geometry)).query.annotations
    geometry_type = OGR_TYPES.get(resolved["x_geom"].output_field.geom_type, "Unknown")
    select: dict[str, Expression] = {"x_geom": _geometry(geometry, geometry_as, precision)}
    out_columns, converters = [], []
    for i, (out, source) in enumerate(columns.items()):
        alias = f"x_{i}"
        expression, kind, convert = _plain(sources[alias], resolved[alias].output_field)
        if isinstance(source, Display):  # labels in the user's language, in SQL
            choices = model._meta.get_field(source.field).flatchoices
            expression, kind, convert = Case(*[When(**{source.field: k}, then=Value(str(v))) for k, v in choices],
                                             default=Cast(sources[alias], models.CharField()),
                                             output_field=models.CharField()), "str", None
        select[alias] = expression
        out_columns.append(Column(out, kind))
        if convert is not None:
            converters.append((i, convert))
    personal_at = [(i, source, personal[source]) for i, source in enumerate(columns.values())
                   if isinstance(source, str) and source in personal]
    audits = dict(audits or {}) if sees else {}
    record = sees and bool(personal_at or audits)
    label_fields = _label_fields(model) if record else []
    if record:
        select["x_pk"] = F("pk")
        select.update({f"x_l{j}": F(f) for j, f in enumerate(label_fields)})
        select.update({f"x_a{j}": expr for j, expr in enumerate(audits.values())})
        area = _record_area(queryset)
        if area is not None:
            select["x_area"] = area
    qs = queryset.prefetch_related(None).annotate(**select)

    names = list(select)
    n, pk_at = len(columns), names.index("x_pk") if record else None
    area_at = names.index("x_area") if "x_area" in names else None
    django_request = getattr(request, "_request", request)

    def _row(row: tuple) -> tuple:
        values = list(row[1:n + 1])
        for i, convert in converters:
            values[i] = convert(values[i])
        read = []
        for i, field_name, mask in personal_at:
            if values[i]:
                if sees:
                    read.append(field_name)
                else:
                    values[i] = MASKS[mask](values[i])
        if record:
            labels_end = pk_at + 1 + len(label_fields)
            read += [f for j, f in enumerate(audits) if row[labels_end + j]]
            if read:
                stub = model.from_db(qs.db, [model._meta.pk.attname, *label_fields], row[pk_at:labels_end])
                for field_name in read:
                    record_read(request, stub, field_name, area_id=row[area_at] if area_at is not None else None)
        return (row[0], *values)

    rows = qs.values_list(*names)
    if offset or limit is not None:
        rows = rows[offset:None if limit is None else offset + limit]

    def chunks() -> Iterator[list[tuple]]:
        for chunk in _chunks(rows.iterator(chunk_size=FETCH_ROWS), CHUNK_ROWS):
            if converters or personal_at or record:
                chunk = [_row(row) for row in chunk]
            yield chunk  # (geometry, *values), straight from the cursor when nothing changes
            if record:
                reads_flush(django_request)  # the log keeps up with the rows, not in memory

    return Rows(out_columns, geometry_type, chunks())


def queryset_export(*, queryset: QuerySet, columns: Mapping[str, Source], geometry: str | Expression, fmt: str,
                    request, name: str, audits: Mapping[str, Expression] | None = None) -> ExportFile:
    """Write ``queryset`` (already scoped and filtered) as ``fmt`` with ``columns``
    ({output name: source}) and ``geometry`` in EPSG:4326; return the open file. Personal
    data is masked or recorded as ``queryset_rows`` says."""
    form = FORMATS[fmt]
    rows = queryset_rows(queryset=queryset, columns=columns, geometry=geometry,
                         geometry_as=form.writer.geometry_as, request=request, audits=audits)
    directory = Path(tempfile.mkdtemp(prefix="export-"))
    try:
        writer = form.writer(directory=directory, name=name, columns=rows.columns, geometry_type=rows.geometry_type)
        count = 0
        for chunk in rows.chunks:
            writer.write(chunk)
            count += len(chunk)
        path = writer.close()
        handle = open(path, "rb")
    finally:
        shutil.rmtree(directory, ignore_errors=True)  # the open handle keeps the file readable
    filename = f"{name}-{timezone.localdate():%Y%m%d}.{form.extension}"
    return ExportFile(handle, filename, form.content_type, count)


def _as_expression(source: str | Expression) -> Expression:
    return F(source) if isinstance(source, str) else source
