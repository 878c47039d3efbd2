"""The demo's duty roster: the demo grid leader and dispatcher are on duty, so an SOS in
their cell calls the grid leader and one left open reaches the administrator."""
from __future__ import annotations

from collections.abc import Callable

from gis_core.models import User


def demo_duty_load(*, seed: int, log: Callable[[str], None] = print) -> int:
    on = User.objects.filter(username__in=["gridleader", "dispatcher"]).update(on_duty=True)
    log(f"Demo duty: {on} users on duty.")
    return on
