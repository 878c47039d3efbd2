"""What each role may do with the catalogue and applications (gis_core.roles). Which
actions a role may take on an application is the workflow's table (services/workflow.py).

A poor rating's follow-up goes to the street's head: the street official (街道领导) whose
areas hold the application's community — there is no community-head role, and the
community workers are the desk being rated."""
from gis_core.roles import ADD, ADMIN, ALL, CHANGE, COMMUNITY, EVERYONE, HANDLER, LEADER, STREET, VIEW, grant


def grant_services() -> None:
    grant({
        **{model: {ADMIN: ALL, tuple(r for r in EVERYONE if r != ADMIN): (VIEW,)}
           for model in ("services.serviceitem", "services.material")},
        "services.application": {(ADMIN, COMMUNITY): (VIEW, ADD, CHANGE), (STREET, HANDLER): (VIEW, CHANGE),
                                 LEADER: (VIEW,)},
        # Centres, desks and hours are edited in the admin; their staff read them. A centre's
        # staff (its community's workers, the officials of its street) book by phone, mark and
        # cancel; department handlers follow their items' bookings.
        **{model: {ADMIN: ALL, (STREET, COMMUNITY, HANDLER): (VIEW,)}
           for model in ("services.servicecentre", "services.desk", "services.openinghours")},
        "services.appointment": {(ADMIN, STREET, COMMUNITY): (VIEW, ADD, CHANGE), HANDLER: (VIEW, CHANGE)},
        # ratings: recorded at the desk; read by whoever reads the applications
        "services.applicationrating": {(ADMIN, COMMUNITY): (VIEW, ADD), (STREET, HANDLER, LEADER): (VIEW,)},
        # a poor rating's follow-up is the street's head's to close; the desk sees it
        "services.followup": {(ADMIN, STREET): (VIEW, CHANGE), COMMUNITY: (VIEW,)},
    })
