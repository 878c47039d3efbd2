"""Trace information (痕迹): every change to a tracked record is kept by database triggers
(django-pghistory), so bulk SQL and imports are recorded as well as form edits.

Inserts and updates share the label "snapshot" so that each event's diff is taken against
the one before it: the diff of an update is exactly the fields it changed, old and new.
"""
import pghistory


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
        )(model)

    return decorate(model) if model is not None else decorate
