"""§10 Game end and victory.

Mini objectives: us — alignment <= 60 (2 points, required), no crisis (1, required);
prc — alignment >= 65 (2, required), tariff_cut flag (1, optional).
"""

from __future__ import annotations

from game.victory import evaluate, scores, winners
from game.views import public_view

from .helpers import card, entries, give, next_turn, run, seal_all, set_tracks, shift, start, to_orders, variant


def _one_turn(**kw):
    return start(variant(rules={"turns": 1}, **kw), 1)


def test_10_1_scores_sum_points_of_met_terms():
    """Setup: one-turn game, no plays; alignment drifts 70 -> 68.
    Expected: us meets only `no crisis` (1 point) and does not win; prc meets `alignment high`
    (2 points), misses the optional tariff cut, and wins."""
    s = next_turn(_one_turn())
    assert s.over and s.track("alignment") == 68
    res = evaluate(s)
    assert (res["us"]["score"], res["us"]["max_score"], res["us"]["won"]) == (1, 3, False)
    assert (res["prc"]["score"], res["prc"]["max_score"], res["prc"]["won"]) == (2, 3, True)
    assert [t["met"] for t in res["us"]["terms"]] == [False, True]
    assert winners(s) == ["prc"]


def test_10_2_optional_term_adds_points_only():
    """Setup: as 10.1 with the tariff_cut flag set during the game.
    Expected: prc scores 3; with alignment starting at 62 (drifting to 64) prc scores 1 and does not win
    even though the optional term is met."""
    s = next_turn(_one_turn()._replace(flags=1 << 1))
    assert scores(s) == {"us": 1, "prc": 3}
    s = next_turn(set_tracks(_one_turn(), alignment=62)._replace(flags=1 << 1))
    assert s.track("alignment") == 64
    assert scores(s) == {"us": 1, "prc": 1} and winners(s) == []


def test_10_3_every_required_term_needed_and_several_winners():
    """Setup: objectives rewritten so that us needs `no crisis` and `dependence >= 70` and prc needs
    `no crisis`. Expected: both win; when dependence ends at 69, only prc wins."""
    nc = {"label": "no crisis", "when": {"test": "flag", "flag": "crisis", "is": False}, "points": 1}
    dep = {"label": "dependence", "when": {"test": "track", "track": "dependence", "min": 70}, "points": 3}
    roles = {"us": {"objective": {"summary": "s", "terms": [nc, dep]}},
             "prc": {"objective": {"summary": "s", "terms": [nc]}}}
    s = next_turn(_one_turn(roles=roles))
    assert winners(s) == ["us", "prc"] and scores(s) == {"us": 4, "prc": 1}
    s = next_turn(set_tracks(_one_turn(roles=roles), dependence=69))
    assert winners(s) == ["prc"] and scores(s) == {"us": 1, "prc": 1}


def test_10_4_crisis_end_is_evaluated_on_the_final_state():
    """Setup: 3-turn game, stability 2, us plays us-provoke (stability -1) at turn 1.
    Expected: the game ends at once (crisis); us fails `no crisis` (and alignment); nobody but prc,
    whose alignment 70 >= 65 still holds, wins. The public view carries the results."""
    c = card("us-provoke", "us", "event", shift("stability", -1))
    s = start(variant(tracks={"stability": {"start": 2}}, add_cards=[c]), 1)
    s = seal_all(run(to_orders(give(s, "us", "us-provoke")), "us:play:us-provoke"))
    assert s.end_reason == "crisis" and s.turn == 1
    assert evaluate(s)["us"]["terms"][1]["met"] is False
    assert winners(s) == ["prc"]
    assert public_view(s)["results"] == evaluate(s)


def test_10_5_game_not_over_before_last_turn():
    """Setup: 2 turns. Expected: after turn 1 the game runs on and the public view has no results;
    after turn 2 it is over with end_reason 'last turn'."""
    s = next_turn(start(variant(rules={"turns": 2}), 1))
    assert not s.over and public_view(s)["results"] is None
    s = next_turn(s)
    assert s.over and s.end_reason == "last turn"


def test_10_6_crisis_flag_set_by_an_effect_ends_the_game():
    """Setup: 3-turn game; us-doom: flag crisis (stability untouched at 3). Orders: us plays us-doom.
    Expected: the crisis flag is set and the game is over on turn 1 (end_reason crisis), with no upkeep."""
    c = card("us-doom", "us", "event", {"op": "flag", "flag": "crisis"})
    s = start(variant(add_cards=[c]), 1)
    s = seal_all(run(to_orders(give(s, "us", "us-doom")), "us:play:us-doom"))
    assert s.flag("crisis")
    assert (s.phase, s.end_reason, s.turn) == ("over", "crisis", 1)
    assert entries(s, phase="upkeep") == []
