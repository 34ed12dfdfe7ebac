"""§10 objectives and scores, evaluated on a final (or any) state."""

from __future__ import annotations

from typing import Any

from game.compiled import Compiled
from game.state import GameState


def evaluate(s: GameState) -> dict[str, dict[str, Any]]:
    """Per role: score (points of terms met), max score, whether it won, and each term."""
    return results(s.sc, met_terms(s))


def met_terms(s: GameState) -> tuple[tuple[bool, ...], ...]:
    """Per role, per objective term: whether it holds in `s`."""
    return tuple([tuple([t.cond(s) for t in terms]) for terms in s.sc.objectives])


def results(sc: Compiled, met_by_role: tuple[tuple[bool, ...], ...]) -> dict[str, dict[str, Any]]:
    """:func:`evaluate`'s dict from which terms are met (the view records keep only those)."""
    out: dict[str, dict[str, Any]] = {}
    for role, terms in enumerate(sc.objectives):
        met = met_by_role[role]
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
