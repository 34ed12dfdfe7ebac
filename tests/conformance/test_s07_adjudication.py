"""§7 Adjudication phase.

Unless stated: mini with a silent shock deck and `turns: 1` (so the game ends after upkeep
without refilling hands, and piles can be inspected); us holds us-sanction, us-carrot,
us-arms, us-stall (us-frame in its deck); prc holds prc-curb, prc-summit, prc-block, prc-trade.
"""

from __future__ import annotations

from game.rules import apply

from .helpers import (
    E,
    card,
    die,
    discards,
    entries,
    give,
    hand,
    removed,
    run,
    seal_all,
    shift,
    start,
    start_where,
    to_orders,
    variant,
)

US = ("us-sanction", "us-carrot", "us-arms", "us-stall")
PRC = ("prc-curb", "prc-summit", "prc-block", "prc-trade")


def _deal(s, us=US, prc=PRC):
    return give(give(s, "us", *us), "prc", *prc)


def _game(seed=1, us=US, prc=PRC, **kw):
    kw.setdefault("rules", {}).setdefault("turns", 1)
    return _deal(start(variant(**kw), seed), us, prc)


def _play(s, *commands):
    """Diplomacy -> orders -> the given commands -> everyone seals."""
    return seal_all(run(to_orders(s), *commands))


def adj(s):
    return entries(s, phase="adjudication")


def test_7_1_1_costs_paid_at_reveal_before_effects_then_kind_order():
    """Orders: us plays us-sanction:prc (cost 2) and us-stall (cost 0; owner +1 capital);
    prc plays prc-summit (framing, cost 2, alignment +4).
    Expected adjudication ledger, exactly: us pays 5->3 (cost:us-sanction), prc pays 5->3
    (cost:prc-summit); then framing before sanction before event: alignment 70->74 (prc-summit),
    dualuse 100->90 and alignment 74->76 (us-sanction), capital us 3->4 (us-stall)."""
    s = _play(_game(), "us:play:us-sanction:prc", "us:play:us-stall", "prc:play:prc-summit")
    assert adj(s) == [
        E(1, "adjudication", "capital:us", 5, 3, "cost:us-sanction"),
        E(1, "adjudication", "capital:prc", 5, 3, "cost:prc-summit"),
        E(1, "adjudication", "alignment", 70, 74, "card:prc-summit"),
        E(1, "adjudication", "dualuse", 100, 90, "card:us-sanction"),
        E(1, "adjudication", "alignment", 74, 76, "card:us-sanction"),
        E(1, "adjudication", "capital:us", 3, 4, "card:us-stall"),
    ]


VERIFY = card("us-verify", "us", "tariff_carrot",
              {"op": "if", "when": {"test": "delta", "track": "dualuse", "max": -10},
               "then": [shift("alignment", -5)], "else": [shift("alignment", 1)]})


def test_7_2_1_carrot_resolves_after_another_roles_sanction():
    """Setup: us-verify (tariff_carrot: if dualuse fell by >= 10 this turn, alignment -5, else +1).
    Orders: us plays us-verify; prc plays prc-curb (sanction, dualuse -12). us comes first in role order.
    Expected: the sanction resolves first, so us-verify sees the cut: alignment 70 -> 65."""
    s = _game(us=("us-verify",), add_cards=[VERIFY])
    s = _play(s, "us:play:us-verify", "prc:play:prc-curb")
    assert entries(s, cause="card:prc-curb") == [E(1, "adjudication", "dualuse", 100, 88, "card:prc-curb")]
    assert entries(s, cause="card:us-verify") == [E(1, "adjudication", "alignment", 70, 65, "card:us-verify")]


def test_7_2_2_resolution_order_comes_from_the_scenario():
    """Setup: as 7.2.1 but resolution_order puts tariff_carrot first.
    Expected: us-verify resolves before the cut and takes its else branch: alignment 70 -> 71."""
    order = ["tariff_carrot", "framing", "sanction", "arms_sale", "event"]
    s = _game(us=("us-verify",), add_cards=[VERIFY], rules={"turns": 1, "resolution_order": order})
    s = _play(s, "us:play:us-verify", "prc:play:prc-curb")
    assert entries(s, cause="card:us-verify") == [E(1, "adjudication", "alignment", 70, 71, "card:us-verify")]


def test_7_2_3_within_a_kind_by_role_order():
    """Orders: prc plays prc-summit (framing, +4) and seals first; then us plays us-frame
    (framing, -1 with the window closed). Expected: us's card first (role order), not seal order:
    alignment 70->69 (us-frame), 69->73 (prc-summit)."""
    s = to_orders(_game(us=("us-frame",)))
    s = run(s, "prc:play:prc-summit", "prc:seal", "us:play:us-frame", "us:seal")
    assert [e for e in adj(s) if e.subject == "alignment"] == [
        E(1, "adjudication", "alignment", 70, 69, "card:us-frame"),
        E(1, "adjudication", "alignment", 69, 73, "card:prc-summit"),
    ]


def test_7_2_4_within_a_role_in_the_order_played():
    """Setup: us events ev-set (set alignment 50) and ev-add (alignment +1).
    Case a: play ev-add then ev-set -> 70->71, 71->50. Case b: ev-set then ev-add -> 70->50, 50->51."""
    extra = [card("ev-set", "us", "event", {"op": "set", "track": "alignment", "value": 50}),
             card("ev-add", "us", "event", shift("alignment", 1))]
    a = _play(_game(us=("ev-set", "ev-add"), add_cards=extra), "us:play:ev-add", "us:play:ev-set")
    assert [(e.before, e.after, e.cause) for e in adj(a)] == [(70, 71, "card:ev-add"), (71, 50, "card:ev-set")]
    b = _play(_game(us=("ev-set", "ev-add"), add_cards=extra), "us:play:ev-set", "us:play:ev-add")
    assert [(e.before, e.after, e.cause) for e in adj(b)] == [(70, 50, "card:ev-set"), (50, 51, "card:ev-add")]


def test_7_2_5_played_cards_go_to_discard_or_are_removed():
    """Orders: us plays us-arms (remove_after_use) and us-stall.
    Expected: us-arms in us's removed pile, us-stall in its discard, the rest still in hand."""
    s = _play(_game(), "us:play:us-arms", "us:play:us-stall")
    assert removed(s, "us") == ["us-arms"]
    assert discards(s, "us") == ["us-stall"]
    assert sorted(hand(s, "us")) == ["us-carrot", "us-sanction"]


def test_7_2_6_tariff_carrot_pays_out_after_verified_cut():
    """Setup: a seed whose next d6 is at least 2. Orders: us plays us-carrot; prc plays prc-curb.
    Expected: dualuse 100 -> 88 (delta -12 <= -10), so the carrot rolls 1d6 +1 (prc played prc-curb),
    total >= 3 = verified: flag tariff_cut set and alignment 70 -> 65, the roll on the ledger entry."""
    s = start_where(variant(rules={"turns": 1}), lambda s: die(s, 6) >= 2)
    raw = die(s, 6)
    s = _play(_deal(s), "us:play:us-carrot", "prc:play:prc-curb")
    assert entries(s, cause="card:us-carrot") == [
        E(1, "adjudication", "alignment", 70, 65, "card:us-carrot", f"1d6={raw}+1={raw + 1}")
    ]
    assert s.flag("tariff_cut")


def test_7_2_7_tariff_carrot_without_cut_does_nothing():
    """Orders: us plays us-carrot; prc plays prc-arms (no export cut).
    Expected: no card:us-carrot entry, tariff_cut unset, and no die rolled (stream unmoved)."""
    s0 = _game(prc=("prc-arms",))
    s = _play(s0, "us:play:us-carrot", "prc:play:prc-arms")
    assert entries(s, cause="card:us-carrot") == []
    assert not s.flag("tariff_cut")
    assert s.rng == s0.rng


def test_7_2_8_tariff_carrot_on_exact_cut_without_bonus():
    """Orders: us plays us-sanction:prc (dualuse exactly -10) and us-carrot; prc plays nothing.
    Case a (next d6 >= 3): verified with roll text `1d6=N` (no modifier): alignment 72 -> 67.
    Case b (next d6 <= 2): unverified: no track change, only the roll's own zero-change entry
    (§9.2: subject `roll`, before = after = the total), flag unset, one die consumed."""
    sc = variant(rules={"turns": 1})
    s = _deal(start_where(sc, lambda s: die(s, 6) >= 3))
    raw = die(s, 6)
    s = _play(s, "us:play:us-sanction:prc", "us:play:us-carrot")
    assert entries(s, cause="card:us-carrot") == [
        E(1, "adjudication", "alignment", 72, 67, "card:us-carrot", f"1d6={raw}")
    ]
    s0 = _deal(start_where(sc, lambda s: die(s, 6) <= 2))
    raw = die(s0, 6)
    s = _play(s0, "us:play:us-sanction:prc", "us:play:us-carrot")
    assert entries(s, cause="card:us-carrot") == [
        E(1, "adjudication", "roll", raw, raw, "card:us-carrot", f"1d6={raw}")
    ]
    assert not s.flag("tariff_cut")
    assert s.rng == s0.rng + 1


OFFER = "us:offer:prc:prc-curb:us-carrot"


def _offer_game(**kw):
    return run(_game(**kw), OFFER)


def _outcome(s):
    (o,) = s.history[-1].offers
    return o.status, o.outcome


def test_7_3_1_offer_kept():
    """Orders: offer 1 (us gives us-carrot if prc plays prc-curb); prc accepts; both play their part.
    Expected: outcome kept, no offer:1:broken ledger entry."""
    s = _play(_offer_game(), "prc:accept:1", "us:play:us-carrot", "prc:play:prc-curb")
    assert _outcome(s) == ("accepted", "kept")
    assert entries(s, cause="offer:1:broken") == []


def test_7_3_2_offer_broken_by_offerer():
    """Setup: broken_offer_penalty 2. Orders: offer 1 accepted; prc plays prc-curb, us plays us-stall only.
    Expected: outcome broken:us; after us-stall's +1 (5 -> 6), us loses 2 capital (6 -> 4) with
    cause offer:1:broken; prc nothing."""
    s = _offer_game(rules={"turns": 1, "broken_offer_penalty": 2})
    s = _play(s, "prc:accept:1", "us:play:us-stall", "prc:play:prc-curb")
    assert _outcome(s) == ("accepted", "broken:us")
    assert entries(s, cause="offer:1:broken") == [E(1, "adjudication", "capital:us", 6, 4, "offer:1:broken")]


def test_7_3_3_offer_broken_by_recipient():
    """Orders: offer 1 accepted; us plays us-carrot (cost 1), prc plays nothing.
    Expected: outcome broken:prc; prc 5 -> 4 with cause offer:1:broken; us pays only its cost."""
    s = _play(_offer_game(), "prc:accept:1", "us:play:us-carrot")
    assert _outcome(s) == ("accepted", "broken:prc")
    assert entries(s, cause="offer:1:broken") == [E(1, "adjudication", "capital:prc", 5, 4, "offer:1:broken")]
    assert [e.cause for e in adj(s) if e.subject == "capital:us"] == ["cost:us-carrot"]


def test_7_3_4_offer_broken_by_both():
    """Orders: offer 1 accepted; neither plays anything.
    Expected: outcome broken:us,prc; us 5 -> 4 then prc 5 -> 4, both cause offer:1:broken."""
    s = _play(_offer_game(), "prc:accept:1")
    assert _outcome(s) == ("accepted", "broken:us,prc")
    assert entries(s, cause="offer:1:broken") == [
        E(1, "adjudication", "capital:us", 5, 4, "offer:1:broken"),
        E(1, "adjudication", "capital:prc", 5, 4, "offer:1:broken"),
    ]


def test_7_3_5_declined_offer_has_no_effect():
    """Orders: offer 1; prc declines; nobody plays. Expected: outcome declined; no adjudication entries."""
    s = _play(_offer_game(), "prc:decline:1")
    assert _outcome(s) == ("declined", "declined")
    assert adj(s) == []


def test_7_3_6_unanswered_offer_is_declined_not_broken():
    """Orders: offer 1; prc never answers; nobody plays. Expected: declined, no penalty."""
    s = _play(_offer_game())
    assert _outcome(s) == ("declined", "declined")
    assert entries(s, cause="offer:1:broken") == []


PROVOKE = card("us-provoke", "us", "event", shift("stability", -1))


def test_7_4_1_crisis_ends_the_game():
    """Setup: 3-turn game, stability 2 (crisis_at_or_below 1); us-provoke: stability -1.
    Orders: us plays us-provoke.
    Expected: stability 2 -> 1, crisis flag set, game over with end_reason crisis on turn 1,
    and no upkeep (no drift, no income)."""
    s = start(variant(tracks={"stability": {"start": 2}}, add_cards=[PROVOKE]), 1)
    s = _play(give(s, "us", "us-provoke"), "us:play:us-provoke")
    assert (s.phase, s.end_reason, s.turn) == ("over", "crisis", 1)
    assert s.flag("crisis") and s.track("stability") == 1
    assert entries(s, phase="upkeep") == []


def test_7_4_2_no_crisis_above_the_level():
    """Setup: as 7.4.1 but stability 3. Expected: stability 2 after adjudication; the game goes on to turn 2."""
    s = start(variant(add_cards=[PROVOKE]), 1)
    s = _play(give(s, "us", "us-provoke"), "us:play:us-provoke")
    assert (s.phase, s.turn, s.end_reason) == ("diplomacy", 2, "")
    assert not s.flag("crisis") and s.track("stability") == 2


def test_7_4_1_the_crisis_check_runs_when_the_phase_ends():
    """Setup: stability 3, crisis at 1. us-dip (framing, resolves first): stability -2; us-mend
    (event, resolves later): stability +1. Orders: us plays both. Expected: stability passes
    through 1 during adjudication but is 2 when the phase ends: no crisis, the game goes on.
    Without us-mend the same dip ends the game in a crisis."""
    dip = card("us-dip", "us", "framing", shift("stability", -2))
    mend = card("us-mend", "us", "event", shift("stability", 1))
    sc = variant(add_cards=[dip, mend])
    s = seal_all(run(to_orders(give(start(sc, 1), "us", "us-dip", "us-mend")), "us:play:us-dip", "us:play:us-mend"))
    assert [e.after for e in entries(s, subject="stability", phase="adjudication")] == [1, 2]
    assert not s.flag("crisis") and s.phase != "over"
    s = seal_all(run(to_orders(give(start(sc, 1), "us", "us-dip", "us-mend")), "us:play:us-dip"))
    assert s.flag("crisis") and (s.phase, s.end_reason) == ("over", "crisis")


def test_7_1_3_a_role_short_of_capital_pays_what_it_has_and_its_cards_resolve():
    """Setup: us orders us-arms (cost 4, alignment effect) with 5 capital; the facilitator then
    overrides us capital to 1. Expected: at the reveal us pays what it has (1 -> 0, never below
    0, ledger cause cost:us-arms) and us-arms still resolves."""
    s = run(to_orders(give(start(variant(), 1), "us", "us-arms", "us-stall")), "us:play:us-arms")
    s = apply(s, "gm:set:capital.us:1:test")
    s = seal_all(s)
    assert E(1, "adjudication", "capital:us", 1, 0, "cost:us-arms") in s.ledger
    assert entries(s, cause="card:us-arms")
