"""The collections: one per map layer (tiles.layers) the user may read.

A collection is its layer — the same rows (the layer's queryset, scoped by
gis_core.scoping like every other read), title, description and permission. Its
properties are the columns of the list export of the same name (gis_core.exporting:
``buildings``, ``key-sites``, ``organizations``, ``cells``, ``cases``) that can be read on
the layer's rows, plus the layer's attributes at its highest zoom; personal data among
them is masked or logged by the export engine (gis_core.exporting.tables). So a new map
layer is a new collection, and a column added to a list export shows here too.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from gis_core.exporting.lists import list_exports
from gis_core.exporting.tables import Display, Source
from gis_core.roles import role_allows
from tiles.layers import TileLayer, all_layers, layer_for

JSON_TYPES: list[tuple[type[models.Field], dict]] = [  # most specific first
    (models.BooleanField, {"type": "boolean"}),
    (models.IntegerField, {"type": "integer"}),
    (models.FloatField, {"type": "number"}),
    (models.DecimalField, {"type": "number"}),
    (models.DateTimeField, {"type": "string", "format": "date-time"}),
    (models.DateField, {"type": "string", "format": "date"}),
    (models.CharField, {"type": "string"}),
    (models.TextField, {"type": "string"}),
]


@dataclass(frozen=True)
class Queryable:
    """A property clients may filter on with ``?<name>=<value>`` (exact match)."""

    name: str
    path: str  # ORM path on the collection's model
    field: models.Field
    schema: dict = field(hash=False)


@dataclass(frozen=True)
class Collection:
    id: str
    title: Promise | str
    description: Promise | str
    queryset: Callable[[], QuerySet]  # unscoped, as the layer gives it
    geometry: str
    properties: dict[str, Source]  # output name -> source (gis_core.exporting.tables)
    queryables: dict[str, Queryable]
    time: Queryable | None  # what ``datetime`` filters on: the first date/time queryable


def _field_at(model: type[models.Model], path: str) -> models.Field | None:
    """The model field at the end of an ORM path (``category__code``), or None (an
    annotation, a reverse relation)."""
    *relations, last = path.split("__")
    try:
        for name in relations:
            relation = model._meta.get_field(name)
            if not (relation.many_to_one or relation.one_to_one) or relation.auto_created and not relation.concrete:
                return None
            model = relation.related_model
        found = model._meta.get_field(last)
    except FieldDoesNotExist:
        return None
    if found.is_relation:
        return found.target_field if found.many_to_one and found.concrete else None
    return found if found.concrete else None


def _path(source: Source) -> str | None:
    if isinstance(source, str):
        return source
    if isinstance(source, F):
        return source.name
    return None


def _readable(queryset: QuerySet, source: Source) -> bool:
    """Whether ``source`` resolves on the layer's rows (a list export may name an
    annotation of its own viewset, e.g. a building's house_count)."""
    expression = F(source) if isinstance(source, str) else F(source.field) if isinstance(source, Display) else source
    try:
        queryset.annotate(ogc_probe=expression)
    except (FieldError, FieldDoesNotExist):
        return False
    return True


def _schema(field: models.Field, title: str) -> dict | None:
    for field_class, schema in JSON_TYPES:
        if isinstance(field, field_class):
            out = {"title": title, **schema}
            if field.choices:
                out["enum"] = [value for value, _label in field.flatchoices]
            return out
    return None


def _collection(layer: TileLayer, user) -> Collection:
    queryset = layer.queryset()
    model = queryset.model
    export = next((spec for spec in list_exports() if spec.name == layer.name), None)
    attributes = layer.attributes_at(layer.maxzoom)
    candidates: dict[str, Source] = dict(export.columns_for(user)) if export else {}
    candidates.update(attributes)  # the layer's own source wins on a shared name
    candidates.pop("id", None)  # the feature's id
    properties = {name: source for name, source in candidates.items() if _readable(queryset, source)}

    personal = getattr(model, "personal_fields", {})
    queryables: dict[str, Queryable] = {}
    for name, source in properties.items():
        path = _path(source)
        # Personal data is never queryable: for roles that see it masked a filter is an oracle.
        if path is None or path.split("__")[0] in personal:
            continue
        found = _field_at(model, path)
        schema = _schema(found, str(getattr(found, "verbose_name", name))) if found is not None else None
        if schema is not None:
            queryables[name] = Queryable(name, path, found, schema)
    time = next((q for q in queryables.values() if isinstance(q.field, models.DateField)), None)
    return Collection(id=layer.name, title=layer.title, description=layer.description, queryset=layer.queryset,
                      geometry=layer.geometry, properties=properties, queryables=queryables, time=time)


def collections_for(user) -> list[Collection]:
    """The collections the user may read, in the map's drawing order."""
    return [_collection(layer, user) for layer in all_layers() if role_allows(user, layer.permission)]


def collection_get(user, collection_id: str) -> Collection:
    """One collection; a 404 when there is none or the user may not read it (as if absent)."""
    layer = layer_for(collection_id)
    if layer is None or not role_allows(user, layer.permission):
        raise Http404(_("No collection named %(name)s.") % {"name": collection_id})
    return _collection(layer, user)
