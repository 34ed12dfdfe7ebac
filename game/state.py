"""The immutable game state and the small records inside it.

State is plain data: tuples, ints, strings and frozen slotted records, so that a
command produces a new state by sharing everything it did not touch. Indices
(track, role, card, shock) refer to the compiled scenario ``sc``.
"""

from __future__ import annotations

from typing import NamedTuple

from game.compiled import Compiled

# Phase names. The scenario orders the first five; "over" ends the game.
SHOCK, DIPLOMACY, ORDERS, ADJUDICATION, UPKEEP, OVER = (
    "shock",
    "diplomacy",
    "orders",
    "adjudication",
    "upkeep",
    "over",
)

# Offer status.
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
# Shock deck status per shock.
OUT, IN_DECK, USED = 0, 1, 2


#: The ledger subject of a dice roll that changed nothing (before = after = its total).
ROLL = "roll"


class LedgerEntry(NamedTuple):
    """One change to a track or to a role's capital, and why it happened."""

    turn: int
    phase: str
    subject: str  # a track id, "capital:<role>", or "roll" (a dice roll that changed nothing)
    before: int
    after: int
    cause: str  # "card:<id>", "shock:<id>", "drift", "offer:<n>:broken", "override:<reason>", ...
    roll: str  # "" or e.g. "2d6=7+1=8"

    @property
    def delta(self) -> int:
        return self.after - self.before


class Offer(NamedTuple):
    """ "If you (to) play `ask`, I (frm) play `give`" — made in diplomacy, answered in orders."""

    id: int
    turn: int
    frm: int
    to: int
    ask: int  # card index owned by `to`
    give: int  # card index owned by `frm`
    status: str  # pending / accepted / declined
    outcome: str  # "" until adjudicated; then kept / broken:<role>[,<role>] / declined


class Message(NamedTuple):
    turn: int
    frm: int
    to: int
    text: str


class TurnRecord(NamedTuple):
    """What became public at a reveal: every role's order and every offer's outcome."""

    turn: int
    orders: tuple[tuple[tuple[int, int], ...], ...]  # per role: (card, target or -1)
    offers: tuple[Offer, ...]
    shocks: tuple[str, ...]


class GameState(NamedTuple):
    """The whole game at one instant. A NamedTuple rather than a frozen dataclass:
    ``_replace`` is about six times cheaper, and every command makes one."""

    sc: Compiled
    seed: int
    rng: int  # draws consumed from the stream
    turn: int
    phase: str
    tracks: tuple[int, ...]
    turn_start: tuple[int, ...]
    capital: tuple[int, ...]
    hands: tuple[tuple[int, ...], ...]
    decks: tuple[tuple[int, ...], ...]
    discards: tuple[tuple[int, ...], ...]
    removed: tuple[tuple[int, ...], ...]
    orders: tuple[tuple[tuple[int, int], ...], ...]  # this turn, per role: (card, target or -1)
    ready: tuple[bool, ...]  # done (diplomacy) / sealed (orders), per role
    offers: tuple[Offer, ...]  # this turn's offers
    next_offer: int
    revealed: tuple[tuple[int, ...], ...]  # cards each role revealed this turn (empty before reveal)
    flags: int  # bitmask over sc.flag_ids
    windows: tuple[int, ...]  # last turn each window is open (0 = closed)
    blocks: tuple[tuple[int, int, int], ...]  # (kind, role or -1, last turn)
    shock_status: tuple[int, ...]  # OUT / IN_DECK / USED per shock
    shock_delta: tuple[int, ...]  # accumulated reweights per shock
    shocks_this_turn: tuple[str, ...]
    ledger: tuple[LedgerEntry, ...]
    history: tuple[TurnRecord, ...]
    messages: tuple[Message, ...]
    paused: bool
    diplomacy_locked: bool
    controllers: tuple[str, ...]
    end_reason: str  # "" while the game runs
    checkpoints: tuple[GameState, ...]  # state at the start of each turn

    @property
    def over(self) -> bool:
        return self.phase == OVER

    def track(self, track_id: str) -> int:
        return self.tracks[self.sc.track_index[track_id]]

    def flag(self, flag_id: str) -> bool:
        return bool(self.flags >> self.sc.flag_index[flag_id] & 1)

    def window_open(self, window_id: str) -> bool:
        return self.windows[self.sc.window_index[window_id]] >= self.turn
