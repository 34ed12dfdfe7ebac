"""A mutable working copy of the state for the automatic phases.

Shock, adjudication and upkeep each make dozens of changes. Doing them on lists
and freezing once is much cheaper than building a new immutable state per change,
and it keeps the effect primitives (shift, roll, draw, ...) in one place where the
ledger is written.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from game import rng
from game.compiled import OWNER, TARGET, Compiled
from game.state import IN_DECK, OUT, ORDERS, GameState, LedgerEntry


class Work:
    __slots__ = (
        "sc", "base", "seed", "rng", "turn", "phase", "tracks", "turn_start", "capital",
        "hands", "decks", "discards", "removed", "revealed", "flags", "windows", "blocks",
        "shock_status", "shock_delta", "shocks_this_turn", "ledger", "cause", "roll_note",
        "owner", "target",
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
        self.hands = [list(h) for h in s.hands]
        self.decks = [list(d) for d in s.decks]
        self.discards = [list(d) for d in s.discards]
        self.removed = [list(d) for d in s.removed]
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

    def freeze(self, **changes: Any) -> GameState:
        """The new immutable state: the base with every working field written back."""
        fields: dict[str, Any] = dict(
            rng=self.rng,
            turn=self.turn,
            phase=self.phase,
            tracks=tuple(self.tracks),
            turn_start=self.turn_start,
            capital=tuple(self.capital),
            hands=tuple(tuple(h) for h in self.hands),
            decks=tuple(tuple(d) for d in self.decks),
            discards=tuple(tuple(d) for d in self.discards),
            removed=tuple(tuple(d) for d in self.removed),
            revealed=self.revealed,
            flags=self.flags,
            windows=tuple(self.windows),
            blocks=tuple(self.blocks),
            shock_status=tuple(self.shock_status),
            shock_delta=tuple(self.shock_delta),
            shocks_this_turn=tuple(self.shocks_this_turn),
            ledger=self.base.ledger + tuple(self.ledger) if self.ledger else self.base.ledger,
        )
        fields.update(changes)
        return replace(self.base, **fields)

    # -- randomness -------------------------------------------------------------
    def below(self, n: int) -> int:
        v = rng.draw(self.seed, self.rng) % n
        self.rng += 1
        return v

    def shuffle(self, items: list[int]) -> None:
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]

    # -- primitives used by compiled effects --------------------------------------
    def resolve(self, role: int) -> int:
        if role == OWNER:
            return self.owner
        if role == TARGET:
            return self.target
        return role

    def log(self, subject: str, before: int, after: int) -> None:
        self.ledger.append(
            LedgerEntry(self.turn, self.phase, subject, before, after, self.cause, self.roll_note)
        )

    def shift(self, i: int, amount: int) -> None:
        if amount == 0:
            return
        before = self.tracks[i]
        after = min(self.sc.track_max[i], max(self.sc.track_min[i], before + amount))
        self.tracks[i] = after
        self.log(self.sc.track_ids[i], before, after)

    def gain_capital(self, role: int, amount: int) -> None:
        if role < 0 or amount == 0:
            return
        before = self.capital[role]
        after = min(self.sc.role_max_capital[role], max(0, before + amount))
        self.capital[role] = after
        self.log("capital:" + self.sc.role_ids[role], before, after)

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
        self.roll_note = f"{dice}={raw}{bonus:+d}={total}" if bonus else f"{dice}={raw}"
        for lo, hi, effects in outcomes:
            if lo <= total <= hi:
                for f in effects:
                    f(self)
                break
        self.roll_note = saved

    def set_flag(self, bit: int, value: bool) -> None:
        self.flags = self.flags | bit if value else self.flags & ~bit

    def _last_turn(self, turns: int) -> int:
        # Durations count the current turn only while its orders can still be written.
        started = self.sc.phases.index(self.phase) > self.sc.phases.index(ORDERS) if self.phase in self.sc.phases else True
        return self.turn + turns - (0 if started else 1)

    def open_window(self, win: int, turns: int) -> None:
        self.windows[win] = max(self.windows[win], self._last_turn(turns))

    def close_window(self, win: int) -> None:
        self.windows[win] = 0

    def add_shock(self, sh: int) -> None:
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
        for _ in range(count):
            if not deck:
                if not self.discards[role]:
                    return
                deck.extend(self.discards[role])
                self.discards[role].clear()
                self.shuffle(deck)
            hand.append(deck.pop())

    def discard_random(self, role: int, count: int) -> None:
        if role < 0:
            return
        hand = self.hands[role]
        committed = {c for c, _ in self.base.orders[role]} if self.phase == ORDERS else set()
        for _ in range(count):
            pool = [c for c in hand if c not in committed]
            if not pool:
                return
            card = pool[self.below(len(pool))]
            hand.remove(card)
            self.discards[role].append(card)

    def block(self, kind: int, role: int, turns: int) -> None:
        self.blocks.append((kind, role, self._last_turn(turns)))

    def shock_weight(self, sh: int) -> int:
        w = self.sc.shock_weight[sh] + self.shock_delta[sh]
        for cond, add in self.sc.shock_mods[sh]:
            if cond(self):
                w += add
        return max(0, w)
