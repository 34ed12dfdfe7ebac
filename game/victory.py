"""§10 objectives and scores, evaluated on a final (or any) state."""

from __future__ import annotations

from typing import Any

from game.state import GameState


def evaluate(s: GameState) -> dict[str, dict[str, Any]]:
    """Per role: score (points of terms met), max score, whether it won, and each term."""
    sc = s.sc
    out: dict[str, dict[str, Any]] = {}
    for role, terms in enumerate(sc.objectives):
        met = [t.cond(s) for t in terms]
        out[sc.role_ids[role]] = {
            "score": sum(t.points for t, ok in zip(terms, met) if ok),
            "max_score": sum(t.points for t in terms),
            "won": all(ok for t, ok in zip(terms, met) if t.required),
            "terms": [{"label": t.label, "met": ok, "required": t.required} for t, ok in zip(terms, met)],
        }
    return out


def scores(s: GameState) -> dict[str, int]:
    return {role: r["score"] for role, r in evaluate(s).items()}


def winners(s: GameState) -> list[str]:
    return [role for role, r in evaluate(s).items() if r["won"]]
