"""Two people act on one application at the same moment, each on its own database
connection: one wins, the other is told it changed and given its current state; nothing
of the loser is written."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from services.models import Application, ApplicationStep
from services.services import ApplicationConflict, application_act

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_actions_one_wins(service_desk, world):
    a = service_desk.act("community", service_desk.file(), "accept")
    version = a["version"]
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(user: str, action: str, note: str) -> None:
        try:
            barrier.wait()
            outcomes[user] = application_act(actor=world.users[user], application_id=a["id"], action=action,
                                             version=version, note=note)
        except ApplicationConflict as conflict:
            outcomes[user] = conflict
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=attempt, args=("community", "forward", "")),
               threading.Thread(target=attempt, args=("admin", "withdraw", "申请人撤回"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [o for o in outcomes.values() if isinstance(o, Application)]
    losers = [o for o in outcomes.values() if isinstance(o, ApplicationConflict)]
    assert len(winners) == 1 and len(losers) == 1
    stored = Application.objects.get(pk=a["id"])
    assert stored.version == version + 1
    assert (losers[0].application.version, losers[0].application.state) == (stored.version, stored.state)
    actions = list(ApplicationStep.objects.filter(application=stored).values_list("action", flat=True))
    assert actions.count("forward") + actions.count("withdraw") == 1
