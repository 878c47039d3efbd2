"""Two people act on one case at the same moment, each on its own database connection:
one wins, the other is told the case changed and given its current state."""
from __future__ import annotations

import threading

import pytest
from django.db import connection

from incidents.models import Case, CaseEvent
from incidents.services import ActionInput, CaseConflict, case_act

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_actions_one_wins(desk, world):
    case = desk.advance(desk.report(), "filed")
    version = desk.version(case["id"])
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(user: str, action: str, note: str) -> None:
        try:
            barrier.wait()
            outcomes[user] = case_act(actor=world.users[user], case_id=case["id"], action=action, version=version,
                                      note=note, params=ActionInput())
        except CaseConflict as conflict:
            outcomes[user] = conflict
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=attempt, args=("dispatcher", "dispatch", "")),
               threading.Thread(target=attempt, args=("admin", "suspend", "挂起"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    winners = [u for u, o in outcomes.items() if isinstance(o, Case)]
    losers = [o for o in outcomes.values() if isinstance(o, CaseConflict)]
    assert len(winners) == 1 and len(losers) == 1
    stored = Case.objects.get(pk=case["id"])
    assert stored.version == version + 1
    assert losers[0].case.version == stored.version and losers[0].case.status == stored.status
    actions = list(CaseEvent.objects.filter(case=stored).values_list("action", flat=True))
    assert actions.count("dispatch") + actions.count("suspend") == 1  # nothing of the loser was written
