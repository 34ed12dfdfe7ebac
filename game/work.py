"""A mutable working copy of the state for the automatic phases.

Shock, adjudication and upkeep each make dozens of changes. Doing them on lists
and freezing once is much cheaper than building a new immutable state per change,
and it keeps the effect primitives (shift, roll, draw, ...) in one place where the
ledger is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from game import rng
from game.compiled import Compiled
from game.kinds.ops import OWNER, TARGET
from game.state import IN_DECK, ORDERS, OUT, ROLL, USED, GameState, LedgerEntry

_new = tuple.__new__  # builds a NamedTuple (LedgerEntry, GameState) from one sequence, skipping its argument parsing


class Work:
    __slots__ = (
        "sc",
        "base",
        "seed",
        "rng",
        "turn",
        "phase",
        "tracks",
        "turn_start",
        "capital",
        "hands",
        "decks",
        "discards",
        "removed",
        "revealed",
        "flags",
        "windows",
        "blocks",
        "shock_status",
        "shock_delta",
        "shocks_this_turn",
        "ledger",
        "cause",
        "roll_note",
        "owner",
        "target",
        "orders",
        "ready",
        "offers",
        "history",
        "end_reason",
    )

    def __init__(self, s: GameState) -> None:
        self.sc: Compiled = s.sc
        self.base = s
        self.seed = s.seed
        self.rng = s.rng
        self.turn = s.turn
        self.phase = s.phase
        self.tracks = list(s.tracks)
        self.turn_start = s.turn_start
        self.capital = list(s.capital)
        # Card piles stay tuples per role; the few moves per phase rebuild one tuple.
        self.hands = list(s.hands)
        self.decks = list(s.decks)
        self.discards = list(s.discards)
        self.removed = list(s.removed)
        self.revealed = s.revealed
        self.flags = s.flags
        self.windows = list(s.windows)
        self.blocks = list(s.blocks)
        self.shock_status = list(s.shock_status)
        self.shock_delta = list(s.shock_delta)
        self.shocks_this_turn = list(s.shocks_this_turn)
        self.ledger: list[LedgerEntry] = []
        self.cause = ""
        self.roll_note = ""
        self.owner = -1
        self.target = -1
        self.orders = s.orders
        self.ready = s.ready
        self.offers = s.offers
        self.history = s.history
        self.end_reason = s.end_reason

    def restart(self, s: GameState) -> None:
        """Become ``Work(s)`` where `s` is :func:`~game.phases.begin_turn` of this
        copy's own :meth:`freeze`: only the per-turn fields begin_turn resets (and the
        base) are taken from `s`; the tracks, piles and deck lists, the stream
        position, turn, flags, history and end reason already hold `s`'s values, so
        the copying ``__init__`` does is skipped at every turn boundary."""
        self.base = s
        self.phase = s.phase
        self.turn_start = s.turn_start
        self.revealed = s.revealed
        self.shocks_this_turn = list(s.shocks_this_turn)
        self.ledger = []
        self.cause = ""
        self.roll_note = ""
        self.owner = -1
        self.target = -1
        self.orders = s.orders
        self.ready = s.ready
        self.offers = s.offers

    def freeze(self, **changes: Any) -> GameState:
        """The new immutable state: the base with every working field written back
        (built positionally: the generated NamedTuple constructor is much slower)."""
        b = self.base
        out: GameState = _new(
            GameState,
            (
                b.sc,
                b.seed,
                self.rng,
                self.turn,
                self.phase,
                tuple(self.tracks),
                self.turn_start,
                tuple(self.capital),
                tuple(self.hands),
                tuple(self.decks),
                tuple(self.discards),
                tuple(self.removed),
                self.orders,
                self.ready,
                self.offers,
                b.next_offer,
                self.revealed,
                self.flags,
                tuple(self.windows),
                tuple(self.blocks),
                tuple(self.shock_status),
                tuple(self.shock_delta),
                tuple(self.shocks_this_turn),
                b.ledger + tuple(self.ledger) if self.ledger else b.ledger,
                self.history,
                b.messages,
                b.paused,
                b.diplomacy_locked,
                b.controllers,
                self.end_reason,
                b.checkpoints,
            ),
        )
        return out._replace(**changes) if changes else out

    # -- randomness -------------------------------------------------------------
    def below(self, n: int) -> int:
        v = rng.draw(self.seed, self.rng) % n
        self.rng += 1
        return v

    def shuffle(self, items: list[int]) -> None:
        """Fisher–Yates in place; the same draws as calling :meth:`below` per swap."""
        seed, k, draw = self.seed, self.rng, rng.draw
        for i in range(len(items) - 1, 0, -1):
            j = draw(seed, k) % (i + 1)
            k += 1
            items[i], items[j] = items[j], items[i]
        self.rng = k

    # -- primitives used by compiled effects --------------------------------------
    def resolve(self, role: int) -> int:
        if role == OWNER:
            return self.owner
        if role == TARGET:
            return self.target
        return role

    def log(self, subject: str, before: int, after: int) -> None:
        self.ledger.append(
            _new(LedgerEntry, (self.turn, self.phase, subject, before, after, self.cause, self.roll_note))
        )

    def shift(self, i: int, amount: int) -> None:
        if amount == 0:
            return
        sc = self.sc
        before = self.tracks[i]
        after = before + amount
        if after > sc.track_max[i]:
            after = sc.track_max[i]
        elif after < sc.track_min[i]:
            after = sc.track_min[i]
        self.tracks[i] = after
        self.ledger.append(
            _new(LedgerEntry, (self.turn, self.phase, sc.track_ids[i], before, after, self.cause, self.roll_note))
        )

    def shift_all(self, shifts: tuple[tuple[int, int, int, int, str], ...]) -> None:
        """:meth:`shift` for each (track, amount, min, max, track id) in turn, amounts
        never 0: compiled effects pass a run of consecutive shifts in one call, and
        the clamping and ledger entries are exactly those of ``shift``."""
        tracks, ledger = self.tracks, self.ledger
        turn, phase, cause, note = self.turn, self.phase, self.cause, self.roll_note
        for i, amount, lo, hi, subject in shifts:
            before = tracks[i]
            after = before + amount
            if after > hi:
                after = hi
            elif after < lo:
                after = lo
            tracks[i] = after
            ledger.append(_new(LedgerEntry, (turn, phase, subject, before, after, cause, note)))

    def gain_capital(self, role: int, amount: int) -> None:
        if role < 0 or amount == 0:
            return
        before = self.capital[role]
        after = before + amount
        top = self.sc.role_max_capital[role]
        if after > top:
            after = top
        elif after < 0:
            after = 0
        self.capital[role] = after
        self.ledger.append(
            _new(
                LedgerEntry,
                (self.turn, self.phase, self.sc.capital_ids[role], before, after, self.cause, self.roll_note),
            )
        )

    def gain_capital_all(self, changes: Iterable[tuple[int, int, str]]) -> None:
        """:meth:`gain_capital` for each (role, amount, cause) in turn, ``cause`` being
        the ledger cause (and left in ``self.cause``, as one call after another would
        leave it). Every ordered card's cost and every role's income are paid this
        way: one call per phase instead of one per payment."""
        sc = self.sc
        capital, ledger, top, subjects = self.capital, self.ledger, sc.role_max_capital, sc.capital_ids
        turn, phase, note = self.turn, self.phase, self.roll_note
        cause = None
        for role, amount, cause in changes:
            if role < 0 or amount == 0:
                continue
            before = capital[role]
            after = before + amount
            if after > top[role]:
                after = top[role]
            elif after < 0:
                after = 0
            capital[role] = after
            ledger.append(_new(LedgerEntry, (turn, phase, subjects[role], before, after, cause, note)))
        if cause is not None:
            self.cause = cause

    def roll(
        self,
        dice: str,
        n: int,
        sides: int,
        mods: tuple[tuple[int, Any, int, int, int], ...],
        outcomes: tuple[tuple[int, int, tuple[Any, ...]], ...],
    ) -> None:
        raw = 0
        for _ in range(n):
            raw += self.below(sides) + 1
        bonus = 0
        for add, when, track, above, per in mods:
            if when is None or when(self):
                bonus += add
            if track >= 0:
                bonus += (self.tracks[track] - above) // per
        total = raw + bonus
        saved = self.roll_note
        note = f"{dice}={raw}{bonus:+d}={total}" if bonus else f"{dice}={raw}"
        self.roll_note = note
        written = len(self.ledger)
        for lo, hi, effects in outcomes:
            if lo <= total <= hi:
                for f in effects:
                    f(self)
                break
        if len(self.ledger) == written:
            # §9.2: a roll that moved nothing is recorded too, so "why didn't my card
            # work?" has its answer in the ledger: the dice, and no change.
            self.ledger.append(_new(LedgerEntry, (self.turn, self.phase, ROLL, total, total, self.cause, note)))
        self.roll_note = saved

    def set_flag(self, bit: int, value: bool) -> None:
        self.flags = self.flags | bit if value else self.flags & ~bit

    def _last_turn(self, turns: int) -> int:
        # Durations count the current turn only while its orders can still be written.
        started = (
            self.sc.phases.index(self.phase) > self.sc.phases.index(ORDERS) if self.phase in self.sc.phases else True
        )
        return self.turn + turns - (0 if started else 1)

    def open_window(self, win: int, turns: int) -> None:
        self.windows[win] = max(self.windows[win], self._last_turn(turns))

    def close_window(self, win: int) -> None:
        self.windows[win] = 0

    def add_shock(self, sh: int) -> None:
        # §8.3: a non-recurring shock that has been drawn or injected is used up for good.
        if self.shock_status[sh] != USED:
            self.shock_status[sh] = IN_DECK

    def remove_shock(self, sh: int) -> None:
        if self.shock_status[sh] == IN_DECK:
            self.shock_status[sh] = OUT

    def reweight_shock(self, sh: int, delta: int) -> None:
        self.shock_delta[sh] += delta

    def draw(self, role: int, count: int) -> None:
        if role < 0:
            return
        deck, hand = self.decks[role], self.hands[role]
        while count > 0:
            if not deck:
                if not self.discards[role]:
                    break
                pile = list(self.discards[role])
                self.shuffle(pile)
                deck = tuple(pile)
                self.discards[role] = ()
            # Cards come off the top (the end) one by one: take k at once, top first.
            k = min(count, len(deck))
            hand += deck[: -k - 1 : -1]
            deck = deck[:-k]
            count -= k
        self.decks[role], self.hands[role] = deck, hand

    def discard_random(self, role: int, count: int) -> None:
        if role < 0:
            return
        committed = {c for c, _ in self.orders[role]}  # ordered cards stay until they resolve
        for _ in range(count):
            pool = [c for c in self.hands[role] if c not in committed]
            if not pool:
                return
            self.discard(role, pool[self.below(len(pool))])

    def discard(self, role: int, card: int, remove: bool = False) -> None:
        """Move `card` from `role`'s hand to its discard pile (or out of the game)."""
        hand = self.hands[role]
        i = hand.index(card)
        self.hands[role] = hand[:i] + hand[i + 1 :]
        if remove:
            self.removed[role] += (card,)
        else:
            self.discards[role] += (card,)

    def block(self, kind: int, role: int, turns: int) -> None:
        self.blocks.append((kind, role, self._last_turn(turns)))

    def crisis(self) -> bool:
        """§10.1: stability at the crisis level, or the crisis flag set by an effect, ends the game."""
        sc = self.sc
        if self.tracks[sc.stability] <= sc.rules.crisis_at_or_below:
            self.flags |= sc.crisis_flag
        return bool(self.flags & sc.crisis_flag)
