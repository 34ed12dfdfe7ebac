"""Who sits in each seat: ``human`` or an agent spec from the registry.

``--seats us=human,russia=heuristic,prc=random,india=human`` (several humans = hot-seat).
Seats not named get the default AI: ``heuristic`` when the registry has it, else ``random``.
``--as ROLE`` is the seat this terminal plays (always human); ``--as gm`` runs the
facilitator console with every seat as given.

The chosen controllers are written into the game log as facilitator ``seat`` commands
(``gm:seat:russia:heuristic``), so a save remembers who played what, and switching a
seat between human and AI mid-game is an ordinary logged command.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.util
import secrets
from dataclasses import dataclass, field
from typing import Any

from game.agents.registry import HUMAN, KINDS, AgentSpecError, available_kinds, parse_named_seats, parse_seat
from game.compiled import Compiled

GM = "gm"
__all__ = [
    "GM",
    "HUMAN",
    "GMLock",
    "Seats",
    "ai_kinds",
    "check_controller",
    "default_ai",
    "is_human",
    "resolve_seats",
]


def default_ai() -> str:
    """``heuristic`` if that agent is installed, else ``random``.

    Looked up without importing it: the UI process never needs the agent's code (it
    decides in the agent host process) and importing it delayed the first frame.
    """
    module, _ = KINDS.get("heuristic", ("", ""))
    try:
        found = bool(module) and importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    return "heuristic" if found else "random"


def ai_kinds() -> list[str]:
    """Agent kinds the facilitator console offers for a seat: those that import and
    need no file or program (the kinds a client may seat over the network too)."""
    return available_kinds(network=True)


@dataclass
class Seats:
    """Controllers per role, and the seat this terminal starts at (a role, or ``gm``)."""

    controllers: dict[str, str]
    as_role: str
    notes: list[str] = field(default_factory=list)

    @property
    def humans(self) -> list[str]:
        return [r for r, c in self.controllers.items() if c == HUMAN]


def is_human(controller: str) -> bool:
    return controller.strip() == HUMAN


def resolve_seats(sc: Compiled, as_role: str | None, spec: str | None, view: dict[str, Any] | None = None) -> Seats:
    """Seats from ``--as`` and ``--seats``; a loaded game keeps its recorded controllers unless overridden."""
    roles = sc.role_ids
    default = default_ai()
    controllers = {r: default for r in roles}
    recorded: dict[str, str] = {}
    if view is not None:
        recorded = {r: str(v.get("controller", HUMAN)) for r, v in view.get("roles", {}).items()}
        if any(not is_human(c) for c in recorded.values()):
            controllers.update(recorded)
        else:
            recorded = {}  # a game that never seated a computer: the defaults apply
    named = {role: seat.text for role, seat in parse_named_seats(spec or "", roles, humans=True).items()}
    controllers.update(named)
    if as_role is None:
        humans_named = [r for r in roles if named.get(r) == HUMAN]
        if humans_named:
            as_role = humans_named[0]
        elif recorded:  # a loaded game: the seat of the person who played it (the facilitator's if none)
            humans = [r for r in roles if is_human(controllers[r])]
            as_role = humans[0] if humans else GM
        else:
            as_role = "us" if "us" in roles else roles[0]
    if as_role != GM:
        if as_role not in roles:
            raise AgentSpecError(f"--as {as_role!r}: roles are {', '.join(roles)} (or gm for the facilitator)")
        if as_role in named and named[as_role] != HUMAN:
            raise AgentSpecError(f"--as {as_role} but --seats gives {as_role} to {named[as_role]!r}")
        controllers[as_role] = HUMAN
    return Seats(controllers, as_role)


def check_controller(text: str) -> str:
    """Validate a controller typed in the facilitator console; returns its canonical text."""
    return parse_seat(text, humans=True).text


#: PBKDF2 rounds for the facilitator's passphrase: a wrong guess costs a noticeable moment.
PASSPHRASE_ROUNDS = 200_000


class GMLock:
    """The facilitator seat of a local game played at one keyboard: a passphrase.

    Only a salted PBKDF2 hash of it is kept, in memory: it never enters the game, its log
    or its save, and a new game (a new process) starts without one.
    """

    def __init__(self, passphrase: str | None = None) -> None:
        self._salt = secrets.token_bytes(16)
        self._hash: bytes | None = None
        if passphrase:
            self.set(passphrase)

    @property
    def is_set(self) -> bool:
        return self._hash is not None

    def _derive(self, passphrase: str) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", passphrase.encode("utf-8"), self._salt, PASSPHRASE_ROUNDS)

    def set(self, passphrase: str) -> None:
        if not passphrase:
            raise ValueError("the facilitator's passphrase cannot be empty")
        self._salt = secrets.token_bytes(16)
        self._hash = self._derive(passphrase)

    def check(self, passphrase: str | None) -> bool:
        """Whether `passphrase` is the facilitator's (always False when none was set)."""
        if self._hash is None or not passphrase:
            return False
        return hmac.compare_digest(self._derive(passphrase), self._hash)
