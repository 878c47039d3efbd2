"""The demo's parts beyond the district itself. The demo district (areas, users, buildings,
houses, people, places) is loaded by the ``demo`` app; every other app that has demo data
registers a ``DemoPart`` from its AppConfig.ready() (iot: terminals; incidents: cases),
loaded after the district in the order the apps are installed."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Log = Callable[[str], None]


@dataclass(frozen=True)
class DemoPart:
    name: str
    load: Callable[..., object]  # load(*, seed: int, log: Log)
    # Lines for `manage.py demo_banner`, given the site's base URL ("http://host:port/").
    banner: Callable[[str], list[str]] = field(default=lambda base: [])


_PARTS: dict[str, DemoPart] = {}


def register_demo_part(part: DemoPart) -> DemoPart:
    _PARTS[part.name] = part
    return part


def demo_parts() -> list[DemoPart]:
    return list(_PARTS.values())
