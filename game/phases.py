"""The automatic phases: shock (§4), adjudication (§7) and upkeep (§8).

Each runs on a :class:`~game.work.Work` copy in the fixed order the rulebook
documents, and the engine advances through them until a phase needs the players
(diplomacy, orders) or the game ends.
"""

from __future__ import annotations

from itertools import repeat

from game.causes import DECLINED_OUTCOME, DRAW, DRIFT, INCOME, accepted_outcome, broken_offer_cause
from game.compiled import SUSPEND_BOTH, SUSPEND_UP, Compiled, DriftRule
from game.state import (
    ACCEPTED,
    ADJUDICATION,
    DECLINED,
    IN_DECK,
    OUT,
    OVER,
    PENDING,
    SHOCK,
    UPKEEP,
    USED,
    GameState,
    Offer,
    TurnRecord,
)
from game.work import Work


def draw_shocks(w: Work, count: int) -> None:
    """§4.3-4.4: weighted draws without replacement, then apply each drawn shock."""
    sc = w.sc
    base, delta, mods = sc.shock_weight, w.shock_delta, sc.shock_mods
    drawn: list[int] = []
    for _ in range(count):
        candidates: list[int] = []
        weights: list[int] = []
        total = 0
        for i, st in enumerate(w.shock_status):
            if st != IN_DECK or i in drawn:
                continue
            wt = base[i] + delta[i]
            if mods[i]:
                for cond, add in mods[i]:
                    if cond(w):
                        wt += add
            if wt > 0:
                candidates.append(i)
                weights.append(wt)
                total += wt
        if not candidates:
            return
        pick = w.below(total)
        chosen = candidates[-1]
        for sh, wt in zip(candidates, weights):
            if pick < wt:
                chosen = sh
                break
            pick -= wt
        drawn.append(chosen)
        apply_shock(w, chosen, sc.shock_cause[chosen])


def apply_shock(w: Work, sh: int, cause: str) -> None:
    sc = w.sc
    w.shocks_this_turn.append(sc.shock_ids[sh])
    if not sc.shock_recurring[sh]:
        w.shock_status[sh] = USED
    w.cause, w.owner, w.target = cause, -1, -1
    for f in sc.shock_effects[sh]:
        f(w)


def run_shock(w: Work) -> None:
    w.shocks_this_turn = []
    count = w.sc.rules.shocks_per_turn
    if w.tracks[w.sc.stability] <= w.sc.rules.extra_shock_at_or_below:
        count += 1
    draw_shocks(w, count)


def run_adjudication(w: Work) -> None:
    sc = w.sc
    orders = w.orders
    cost, cost_cause, rank, kind = sc.card_cost, sc.cost_cause, sc.resolution_rank, sc.card_kind
    # §7.1 reveal and pay; meanwhile list the cards for §7.2 (one pass over the orders).
    revealed = []
    payments = []
    queue = []
    for role, order in enumerate(orders):
        cards = []
        for pos, (card, target) in enumerate(order):
            cards.append(card)
            payments.append((role, -cost[card], cost_cause[card]))
            queue.append((rank[kind[card]], role, pos, card, target))
        revealed.append(tuple(cards))
    w.revealed = tuple(revealed)
    w.gain_capital_all(payments)
    # §7.2 resolve by kind rank, then role order, then play order.
    queue.sort()
    effects, causes, remove = sc.card_effects, sc.card_cause, sc.card_remove
    for _, role, _, card, target in queue:
        w.cause, w.owner, w.target, w.roll_note = causes[card], role, target, ""
        for f in effects[card]:
            f(w)
        if card in w.hands[role]:
            w.discard(role, card, remove[card])
    w.owner = w.target = -1
    # §7.3 offers.
    settled = []
    penalty = sc.rules.broken_offer_penalty
    shown = w.revealed
    for o in w.offers:
        if o.status != ACCEPTED:
            settled.append(_new(Offer, (o.id, o.turn, o.frm, o.to, o.ask, o.give, DECLINED, DECLINED_OUTCOME)))
            continue
        breakers = []
        if o.give not in shown[o.frm]:
            breakers.append(o.frm)
        if o.ask not in shown[o.to]:
            breakers.append(o.to)
        for r in breakers:
            w.cause = broken_offer_cause(o.id)
            w.gain_capital(r, -penalty)
        outcome = accepted_outcome([sc.role_ids[r] for r in breakers])
        settled.append(_new(Offer, (o.id, o.turn, o.frm, o.to, o.ask, o.give, o.status, outcome)))
    w.offers = tuple(settled)
    w.history = (*w.history, _new(TurnRecord, (w.turn, orders, w.offers, tuple(w.shocks_this_turn))))


def run_pressures(w: Work) -> None:
    """§8.1, first part: each pressure whose condition holds applies its effects."""
    for p in w.sc.pressures:
        if p.when is None or p.when(w):
            w.cause, w.owner, w.target, w.roll_note = p.cause, -1, -1, ""
            for f in p.effects:
                f(w)


def drift_move(sc: Compiled, d: DriftRule, tracks: list[int], held: bool) -> int:
    """§8.1: how far drift `d` moves its track this upkeep (0 when a window holds it).

    Shared by the upkeep and by the search agent's projection of the upkeeps to come, so
    the two can never disagree about the rule."""
    if held and d.suspend == SUSPEND_BOTH:
        return 0
    i = d.track
    base = d.base
    for src, num, den in d.terms:
        base += tracks[src] * num // den
    if base > sc.track_max[i]:
        base = sc.track_max[i]
    elif base < sc.track_min[i]:
        base = sc.track_min[i]
    gap = base - tracks[i]
    if held and (gap > 0 if d.suspend == SUSPEND_UP else gap < 0):
        return 0
    return d.rate if gap > d.rate else -d.rate if gap < -d.rate else gap


def run_drift(w: Work) -> None:
    """§8.1, second part: tracks relax toward their baselines, in track order."""
    sc = w.sc
    w.cause = DRIFT
    windows, turn = w.windows, w.turn
    for d in sc.drift:
        held = bool(d.suspended_by) and _any_open(windows, d.suspended_by, turn)
        move = drift_move(sc, d, w.tracks, held)
        if move:
            w.shift(d.track, move)


def run_upkeep(w: Work) -> None:
    sc = w.sc
    # §8.1 pressures, then drift.
    if sc.pressures:
        run_pressures(w)
    run_drift(w)
    # §8.2 expiries.
    w.windows = [0 if last <= w.turn else last for last in w.windows]
    if w.blocks:
        w.blocks = [b for b in w.blocks if b[2] > w.turn]
    # §8.3 shock-deck update.
    status = w.shock_status
    for sh, add_when, remove_when in sc.shock_triggers:
        if status[sh] == OUT:
            if add_when is not None and add_when(w):
                status[sh] = IN_DECK
        elif status[sh] == IN_DECK and remove_when is not None and remove_when(w):
            status[sh] = OUT
    # §8.4 income.
    w.cause = INCOME
    w.gain_capital_all(zip(range(len(sc.role_income)), sc.role_income, repeat(INCOME)))
    # §8.5 last turn.
    if w.turn >= sc.rules.turns:
        w.phase, w.end_reason = OVER, "last turn"
        return
    # §8.6 draw.
    w.cause = DRAW
    for role, size in enumerate(sc.role_hand_size):
        need = size - len(w.hands[role])
        if need > 0:
            w.draw(role, need)
    # §8.7 next turn.
    w.turn += 1


def _any_open(windows: list[int], which: tuple[int, ...], turn: int) -> bool:
    """Whether any window in `which` is open on `turn`."""
    for x in which:  # noqa: SIM110 - a plain loop: any() would build a generator per call
        if windows[x] >= turn:
            return True
    return False


def begin_turn(s: GameState) -> GameState:
    """Reset the per-turn fields; the state at this point is the turn's checkpoint.

    :meth:`Work.restart` relies on this changing only the fields set here."""
    n = len(s.sc.role_ids)
    empty = _EMPTY[n]
    fields = list(s)  # tuple surgery: several times cheaper than NamedTuple._replace
    fields[_PHASE] = s.sc.phases[0]
    fields[_ORDERS] = empty
    fields[_READY] = _NOT_READY[n]
    fields[_OFFERS] = ()
    fields[_REVEALED] = empty
    fields[_SHOCKS_THIS_TURN] = ()
    fields[_TURN_START] = s.tracks
    fresh = _new(GameState, fields)
    fields[_CHECKPOINTS] = s.checkpoints[: s.turn - 1] + (fresh,)
    return _new(GameState, fields)


_new = tuple.__new__  # builds a NamedTuple from a sequence without its argument parsing
_FIELD = {name: i for i, name in enumerate(GameState._fields)}
_PHASE, _ORDERS, _READY, _OFFERS = _FIELD["phase"], _FIELD["orders"], _FIELD["ready"], _FIELD["offers"]
_REVEALED, _SHOCKS_THIS_TURN = _FIELD["revealed"], _FIELD["shocks_this_turn"]
_TURN_START, _CHECKPOINTS = _FIELD["turn_start"], _FIELD["checkpoints"]
_NOT_READY = tuple((False,) * n for n in range(9))
_EMPTY: tuple[tuple[tuple[()], ...], ...] = tuple(((),) * n for n in range(9))
_AUTOMATIC = {SHOCK: run_shock, ADJUDICATION: run_adjudication, UPKEEP: run_upkeep}


def advance(s: GameState) -> GameState:
    """Run automatic phases until players must act or the game is over.

    Consecutive automatic phases share one working copy; the state is frozen only
    where a turn begins (its checkpoint) and where players must act.
    """
    sc = s.sc
    phases = sc.phases
    while True:
        phase = s.phase
        if phase == OVER:
            return s
        if phase not in _AUTOMATIC:
            if not all(s.ready):
                return s
            s = _next_phase(s)
            continue
        w = Work(s)
        while True:
            turn = w.turn
            _AUTOMATIC[w.phase](w)
            if w.phase != OVER and w.crisis():  # §7.4 / §10.1, after every automatic phase
                w.phase, w.end_reason = OVER, "crisis"
            if w.phase == OVER:
                return w.freeze()
            if w.turn != turn:  # upkeep finished the turn
                s = begin_turn(w.freeze())
                if s.phase not in _AUTOMATIC:
                    break
                w.restart(s)  # the next turn opens with an automatic phase: keep working
                continue
            i = phases.index(w.phase) + 1
            w.phase = phases[i]
            if w.phase not in _AUTOMATIC:
                w.ready = _NOT_READY[len(w.ready)]
                s = w.freeze()
                break


def _next_phase(s: GameState) -> GameState:
    fields = list(s)
    fields[_PHASE] = s.sc.phases[s.sc.phases.index(s.phase) + 1]
    fields[_READY] = _NOT_READY[len(s.ready)]
    return _new(GameState, fields)


def settle_unanswered(offers: tuple[Offer, ...], role: int) -> tuple[Offer, ...]:
    """§6.6: sealing declines offers to `role` still pending (`offers` itself when none is)."""
    settled: list[Offer] | None = None
    for i, o in enumerate(offers):
        if o.to == role and o.status == PENDING:
            if settled is None:
                settled = list(offers)
            settled[i] = _new(Offer, (o.id, o.turn, o.frm, o.to, o.ask, o.give, DECLINED, o.outcome))
    return offers if settled is None else tuple(settled)
