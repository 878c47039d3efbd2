"""Trace information (痕迹): every change to a tracked record is kept by database triggers
(django-pghistory), so bulk SQL and imports are recorded as well as form edits.

Inserts and updates share the label "snapshot" so that each event's diff is taken against
the one before it: the diff of an update is exactly the fields it changed, old and new.
"""
import pghistory
from django.contrib.gis.db.models import GeometryField


def _geometries_unindexed(model, exclude: tuple[str, ...]) -> dict:
    """The model's geometry fields for its history table, without a spatial index: history
    is read by record, never by place, and a GiST index is the dearest to keep up (the
    foreign keys' indexes: settings.PGHISTORY_FOREIGN_KEY_FIELD)."""
    copies = {}
    for field in model._meta.local_fields:
        if isinstance(field, GeometryField) and field.name not in exclude:
            _name, _path, args, kwargs = field.deconstruct()
            copies[field.name] = type(field)(*args, **{**kwargs, "spatial_index": False})
    return copies


def track_history(model=None, *, exclude: tuple[str, ...] = ()):
    """Class decorator: keep every insert, update and delete of ``model``. ``exclude``:
    derived columns (counters, generated columns) whose changes are not edits. Trackers
    hold per-model state, so each model gets its own."""
    def decorate(model):
        return pghistory.track(
            pghistory.InsertEvent("snapshot"),
            pghistory.UpdateEvent("snapshot"),
            pghistory.DeleteEvent("delete"),
            exclude=list(exclude) or None,
            attrs=_geometries_unindexed(model, exclude),
        )(model)

    return decorate(model) if model is not None else decorate
