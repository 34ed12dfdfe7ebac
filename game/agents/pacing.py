"""When an AI seat waits for the people at the table.

An agent decides at once, but a person takes minutes. If an AI seat made an offer to a
person and sealed its order before the answer came, the bargain could never be kept:
its order was written without knowing it was accepted, and the reveal charges it with
breaking its word. So an AI seat holds its orders while an offer it made to a person is
unanswered and that person has not sealed (sealing declines unanswered offers, §6.6).
Nothing else waits: AI seats answer offers made to them themselves, and headless games
(no people) never hold. This is table pacing, not a rule: the commands are the same.
"""

from __future__ import annotations

from collections.abc import Collection

from game.state import ORDERS, PENDING, GameState


def waits_for_answers(s: GameState, role: int, people: Collection[int]) -> bool:
    """Whether the AI seat `role` should hold its orders for now (see the module doc)."""
    if s.phase != ORDERS or not people:
        return False
    return any(o.frm == role and o.status == PENDING and o.to in people and not s.ready[o.to] for o in s.offers)
