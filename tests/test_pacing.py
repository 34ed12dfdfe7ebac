"""Offers people can keep: AI seats hold their orders for a person's answer, and honour the
bargains they can honour (game.agents.pacing, the heuristic agent's keep_promise)."""

from __future__ import annotations

from conformance.helpers import give, start

from game.agents.heuristic import HeuristicAgent
from game.agents.pacing import waits_for_answers
from game.compiled import Compiled
from game.rules import apply, legal_actions
from game.state import ORDERS, GameState
from game.views import role_record

US, PRC = 0, 2
CURB, CARROT = "prc-curb-dual-use-exports", "us-tariff-carrot"


def _offered(sc: Compiled) -> GameState:
    """Turn 1 diplomacy: the PRC has offered the US "play the carrot and I curb exports"."""
    s = give(start(sc, 3), "us", CARROT, "us-trade-deal-india", "us-far-east-framing")
    s = give(s, "prc", CURB, "prc-anti-hegemony-narrative", "prc-joint-exercise")
    return apply(s, f"prc:offer:us:{CARROT}:{CURB}")


def _to_orders(s: GameState) -> GameState:
    for role in s.sc.role_ids:
        if not s.ready[s.sc.role_index[role]]:
            s = apply(s, f"{role}:done")
    assert s.phase == ORDERS
    return s


def test_an_ai_seat_holds_its_orders_while_a_person_has_not_answered(standard_sc: Compiled) -> None:
    s = _to_orders(_offered(standard_sc))
    assert waits_for_answers(s, PRC, people=[US])
    assert not waits_for_answers(s, PRC, people=[])  # no person at the table: never
    assert not waits_for_answers(s, US, people=[US])  # only the offerer waits
    assert not waits_for_answers(apply(s, "us:accept:1"), PRC, people=[US])
    assert not waits_for_answers(apply(s, "us:seal"), PRC, people=[US])  # sealing declined it
    assert not waits_for_answers(_offered(standard_sc), PRC, people=[US])  # diplomacy: no hold


def test_the_heuristic_agent_keeps_a_bargain_a_person_accepted(standard_sc: Compiled) -> None:
    """Accepted in diplomacy (rule 6.6), before the AI writes its order: the PRC plays the
    card it promised. Declined, it does not."""
    for answer, keeps in (("accept", True), ("decline", False)):
        s = _to_orders(apply(_offered(standard_sc), f"us:{answer}:1"))
        agent = HeuristicAgent.from_spec(standard_sc, "prc", 5, "", {})
        played = []
        while not s.ready[PRC]:
            cmd = agent.act(role_record(s, PRC), legal_actions(s, PRC))
            played.append(cmd.text)
            s = apply(s, cmd)
        assert (f"prc:play:{CURB}" in played) is keeps, played
