"""Agent kinds by name, and seat specs such as
``us=ismcts:iterations=400,russia=heuristic,prc=random,india=external:./my_agent``.

A spec maps each role to ``KIND[:ARG][:key=value[:key=value...]]``. ``ARG`` is a
positional argument (the command for ``external``). Unknown kinds, parameters or
roles are refused with a message listing what exists.

Each agent class provides ``PARAMS`` (name -> help text) and
``from_spec(sc, role, seed, arg, params)``; classes are imported only when used,
so a headless run of random agents never imports the search code.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from game.agents.base import Agent
from game.compiled import Compiled
from game.errors import WedgeError

#: kind -> (module, class)
KINDS: dict[str, tuple[str, str]] = {
    "random": ("game.agents.random_agent", "RandomAgent"),
    "heuristic": ("game.agents.heuristic", "HeuristicAgent"),
    "ismcts": ("game.agents.ismcts", "ISMCTSAgent"),
    "external": ("game.agents.external", "ExternalAgent"),
    "pass": ("game.agents.pass_agent", "PassAgent"),
}


class AgentSpecError(WedgeError, ValueError):
    """A seat spec that names an unknown role, agent kind or parameter."""


@dataclass(frozen=True)
class SeatSpec:
    kind: str
    arg: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        parts = [self.kind] + ([self.arg] if self.arg else []) + [f"{k}={v}" for k, v in sorted(self.params.items())]
        return ":".join(parts)


def agent_class(kind: str) -> Any:
    if kind not in KINDS:
        raise AgentSpecError(f"unknown agent {kind!r}; agents are: {', '.join(KINDS)}")
    module, name = KINDS[kind]
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError) as exc:
        raise AgentSpecError(f"agent {kind!r} is not available: {exc}") from None


def parse_seat(text: str) -> SeatSpec:
    pieces = text.strip().split(":")
    kind = pieces[0].strip()
    arg = ""
    params: dict[str, str] = {}
    for piece in pieces[1:]:
        if "=" in piece:
            key, _, value = piece.partition("=")
            params[key.strip()] = value.strip()
        elif not arg and not params:
            arg = piece
        else:
            raise AgentSpecError(f"bad agent spec {text!r}: expected KIND[:ARG][:key=value...]")
    cls = agent_class(kind)
    allowed: dict[str, str] = getattr(cls, "PARAMS", {})
    for key in params:
        if key not in allowed:
            known = ", ".join(f"{k} ({v})" for k, v in allowed.items()) or "none"
            raise AgentSpecError(f"agent {kind!r} has no parameter {key!r}; parameters: {known}")
    return SeatSpec(kind, arg, params)


def parse_seats(text: str, sc: Compiled, default: str = "random") -> dict[str, SeatSpec]:
    """Parse ``role=spec,role=spec``; roles not named get `default`."""
    seats = {role: parse_seat(default) for role in sc.role_ids}
    if not text.strip():
        return seats
    # Commas separate seats, but an external command may itself contain commas after a role= prefix.
    chunks: list[str] = []
    for chunk in text.split(","):
        head = chunk.split("=", 1)[0].strip()
        if "=" in chunk and head in sc.role_ids or not chunks:
            chunks.append(chunk)
        else:
            chunks[-1] += "," + chunk
    for chunk in chunks:
        role, sep, spec = chunk.partition("=")
        role = role.strip()
        if not sep:
            raise AgentSpecError(f"bad seat {chunk!r}: expected ROLE=AGENT (roles: {', '.join(sc.role_ids)})")
        if role not in sc.role_ids:
            raise AgentSpecError(f"unknown role {role!r} in seat spec; roles are: {', '.join(sc.role_ids)}")
        seats[role] = parse_seat(spec)
    return seats


def seats_text(seats: dict[str, SeatSpec]) -> str:
    return ",".join(f"{role}={spec.text}" for role, spec in seats.items())


def build_agents(sc: Compiled, seats: dict[str, SeatSpec], game_seed: int) -> list[Agent]:
    """One agent per role, each seeded from the game seed and its role (see simulate.agent_seed)."""
    from game.simulate import agent_seed

    agents: list[Agent] = []
    for role in sc.role_ids:
        spec = seats[role]
        cls = agent_class(spec.kind)
        agents.append(cls.from_spec(sc, role, agent_seed(game_seed, role), spec.arg, dict(spec.params)))
    return agents
