"""The automatic phases: shock (§4), adjudication (§7) and upkeep (§8).

Each runs on a :class:`~game.work.Work` copy in the fixed order the rulebook
documents, and the engine advances through them until a phase needs the players
(diplomacy, orders) or the game ends.
"""

from __future__ import annotations

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
    drawn: set[int] = set()
    for _ in range(count):
        candidates: list[int] = []
        weights: list[int] = []
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
        if not candidates:
            return
        pick = w.below(sum(weights))
        chosen = candidates[-1]
        for sh, wt in zip(candidates, weights):
            if pick < wt:
                chosen = sh
                break
            pick -= wt
        drawn.add(chosen)
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
    # §7.1 reveal and pay.
    w.revealed = tuple(tuple(card for card, _ in order) for order in orders)
    for role, order in enumerate(orders):
        for card, _ in order:
            w.cause = sc.cost_cause[card]
            w.gain_capital(role, -sc.card_cost[card])
    # §7.2 resolve by kind rank, then role order, then play order.
    queue = sorted(
        (sc.resolution_rank[sc.card_kind[card]], role, pos, card, target)
        for role, order in enumerate(orders)
        for pos, (card, target) in enumerate(order)
    )
    for _, role, _, card, target in queue:
        w.cause, w.owner, w.target, w.roll_note = sc.card_cause[card], role, target, ""
        for f in sc.card_effects[card]:
            f(w)
        if card in w.hands[role]:
            w.discard(role, card, sc.card_remove[card])
    w.owner = w.target = -1
    # §7.3 offers.
    settled = []
    penalty = sc.rules.broken_offer_penalty
    for o in w.offers:
        if o.status != ACCEPTED:
            settled.append(Offer(o.id, o.turn, o.frm, o.to, o.ask, o.give, DECLINED, "declined"))
            continue
        breakers = [r for r, card in ((o.frm, o.give), (o.to, o.ask)) if card not in w.revealed[r]]
        for r in breakers:
            w.cause = f"offer:{o.id}:broken"
            w.gain_capital(r, -penalty)
        outcome = "broken:" + ",".join(sc.role_ids[r] for r in breakers) if breakers else "kept"
        settled.append(Offer(o.id, o.turn, o.frm, o.to, o.ask, o.give, o.status, outcome))
    w.offers = tuple(settled)
    w.history = w.history + (TurnRecord(w.turn, orders, w.offers, tuple(w.shocks_this_turn)),)


def run_upkeep(w: Work) -> None:
    sc = w.sc
    # §8.1 drift.
    w.cause = "drift"
    windows, turn = w.windows, w.turn
    for d in sc.drift:
        if d.suspended_by and any(windows[x] >= turn for x in d.suspended_by):
            continue
        base = d.base + (w.tracks[d.source] * d.num // d.den if d.source >= 0 else 0)
        base = min(sc.track_max[d.track], max(sc.track_min[d.track], base))
        gap = base - w.tracks[d.track]
        if gap:
            w.shift(d.track, max(-d.rate, min(d.rate, gap)))
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
    w.cause = "income"
    for role, income in enumerate(sc.role_income):
        w.gain_capital(role, income)
    # §8.5 last turn.
    if w.turn >= sc.rules.turns:
        w.phase, w.end_reason = OVER, "last turn"
        return
    # §8.6 draw.
    w.cause = "draw"
    for role, size in enumerate(sc.role_hand_size):
        need = size - len(w.hands[role])
        if need > 0:
            w.draw(role, need)
    # §8.7 next turn.
    w.turn += 1


def begin_turn(s: GameState) -> GameState:
    """Reset the per-turn fields; the state at this point is the turn's checkpoint."""
    n = len(s.sc.role_ids)
    empty = _EMPTY[n]
    fresh = s._replace(
        phase=s.sc.phases[0],
        orders=empty,
        ready=_NOT_READY[n],
        offers=(),
        revealed=empty,
        shocks_this_turn=(),
        turn_start=s.tracks,
    )
    return fresh._replace(checkpoints=s.checkpoints[: s.turn - 1] + (fresh,))


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
                break
            i = phases.index(w.phase) + 1
            w.phase = phases[i]
            if w.phase not in _AUTOMATIC:
                w.ready = _NOT_READY[len(w.ready)]
                s = w.freeze()
                break


def _next_phase(s: GameState) -> GameState:
    nxt = s.sc.phases[s.sc.phases.index(s.phase) + 1]
    return s._replace(phase=nxt, ready=_NOT_READY[len(s.ready)])


def settle_unanswered(offers: tuple[Offer, ...], role: int) -> tuple[Offer, ...]:
    """§6.6: sealing declines offers to `role` still pending."""
    return tuple(o._replace(status=DECLINED) if o.to == role and o.status == PENDING else o for o in offers)
