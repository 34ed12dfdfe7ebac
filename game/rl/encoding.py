"""Fixed-size encodings of commands and role views for reinforcement learning.

Two tables, both built once per compiled scenario:

* :class:`ActionTable` numbers every command any role could ever send (free-text
  ``say`` excepted) with one integer, the same for every game of the scenario.
  Offers to answer are numbered by *sender*, not by offer id, so an action means
  the same thing in every turn.
* :class:`ObservationEncoder` turns what one role may see — its
  :class:`~game.views.RoleView` record — into a float32 vector with a fixed layout.

The encoder reads nothing but the view record (a few references to the state's
immutable parts, cheap to build on every step), so what is hidden from the role is
decided in one place, :mod:`game.views` (the test suite checks that changing anything
hidden from the role leaves the vector unchanged). The action table reads the state:
which commands are legal is the role's own knowledge, computed by the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from game.causes import parse_outcome
from game.commands import Command
from game.compiled import KINDS, Compiled
from game.rules import legal_actions
from game.state import ACCEPTED, DECLINED, IN_DECK, OVER, GameState
from game.views import PublicView, RoleView

Mask = npt.NDArray[np.int8]
Vector = npt.NDArray[np.float32]

PLAY, OFFER, ACCEPT, DECLINE, DONE, SEAL, UNPLAY = "play", "offer", "accept", "decline", "done", "seal", "unplay"


class IllegalActionError(ValueError):
    """An action index that is not legal for the acting role in the current state."""


def _other_roles(n: int, role: int) -> tuple[int, ...]:
    return tuple(r for r in range(n) if r != role)


# ---------------------------------------------------------------------- actions


class ActionTable:
    """Every role command of a scenario, numbered ``0 .. size-1``.

    The table is one block per role, in role order; within a role's block:

    1. ``play``: each of the role's cards in scenario order, once per target
       (once, with no target, for a card without targets);
    2. ``offer``: for each other role ``to`` (role order), each askable card ``ask``
       of ``to``, each card ``give`` of the role;
    3. ``accept`` / ``decline`` the offer made to the role this turn by its k-th
       other role (k = 0 .. roles-2, role order). Rule 5.1 allows at most one offer
       per sender and recipient per turn, so the sender names the offer;
    4. ``done`` (diplomacy) and ``seal`` (orders).

    ``role_range[r]`` is the half-open index range of role r's block.
    """

    def __init__(self, sc: Compiled) -> None:
        ids = sc.role_ids
        n = len(ids)
        self.sc = sc
        role_of: list[int] = []
        verb_of: list[str] = []
        fixed: list[Command | None] = []
        sender_of: list[int] = []
        labels: list[str] = []
        ranges: list[tuple[int, int]] = []
        index: dict[Command, int] = {}
        answers: list[dict[tuple[str, int], int]] = []
        play_slots: list[tuple[int, int]] = []  # (card, target or -1) per play entry, in table order

        def add(role: int, verb: str, cmd: Command | None, sender: int, label: str) -> int:
            i = len(role_of)
            role_of.append(role)
            verb_of.append(verb)
            fixed.append(cmd)
            sender_of.append(sender)
            labels.append(label)
            if cmd is not None:
                index[cmd] = i
            return i

        for role, me in enumerate(ids):
            start = len(role_of)
            for card in sc.cards_by_role[role]:
                cid = sc.card_ids[card]
                for target in sc.card_targets[card] or (-1,):
                    cmd = Command(me, PLAY, (cid, ids[target]) if target >= 0 else (cid,))
                    add(role, PLAY, cmd, -1, cmd.text)
                    play_slots.append((card, target))
            for to in _other_roles(n, role):
                for ask in sc.askable_by_role[to]:
                    for give in sc.cards_by_role[role]:
                        cmd = Command(me, OFFER, (ids[to], sc.card_ids[ask], sc.card_ids[give]))
                        add(role, OFFER, cmd, -1, cmd.text)
            mine: dict[tuple[str, int], int] = {}
            for sender in _other_roles(n, role):
                for verb in (ACCEPT, DECLINE):
                    mine[(verb, sender)] = add(role, verb, None, sender, f"{me}:{verb}:<offer from {ids[sender]}>")
            answers.append(mine)
            for card in sc.cards_by_role[role]:
                cmd = Command(me, UNPLAY, (sc.card_ids[card],))
                add(role, UNPLAY, cmd, -1, cmd.text)
            add(role, DONE, Command(me, DONE), -1, f"{me}:{DONE}")
            add(role, SEAL, Command(me, SEAL), -1, f"{me}:{SEAL}")
            ranges.append((start, len(role_of)))

        self.size = len(role_of)
        self.role_of = tuple(role_of)
        self.verb_of = tuple(verb_of)
        self.fixed = tuple(fixed)
        self.sender_of = tuple(sender_of)
        self.labels = tuple(labels)
        self.role_range = tuple(ranges)
        self.play_slots = tuple(play_slots)
        self.play_slot = {slot: i for i, slot in enumerate(play_slots)}
        self._index = index
        self._answers = tuple(answers)

    # -- states -> actions ----------------------------------------------------------
    def encode(self, s: GameState, cmd: Command) -> int:
        """The action index of a role command (offer answers are resolved against `s`)."""
        idx = self._index.get(cmd)
        if idx is not None:
            return idx
        if cmd.verb in (ACCEPT, DECLINE) and cmd.args:
            role = self.sc.role_index[cmd.actor]
            oid = int(cmd.args[0])
            for o in s.offers:
                if o.id == oid and o.to == role:
                    return self._answers[role][(cmd.verb, o.frm)]
        raise KeyError(f"{cmd.text} is not in the action table")

    def legal(self, s: GameState, role: int) -> dict[int, Command]:
        """Legal actions of `role` in `s` (from :func:`game.rules.legal_actions`) -> their commands."""
        out: dict[int, Command] = {}
        index = self._index
        senders: dict[int, int] | None = None
        for cmd in legal_actions(s, role):
            idx = index.get(cmd)
            if idx is None:  # accept/decline carry the offer id: number them by sender
                if senders is None:
                    senders = {o.id: o.frm for o in s.offers if o.to == role}
                idx = self._answers[role][(cmd.verb, senders[int(cmd.args[0])])]
            out[idx] = cmd
        return out

    def mask(self, s: GameState, role: int) -> Mask:
        m = np.zeros(self.size, np.int8)
        legal = self.legal(s, role)
        if legal:
            m[list(legal)] = 1
        return m

    def decode(self, s: GameState, role: int, action: int) -> Command:
        """The command for `action`, or IllegalActionError if `role` may not take it now."""
        cmd = self.legal(s, role).get(action)
        if cmd is None:
            raise self.illegal(s, role, action)
        return cmd

    def illegal(self, s: GameState, role: int, action: int) -> IllegalActionError:
        me = self.sc.role_ids[role]
        if not 0 <= action < self.size:
            what = f"action {action} is outside 0..{self.size - 1}"
        elif self.role_of[action] != role:
            what = f"action {action} ({self.labels[action]}) belongs to {self.sc.role_ids[self.role_of[action]]}"
        else:
            what = f"action {action} ({self.labels[action]}) is not legal now"
        return IllegalActionError(f"{me}, turn {s.turn} {s.phase}: {what}; pick an action whose action_mask is 1")


# ----------------------------------------------------------------- observations


@dataclass(frozen=True, slots=True)
class Segment:
    """A named run of observation entries: ``vector[start : start + size]``."""

    name: str
    start: int
    size: int
    low: float
    high: float
    public: bool
    doc: str

    @property
    def stop(self) -> int:
        return self.start + self.size


class ObservationEncoder:
    """One role's view as a float32 vector; public segments first (they form :meth:`encode_public`)."""

    def __init__(self, sc: Compiled, actions: ActionTable) -> None:
        self.sc = sc
        self.actions = actions
        n = len(sc.role_ids)
        self.n_roles = n
        self.phase_names = (*sc.phases, OVER)
        self.max_askable = max((len(a) for a in sc.askable_by_role), default=0)
        self.max_hand_cards = max((len(c) for c in sc.cards_by_role), default=0)
        n_cards, n_shocks, n_plays = len(sc.card_ids), len(sc.shock_ids), len(actions.play_slots)
        n_tracks, n_windows = len(sc.track_ids), len(sc.window_ids)
        offer_slot = 1 + self.max_askable + self.max_hand_cards + 2
        self.offer_slot_size = offer_slot
        specs: list[tuple[str, int, float, float, bool, str]] = [
            ("turn", 1, 0.0, 1.0, True, "turn / turns"),
            ("phase", len(self.phase_names), 0.0, 1.0, True, f"one-hot: {', '.join(self.phase_names)}"),
            ("status", 3, 0.0, 1.0, True, "paused, diplomacy locked, ended in crisis"),
            ("tracks", n_tracks, 0.0, 1.0, True, "(value - min) / (max - min), scenario track order"),
            ("track_delta", n_tracks, -1.0, 1.0, True, "(value - turn-start value) / (max - min)"),
            ("flags", len(sc.flag_ids), 0.0, 1.0, True, "1 if the flag is set"),
            ("windows", n_windows, 0.0, 1.0, True, "1 if the window is open"),
            ("window_turns", n_windows, 0.0, 1.0, True, "turns the window stays open (this one included) / turns"),
            (
                "blocks",
                len(KINDS) * n,
                0.0,
                1.0,
                True,
                f"kind-major: 1 if kind k ({', '.join(KINDS)}) is blocked for role r",
            ),
            ("capital", n, 0.0, 1.0, True, "capital / max capital, per role"),
            ("hand_size", n, 0.0, 1.0, True, "cards in hand / cards the role owns, per role"),
            ("deck_size", n, 0.0, 1.0, True, "cards in deck / cards the role owns, per role"),
            ("ready", n, 0.0, 1.0, True, "done (diplomacy) or sealed (orders), per role"),
            ("discards", n_cards, 0.0, 1.0, True, "multi-hot over scenario cards: in a discard pile"),
            ("removed", n_cards, 0.0, 1.0, True, "multi-hot over scenario cards: removed from the game"),
            ("shock_deck", n_shocks, 0.0, 1.0, True, "multi-hot over scenario shocks: in the shock deck"),
            (
                "shocks_this_turn",
                n_shocks,
                0.0,
                1.0,
                True,
                "multi-hot over scenario shocks: drawn or injected this turn",
            ),
            ("last_orders", n_plays, 0.0, 1.0, True, "multi-hot over play entries (card, target): revealed last turn"),
            (
                "last_offers",
                n * (n - 1) * 5,
                0.0,
                1.0,
                True,
                "per ordered pair (from, to), from-major: offered, accepted, kept, broken by from, broken by to",
            ),
            ("role", n, 0.0, 1.0, False, "one-hot: the observing role"),
            ("my_capital_left", 1, 0.0, 1.0, False, "(capital - cost of my pending order) / max capital"),
            ("hand", n_cards, 0.0, 1.0, False, "multi-hot over scenario cards: my hand"),
            ("my_order", n_plays, 0.0, 1.0, False, "multi-hot over play entries (card, target): my pending order"),
            (
                "offers_to_me",
                (n - 1) * offer_slot,
                0.0,
                1.0,
                False,
                f"per other role k: present, ask one-hot over my askable cards ({self.max_askable}), give one-hot "
                f"over the sender's cards ({self.max_hand_cards}), accepted, declined",
            ),
            (
                "offers_from_me",
                (n - 1) * offer_slot,
                0.0,
                1.0,
                False,
                "per other role k: the same for my offer to role k",
            ),
        ]
        segments: list[Segment] = []
        pos = 0
        for name, size, low, high, public, doc in specs:
            segments.append(Segment(name, pos, size, low, high, public, doc))
            pos += size
        self.segments = tuple(segments)
        self.seg = {x.name: x for x in segments}
        self.size = pos
        self.public_size = sum(x.size for x in segments if x.public)
        lows = np.zeros(self.size, np.float32)
        highs = np.ones(self.size, np.float32)
        for x in segments:
            lows[x.start : x.stop] = x.low
            highs[x.start : x.stop] = x.high
        self.low: Vector = lows
        self.high: Vector = highs

        # Precomputed offsets and scales for the hot path.
        s = self.seg
        self._phase = {p: s["phase"].start + i for i, p in enumerate(self.phase_names)}
        self._track_lo = sc.track_min
        self._track_inv = tuple(1.0 / max(1, hi - lo) for lo, hi in zip(sc.track_min, sc.track_max))
        self._inv_turns = 1.0 / max(1, sc.rules.turns)
        self._inv_cap = tuple(1.0 / max(1, c) for c in sc.role_max_capital)
        self._inv_cards = tuple(1.0 / max(1, len(c)) for c in sc.cards_by_role)
        self._kinds = len(KINDS)
        # k-th other role of each role, and each role's slot in another role's list.
        self._others = tuple(_other_roles(n, r) for r in range(n))
        self._slot = tuple({o: k for k, o in enumerate(self._others[r])} for r in range(n))
        self._pair = tuple(tuple(frm * (n - 1) + k for k in range(n - 1)) for frm in range(n))
        self._card_pos = {c: i for cards in sc.cards_by_role for i, c in enumerate(cards)}
        self._ask_pos = {c: i for cards in sc.askable_by_role for i, c in enumerate(cards)}
        self._cache: tuple[PublicView, Vector] | None = None
        self._ready0 = self.seg["ready"].start

    # -- encoding -------------------------------------------------------------------
    def encode(self, view: RoleView) -> Vector:
        """A role's observation from its view: public segments, then its own hand, order and offers."""
        v = np.zeros(self.size, np.float32)
        v[: self.public_size] = self._public_vector(view)
        r0 = self._ready0
        for r, ready in enumerate(view.ready):
            if ready:
                v[r0 + r] = 1.0
        ones: list[int] = []
        at: list[int] = []
        val: list[float] = []
        self._private(view, ones, at, val)
        if ones:
            v[ones] = 1.0
        if at:
            v[at] = val
        return v

    def encode_public(self, view: PublicView) -> Vector:
        """The public segments only: what every role (and a spectator) can see."""
        v = self._public_vector(view).copy()
        r0 = self._ready0
        for r, ready in enumerate(view.ready):
            if ready:
                v[r0 + r] = 1.0
        return v

    def _public_vector(self, s: PublicView) -> Vector:
        """The public segments but "ready", cached: within a phase most commands change only
        private fields and "ready".

        The cache holds the view it was computed from, so the identity tests below can
        never match a recycled object; identical (immutable) fields mean identical values.
        Views of consecutive states share the fields a command did not touch.
        """
        cache = self._cache  # one read: safe if several environments share this encoder
        if cache is not None:
            p = cache[0]
            if p is s or (
                s.tracks is p.tracks
                and s.history is p.history
                and s.capital is p.capital
                and s.phase == p.phase
                and s.turn == p.turn
                and s.hand_sizes == p.hand_sizes
                and s.deck_sizes == p.deck_sizes
                and s.discards is p.discards
                and s.removed is p.removed
                and s.turn_start is p.turn_start
                and s.shock_status is p.shock_status
                and s.shocks_this_turn is p.shocks_this_turn
                and s.windows is p.windows
                and s.blocks is p.blocks
                and s.flags == p.flags
                and s.paused == p.paused
                and s.diplomacy_locked == p.diplomacy_locked
                and s.end_reason == p.end_reason
                and s.sc is p.sc
            ):
                return cache[1]
        v = np.zeros(self.public_size, np.float32)
        ones: list[int] = []
        at: list[int] = []
        val: list[float] = []
        self._public(s, ones, at, val)
        if ones:
            v[ones] = 1.0
        if at:
            v[at] = val
        v.flags.writeable = False
        self._cache = (s, v)
        return v

    def _public(self, s: PublicView, ones: list[int], at: list[int], val: list[float]) -> None:  # noqa: C901
        sc = self.sc
        seg = self.seg
        n = self.n_roles
        turn = s.turn
        at.append(seg["turn"].start)
        val.append(turn * self._inv_turns)
        ones.append(self._phase[s.phase])
        st = seg["status"].start
        if s.paused:
            ones.append(st)
        if s.diplomacy_locked:
            ones.append(st + 1)
        if s.end_reason == "crisis":
            ones.append(st + 2)
        t0, d0 = seg["tracks"].start, seg["track_delta"].start
        lo, inv = self._track_lo, self._track_inv
        for i, (x, x0) in enumerate(zip(s.tracks, s.turn_start)):
            at.append(t0 + i)
            val.append((x - lo[i]) * inv[i])
            if x != x0:
                at.append(d0 + i)
                val.append((x - x0) * inv[i])
        if s.flags:
            f0 = seg["flags"].start
            for i in range(len(sc.flag_ids)):
                if s.flags >> i & 1:
                    ones.append(f0 + i)
        w0, wt0 = seg["windows"].start, seg["window_turns"].start
        for i, last in enumerate(s.windows):
            if last >= turn:
                ones.append(w0 + i)
                at.append(wt0 + i)
                val.append(min(1.0, (last - turn + 1) * self._inv_turns))
        if s.blocks:
            b0 = seg["blocks"].start
            for kind, brole, last in s.blocks:
                if last >= turn:
                    if brole >= 0:
                        ones.append(b0 + kind * n + brole)
                    else:
                        ones.extend(range(b0 + kind * n, b0 + kind * n + n))
        c0, h0, k0 = seg["capital"].start, seg["hand_size"].start, seg["deck_size"].start
        inv_cap, inv_cards = self._inv_cap, self._inv_cards
        for r in range(n):
            at.append(c0 + r)
            val.append(s.capital[r] * inv_cap[r])
            at.append(h0 + r)
            val.append(min(1.0, s.hand_sizes[r] * inv_cards[r]))
            at.append(k0 + r)
            val.append(s.deck_sizes[r] * inv_cards[r])
        disc0, rem0 = seg["discards"].start, seg["removed"].start
        for pile in s.discards:
            ones.extend(disc0 + c for c in pile)
        for pile in s.removed:
            ones.extend(rem0 + c for c in pile)
        deck0 = seg["shock_deck"].start
        ones.extend(deck0 + i for i, status in enumerate(s.shock_status) if status == IN_DECK)
        if s.shocks_this_turn:
            now0 = seg["shocks_this_turn"].start
            ones.extend(now0 + sc.shock_index[x] for x in s.shocks_this_turn if x in sc.shock_index)
        if s.history:
            rec = s.history[-1]
            lo0 = seg["last_orders"].start
            slot = self.actions.play_slot
            for order in rec.orders:
                ones.extend(lo0 + slot[play] for play in order)
            of0 = seg["last_offers"].start
            for o in rec.offers:
                base = of0 + self._pair[o.frm][self._slot[o.frm][o.to]] * 5
                ones.append(base)
                if o.status == ACCEPTED:
                    ones.append(base + 1)
                    outcome = parse_outcome(o.outcome)
                    if outcome.kept:
                        ones.append(base + 2)
                    elif outcome.broken:
                        breakers = outcome.breakers
                        if sc.role_ids[o.frm] in breakers:
                            ones.append(base + 3)
                        if sc.role_ids[o.to] in breakers:
                            ones.append(base + 4)

    def _private(self, view: RoleView, ones: list[int], at: list[int], val: list[float]) -> None:
        sc = self.sc
        seg = self.seg
        role = view.role
        ones.append(seg["role"].start + role)
        order = view.my_order
        spent = sum(sc.card_cost[c] for c, _ in order)
        left = (view.capital[role] - spent) * self._inv_cap[role]
        at.append(seg["my_capital_left"].start)
        val.append(min(1.0, max(0.0, left)))
        h0 = seg["hand"].start
        ones.extend(h0 + c for c in view.hand)
        if order:
            m0 = seg["my_order"].start
            slot = self.actions.play_slot
            ones.extend(m0 + slot[play] for play in order)
        if view.offers:  # only those the role made or received: the view holds no others
            size = self.offer_slot_size
            to0, from0 = seg["offers_to_me"].start, seg["offers_from_me"].start
            ask_off, give_off = 1, 1 + self.max_askable
            acc_off = give_off + self.max_hand_cards
            for o in view.offers:
                to_me = o.to == role
                base = (to0 if to_me else from0) + self._slot[role][o.frm if to_me else o.to] * size
                ones.append(base)
                ones.append(base + ask_off + self._ask_pos[o.ask])
                ones.append(base + give_off + self._card_pos[o.give])
                if o.status == ACCEPTED:
                    ones.append(base + acc_off)
                elif o.status == DECLINED:
                    ones.append(base + acc_off + 1)

    def describe(self) -> list[tuple[str, int, int, str]]:
        """(name, start, size, meaning) per segment, for documentation and debugging."""
        return [(x.name, x.start, x.size, x.doc) for x in self.segments]
