"""What each role may do with cases and their reference data (gis_core.roles). Which
workflow actions a role may take is the workflow's table (incidents/workflow.py)."""
from gis_core.roles import ADD, ADMIN, ALL, CHANGE, DISPATCHER, HANDLER, ROLL_KEEPERS, STREET, VIEW, grant


def grant_incidents() -> None:
    grant({
        "incidents.case": {(ADMIN, *ROLL_KEEPERS, DISPATCHER): (VIEW, ADD, CHANGE), (STREET, HANDLER): (VIEW, CHANGE)},
        **{model: {ADMIN: ALL, (STREET, *ROLL_KEEPERS, DISPATCHER, HANDLER): (VIEW,)}
           for model in ("incidents.category", "incidents.department")},
        **{model: {ADMIN: ALL} for model in ("incidents.workcalendarday", "incidents.open311client")},
    })
