"""Views for several audiences of one game, built cheaply after every command.

After each command the server needs the view of every connected seat, as JSON for the
wire. Each seat's view is its :mod:`game.views` record (a few references to the state's
own immutable parts), turned into JSON here, at the wire. Most of that JSON is the
ledger and the turn history, which change only at adjudication and with a
facilitator's act and are the same for every seat: the maker turns them into JSON once
per change of the state's ledger or history (the state is immutable, so object
identity says whether they changed) and gives every seat the same copy; each seat's own
JSON is made from its record of the state without those two parts. The views are equal
to ``game.views``' own — ``tests/server`` checks every state of a game for every seat —
and finished games (whose results read the whole state) are built directly.
"""

from __future__ import annotations

from typing import Any

from game.server.protocol import FACILITATOR_SEAT, PUBLIC_SEAT
from game.state import OVER, GameState
from game.views import (
    PublicView,
    facilitator_record,
    facilitator_view,
    history_json,
    ledger_json,
    public_record,
    public_view,
    role_record,
    role_view,
)

#: Keys of every view that are built from ``GameState.ledger`` and ``GameState.history`` only.
SHARED = ("ledger", "history")


def view_of(s: GameState, seat: str) -> dict[str, Any]:
    """``game.views`` for a seat: a role id, ``gm`` or ``public``."""
    if seat == PUBLIC_SEAT:
        return public_view(s)
    if seat == FACILITATOR_SEAT:
        return facilitator_view(s)
    return role_view(s, seat)


def record_of(s: GameState, seat: str) -> PublicView:
    """The view record of a seat: a role id, ``gm`` or ``public``."""
    if seat == PUBLIC_SEAT:
        return public_record(s)
    if seat == FACILITATOR_SEAT:
        return facilitator_record(s)
    return role_record(s, seat)


class ViewMaker:
    def __init__(self) -> None:
        self._source: tuple[object, object] = ((), ())
        self._parts: dict[str, Any] = {}

    def _shared(self, s: GameState) -> dict[str, Any]:
        if self._source[0] is not s.ledger or self._source[1] is not s.history or not self._parts:
            self._parts = {"ledger": ledger_json(s.ledger), "history": history_json(s.sc, s.history)}
            self._source = (s.ledger, s.history)
        return self._parts

    def views(self, s: GameState, seats: list[str]) -> dict[str, dict[str, Any]]:
        """The view of `s` for each seat (the shared parts are the same objects: do not mutate)."""
        if s.phase == OVER or not seats:
            return {seat: view_of(s, seat) for seat in seats}
        shared = self._shared(s)
        light = s._replace(ledger=(), history=())
        out: dict[str, dict[str, Any]] = {}
        for seat in seats:
            view = record_of(light, seat).to_json()
            view.update(shared)
            out[seat] = view
        return out
