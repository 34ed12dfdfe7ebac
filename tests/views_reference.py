"""The dict views as game.views built them before the typed view records: the
reference that ``record.to_json()`` must equal, field for field (tests/test_view_records.py).

Kept verbatim (less the ledger cache, which changed no value) so that the JSON shape of
every audience — the TUI's, the server wire's and external agents' — is pinned by code
that does not share anything with the records.
"""

from __future__ import annotations

from typing import Any

from game.compiled import KINDS
from game.state import GameState, Offer
from game.victory import evaluate


def _offer(s: GameState, o: Offer) -> dict[str, Any]:
    sc = s.sc
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


def _order(s: GameState, order: tuple[tuple[int, int], ...]) -> list[dict[str, str]]:
    sc = s.sc
    return [{"card": sc.card_ids[c], "target": sc.role_ids[t] if t >= 0 else ""} for c, t in order]


def public_view(s: GameState) -> dict[str, Any]:
    sc = s.sc
    roles = sc.role_ids
    results = evaluate(s) if s.over else None
    return {
        "scenario": sc.model.scenario.id,
        "turn": s.turn,
        "turns": sc.rules.turns,
        "phase": s.phase,
        "paused": s.paused,
        "diplomacy_locked": s.diplomacy_locked,
        "end_reason": s.end_reason,
        "tracks": {sc.track_ids[i]: v for i, v in enumerate(s.tracks)},
        "turn_start": {sc.track_ids[i]: v for i, v in enumerate(s.turn_start)},
        "flags": [f for i, f in enumerate(sc.flag_ids) if s.flags >> i & 1],
        "windows": {w: last for w, last in zip(sc.window_ids, s.windows) if last >= s.turn},
        "blocks": [
            {"kind": KINDS[k], "role": roles[r] if r >= 0 else "", "last_turn": last} for k, r, last in s.blocks
        ],
        "shock_deck": [sc.shock_ids[i] for i, st in enumerate(s.shock_status) if st == 1],
        "shocks_this_turn": list(s.shocks_this_turn),
        "roles": {
            r: {
                "capital": s.capital[i],
                "hand_size": len(s.hands[i]),
                "deck_size": len(s.decks[i]),
                "discard": [sc.card_ids[c] for c in s.discards[i]],
                "removed": [sc.card_ids[c] for c in s.removed[i]],
                "ready": s.ready[i],
                "controller": s.controllers[i],
            }
            for i, r in enumerate(roles)
        },
        "history": [
            {
                "turn": t.turn,
                "orders": {roles[i]: _order(s, o) for i, o in enumerate(t.orders)},
                "offers": [_offer(s, o) for o in t.offers],
                "shocks": list(t.shocks),
            }
            for t in s.history
        ],
        "ledger": [e._asdict() for e in s.ledger],
        "results": results,
    }


def role_view(s: GameState, role: int | str) -> dict[str, Any]:
    sc = s.sc
    r = sc.role_index[role] if isinstance(role, str) else role
    v = public_view(s)
    v["role"] = sc.role_ids[r]
    v["hand"] = [sc.card_ids[c] for c in s.hands[r]]
    v["my_order"] = _order(s, s.orders[r])
    v["offers"] = [_offer(s, o) for o in s.offers if r in (o.frm, o.to)]
    v["messages"] = [
        {"turn": m.turn, "from": sc.role_ids[m.frm], "to": sc.role_ids[m.to], "text": m.text}
        for m in s.messages
        if r in (m.frm, m.to)
    ]
    return v


def facilitator_view(s: GameState) -> dict[str, Any]:
    sc = s.sc
    v = public_view(s)
    v["hands"] = {sc.role_ids[i]: [sc.card_ids[c] for c in h] for i, h in enumerate(s.hands)}
    v["pending_orders"] = {sc.role_ids[i]: _order(s, o) for i, o in enumerate(s.orders)}
    v["offers"] = [_offer(s, o) for o in s.offers]
    v["messages"] = [
        {"turn": m.turn, "from": sc.role_ids[m.frm], "to": sc.role_ids[m.to], "text": m.text} for m in s.messages
    ]
    return v
