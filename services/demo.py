"""Applications for the demo district: filed at the demo community's desk for people of
its roll over the last month and taken along the flow (by the demo community worker and
handler) to a spread of states — some waiting for materials (补正), some late — so the
desk's queue, the receipt and the one-time notice have something to show. Through
services.services, so every application has a real log."""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from assets.models import Person
from gis_core.models import User
from gis_core.scoping import scope_queryset
from services import services
from services.models import ItemStatus, ServiceItem

DEMO_APPLICATIONS = 24
# Where a demo application ends: the actions taken after filing (all materials received).
PATHS = {
    "received": [], "accepted": ["accept"], "forwarded": ["accept", "forward"],
    "approved": ["accept", "forward", "approve"], "issued": ["accept", "forward", "approve", "issue"],
    "collected": ["accept", "forward", "approve", "issue", "collect"], "rejected": ["accept", "forward", "reject"],
    "not_accepted": ["not_accept"],
}
NOTES = {"reject": "经核查不符合申请条件", "not_accept": "不属于本窗口受理范围"}


@transaction.atomic
def demo_applications_load(*, count: int = DEMO_APPLICATIONS, seed: int, log: Callable[[str], None] = print) -> int:
    """Replace every application with ``count`` demo applications; returns how many."""
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        # TRUNCATE fires no row triggers: the log is append-only for everything else.
        cursor.execute("TRUNCATE services_applicationscan, services_applicationstep, services_applicationmaterial, "
                       "services_application RESTART IDENTITY CASCADE")
    users = {u.username: u for u in User.objects.filter(username__in=["community", "handler"])}
    items = list(ServiceItem.objects.filter(status=ItemStatus.IN_FORCE).prefetch_related("materials").order_by("code"))
    people = list(scope_queryset(Person.objects.all(), users["community"]).filter(area__isnull=False)
                  .order_by("id")[:500]) if "community" in users else []
    if len(users) < 2 or not items or not people:
        log("Demo applications skipped: the demo users community and handler, the catalogue or people are missing.")
        return 0
    users["handler"].departments.add(*{item.department_id for item in items})  # decides every item
    now = timezone.now()
    ends = rng.choices(list(PATHS) + ["correction"], k=count)
    for i, end in enumerate(ends):
        item = rng.choice(items)
        required = [m.pk for m in item.materials.all() if m.required]
        at = now - dt.timedelta(days=rng.uniform(0.1, 30))
        application = services.application_file(
            actor=users["community"], item=item, person=rng.choice(people),
            received=required[:-1] if end == "correction" else required, at=at)
        for action in PATHS.get(end, []):
            at = min(at + dt.timedelta(hours=rng.uniform(2, 48)), now)
            actor = users["handler"] if action in ("approve", "reject") else users["community"]
            application = services.application_act(actor=actor, application_id=application.pk, action=action,
                                                   version=application.version, note=NOTES.get(action, ""), at=at)
        if (i + 1) % 10 == 0:
            log(f"  demo applications: {i + 1}/{count}")
    log(f"Demo applications: {count}")
    return count
