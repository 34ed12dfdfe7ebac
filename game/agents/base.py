"""The one interface every kind of player implements.

An agent sees only its role's view (a :class:`game.views.RoleView` record: the
engine's own indexed values, filtered to what the role may see; ``view.to_json()`` is
the documented JSON) and the list of legal commands, and returns one of them. Agents
that never look at the view set ``needs_view = False``: headless runs then skip
building it and pass ``None`` instead (declare the parameter ``object``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from game.commands import Command
from game.views import RoleView


@dataclass(frozen=True)
class Capabilities:
    """What the UI, the server and playtests may do with an agent kind, declared once on
    the agent class (``CAPABILITIES``) so that no caller keeps its own list of kinds."""

    #: It searches hard in Python: decided in a worker process, where it cannot hold the
    #: GIL an event loop or a terminal UI needs.
    process: bool = False
    #: A facilitator may seat it from a client over the network: it reads no files and
    #: starts no programs (parameters only within `bounds`).
    network: bool = False
    #: One instance lives for the whole game (a program started per seat), instead of a
    #: fresh one per decision.
    stateful: bool = False
    #: Parameter -> (lowest, highest) value allowed when seated over the network; a
    #: parameter not listed cannot be set there.
    bounds: Mapping[str, tuple[float, float]] = field(default_factory=dict)


def reason_for(agent: object, before: int, command: Command) -> dict[str, str] | None:
    """The reason `agent` gave for `command`, if it gives reasons: agents that explain
    themselves (language-model seats) keep ``rationales``, a list of dicts with
    ``command``, ``text`` and ``source``, one per decision; `before` is its length
    before the decision. A game driver stores the reason with the command it explains
    (the record's ``meta["rationales"]``), for the reveal and the report."""
    items = getattr(agent, "rationales", None)
    if not isinstance(items, list):
        return None
    for item in reversed(items[before:]):
        if isinstance(item, dict) and item.get("command") == command.text:
            return {"text": str(item.get("text", "")), "source": str(item.get("source", "model"))}
    return None


def reasons_given(agent: object) -> int:
    """How many reasons `agent` has given so far (the `before` of :func:`reason_for`)."""
    items = getattr(agent, "rationales", None)
    return len(items) if isinstance(items, list) else 0


class Agent(Protocol):
    needs_view: bool

    def act(self, view: RoleView, legal: list[Command]) -> Command:
        """Pick one command from `legal` (never empty)."""
        ...
