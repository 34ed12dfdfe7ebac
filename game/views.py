"""What each audience may see: one frozen view record per audience, and its JSON.

Three audiences:

* a role (:class:`RoleView`, :func:`role_record`): the public board plus its own hand,
  its own pending order, and the offers and messages it is party to;
* the public (:class:`PublicView`, :func:`public_record`): what a projector or
  spectator may show;
* the facilitator (:class:`FacilitatorView`, :func:`facilitator_record`): everything,
  including every hand and every sealed order, but never deck order or the random
  stream's position or seed.

Hidden until the reveal (§6.7, §5): other roles' hands, pending orders and offers
between other roles. Hidden always: deck order, the random stream, messages between
other roles.

**Records.** A view is a frozen, slotted record built from the state, holding the
engine's own indexed values: tuples of ints (tracks, capital, card and role indices) and
the state's own immutable records (:class:`~game.state.LedgerEntry`,
:class:`~game.state.Offer`, :class:`~game.state.Message`,
:class:`~game.state.TurnRecord`), filtered for the audience, plus the compiled scenario
``sc`` (public: every player has the scenario). Building one is mostly copying
references, so in-process agents get their view for a fraction of the cost of the JSON,
and read it without parsing strings back into indices. A record never holds the
:class:`~game.state.GameState` nor anything of it that the audience may not see: hands
and decks of others appear only as their sizes, orders and offers only as the audience
may know them, and the stream and deck order not at all.

Why three classes (``RoleView`` and ``FacilitatorView`` extending ``PublicView``) and not
one record with an audience field: what an audience may see is then a *type*. A
``PublicView`` has no field that could hold a hand or a sealed order, so a function
given the public record cannot leak one; an agent's ``act`` is typed to take a
``RoleView`` and can never be handed the facilitator's record by mistake (mypy says
so); and code that needs only the public board (the heuristic agent's
:class:`~game.agents.determinize.Board`, the RL encoder's public segments, the
server) takes a ``PublicView`` and works with any of the three.

Why plain classes with ``__slots__`` and ``Final`` fields rather than
``@dataclass(frozen=True, slots=True)``: compiled with mypyc, a frozen dataclass is
still built by the ``__init__`` the dataclasses module generates, which sets each of
the ~30 fields through ``object.__setattr__`` — about 4 µs a record, ten times the rest
of the work. A native class with ``Final`` attributes is built in about 0.2 µs and its
fields cannot be set or deleted from anywhere; the pure-Python engine gets the same
read-only guarantee from a ``__setattr__`` that refuses (see ``_pure_init``).

**Exact public facts.** The records keep what the public can know exactly, so that a
determinization (:mod:`game.agents.determinize`) loses nothing:

* ``shock_status`` (out / in the deck / used up, per shock) — which shocks are in the
  deck is shown, and a used-up shock is one that was drawn or injected, which is
  announced;
* ``shock_delta`` (accumulated weight changes, per shock). The engine changes it only
  through the ``reweight_shock`` effect (:meth:`game.work.Work.reweight_shock`), and
  effects run only for revealed cards at adjudication, drawn or injected shocks (named
  in ``shocks_this_turn`` and the history, custom ones included), and the scenario's
  pressures at upkeep — all public events. An effect nested in an ``if`` tests only
  public conditions (tracks, flags, windows, cards revealed, the target, the turn),
  and one nested in a roll depends on dice whose results are in the public ledger.
  So anyone who watched the game can compute it; the record just saves the work
  (and the old reconstruction from the dict view, which could not follow ``if``\\s and
  rolls, is gone);
* ``revealed`` (the cards each role revealed this turn; empty before the reveal).

**JSON.** :meth:`PublicView.to_json` (and the subclasses' overrides) give exactly the
dict views documented in docs/agents.md — strings and lists for people, the server's
wire, the TUI and external programs. :func:`role_view`, :func:`public_view` and
:func:`facilitator_view` are thin functions returning that JSON. ``to_json`` builds a
fresh dict each call (nothing a receiver does to it reaches the record or another
view): compiled, about 25 µs for a role mid-way through a standard game and 60 µs at
its end, most of it the ledger and history (see ``_LEDGER_DICTS``), where building the
record takes 0.4 µs. An agent that needs the JSON (to send it to a model) should build
it once per decision.

**Pickling.** Records cross process boundaries (the terminal UI's agent host, the
server's search worker) pickled *without* their compiled scenario: only its content
hash travels, and unpickling finds the scenario in the engine's cache
(:func:`game.engine.compiled`), where the receiving process must already have put it
(the sending process puts it there when it pickles).
"""

from __future__ import annotations

import copyreg
import inspect
from dataclasses import FrozenInstanceError
from typing import Any, Final

from game.compiled import KINDS, Compiled
from game.state import IN_DECK, OVER, GameState, LedgerEntry, Message, Offer, TurnRecord
from game.victory import met_terms, results

Order = tuple[tuple[int, int], ...]  # (card, target or -1) per card, in play order


class PublicView:
    """What everyone may see (a projector, a spectator); indices refer to ``sc``."""

    __slots__ = (
        "sc",
        "turn",
        "phase",
        "paused",
        "diplomacy_locked",
        "end_reason",
        "tracks",
        "turn_start",
        "flags",
        "windows",
        "blocks",
        "shock_status",
        "shock_delta",
        "shocks_this_turn",
        "capital",
        "hand_sizes",
        "deck_sizes",
        "discards",
        "removed",
        "ready",
        "controllers",
        "revealed",
        "history",
        "ledger",
        "met",
    )

    def __init__(
        self,
        sc: Compiled,
        turn: int,
        phase: str,
        paused: bool,
        diplomacy_locked: bool,
        end_reason: str,
        tracks: tuple[int, ...],
        turn_start: tuple[int, ...],
        flags: int,
        windows: tuple[int, ...],
        blocks: tuple[tuple[int, int, int], ...],
        shock_status: tuple[int, ...],
        shock_delta: tuple[int, ...],
        shocks_this_turn: tuple[str, ...],
        capital: tuple[int, ...],
        hand_sizes: tuple[int, ...],
        deck_sizes: tuple[int, ...],
        discards: tuple[tuple[int, ...], ...],
        removed: tuple[tuple[int, ...], ...],
        ready: tuple[bool, ...],
        controllers: tuple[str, ...],
        revealed: tuple[tuple[int, ...], ...],
        history: tuple[TurnRecord, ...],
        ledger: tuple[LedgerEntry, ...],
        met: tuple[tuple[bool, ...], ...],
    ) -> None:
        self.sc: Final = sc
        self.turn: Final = turn
        self.phase: Final = phase
        self.paused: Final = paused
        self.diplomacy_locked: Final = diplomacy_locked
        self.end_reason: Final = end_reason  # "" while the game runs
        self.tracks: Final = tracks
        self.turn_start: Final = turn_start  # track values when this turn began
        self.flags: Final = flags  # bitmask over sc.flag_ids
        self.windows: Final = windows  # last turn each window is open (open while >= turn)
        self.blocks: Final = blocks  # (kind, role or -1, last turn)
        self.shock_status: Final = shock_status  # OUT / IN_DECK / USED per shock (game.state)
        self.shock_delta: Final = shock_delta  # accumulated reweights per shock (see the module docstring)
        self.shocks_this_turn: Final = (
            shocks_this_turn  # ids of the shocks drawn or injected this turn (custom ones too)
        )
        self.capital: Final = capital  # per role
        self.hand_sizes: Final = hand_sizes  # per role
        self.deck_sizes: Final = deck_sizes  # per role
        self.discards: Final = discards  # per role
        self.removed: Final = removed  # per role
        self.ready: Final = ready  # done (diplomacy) / sealed (orders), per role
        self.controllers: Final = controllers  # per role: "human", "ai:<spec>", ...
        self.revealed: Final = revealed  # cards each role revealed this turn (empty before the reveal)
        self.history: Final = history  # every reveal so far: orders, offers and their outcomes, shocks
        self.ledger: Final = ledger
        self.met: Final = met  # per role, per objective term, once the game is over; () before

    @property
    def over(self) -> bool:
        return self.phase == OVER

    def to_json(self) -> dict[str, Any]:
        """The public view as JSON-ready data (the shape docs/agents.md documents)."""
        return _public_json(self)


class RoleView(PublicView):
    """What one role may see: the public board plus its own hand, order, offers and messages."""

    __slots__ = (
        "role",
        "hand",
        "my_order",
        "offers",
        "messages",
    )

    def __init__(
        self,
        sc: Compiled,
        turn: int,
        phase: str,
        paused: bool,
        diplomacy_locked: bool,
        end_reason: str,
        tracks: tuple[int, ...],
        turn_start: tuple[int, ...],
        flags: int,
        windows: tuple[int, ...],
        blocks: tuple[tuple[int, int, int], ...],
        shock_status: tuple[int, ...],
        shock_delta: tuple[int, ...],
        shocks_this_turn: tuple[str, ...],
        capital: tuple[int, ...],
        hand_sizes: tuple[int, ...],
        deck_sizes: tuple[int, ...],
        discards: tuple[tuple[int, ...], ...],
        removed: tuple[tuple[int, ...], ...],
        ready: tuple[bool, ...],
        controllers: tuple[str, ...],
        revealed: tuple[tuple[int, ...], ...],
        history: tuple[TurnRecord, ...],
        ledger: tuple[LedgerEntry, ...],
        met: tuple[tuple[bool, ...], ...],
        role: int,
        hand: tuple[int, ...],
        my_order: Order,
        offers: tuple[Offer, ...],
        messages: tuple[Message, ...],
    ) -> None:
        super().__init__(
            sc,
            turn,
            phase,
            paused,
            diplomacy_locked,
            end_reason,
            tracks,
            turn_start,
            flags,
            windows,
            blocks,
            shock_status,
            shock_delta,
            shocks_this_turn,
            capital,
            hand_sizes,
            deck_sizes,
            discards,
            removed,
            ready,
            controllers,
            revealed,
            history,
            ledger,
            met,
        )
        self.role: Final = role
        self.hand: Final = hand
        self.my_order: Final = my_order
        self.offers: Final = offers  # this turn's offers the role made or received
        self.messages: Final = messages  # the messages the role sent or received

    def to_json(self) -> dict[str, Any]:
        sc = self.sc
        v = _public_json(self)
        v["role"] = sc.role_ids[self.role]
        v["hand"] = [sc.card_ids[c] for c in self.hand]
        v["my_order"] = _order_json(sc, self.my_order)
        v["offers"] = [_offer_json(sc, o) for o in self.offers]
        v["messages"] = [_message_json(sc, m) for m in self.messages]
        return v


class FacilitatorView(PublicView):
    """Everything but deck order and the random stream: every hand, order, offer and message."""

    __slots__ = (
        "hands",
        "orders",
        "offers",
        "messages",
    )

    def __init__(
        self,
        sc: Compiled,
        turn: int,
        phase: str,
        paused: bool,
        diplomacy_locked: bool,
        end_reason: str,
        tracks: tuple[int, ...],
        turn_start: tuple[int, ...],
        flags: int,
        windows: tuple[int, ...],
        blocks: tuple[tuple[int, int, int], ...],
        shock_status: tuple[int, ...],
        shock_delta: tuple[int, ...],
        shocks_this_turn: tuple[str, ...],
        capital: tuple[int, ...],
        hand_sizes: tuple[int, ...],
        deck_sizes: tuple[int, ...],
        discards: tuple[tuple[int, ...], ...],
        removed: tuple[tuple[int, ...], ...],
        ready: tuple[bool, ...],
        controllers: tuple[str, ...],
        revealed: tuple[tuple[int, ...], ...],
        history: tuple[TurnRecord, ...],
        ledger: tuple[LedgerEntry, ...],
        met: tuple[tuple[bool, ...], ...],
        hands: tuple[tuple[int, ...], ...],
        orders: tuple[Order, ...],
        offers: tuple[Offer, ...],
        messages: tuple[Message, ...],
    ) -> None:
        super().__init__(
            sc,
            turn,
            phase,
            paused,
            diplomacy_locked,
            end_reason,
            tracks,
            turn_start,
            flags,
            windows,
            blocks,
            shock_status,
            shock_delta,
            shocks_this_turn,
            capital,
            hand_sizes,
            deck_sizes,
            discards,
            removed,
            ready,
            controllers,
            revealed,
            history,
            ledger,
            met,
        )
        self.hands: Final = hands
        self.orders: Final = orders  # every role's pending order
        self.offers: Final = offers  # all of this turn's offers
        self.messages: Final = messages  # all messages

    def to_json(self) -> dict[str, Any]:
        sc = self.sc
        v = _public_json(self)
        v["hands"] = {sc.role_ids[i]: [sc.card_ids[c] for c in h] for i, h in enumerate(self.hands)}
        v["pending_orders"] = {sc.role_ids[i]: _order_json(sc, o) for i, o in enumerate(self.orders)}
        v["offers"] = [_offer_json(sc, o) for o in self.offers]
        v["messages"] = [_message_json(sc, m) for m in self.messages]
        return v


def _read_only(self: object, name: str, value: object = None) -> None:
    raise FrozenInstanceError(f"cannot assign to or delete field {name!r} of a view record")


def _pure_init(cls: type) -> Any:
    """An ``__init__`` for the pure-Python engine that sets each slot through its
    descriptor (``__setattr__`` refuses everything), positionally or by keyword."""
    sig = inspect.signature(cls)  # __init__'s, without self
    names = list(sig.parameters)
    slots = [next(k.__dict__[n] for k in cls.__mro__ if n in k.__dict__) for n in names]

    def __init__(self: object, *args: object, **kwargs: object) -> None:
        if kwargs or len(args) != len(slots):
            args = tuple(sig.bind(*args, **kwargs).arguments.values())
        for slot, value in zip(slots, args):
            slot.__set__(self, value)

    return __init__


if not hasattr(PublicView, "__mypyc_attrs__"):
    # Compiled, the records are native classes whose Final attributes cannot be set or
    # deleted at all (see the module docstring). The pure-Python engine gets the same
    # guarantee from these.
    for _cls in (PublicView, RoleView, FacilitatorView):
        _cls.__init__ = _pure_init(_cls)  # type: ignore[method-assign]
        _cls.__setattr__ = _read_only  # type: ignore[method-assign]
        _cls.__delattr__ = _read_only  # type: ignore[method-assign]


# ----------------------------------------------------------------------- building


def _sizes(piles: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    return tuple([len(p) for p in piles])


def public_record(s: GameState) -> PublicView:
    """The public view of `s` (mostly references to the state's own immutable parts)."""
    return PublicView(
        s.sc,
        s.turn,
        s.phase,
        s.paused,
        s.diplomacy_locked,
        s.end_reason,
        s.tracks,
        s.turn_start,
        s.flags,
        s.windows,
        s.blocks,
        s.shock_status,
        s.shock_delta,
        s.shocks_this_turn,
        s.capital,
        _sizes(s.hands),
        _sizes(s.decks),
        s.discards,
        s.removed,
        s.ready,
        s.controllers,
        s.revealed,
        s.history,
        s.ledger,
        met_terms(s) if s.phase == OVER else (),
    )


def role_record(s: GameState, role: int | str) -> RoleView:
    """What `role` (an index or a role id) may see of `s`: the record agents are given."""
    r = s.sc.role_index[role] if isinstance(role, str) else role
    offers = tuple([o for o in s.offers if o.frm == r or o.to == r]) if s.offers else ()
    messages = tuple([m for m in s.messages if m.frm == r or m.to == r]) if s.messages else ()
    return RoleView(
        s.sc,
        s.turn,
        s.phase,
        s.paused,
        s.diplomacy_locked,
        s.end_reason,
        s.tracks,
        s.turn_start,
        s.flags,
        s.windows,
        s.blocks,
        s.shock_status,
        s.shock_delta,
        s.shocks_this_turn,
        s.capital,
        _sizes(s.hands),
        _sizes(s.decks),
        s.discards,
        s.removed,
        s.ready,
        s.controllers,
        s.revealed,
        s.history,
        s.ledger,
        met_terms(s) if s.phase == OVER else (),
        r,
        s.hands[r],
        s.orders[r],
        offers,
        messages,
    )


def facilitator_record(s: GameState) -> FacilitatorView:
    """The facilitator's view of `s`: all but deck order and the random stream."""
    return FacilitatorView(
        s.sc,
        s.turn,
        s.phase,
        s.paused,
        s.diplomacy_locked,
        s.end_reason,
        s.tracks,
        s.turn_start,
        s.flags,
        s.windows,
        s.blocks,
        s.shock_status,
        s.shock_delta,
        s.shocks_this_turn,
        s.capital,
        _sizes(s.hands),
        _sizes(s.decks),
        s.discards,
        s.removed,
        s.ready,
        s.controllers,
        s.revealed,
        s.history,
        s.ledger,
        met_terms(s) if s.phase == OVER else (),
        s.hands,
        s.orders,
        s.offers,
        s.messages,
    )


# ------------------------------------------------------------------------- JSON


def public_view(s: GameState) -> dict[str, Any]:
    """The public view as JSON-ready data."""
    return _public_json(public_record(s))


def role_view(s: GameState, role: int | str) -> dict[str, Any]:
    """`role`'s view as JSON-ready data (what external programs receive)."""
    return role_record(s, role).to_json()


def facilitator_view(s: GameState) -> dict[str, Any]:
    """The facilitator's view as JSON-ready data."""
    return facilitator_record(s).to_json()


def _offer_json(sc: Compiled, o: Offer) -> dict[str, Any]:
    return {
        "id": o.id,
        "turn": o.turn,
        "from": sc.role_ids[o.frm],
        "to": sc.role_ids[o.to],
        "ask": sc.card_ids[o.ask],
        "give": sc.card_ids[o.give],
        "status": o.status,
        "outcome": o.outcome,
    }


def _message_json(sc: Compiled, m: Message) -> dict[str, Any]:
    return {"turn": m.turn, "from": sc.role_ids[m.frm], "to": sc.role_ids[m.to], "text": m.text}


def _order_json(sc: Compiled, order: Order) -> list[dict[str, str]]:
    return [{"card": sc.card_ids[c], "target": sc.role_ids[t] if t >= 0 else ""} for c, t in order]


def history_json(sc: Compiled, history: tuple[TurnRecord, ...]) -> list[dict[str, Any]]:
    """The history as the views' JSON shows it (fresh lists and dicts)."""
    roles = sc.role_ids
    return [
        {
            "turn": t.turn,
            "orders": {roles[i]: _order_json(sc, o) for i, o in enumerate(t.orders)},
            "offers": [_offer_json(sc, o) for o in t.offers],
            "shocks": list(t.shocks),
        }
        for t in history
    ]


#: Ledger entries as dicts, by value. Every view's JSON carries the whole ledger (hundreds
#: of entries by the end), and converting each entry again was most of its cost: copying
#: a cached dict is about twice as fast as building it (a finished standard game's 244
#: entries: 30 µs against 54 µs compiled, 32 against 105 µs pure Python). The JSON still
#: gets fresh copies: nothing a receiver does to its view reaches another view or the cache.
_LEDGER_DICTS: dict[LedgerEntry, dict[str, Any]] = {}
_LEDGER_CACHE_MAX = 20_000  # about a hundred games: at most a few MiB, flat over any batch


def ledger_json(ledger: tuple[LedgerEntry, ...]) -> list[dict[str, Any]]:
    """The ledger as the views' JSON shows it (fresh dicts, copied from the cache)."""
    cache = _LEDGER_DICTS
    if len(cache) > _LEDGER_CACHE_MAX:
        cache.clear()
    out = []
    for e in ledger:
        d = cache.get(e)
        if d is None:
            d = cache[e] = e._asdict()
        out.append(d.copy())
    return out


def _public_json(v: PublicView) -> dict[str, Any]:
    sc = v.sc
    roles = sc.role_ids
    turn = v.turn
    card_ids = sc.card_ids
    return {
        "scenario": sc.model.scenario.id,
        "turn": turn,
        "turns": sc.rules.turns,
        "phase": v.phase,
        "paused": v.paused,
        "diplomacy_locked": v.diplomacy_locked,
        "end_reason": v.end_reason,
        "tracks": dict(zip(sc.track_ids, v.tracks)),
        "turn_start": dict(zip(sc.track_ids, v.turn_start)),
        "flags": [f for i, f in enumerate(sc.flag_ids) if v.flags >> i & 1],
        "windows": {w: last for w, last in zip(sc.window_ids, v.windows) if last >= turn},
        "blocks": [
            {"kind": KINDS[k], "role": roles[r] if r >= 0 else "", "last_turn": last} for k, r, last in v.blocks
        ],
        "shock_deck": [sc.shock_ids[i] for i, st in enumerate(v.shock_status) if st == IN_DECK],
        "shocks_this_turn": list(v.shocks_this_turn),
        "roles": {
            r: {
                "capital": v.capital[i],
                "hand_size": v.hand_sizes[i],
                "deck_size": v.deck_sizes[i],
                "discard": [card_ids[c] for c in v.discards[i]],
                "removed": [card_ids[c] for c in v.removed[i]],
                "ready": v.ready[i],
                "controller": v.controllers[i],
            }
            for i, r in enumerate(roles)
        },
        "history": history_json(sc, v.history),
        "ledger": ledger_json(v.ledger),
        "results": results(sc, v.met) if v.phase == OVER else None,
    }


# ----------------------------------------------------------------------- pickling

_PUBLIC_FIELDS = (
    "turn",
    "phase",
    "paused",
    "diplomacy_locked",
    "end_reason",
    "tracks",
    "turn_start",
    "flags",
    "windows",
    "blocks",
    "shock_status",
    "shock_delta",
    "shocks_this_turn",
    "capital",
    "hand_sizes",
    "deck_sizes",
    "discards",
    "removed",
    "ready",
    "controllers",
    "revealed",
    "history",
    "ledger",
    "met",
)
#: Each audience's fields after ``sc``, in constructor order.
FIELDS: dict[str, tuple[str, ...]] = {
    "public": _PUBLIC_FIELDS,
    "role": (*_PUBLIC_FIELDS, "role", "hand", "my_order", "offers", "messages"),
    "facilitator": (*_PUBLIC_FIELDS, "hands", "orders", "offers", "messages"),
}


def audience(v: PublicView) -> str:
    """``"role"``, ``"facilitator"`` or ``"public"``: the key of `v`'s fields in :data:`FIELDS`."""
    if isinstance(v, RoleView):
        return "role"
    if isinstance(v, FacilitatorView):
        return "facilitator"
    return "public"


def _reduce(v: PublicView) -> tuple[Any, tuple[Any, ...]]:
    from game.engine import remember  # the engine imports this module

    remember(v.sc)  # so that this process can unpickle it too
    kind = audience(v)
    return restore, (kind, v.sc.content_hash, tuple([getattr(v, f) for f in FIELDS[kind]]))


def restore(kind: str, content_hash: str, fields: tuple[Any, ...]) -> PublicView:
    """A pickled record again, with the compiled scenario of `content_hash` from the
    engine's cache (see the module docstring)."""
    from game.engine import known  # the engine imports this module

    sc = known(content_hash)
    if sc is None:
        raise LookupError(
            f"scenario {content_hash} is not compiled in this process; compile it before unpickling views"
        )
    if kind == "role":
        return RoleView(sc, *fields)
    if kind == "facilitator":
        return FacilitatorView(sc, *fields)
    return PublicView(sc, *fields)


for _cls in (PublicView, RoleView, FacilitatorView):
    copyreg.pickle(_cls, _reduce)
