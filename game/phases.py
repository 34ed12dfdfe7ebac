"""The automatic phases: shock (§4), adjudication (§7) and upkeep (§8).

Each runs on a :class:`~game.work.Work` copy in the fixed order the rulebook
documents, and the engine advances through them until a phase needs the players
(diplomacy, orders) or the game ends.
"""

from __future__ import annotations

from dataclasses import replace

from game.state import (
    ACCEPTED, ADJUDICATION, DECLINED, DIPLOMACY, IN_DECK, ORDERS, OUT, OVER, PENDING, SHOCK,
    UPKEEP, USED, GameState, Offer, TurnRecord,
)
from game.work import Work


def draw_shocks(w: Work, count: int) -> None:
    """§4.3-4.4: weighted draws without replacement, then apply each drawn shock."""
    sc = w.sc
    for _ in range(count):
        candidates = [i for i, st in enumerate(w.shock_status) if st == IN_DECK and i not in _drawn(w)]
        weights = [w.shock_weight(i) for i in candidates]
        total = sum(weights)
        if total <= 0:
            return
        pick = w.below(total)
        for sh, wt in zip(candidates, weights):
            if pick < wt:
                break
            pick -= wt
        apply_shock(w, sh, "shock:" + sc.shock_ids[sh])


def _drawn(w: Work) -> set[int]:
    return {w.sc.shock_index[s] for s in w.shocks_this_turn if s in w.sc.shock_index}


def apply_shock(w: Work, sh: int, cause: str) -> None:
    sc = w.sc
    w.shocks_this_turn.append(sc.shock_ids[sh])
    if not sc.shock_recurring[sh]:
        w.shock_status[sh] = USED
    w.cause, w.owner, w.target = cause, -1, -1
    for f in sc.shock_effects[sh]:
        f(w)


def run_shock(s: GameState) -> GameState:
    w = Work(s)
    w.shocks_this_turn = []
    count = s.sc.rules.shocks_per_turn
    if w.tracks[s.sc.stability] <= s.sc.rules.extra_shock_at_or_below:
        count += 1
    draw_shocks(w, count)
    return w.freeze()


def run_adjudication(s: GameState) -> GameState:
    sc = s.sc
    w = Work(s)
    # §7.1 reveal and pay.
    w.revealed = tuple(tuple(card for card, _ in order) for order in s.orders)
    for role, order in enumerate(s.orders):
        for card, _ in order:
            w.cause = "cost:" + sc.card_ids[card]
            w.gain_capital(role, -sc.card_cost[card])
    # §7.2 resolve by kind rank, then role order, then play order.
    queue = sorted(
        (sc.resolution_rank[sc.card_kind[card]], role, pos, card, target)
        for role, order in enumerate(s.orders)
        for pos, (card, target) in enumerate(order)
    )
    for _, role, _, card, target in queue:
        w.cause, w.owner, w.target, w.roll_note = "card:" + sc.card_ids[card], role, target, ""
        for f in sc.card_effects[card]:
            f(w)
        if card in w.hands[role]:
            w.hands[role].remove(card)
            (w.removed if sc.card_remove[card] else w.discards)[role].append(card)
    w.owner = w.target = -1
    # §7.3 offers.
    settled = []
    penalty = sc.rules.broken_offer_penalty
    for o in s.offers:
        if o.status != ACCEPTED:
            settled.append(o._replace(status=DECLINED if o.status == PENDING else o.status, outcome="declined"))
            continue
        breakers = [r for r, card in ((o.frm, o.give), (o.to, o.ask)) if card not in w.revealed[r]]
        for r in breakers:
            w.cause = f"offer:{o.id}:broken"
            w.gain_capital(r, -penalty)
        outcome = "broken:" + ",".join(sc.role_ids[r] for r in breakers) if breakers else "kept"
        settled.append(o._replace(outcome=outcome))
    record = TurnRecord(s.turn, s.orders, tuple(settled), tuple(w.shocks_this_turn))
    crisis = w.tracks[sc.stability] <= sc.rules.crisis_at_or_below
    if crisis:
        w.set_flag(sc.crisis_flag, True)
    out = w.freeze(history=s.history + (record,), offers=tuple(settled))
    if crisis:
        return replace(out, phase=OVER, end_reason="crisis")
    return out


def run_upkeep(s: GameState) -> GameState:
    sc = s.sc
    w = Work(s)
    # §8.1 drift.
    w.cause = "drift"
    for d in sc.drift:
        if any(w.windows[x] >= w.turn for x in d.suspended_by):
            continue
        base = d.base + (w.tracks[d.source] * d.num // d.den if d.source >= 0 else 0)
        base = min(sc.track_max[d.track], max(sc.track_min[d.track], base))
        gap = base - w.tracks[d.track]
        if gap:
            w.shift(d.track, max(-d.rate, min(d.rate, gap)))
    # §8.2 expiries.
    w.windows = [0 if last <= w.turn else last for last in w.windows]
    w.blocks = [b for b in w.blocks if b[2] > w.turn]
    # §8.3 shock-deck update.
    for sh in range(len(sc.shock_ids)):
        status = w.shock_status[sh]
        add_when, remove_when = sc.shock_add_when[sh], sc.shock_remove_when[sh]
        if status == OUT and add_when is not None and add_when(w):
            w.shock_status[sh] = IN_DECK
        elif status == IN_DECK and remove_when is not None and remove_when(w):
            w.shock_status[sh] = OUT
    # §8.4 income.
    w.cause = "income"
    for role, income in enumerate(sc.role_income):
        w.gain_capital(role, income)
    # §8.5 last turn.
    if w.turn >= sc.rules.turns:
        return w.freeze(phase=OVER, end_reason="last turn")
    # §8.6 draw.
    w.cause = "draw"
    for role, size in enumerate(sc.role_hand_size):
        need = size - len(w.hands[role])
        if need > 0:
            w.draw(role, need)
    # §8.7 next turn.
    w.turn += 1
    return w.freeze()


def begin_turn(s: GameState) -> GameState:
    """Reset the per-turn fields; the state at this point is the turn's checkpoint."""
    n = len(s.sc.role_ids)
    fresh = replace(
        s,
        phase=s.sc.phases[0],
        orders=((),) * n,
        ready=(False,) * n,
        offers=(),
        revealed=((),) * n,
        shocks_this_turn=(),
        turn_start=s.tracks,
    )
    return replace(fresh, checkpoints=s.checkpoints[: s.turn - 1] + (fresh,))


_AUTOMATIC = {SHOCK: run_shock, ADJUDICATION: run_adjudication, UPKEEP: run_upkeep}


def advance(s: GameState) -> GameState:
    """Run automatic phases until players must act or the game is over."""
    while True:
        if s.phase == OVER:
            return s
        runner = _AUTOMATIC.get(s.phase)
        if runner is None:
            if s.phase in (DIPLOMACY, ORDERS) and not all(s.ready):
                return s
            s = _next_phase(s)
            continue
        turn = s.turn
        s = runner(s)
        if s.phase == OVER:
            return s
        if s.phase == UPKEEP and s.turn != turn:
            s = begin_turn(s)  # upkeep moved to the next turn
        else:
            s = _next_phase(s)


def _next_phase(s: GameState) -> GameState:
    phases = s.sc.phases
    i = phases.index(s.phase)
    if i + 1 < len(phases):
        nxt = phases[i + 1]
        return replace(s, phase=nxt, ready=(False,) * len(s.ready))
    return begin_turn(replace(s, turn=s.turn + 1))


def settle_unanswered(offers: tuple[Offer, ...], role: int) -> tuple[Offer, ...]:
    """§6.6: sealing declines offers to `role` still pending."""
    return tuple(o._replace(status=DECLINED) if o.to == role and o.status == PENDING else o for o in offers)
