"""Panels other apps add to the street official's console (grids.pages.official_console):
grids sits below them, so it knows none — each registers a ConsolePanel from its
AppConfig.ready() (services: the late applications of the official's areas)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class ConsolePanel:
    """``template`` is rendered in the console's side panel with ``panel``: what
    ``context(request)`` returns — or not at all when it returns None (the user's role
    does not read that data)."""

    name: str
    template: str
    context: Callable[[HttpRequest], dict | None]
    order: int = 50


_PANELS: dict[str, ConsolePanel] = {}


def register_console_panel(panel: ConsolePanel) -> ConsolePanel:
    _PANELS[panel.name] = panel
    return panel


def console_panels(request: HttpRequest) -> list[dict]:
    """The registered panels this user sees, in order: ``{"template", "context"}``."""
    shown = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.context(request)
        if context is not None:
            shown.append({"template": panel.template, "context": context})
    return shown
