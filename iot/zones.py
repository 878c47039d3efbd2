"""Safe-zone hysteresis: GPS drift must not raise false exits.

Each fix is classified by the database as clearly ``inside`` (farther inside than its
accuracy), clearly ``outside`` (farther outside than its accuracy) or ``near`` (the zone
edge lies within its accuracy: it says nothing). The settled state changes only after
``fixes`` clearly-contradicting fixes in a row; a fix agreeing with the settled state
resets the count, and ``near`` fixes leave it as it is.
"""
from __future__ import annotations

from dataclasses import dataclass

INSIDE, OUTSIDE, NEAR = "inside", "outside", "near"
LEFT, BACK = "left_zone", "back_inside"


@dataclass(frozen=True)
class ZoneState:
    settled: str = INSIDE  # a terminal with no history is presumed at home
    streak: int = 0


def zone_step(state: ZoneState, fix: str, *, fixes: int) -> tuple[ZoneState, str | None]:
    """The state after one fix, and LEFT or BACK when the settled state flips."""
    if fix not in (INSIDE, OUTSIDE):
        return state, None
    if fix == state.settled:
        return ZoneState(state.settled, 0), None
    streak = state.streak + 1
    if streak < fixes:
        return ZoneState(state.settled, streak), None
    return ZoneState(fix, 0), (LEFT if fix == OUTSIDE else BACK)
