"""What each list exports: its viewset (whose scoping and filters apply unchanged), the
columns and the geometry. Every app registers its lists (``<app>/exports.py``, from its
AppConfig.ready()); ``urls.py`` serves ``/api/v1/<list>/export.<fmt>`` for each."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.module_loading import import_string
from drf_spectacular.utils import extend_schema

from gis_core.exporting.api import FIELDS_PARAMETER, FILE_RESPONSE, FORMAT_PARAMETER, ExportActionMixin
from gis_core.exporting.tables import Source

Columns = dict[str, Source]


@dataclass(frozen=True)
class ListExport:
    name: str  # the list's URL segment under /api/v1/, and the file's name
    viewset: str  # dotted path of the list's viewset
    columns: Columns | Callable[[object], Columns]  # or a function of the user
    geometry: str
    prepare: Callable[[QuerySet], QuerySet] | None = None  # joins the columns need
    audits: Callable[[object], dict] | None = None  # {field: condition} logged when true (people's tags)

    def columns_for(self, user) -> Columns:
        return self.columns(user) if callable(self.columns) else self.columns

    def audits_for(self, user) -> dict | None:
        return self.audits(user) if self.audits else None

    def view(self):
        """The list's viewset with ExportActionMixin, answering GET with ``export``."""
        viewset = import_string(self.viewset)

        @extend_schema(operation_id=f"{self.name.replace('-', '_')}_export", filters=True,
                       parameters=[FORMAT_PARAMETER, FIELDS_PARAMETER], responses=FILE_RESPONSE,
                       description=f"The {self.name} list as a file: every page, with the list's filters.")
        def export(view, request, fmt: str):
            return ExportActionMixin.export(view, request, fmt)

        exporter = type(f"{viewset.__name__}Export", (ExportActionMixin, viewset),
                        {"export_spec": self, "export": export})
        return exporter.as_view({"get": "export"}, detail=False)


_REGISTRY: dict[str, ListExport] = {}


def register_list_export(spec: ListExport) -> ListExport:
    _REGISTRY[spec.name] = spec
    return spec


def list_exports() -> list[ListExport]:
    return list(_REGISTRY.values())
