"""The one interface every kind of player implements.

An agent sees only its role's view (a plain dict from :func:`game.views.role_view`)
and the list of legal commands, and returns one of them. Agents that never look at
the view set ``needs_view = False`` so headless runs skip building it.
"""

from __future__ import annotations

from typing import Any, Protocol

from game.commands import Command


class Agent(Protocol):
    needs_view: bool

    def act(self, view: dict[str, Any], legal: list[Command]) -> Command:
        """Pick one command from `legal` (never empty)."""
        ...
