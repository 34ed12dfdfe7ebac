"""Full game states consistent with what one role can see.

Search agents must not read the real :class:`~game.state.GameState`: it holds other
roles' hands, sealed orders and the random stream. Instead they *determinize*: build
a complete state from the role's view (a :class:`~game.views.RoleView` record), filling
every hidden field with a plausible sample. Searching many such samples is
information-set search (Cowling et al. 2012).

What is copied from the view (public, or the role's own), as the engine's own values:
tracks, turn-start values, capital, flags, windows, blocks, the shock deck's status
(used-up shocks included) and the shocks' weight changes, discards, removed cards, this
turn's revealed cards, the public history, the turn, phase, ready flags, controllers,
the role's own hand, its own pending order, and the offers and messages it is party to.
Nothing public is lost: the view record carries exactly what the public can know (see
:mod:`game.views`).

What is sampled (hidden from the role):

* other roles' hands: ``hand_size`` cards uniformly from that role's cards that are
  not in its (public) discard or removed piles, always including the cards it offered
  to this role this turn (an offer's ``give`` card was in hand when it was made);
* all decks (deck order is hidden from everyone, even the owner): the remaining cards,
  shuffled;
* other roles' pending orders: empty while they have not sealed, otherwise a random
  legal order built from the sampled hand;
* the random stream: the given seed, from draw 0 (future chance is unknown).

The ledger is left empty and there are no checkpoints; neither affects future play.

:func:`prepare` does the work that does not depend on the sample once; :meth:`Template.sample` is then cheap
enough to run once per search iteration.
"""

from __future__ import annotations

from dataclasses import dataclass

from game import rng
from game.commands import Command
from game.compiled import Compiled
from game.rules import apply_fast, legal_actions
from game.state import ORDERS, GameState
from game.views import PublicView, RoleView

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

    def __init__(self, view: PublicView) -> None:
        self.turn: int = view.turn
        self.tracks = view.tracks
        self.turn_start = view.turn_start
        self.flags = view.flags
        self.windows = view.windows
        self.capital = view.capital
        history = view.history
        self.revealed: tuple[tuple[int, ...], ...]
        if history:
            self.revealed = tuple([tuple([c for c, _ in o]) for o in history[-1].orders])
        else:
            self.revealed = ((),) * len(view.capital)


@dataclass(frozen=True, slots=True)
class Template:
    """A view prepared once: the public fields of a state, plus what is left to sample."""

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


def prepare(view: RoleView) -> Template:
    """A role's view as a :class:`Template` (all the work that does not depend on the sample)."""
    sc = view.sc
    me = view.role
    n = len(sc.role_ids)
    my_hand = view.hand
    turn, phase = view.turn, view.phase
    history, offers, ready = view.history, view.offers, view.ready
    ids = [o.id for o in offers] + [o.id for t in history for o in t.offers]
    next_offer = max(ids, default=0) + 1
    orders = tuple([view.my_order if r == me else () for r in range(n)])
    sealed = tuple([r for r in range(n) if r != me and ready[r]]) if phase == ORDERS else ()

    pools, forced, sizes = [], [], []
    for r in range(n):
        gone = set(view.discards[r]) | set(view.removed[r])
        if r == me:
            gone |= set(my_hand)
        pools.append(tuple([c for c in sc.cards_by_role[r] if c not in gone]))
        known = tuple(dict.fromkeys([o.give for o in offers if o.frm == r and r != me and o.turn == turn]))
        forced.append(tuple([c for c in known if c in pools[r]]))
        sizes.append(len(my_hand) if r == me else view.hand_sizes[r])
    accepted = tuple(
        [tuple([o.ask for o in offers if o.to == r and o.frm == me and o.status == "accepted"]) for r in range(n)]
    )

    base = GameState(
        sc=sc,
        seed=0,
        rng=0,
        turn=turn,
        phase=phase,
        tracks=view.tracks,
        turn_start=view.turn_start,
        capital=view.capital,
        hands=tuple([my_hand if r == me else () for r in range(n)]),
        decks=((),) * n,
        discards=view.discards,
        removed=view.removed,
        orders=orders,
        ready=ready,
        offers=offers,
        next_offer=next_offer,
        revealed=view.revealed,
        flags=view.flags,
        windows=view.windows,
        blocks=view.blocks,
        shock_status=view.shock_status,
        shock_delta=view.shock_delta,
        shocks_this_turn=view.shocks_this_turn,
        ledger=(),
        history=history,
        messages=view.messages,
        paused=view.paused,
        diplomacy_locked=view.diplomacy_locked,
        controllers=view.controllers,
        end_reason=view.end_reason,
        checkpoints=(),
    )
    return Template(sc, me, base, tuple(pools), tuple(forced), tuple(sizes), sealed, accepted)


def determinize(view: RoleView, seed: int) -> GameState:
    """A full state consistent with `view` (a :class:`~game.views.RoleView`), hidden parts sampled from `seed`."""
    return prepare(view).sample(seed)
