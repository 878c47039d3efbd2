"""A write based on a record the writer saw at an older version (optimistic locking).

Services raise ``VersionConflict`` after locking the record and finding its version moved
on; every API answers it the same way: 409 with ``detail`` and the record's current
``version`` (gis_core.api_base.exception_handler), a view adding the current record when
the client needs it to redraw."""
from __future__ import annotations

from django.utils.translation import gettext as _


class VersionConflict(Exception):
    def __init__(self, record, message: str | None = None):
        super().__init__(message or _("Someone else changed this record meanwhile; reload it."))
        self.record = record

    def answer(self, **current) -> dict:
        """The 409 body: the reason, the current version and whatever the view adds."""
        return {"detail": str(self), "version": self.record.version, **current}
