"""§5 Diplomacy phase (trio = mini + India; askable cards: us-carrot, prc-curb, india-hedge)."""

from __future__ import annotations

import json

from game.rules import apply
from game.state import Offer
from game.views import public_view, role_view

from .helpers import give, refused, run, seal_all, start, to_orders, trio


def _trio(**kw):
    s = start(trio(**kw), 1)
    s = give(s, "us", "us-sanction", "us-carrot", "us-frame", "us-stall")
    return give(s, "prc", "prc-curb", "prc-summit", "prc-block", "prc-trade")


def test_5_1_1_offer_is_recorded_pending():
    """Orders: us:offer:prc:prc-curb:us-carrot.
    Expected: offer 1 (turn 1, us -> prc, ask prc-curb, give us-carrot), pending, no outcome."""
    s = _trio()
    sc = s.sc
    s = apply(s, "us:offer:prc:prc-curb:us-carrot")
    assert s.offers == (Offer(1, 1, 0, 1, sc.card_index["prc-curb"], sc.card_index["us-carrot"], "pending", ""),)
    assert s.next_offer == 2


def test_5_1_2_asked_card_must_be_askable():
    """Orders: us asks prc for prc-summit (not askable). Expected: refused, rule 5.1."""
    refused(_trio(), "us:offer:prc:prc-summit:us-carrot", "5.1")


def test_5_1_3_asked_card_must_belong_to_the_recipient():
    """Orders: us asks prc for india-hedge (askable, but India's). Expected: refused, rule 5.1."""
    refused(_trio(), "us:offer:prc:india-hedge:us-carrot", "5.1")


def test_5_1_4_given_card_must_be_in_offerers_hand():
    """Setup: us-arms is in the us deck, not its hand.
    Orders: us offers us-arms; then us offers prc's own card prc-trade.
    Expected: both refused, rule 5.1."""
    s = _trio()
    refused(s, "us:offer:prc:prc-curb:us-arms", "5.1")
    refused(s, "us:offer:prc:prc-curb:prc-trade", "5.1")


def test_5_1_5_max_offers_per_role():
    """Setup: max_offers_per_role 1. Orders: us offers to prc, then to india.
    Expected: the second offer is refused (rule 5.1); with max_offers_per_role 2 it is accepted."""
    s = apply(_trio(), "us:offer:prc:prc-curb:us-carrot")
    refused(s, "us:offer:india:india-hedge:us-stall", "5.1")
    s = apply(_trio(rules={"max_offers_per_role": 2}), "us:offer:prc:prc-curb:us-carrot")
    s = apply(s, "us:offer:india:india-hedge:us-stall")
    assert [(o.id, o.to) for o in s.offers] == [(1, 1), (2, 2)]


def test_5_1_6_one_offer_per_recipient():
    """Setup: max_offers_per_role 2. Orders: us offers to prc twice (different give cards).
    Expected: the second is refused, rule 5.1; prc may still make its own offer to us."""
    s = apply(_trio(rules={"max_offers_per_role": 2}), "us:offer:prc:prc-curb:us-carrot")
    refused(s, "us:offer:prc:prc-curb:us-stall", "5.1")
    s = apply(s, "prc:offer:us:us-carrot:prc-trade")
    assert len(s.offers) == 2


def test_5_1_7_no_offer_to_self_or_unknown_role():
    """Orders: us offers to us; us offers to russia (no such role). Expected: refused, rule 5.1."""
    s = _trio()
    refused(s, "us:offer:us:us-carrot:us-stall", "5.1")
    refused(s, "us:offer:russia:prc-curb:us-stall", "5.1")


def test_5_2_1_messages_are_private_to_the_two_roles():
    """Orders: us:say:prc:meet me at the summit.
    Expected: in prc's and us's view; not in India's view nor in the public view."""
    s = apply(_trio(), "us:say:prc:meet me at the summit")
    msg = {"turn": 1, "from": "us", "to": "prc", "text": "meet me at the summit"}
    assert role_view(s, "prc")["messages"] == [msg] == role_view(s, "us")["messages"]
    assert role_view(s, "india")["messages"] == []
    assert "meet me" not in json.dumps(public_view(s))


def test_5_3_1_locked_diplomacy_refuses_offers_and_messages():
    """Setup: gm:lock. Orders: us offers; us says; then us done.
    Expected: offer and message refused under rule 5.3 (state unchanged); done accepted.
    After gm:unlock prc's offer is accepted."""
    s = apply(_trio(), "gm:lock")
    refused(s, "us:offer:prc:prc-curb:us-carrot", "5.3")
    refused(s, "us:say:prc:hello", "5.3")
    s = apply(s, "us:done")
    s = apply(apply(s, "gm:unlock"), "prc:offer:us:us-carrot:prc-trade")
    assert len(s.offers) == 1


def test_5_3_2_done_twice_is_refused():
    """Orders: us:done, then us:done again, then an offer by us.
    Expected: both refused, rule 5.3; the phase is still diplomacy."""
    s = apply(_trio(), "us:done")
    refused(s, "us:done", "5.3")
    refused(s, "us:offer:prc:prc-curb:us-carrot", "5.3")
    assert s.phase == "diplomacy" and s.ready == (True, False, False)


def test_5_3_3_phase_ends_when_every_role_is_done():
    """Orders: us done, prc done (still diplomacy), india done.
    Expected: orders phase, nobody ready yet."""
    s = run(_trio(), "us:done", "prc:done")
    assert s.phase == "diplomacy"
    s = apply(s, "india:done")
    assert s.phase == "orders" and s.ready == (False, False, False)


def test_5_4_1_offers_hidden_from_third_roles_until_reveal():
    """Setup: trio, one-turn game. Orders: us offers prc (curb for carrot); prc accepts; all seal.
    Expected: before the reveal the offer is in us's and prc's views only — India and the public
    see nothing of it; after the reveal it is public history, with its outcome."""
    s = _trio(rules={"turns": 1})
    s = apply(s, "us:offer:prc:prc-curb:us-carrot")
    for phase_state in (s, apply(to_orders(s), "prc:accept:1")):
        assert [o["id"] for o in role_view(phase_state, "us")["offers"]] == [1]
        assert [o["id"] for o in role_view(phase_state, "prc")["offers"]] == [1]
        assert role_view(phase_state, "india")["offers"] == []
        assert "prc-curb" not in json.dumps(role_view(phase_state, "india"))
        assert "prc-curb" not in json.dumps(public_view(phase_state))
    s = seal_all(apply(to_orders(s), "prc:accept:1"))
    (offer,) = role_view(s, "india")["history"][0]["offers"]
    assert (offer["from"], offer["to"], offer["ask"], offer["give"]) == ("us", "prc", "prc-curb", "us-carrot")
    assert offer["outcome"] == "broken:us,prc"
