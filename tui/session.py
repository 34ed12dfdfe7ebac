"""The only way the UI reaches a game.

A :class:`Session` is small and message-based so that a remote (network) session can
implement it later: the UI asks for *views* (plain dicts from :mod:`game.views`), the
*legal* commands of a seat, submits command *text*, and is told through a typed
:class:`StateChanged` notification when anything changed, after which it re-reads the
views it shows. The UI never sees a :class:`~game.state.GameState`.

Seats are role ids (``"us"``), ``"public"`` (the projector) or ``"gm"`` (the facilitator).

:class:`LocalSession` runs the engine in-process. It is thread-safe: AI seats submit
from worker threads while the UI thread reads views. After every accepted command the
whole game (scenario + seed + commands) is written atomically to its autosave file.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from game.agents.pacing import waits_for_answers
from game.commands import FACILITATOR, Command, parse
from game.compiled import Compiled, compile_scenario
from game.errors import IllegalCommand, WedgeError
from game.record import GameRecord, final_state, load_save
from game.rules import apply, legal_actions
from game.scenario.cache import load_scenario_cached
from game.scenario.models import Scenario
from game.state import GameState
from game.views import PublicView, RoleView, facilitator_view, public_record, public_view, role_record, role_view

PUBLIC = "public"
GM = FACILITATOR


@dataclass(frozen=True, slots=True)
class StateChanged:
    """Something in the game changed; re-read the views.

    ``kind`` is ``"command"`` (``actor`` sent ``command``), ``"load"`` (a whole game
    was loaded) or ``"seek"`` (a replay moved its cursor). ``version`` grows by one
    with every change, so a listener can drop stale notifications.
    """

    version: int
    kind: str
    actor: str = ""
    command: str = ""


Listener = Callable[[StateChanged], None]


@runtime_checkable
class Session(Protocol):
    """What the UI may do with a game, local or remote."""

    @property
    def scenario(self) -> Scenario:
        """The scenario (public data: titles, tracks, bands, cards, shocks)."""
        ...

    @property
    def roles(self) -> tuple[str, ...]: ...

    @property
    def seed(self) -> int: ...

    @property
    def version(self) -> int: ...

    @property
    def history(self) -> list[str]:
        """Every accepted command, in order (text form)."""
        ...

    def view(self, seat: str) -> dict[str, Any]:
        """role_view for a role id, public_view for ``"public"``, facilitator_view for ``"gm"``."""
        ...

    def legal(self, seat: str) -> list[Command]:
        """Every enumerable command `seat` may send now."""
        ...

    def explain(self, seat: str, command: str) -> IllegalCommand | None:
        """Why `command` would be refused now (None if it would be accepted). Changes nothing."""
        ...

    def submit(self, seat: str, command: str) -> None:
        """Apply `command` for `seat`; raises IllegalCommand (nothing changes) if refused."""
        ...

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener` after every change (from whichever thread made it); returns unsubscribe."""
        ...


def _seat_error(seat: str, command: str) -> IllegalCommand:
    return IllegalCommand("3", command, f"the {seat} seat cannot send commands for another role")


class _Notifier:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._version = 0

    @property
    def version(self) -> int:
        return self._version

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self, kind: str, actor: str = "", command: str = "") -> None:
        self._version += 1
        event = StateChanged(self._version, kind, actor, command)
        for listener in list(self._listeners):
            listener(event)


def _view_of(s: GameState, seat: str) -> dict[str, Any]:
    if seat == PUBLIC:
        return public_view(s)
    if seat == GM:
        return facilitator_view(s)
    if seat not in s.sc.role_index:
        raise KeyError(f"unknown seat {seat!r}")
    return role_view(s, seat)


def default_save_path(save_dir: str | Path = "saves") -> Path:
    """``saves/autosave-YYYYmmdd-HHMMSS.json`` (wall-clock only in the file name, never in the game)."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return Path(save_dir) / f"autosave-{stamp}.json"


class LocalSession(_Notifier):
    """An in-process game: a GameRecord and its current state, behind a lock."""

    def __init__(self, record: GameRecord, state: GameState, save_path: Path | None = None) -> None:
        super().__init__()
        self._lock = threading.RLock()
        self._record = record
        self._state = state
        self.save_path = save_path
        self.save_error = ""

    # -- construction ---------------------------------------------------------------
    @classmethod
    def new(
        cls, scenario_path: str | Path, seed: int, save_path: Path | None = None, meta: dict[str, Any] | None = None
    ) -> LocalSession:
        """Start a game; raises ScenarioError (line-precise) for a bad scenario."""
        sc = compile_scenario(load_scenario_cached(scenario_path))
        record, state = GameRecord.start(sc, seed, meta)
        return cls(record, state, save_path)

    @classmethod
    def from_save(cls, path: str | Path, save_path: Path | None = None) -> LocalSession:
        """Resume a saved game, verifying every state hash; raises SaveError/ReplayMismatch."""
        record = load_save(path)
        state = final_state(record, verify=True)
        return cls(record, state, save_path)

    def load(self, path: str | Path) -> None:
        """Replace this game by a saved one (verified); on error nothing changes."""
        record = load_save(path)
        state = final_state(record, verify=True)
        with self._lock:
            self._record, self._state = record, state
            self._notify("load")

    # -- Session ----------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._record.sc.model

    @property
    def compiled(self) -> Compiled:
        """For building local AI agents (not part of the Session protocol)."""
        return self._record.sc

    @property
    def roles(self) -> tuple[str, ...]:
        return self._record.sc.role_ids

    @property
    def seed(self) -> int:
        return self._record.seed

    @property
    def history(self) -> list[str]:
        with self._lock:
            return list(self._record.commands)

    @property
    def meta(self) -> dict[str, Any]:
        return self._record.meta

    def view(self, seat: str) -> dict[str, Any]:
        with self._lock:
            s = self._state
        return _view_of(s, seat)

    def role_record(self, seat: str) -> RoleView:
        """The typed view of role `seat` (what in-process agents are given)."""
        with self._lock:
            s = self._state
        return role_record(s, seat)

    def public_record(self) -> PublicView:
        with self._lock:
            s = self._state
        return public_record(s)

    def legal(self, seat: str) -> list[Command]:
        with self._lock:
            s = self._state
        role = s.sc.role_index.get(seat)
        if role is None:
            return []
        return legal_actions(s, role)

    def waits_for_answers(self, seat: str, people: list[str]) -> bool:
        """Whether the AI in `seat` should hold its orders for `people`'s answers
        (:mod:`game.agents.pacing`)."""
        with self._lock:
            s = self._state
        index = s.sc.role_index
        role = index.get(seat)
        return role is not None and waits_for_answers(s, role, [index[p] for p in people if p in index])

    def explain(self, seat: str, command: str) -> IllegalCommand | None:
        with self._lock:
            s = self._state
        try:
            cmd = parse(command)
            if cmd.actor != seat:
                return _seat_error(seat, command)
            apply(s, cmd)
        except IllegalCommand as exc:
            return exc
        return None

    def submit(self, seat: str, command: str, why: dict[str, str] | None = None) -> None:
        """Apply `command`; `why` (a computer seat's stated reason: text, source) is kept with
        it in the record's ``meta["rationales"]``, saved with the game."""
        cmd = parse(command)
        if cmd.actor != seat:
            raise _seat_error(seat, command)
        with self._lock:
            turn = self._state.turn
            self._state = self._record.accept(self._state, cmd.text)
            if why:
                index = len(self._record.commands) - 1
                note = {"index": index, "role": seat, "turn": turn, **why}
                self._record.meta.setdefault("rationales", []).append(note)
            self._autosave()
            self._notify("command", seat, cmd.text)

    # -- saving -----------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        with self._lock:
            p = Path(path)
            p.parent.mkdir(parents=True, exist_ok=True)
            self._record.save(p)

    def _autosave(self) -> None:
        if self.save_path is None:
            return
        try:
            self.save(self.save_path)
            self.save_error = ""
        except OSError as exc:  # a full disk must not lose the game in memory
            self.save_error = f"{self.save_path}: cannot save: {exc.strerror or exc}"


class ReplaySession(_Notifier):
    """A finished (or saved) game stepped through command by command.

    Read-only: :meth:`submit` refuses everything. Every state is rebuilt once from the
    record (verifying hashes) so stepping is instant in both directions.
    """

    def __init__(self, record: GameRecord, title: str = "") -> None:
        super().__init__()
        from game.record import replay
        from game.rules import new_game

        self._record = record
        self.title = title
        self._states: list[GameState] = [new_game(record.sc, record.seed)]
        self._states.extend(s for _, _, s in replay(record, verify=True))
        self._cursor = 0  # a replay opens at the start of the game
        self._revealed_at: list[int | None] | None = None

    @property
    def scenario(self) -> Scenario:
        return self._record.sc.model

    @property
    def roles(self) -> tuple[str, ...]:
        return self._record.sc.role_ids

    @property
    def seed(self) -> int:
        return self._record.seed

    @property
    def history(self) -> list[str]:
        return list(self._record.commands)

    @property
    def meta(self) -> dict[str, Any]:
        """The record's metadata (e.g. ``{"agents": "random"}`` for a simulated game)."""
        return self._record.meta

    @property
    def compiled(self) -> Compiled:
        return self._record.sc

    @property
    def position(self) -> int:
        """Commands applied so far (0 = the start of the game)."""
        return self._cursor

    @property
    def length(self) -> int:
        return len(self._states) - 1

    def turn_at(self, position: int) -> int:
        return self._states[position].turn

    def view(self, seat: str) -> dict[str, Any]:
        return _view_of(self._states[self._cursor], seat)

    def command_visible(self, index: int, seat: str) -> bool:
        """Whether `seat` may read command `index` (0-based) of the log at the current position.

        The facilitator reads everything. Any seat reads facilitator commands, ``done`` and
        ``seal`` (public: every view shows who is ready) and its own commands. A message is
        read by its two parties only (§5.2). An offer, its answer and a played card stay
        private to their parties until that turn's reveal (§5.4, §6.7, §7.1); after it the
        public view holds the offers and the final orders, so offers and answers, and the
        played cards that are in the revealed order, can be read (a card taken back never is).
        """
        if seat == GM:
            return True
        cmd = parse(self._record.commands[index])
        if cmd.actor == FACILITATOR or cmd.verb in ("done", "seal") or cmd.actor == seat:
            return True
        before = self._states[index]
        if cmd.verb == "say":
            return seat == cmd.args[0]
        if cmd.verb == "offer" and seat == cmd.args[0]:
            return True
        if cmd.verb in ("accept", "decline"):
            offer = next((o for o in before.offers if str(o.id) == cmd.args[0]), None)
            if offer is not None and seat == before.sc.role_ids[offer.frm]:
                return True
        revealed = self._reveal_positions()[index]
        if revealed is None or revealed > self._cursor:
            return False
        if cmd.verb in ("offer", "accept", "decline"):
            return True
        if cmd.verb == "play":
            after = self._states[revealed]
            rec = after.history[len(before.history)]
            role = before.sc.role_index[cmd.actor]
            card = before.sc.card_index.get(cmd.args[0])
            return any(c == card for c, _ in rec.orders[role])
        return False  # unplay: a change of mind is never revealed

    def _reveal_positions(self) -> list[int | None]:
        """For each command, the position at which the turn it was sent in was revealed (None:
        not in this game — the game ended first, or a roll-back undid that turn)."""
        if self._revealed_at is None:
            states = self._states
            out: list[int | None] = []
            for i in range(len(states) - 1):
                done = len(states[i].history)
                turn = states[i].turn
                found = None
                for j in range(i + 1, len(states)):
                    s = states[j]
                    if len(s.history) > done and s.history[done].turn == turn:
                        found = j
                        break
                    if len(s.history) < done:  # rolled back before this turn was revealed
                        break
                out.append(found)
            self._revealed_at = out
        return self._revealed_at

    def legal(self, seat: str) -> list[Command]:
        return []

    def explain(self, seat: str, command: str) -> IllegalCommand | None:
        return IllegalCommand("replay", command, "this is a replay; nothing can be played")

    def submit(self, seat: str, command: str) -> None:
        raise IllegalCommand("replay", command, "this is a replay; nothing can be played")

    def seek(self, position: int) -> None:
        position = max(0, min(self.length, position))
        if position != self._cursor:
            self._cursor = position
            self._notify("seek")

    def step(self, delta: int) -> None:
        self.seek(self._cursor + delta)

    def step_turn(self, delta: int) -> None:
        """Jump to the first command of the next (delta=1) or the current/previous (delta=-1) turn."""
        turn = self.turn_at(self._cursor)
        if delta > 0:
            for p in range(self._cursor + 1, self.length + 1):
                if self.turn_at(p) > turn:
                    self.seek(p)
                    return
            self.seek(self.length)
        else:
            start = self._cursor
            while start > 0 and self.turn_at(start - 1) == turn:
                start -= 1
            if start == self._cursor and start > 0:
                prev = self.turn_at(start - 1)
                while start > 0 and self.turn_at(start - 1) == prev:
                    start -= 1
            self.seek(start)


class LoadFailure(WedgeError):
    """Why a game could not be opened, as one or more user-facing lines."""
