"""Full game states consistent with what one role can see.

Search agents must not read the real :class:`~game.state.GameState`: it holds other
roles' hands, sealed orders and the random stream. Instead they *determinize*: build
a complete state from the role's view (a plain dict from
:func:`game.views.role_view`), filling every hidden field with a plausible sample.
Searching many such samples is information-set search (Cowling et al. 2012).

What is copied from the view (public, or the role's own): tracks, turn-start values,
capital, flags, windows, blocks, the shock deck, discards, removed cards, the public
history, the turn, phase, ready flags, controllers, the role's own hand, its own
pending order, and the offers and messages it is party to.

What is sampled (hidden from the role):

* other roles' hands: ``hand_size`` cards uniformly from that role's cards that are
  not in its (public) discard or removed piles, always including the cards it offered
  to this role this turn (an offer's ``give`` card was in hand when it was made);
* all decks (deck order is hidden from everyone, even the owner): the remaining cards,
  shuffled;
* other roles' pending orders: empty while they have not sealed, otherwise a random
  legal order built from the sampled hand;
* the random stream: the given seed, from draw 0 (future chance is unknown).

Two small public facts the view does not spell out are reconstructed: which
non-recurring shocks are used up (any that appears in the history or this turn's
shocks) and the reweights shocks received (the unconditional ``reweight_shock``
effects of revealed cards and drawn shocks; reweights nested in an ``if`` or a roll
are not recoverable from the view and are left out). The ledger is left empty and
there are no checkpoints; neither affects future play.

:func:`prepare` does the view parsing once; :meth:`Template.sample` is then cheap
enough to run once per search iteration.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from game import rng
from game.commands import Command
from game.compiled import KIND_INDEX, Compiled
from game.kinds import EffectKind
from game.rules import apply_fast, legal_actions
from game.state import IN_DECK, ORDERS, OUT, USED, GameState, Message, Offer, TurnRecord

Order = tuple[tuple[int, int], ...]
_SAMPLE_SALT = 0x5DEECE66D


class Board:
    """The public board of a view as engine-indexed values: a *reader* for compiled
    scenario conditions (see :mod:`game.compiled`), so doctrine conditions and the
    search's evaluation use exactly the engine's semantics.

    ``revealed`` holds the cards of the most recent reveal. During diplomacy and orders
    nothing of the current turn is revealed yet, so a ``played`` condition read from a
    Board means "played in the last reveal" (last turn's orders).
    """

    __slots__ = ("turn", "tracks", "turn_start", "flags", "windows", "revealed", "capital")

    def __init__(self, sc: Compiled, view: Mapping[str, Any]) -> None:
        self.turn: int = view["turn"]
        self.tracks = tuple(view["tracks"][t] for t in sc.track_ids)
        self.turn_start = tuple(view["turn_start"][t] for t in sc.track_ids)
        self.flags = _flag_bits(sc, view["flags"])
        self.windows = tuple(view["windows"].get(w, 0) for w in sc.window_ids)
        self.capital = tuple(view["roles"][r]["capital"] for r in sc.role_ids)
        last = view["history"][-1] if view["history"] else None
        n = len(sc.role_ids)
        if last is None:
            self.revealed: tuple[tuple[int, ...], ...] = ((),) * n
        else:
            self.revealed = tuple(tuple(sc.card_index[x["card"]] for x in last["orders"][r]) for r in sc.role_ids)


def _flag_bits(sc: Compiled, flags: Sequence[str]) -> int:
    bits = 0
    for f in flags:
        bits |= 1 << sc.flag_index[f]
    return bits


def _offer(sc: Compiled, o: Mapping[str, Any]) -> Offer:
    return Offer(
        int(o["id"]),
        int(o["turn"]),
        sc.role_index[o["from"]],
        sc.role_index[o["to"]],
        sc.card_index[o["ask"]],
        sc.card_index[o["give"]],
        o["status"],
        o["outcome"],
    )


def _order(sc: Compiled, items: Sequence[Mapping[str, str]]) -> Order:
    return tuple((sc.card_index[x["card"]], sc.role_index[x["target"]] if x["target"] else -1) for x in items)


def _reweights(sc: Compiled, effects: Sequence[EffectKind], into: list[int]) -> None:
    """Unconditional (top-level) reweights only: see the module docstring."""
    for e in effects:
        for shock, delta in e.fixed_reweights():
            into[sc.shock_index[shock]] += delta


@dataclass(frozen=True, slots=True)
class Template:
    """A view parsed once: the public fields of a state, plus what is left to sample."""

    sc: Compiled
    me: int
    base: GameState  # public fields filled; hidden ones are placeholders
    pools: tuple[tuple[int, ...], ...]  # per role: cards in hand or deck (unknown order/split)
    forced: tuple[tuple[int, ...], ...]  # per role: cards known to be in its hand
    hand_sizes: tuple[int, ...]
    sealed_others: tuple[int, ...]  # other roles whose hidden order must be sampled
    accepted_asks: tuple[tuple[int, ...], ...]  # per role: cards it accepted to play for `me`

    def sample(self, seed: int) -> GameState:
        """One full state consistent with the view; deterministic in `seed`."""
        stream = rng.Stream(rng.mix(seed ^ _SAMPLE_SALT))  # not the game's own stream for `seed`
        base = self.base
        hands = list(base.hands)
        decks = list(base.decks)
        for r, pool in enumerate(self.pools):
            forced = self.forced[r]
            rest = [c for c in pool if c not in forced] if forced else list(pool)
            _shuffle(rest, stream)
            if r != self.me:
                take = self.hand_sizes[r] - len(forced)
                hands[r] = forced + tuple(rest[:take])
                rest = rest[take:]
            decks[r] = tuple(rest)
        orders = base.orders
        if self.sealed_others:
            s = base._replace(hands=tuple(hands))
            out = list(orders)
            for r in self.sealed_others:
                out[r] = _random_order(s, r, stream, self.accepted_asks[r])
            orders = tuple(out)
        return base._replace(seed=seed, hands=tuple(hands), decks=tuple(decks), orders=orders)


def _shuffle(items: list[int], stream: rng.Stream) -> None:
    """Fisher–Yates taking several small indices from each 64-bit draw (decks are short;
    one draw per shuffle instead of one per card keeps sampling cheap)."""
    x, room = 0, 1
    for i in range(len(items) - 1, 0, -1):
        if room * (i + 1) > 1 << 40:  # keeps the mixed-radix bias below 2**-24
            x, room = 0, 1
        if room == 1:
            x = rng.draw(stream.seed, stream.index)
            stream.index += 1
        j = x % (i + 1)
        x //= i + 1
        room *= i + 1
        items[i], items[j] = items[j], items[i]


def _random_order(s: GameState, role: int, stream: rng.Stream, first: tuple[int, ...]) -> Order:
    """A random legal order for a role that has sealed (cards it accepted to play for
    the observer go first when it can: accepted offers are usually kept)."""
    ready = list(s.ready)
    ready[role] = False
    t = s._replace(ready=tuple(ready), orders=s.orders[:role] + ((),) + s.orders[role + 1 :])
    sc = s.sc
    while True:
        options = [c for c in legal_actions(t, role) if c.verb in ("play", "seal")]
        preferred = [c for c in options if c.verb == "play" and sc.card_index[c.args[0]] in first]
        cmd: Command = preferred[0] if preferred else options[stream.below(len(options))]
        if cmd.verb == "seal":
            return t.orders[role]
        t = apply_fast(t, cmd)


def prepare(sc: Compiled, view: Mapping[str, Any]) -> Template:  # noqa: C901 - one field after another
    """Parse a role view into a :class:`Template` (all the work that does not depend on the sample)."""
    me = sc.role_index[view["role"]]
    roles = sc.role_ids
    n = len(roles)
    info = [view["roles"][r] for r in roles]
    discards = tuple(tuple(sc.card_index[c] for c in x["discard"]) for x in info)
    removed = tuple(tuple(sc.card_index[c] for c in x["removed"]) for x in info)
    my_hand = tuple(sc.card_index[c] for c in view["hand"])
    turn, phase = view["turn"], view["phase"]

    history = tuple(
        TurnRecord(
            h["turn"],
            tuple(_order(sc, h["orders"][r]) for r in roles),
            tuple(_offer(sc, o) for o in h["offers"]),
            tuple(h["shocks"]),
        )
        for h in view["history"]
    )
    offers = tuple(_offer(sc, o) for o in view["offers"])
    ids = [o.id for o in offers] + [o.id for t in history for o in t.offers]
    next_offer = max(ids, default=0) + 1

    # Shock deck: the view lists what is in it; used-up shocks are inferred from the record.
    in_deck = set(view["shock_deck"])
    drawn = {x for t in history for x in t.shocks} | set(view["shocks_this_turn"])
    status = tuple(
        IN_DECK if sid in in_deck else USED if sid in drawn and not sc.shock_recurring[i] else OUT
        for i, sid in enumerate(sc.shock_ids)
    )
    delta = [0] * len(sc.shock_ids)
    model = sc.model
    for t in history:
        for order in t.orders:
            for card, _ in order:
                _reweights(sc, list(model.cards[card].effects), delta)
        for sid in t.shocks:
            if sid in sc.shock_index:
                _reweights(sc, list(model.shocks[sc.shock_index[sid]].effects), delta)
    for sid in view["shocks_this_turn"]:
        if sid in sc.shock_index:
            _reweights(sc, list(model.shocks[sc.shock_index[sid]].effects), delta)

    ready = tuple(bool(x["ready"]) for x in info)
    orders = tuple(_order(sc, view["my_order"]) if r == me else () for r in range(n))
    sealed = tuple(r for r in range(n) if r != me and ready[r]) if phase == ORDERS else ()
    revealed: tuple[tuple[int, ...], ...] = ((),) * n
    if history and history[-1].turn == turn and phase not in ("diplomacy", "orders", "shock"):
        revealed = tuple(tuple(c for c, _ in o) for o in history[-1].orders)

    pools, forced, sizes = [], [], []
    for r in range(n):
        gone = set(discards[r]) | set(removed[r])
        if r == me:
            gone |= set(my_hand)
        pools.append(tuple(c for c in sc.cards_by_role[r] if c not in gone))
        known = tuple(dict.fromkeys(o.give for o in offers if o.frm == r and r != me and o.turn == turn))
        forced.append(tuple(c for c in known if c in pools[r]))
        sizes.append(len(my_hand) if r == me else int(info[r]["hand_size"]))
    accepted = tuple(
        tuple(o.ask for o in offers if o.to == r and o.frm == me and o.status == "accepted") for r in range(n)
    )

    base = GameState(
        sc=sc,
        seed=0,
        rng=0,
        turn=turn,
        phase=phase,
        tracks=tuple(view["tracks"][t] for t in sc.track_ids),
        turn_start=tuple(view["turn_start"][t] for t in sc.track_ids),
        capital=tuple(int(x["capital"]) for x in info),
        hands=tuple(my_hand if r == me else () for r in range(n)),
        decks=((),) * n,
        discards=discards,
        removed=removed,
        orders=orders,
        ready=ready,
        offers=offers,
        next_offer=next_offer,
        revealed=revealed,
        flags=_flag_bits(sc, view["flags"]),
        windows=tuple(view["windows"].get(w, 0) for w in sc.window_ids),
        blocks=tuple(
            (KIND_INDEX[b["kind"]], sc.role_index[b["role"]] if b["role"] else -1, int(b["last_turn"]))
            for b in view["blocks"]
        ),
        shock_status=status,
        shock_delta=tuple(delta),
        shocks_this_turn=tuple(view["shocks_this_turn"]),
        ledger=(),
        history=history,
        messages=tuple(
            Message(x["turn"], sc.role_index[x["from"]], sc.role_index[x["to"]], x["text"]) for x in view["messages"]
        ),
        paused=bool(view["paused"]),
        diplomacy_locked=bool(view["diplomacy_locked"]),
        controllers=tuple(str(x["controller"]) for x in info),
        end_reason=view["end_reason"],
        checkpoints=(),
    )
    return Template(sc, me, base, tuple(pools), tuple(forced), tuple(sizes), sealed, accepted)


def determinize(sc: Compiled, view: Mapping[str, Any], seed: int) -> GameState:
    """A full state consistent with `view` (a :func:`~game.views.role_view`), hidden parts sampled from `seed`."""
    return prepare(sc, view).sample(seed)
