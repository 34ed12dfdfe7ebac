"""Agent kinds by name, and seat specs such as
``us=ismcts:iterations=400,russia=heuristic,prc=random,india=external:./my_agent``.

A spec maps each role to ``KIND[:ARG][:key=value[:key=value...]]``. ``ARG`` is a
positional argument (the command for ``external``). Unknown kinds, parameters or
roles are refused with a message listing what exists.

Each agent class provides ``PARAMS`` (name -> help text), ``CAPABILITIES`` (what
the UI, the server and playtests may do with it: :class:`~game.agents.base.Capabilities`)
and ``from_spec(sc, role, seed, arg, params)``; classes are imported only when used,
so a headless run of random agents never imports the search code.

This is the one parser of seat specs: playtests, ``wedge play --seats``, the
facilitator console and the server all read specs through it, and a seat given to a
person is ``human`` (where people can sit).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from game.agents.base import Agent, Capabilities
from game.compiled import Compiled
from game.errors import WedgeError

#: kind -> (module, class)
KINDS: dict[str, tuple[str, str]] = {
    "random": ("game.agents.random_agent", "RandomAgent"),
    "heuristic": ("game.agents.heuristic", "HeuristicAgent"),
    "ismcts": ("game.agents.ismcts", "ISMCTSAgent"),
    "external": ("game.agents.external", "ExternalAgent"),
    "pass": ("game.agents.pass_agent", "PassAgent"),
    "llm": ("game.agents.llm", "LLMAgent"),
}


#: The controller of a seat a person plays.
HUMAN = "human"


class AgentSpecError(WedgeError, ValueError):
    """A seat spec that names an unknown role, agent kind or parameter."""


@dataclass(frozen=True)
class SeatSpec:
    kind: str
    arg: str = ""
    params: dict[str, str] = field(default_factory=dict)

    @property
    def human(self) -> bool:
        return self.kind == HUMAN

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


def capabilities(kind: str) -> Capabilities:
    """The kind's declared capabilities (imports its class)."""
    caps: Capabilities = getattr(agent_class(kind), "CAPABILITIES", Capabilities())
    return caps


def available_kinds(*, network: bool = False) -> list[str]:
    """Kinds whose class imports here; with `network`, only those a client may seat."""
    out = []
    for kind in KINDS:
        try:
            caps = capabilities(kind)
        except AgentSpecError:
            continue
        if caps.network or not network:
            out.append(kind)
    return out


def parse_spec(text: str) -> SeatSpec:
    """``KIND[:ARG][:key=value...]`` read without importing the agent (a process that
    only hands the spec on never needs the agent's code); :func:`parse_seat` checks it.

    A value may itself hold colons (``base_url=http://127.0.0.1:8080/v1``): a piece
    without ``=`` that follows a ``key=value`` piece continues that value, joined back
    with ``:``. So a value's later parts must not contain ``=``, and ``ARG`` (which
    comes before any parameter) still cannot hold a colon."""
    pieces = text.strip().split(":")
    kind = pieces[0].strip()
    arg = ""
    params: dict[str, str] = {}
    last: str | None = None  # the key of the latest key=value piece
    for piece in pieces[1:]:
        if "=" in piece:
            key, _, value = piece.partition("=")
            last = key.strip()
            params[last] = value
        elif last is not None:
            params[last] += ":" + piece
        elif not arg:
            arg = piece
        else:
            raise AgentSpecError(f"bad agent spec {text!r}: expected KIND[:ARG][:key=value...]")
    return SeatSpec(kind, arg, {key: value.strip() for key, value in params.items()})


def parse_seat(text: str, *, humans: bool = False) -> SeatSpec:
    """One seat's spec, its kind and parameters checked; ``human`` only if `humans`."""
    spec = parse_spec(text)
    if spec.human and humans and not spec.arg and not spec.params:
        return spec
    cls = agent_class(spec.kind)
    allowed: dict[str, str] = getattr(cls, "PARAMS", {})
    for key in spec.params:
        if key not in allowed:
            known = ", ".join(f"{k} ({v})" for k, v in allowed.items()) or "none"
            raise AgentSpecError(f"agent {spec.kind!r} has no parameter {key!r}; parameters: {known}")
    return spec


def parse_named_seats(text: str, roles: tuple[str, ...], *, humans: bool = False) -> dict[str, SeatSpec]:
    """The seats ``role=spec,role=spec`` names, in the order given (no defaults)."""
    if not text.strip():
        return {}
    # Commas separate seats, but an external command may itself contain commas after a role= prefix.
    chunks: list[str] = []
    for chunk in text.split(","):
        head = chunk.split("=", 1)[0].strip()
        if "=" in chunk and head in roles or not chunks:
            chunks.append(chunk)
        else:
            chunks[-1] += "," + chunk
    agents = "ROLE=human or ROLE=AGENT" if humans else "ROLE=AGENT"
    seats: dict[str, SeatSpec] = {}
    for chunk in chunks:
        role, sep, spec = chunk.partition("=")
        role = role.strip()
        if not sep:
            raise AgentSpecError(f"bad seat {chunk!r}: expected {agents} (roles: {', '.join(roles)})")
        if role not in roles:
            raise AgentSpecError(f"unknown role {role!r} in seat spec; roles are: {', '.join(roles)}")
        seats[role] = parse_seat(spec, humans=humans)
    return seats


def parse_seats(text: str, sc: Compiled, default: str = "random", *, humans: bool = False) -> dict[str, SeatSpec]:
    """Parse ``role=spec,role=spec``; roles not named get `default`."""
    seats = {role: parse_seat(default, humans=humans) for role in sc.role_ids}
    seats.update(parse_named_seats(text, sc.role_ids, humans=humans))
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


# -------------------------------------------------------------- whole batches


def parse_agents(text: str, sc: Compiled) -> dict[str, SeatSpec]:
    """Seat specs for a whole batch: one kind for every seat (``random``, ``heuristic``), or
    per-seat specs (``us=ismcts:iterations=400,russia=heuristic``) with unnamed roles
    defaulting to ``random``; raises AgentSpecError with the registry's message."""
    text = text.strip()
    if not text:
        return parse_seats("", sc)
    head = text.split(",", 1)[0].split("=", 1)[0].strip()
    if head in sc.role_ids:
        return parse_seats(text, sc)
    return parse_seats("", sc, default=text)


def canonical_agents(text: str, sc: Compiled) -> str:
    """The spelled-out seat spec a playtest directory records (meta.json and every row), so
    that ``random`` and ``us=random,russia=random,...`` are recognised as the same run."""
    return seats_text(parse_agents(text, sc))
