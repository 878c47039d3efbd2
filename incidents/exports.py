"""The cases list as a file (gis_core.exporting)."""
from __future__ import annotations

from gis_core.exporting.lists import ListExport, register_list_export
from gis_core.exporting.tables import Display


def register_case_export() -> None:
    register_list_export(ListExport("cases", "incidents.views.CaseViewSet", geometry="location", columns={
        "id": "id", "tracking_number": "tracking_number", "kind": "kind", "category": "category__code",
        "category_name": "category__name", "description": "description", "address": "address",
        "status": "status", "status_name": Display("status"), "time_state": "time_state", "urgency": "urgency",
        "source": "source", "department": "department__code", "cell": "cell__code", "cell_name": "cell__name",
        "community": "community__name", "street": "street__name", "reported_at": "reported_at",
        "filed_at": "filed_at", "due_at": "due_at", "closed_at": "closed_at"}))
