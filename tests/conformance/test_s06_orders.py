"""§6 Orders phase.

Mini cards of us: us-sanction (sanction, cost 2, coercive, targets [prc]), us-carrot (tariff_carrot,
cost 1), us-frame (framing, cost 1), us-arms (arms_sale, cost 4, requires alignment <= 90),
us-stall (event, cost 0). us capital 5 unless stated.
"""

from __future__ import annotations

import json
import random

import pytest

from game.errors import IllegalCommand
from game.rules import apply, legal_actions
from game.views import public_view, role_view

from .helpers import KIND, give, refused, run, set_capital, set_tracks, standard, start, to_orders, trio, variant

HAND = ("us-sanction", "us-carrot", "us-arms", "us-stall")


def _orders(*, hand=HAND, offers=(), **kw):
    s = give(start(variant(**kw), 1), "us", *hand)
    s = give(s, "prc", "prc-curb", "prc-summit", "prc-block", "prc-trade")
    s = run(s, *offers)
    return to_orders(s)


def test_6_1_1_cost_over_capital_is_refused():
    """Setup: us capital 3. Orders: us:play:us-arms (cost 4).
    Expected: refused, rule 6.1; state unchanged (no order recorded)."""
    s = set_capital(_orders(), us=3)
    refused(s, "us:play:us-arms", "6.1")
    assert s.orders == ((), ())


def test_6_1_2_total_cost_counts_cards_already_ordered():
    """Setup: us capital 5. Orders: us-arms (4), then us-sanction (2), then us-stall (0).
    Expected: us-sanction refused (4 + 2 > 5), rule 6.1; us-stall accepted."""
    s = apply(_orders(), "us:play:us-arms")
    refused(s, "us:play:us-sanction:prc", "6.1")
    s = apply(s, "us:play:us-stall")
    assert len(s.orders[0]) == 2


def test_6_1_3_max_cards_per_turn():
    """Setup: max_cards_per_turn 2. Orders: us-stall, us-carrot, then us-sanction.
    Expected: the third card is refused, rule 6.1. With max_cards_per_turn 3 (capital 10) it is accepted."""
    s = run(_orders(), "us:play:us-stall", "us:play:us-carrot")
    refused(s, "us:play:us-sanction:prc", "6.1")
    s = set_capital(_orders(rules={"max_cards_per_turn": 3}), us=10)
    s = run(s, "us:play:us-stall", "us:play:us-carrot", "us:play:us-sanction:prc")
    assert len(s.orders[0]) == 3


def test_6_1_4_card_must_be_in_own_hand():
    """Orders: us plays us-frame (in its deck), prc-summit (prc's card), no-such-card.
    Expected: all refused, rule 6.1."""
    s = _orders()
    refused(s, "us:play:us-frame", "6.1")
    refused(s, "us:play:prc-summit", "6.1")
    refused(s, "us:play:no-such-card", "6.1")


def test_6_1_5_each_card_at_most_once():
    """Orders: us-stall twice. Expected: the second is refused, rule 6.1."""
    s = apply(_orders(), "us:play:us-stall")
    refused(s, "us:play:us-stall", "6.1")


def test_6_2_1_requires_must_hold():
    """Setup: us-arms requires alignment <= 90. Case a: alignment 91 -> refused, rule 6.2.
    Case b: alignment 90 -> accepted."""
    refused(set_tracks(_orders(), alignment=91), "us:play:us-arms", "6.2")
    s = apply(set_tracks(_orders(), alignment=90), "us:play:us-arms")
    assert s.orders[0] == ((s.sc.card_index["us-arms"], -1),)


def test_6_3_1_blocked_kind_for_the_role():
    """Setup: block (sanction, us, through turn 1).
    Expected: us-sanction refused, rule 6.3; prc-curb (a prc sanction) accepted."""
    s = _orders()._replace(blocks=((KIND["sanction"], 0, 1),))
    refused(s, "us:play:us-sanction:prc", "6.3")
    apply(s, "prc:play:prc-curb")


def test_6_3_2_block_for_all_roles_and_expired_block():
    """Setup a: block (sanction, every role, through turn 1) -> prc-curb refused, rule 6.3.
    Setup b: block (sanction, every role, through turn 0) at turn 1 -> prc-curb accepted."""
    refused(_orders()._replace(blocks=((KIND["sanction"], -1, 1),)), "prc:play:prc-curb", "6.3")
    apply(_orders()._replace(blocks=((KIND["sanction"], -1, 0),)), "prc:play:prc-curb")


def test_6_4_1_coercive_card_blocked_at_low_stability():
    """Setup: coercive_blocked_at_or_below 2. Case a: stability 2 -> us-sanction (coercive) refused,
    rule 6.4, while prc-curb (not coercive) is accepted. Case b: stability 3 -> accepted."""
    s = set_tracks(_orders(), stability=2)
    refused(s, "us:play:us-sanction:prc", "6.4")
    apply(s, "prc:play:prc-curb")
    apply(_orders(), "us:play:us-sanction:prc")


def test_6_5_1_target_required_and_must_be_listed():
    """Orders: us-sanction without a target; with target us; with unknown target russia.
    Expected: all refused, rule 6.5; with target prc accepted and the target recorded."""
    s = _orders()
    refused(s, "us:play:us-sanction", "6.5")
    refused(s, "us:play:us-sanction:us", "6.5")
    refused(s, "us:play:us-sanction:russia", "6.5")
    s = apply(s, "us:play:us-sanction:prc")
    assert s.orders[0] == ((s.sc.card_index["us-sanction"], 1),)


def test_6_5_2_card_without_targets_takes_none():
    """Orders: us:play:us-stall:prc. Expected: refused, rule 6.5."""
    refused(_orders(), "us:play:us-stall:prc", "6.5")


def test_6_6_1_accept_only_pending_offers_addressed_to_you():
    """Setup: in diplomacy prc offered us (ask us-carrot, give prc-trade): offer 1.
    Orders: prc:accept:1 (its own offer), us:accept:2 (no such offer) -> refused, rule 6.6;
    us:accept:1 -> accepted; then us:decline:1 -> refused, rule 6.6 (answered once)."""
    s = _orders(offers=("prc:offer:us:us-carrot:prc-trade",))
    refused(s, "prc:accept:1", "6.6")
    refused(s, "us:accept:2", "6.6")
    refused(s, "prc:decline:1", "6.6")
    s = apply(s, "us:accept:1")
    assert s.offers[0].status == "accepted"
    refused(s, "us:decline:1", "6.6")
    refused(s, "us:accept:1", "6.6")


def test_6_6_3_accept_only_an_offer_whose_asked_card_you_hold():
    """Setup: prc offered us (ask us-carrot, give prc-trade), but us-carrot is not in the US hand.
    Orders: us:accept:1 -> refused, rule 6.6, the reason naming the card; legal actions list only
    us:decline:1 for it; us:decline:1 -> declined."""
    hand = tuple(c for c in HAND if c != "us-carrot")
    s = _orders(hand=hand, offers=("prc:offer:us:us-carrot:prc-trade",))
    err = refused(s, "us:accept:1", "6.6")
    assert "us-carrot" in str(err)
    texts = [c.text for c in legal_actions(s, 0)]
    assert "us:decline:1" in texts and "us:accept:1" not in texts
    assert apply(s, "us:decline:1").offers[0].status == "declined"


def test_6_6_4_an_offer_can_be_answered_in_diplomacy_as_soon_as_it_is_made():
    """Setup: turn 1 diplomacy; prc offers us (ask us-carrot, give prc-trade): offer 1.
    Orders: us:accept:1 while still in diplomacy. Expected: listed in us's legal actions with
    us:decline:1, accepted at once; the orders phase then has nothing left to answer."""
    s = give(start(variant(), 1), "us", *HAND)
    s = give(s, "prc", "prc-curb", "prc-summit", "prc-block", "prc-trade")
    s = apply(s, "prc:offer:us:us-carrot:prc-trade")
    assert s.phase == "diplomacy"
    texts = [c.text for c in legal_actions(s, 0)]
    assert "us:accept:1" in texts and "us:decline:1" in texts
    s = apply(s, "us:accept:1")
    assert s.offers[0].status == "accepted"
    s = to_orders(s)
    assert not any(c.verb in ("accept", "decline") for c in legal_actions(s, 0))


def test_6_6_5_after_done_offers_are_answered_in_orders():
    """Setup: prc offers us (offer 1); us declares done in diplomacy. Orders: us:accept:1.
    Expected: refused, rule 6.6 (answer in the orders phase); accepted once orders begin.
    While diplomacy is locked an offer can still be answered (§5.3 stops offers and messages)."""
    s = give(start(variant(), 1), "us", *HAND)
    s = give(s, "prc", "prc-curb", "prc-summit", "prc-block", "prc-trade")
    s = run(s, "prc:offer:us:us-carrot:prc-trade")
    done = apply(s, "us:done")
    assert "orders phase" in refused(done, "us:accept:1", "6.6").reason
    assert apply(to_orders(done), "us:accept:1").offers[0].status == "accepted"
    locked = apply(s, "gm:lock")
    assert apply(locked, "us:decline:1").offers[0].status == "declined"


def test_6_6_2_unanswered_offers_are_declined_on_seal():
    """Setup: offer 1 prc -> us pending. Orders: us seals without answering.
    Expected: offer 1 declined at once (prc has not sealed yet)."""
    s = apply(_orders(offers=("prc:offer:us:us-carrot:prc-trade",)), "us:seal")
    assert s.phase == "orders"
    assert s.offers[0].status == "declined"


def test_6_7_1_nothing_after_seal():
    """Orders: us seals, then tries to play, seal again and accept an offer.
    Expected: all refused, rule 6.7."""
    s = apply(_orders(offers=("prc:offer:us:us-carrot:prc-trade",)), "us:seal")
    refused(s, "us:play:us-stall", "6.7")
    refused(s, "us:seal", "6.7")
    refused(s, "us:accept:1", "6.7")


def test_6_7_2_sealed_orders_hidden_until_reveal():
    """Orders: us plays us-stall and seals. Expected: neither prc's view nor the public view
    shows us's order; us sees its own order."""
    s = run(_orders(), "us:play:us-stall", "us:seal")
    assert "us-stall" not in json.dumps(role_view(s, "prc"))
    assert "us-stall" not in json.dumps(public_view(s)) and "order" not in public_view(s)["roles"]["us"]
    assert role_view(s, "us")["my_order"] == [{"card": "us-stall", "target": ""}]


def test_6_8_1_orders_commands_refused_in_diplomacy_naming_the_phase():
    """Setup: turn 1 diplomacy. Orders: us:play:us-stall, us:seal, us:unplay:us-stall.
    Expected: refused under rule 6, the reason naming the diplomacy phase."""
    s = give(start(variant(), 1), "us", *HAND)
    for cmd in ("us:play:us-stall", "us:seal", "us:unplay:us-stall"):
        err = refused(s, cmd, "6")
        assert "diplomacy" in err.reason


def test_6_8_2_diplomacy_commands_refused_in_orders():
    """Orders phase. Orders: us:done, us:offer:prc:prc-curb:us-carrot.
    Expected: refused under rule 5, naming the orders phase; unknown actor refused under rule 3."""
    s = _orders()
    for cmd in ("us:done", "us:offer:prc:prc-curb:us-carrot"):
        assert "orders" in refused(s, cmd, "5").reason
    refused(s, "russia:seal", "3")


def test_6_8_3_legal_actions_agree_with_apply():
    """Setup: standard scenario (seeds 1..3) and trio with two offers per role (seeds 4..6), random
    legal play for whole games.
    Expected at every decision: every listed command is accepted by apply, and every unlisted
    play of a card in hand (any target) is refused."""
    for sc, seed in [(standard(), 1), (standard(), 2), (standard(), 3),
                     *((trio(rules={"max_offers_per_role": 2}), k) for k in (4, 5, 6))]:
        s, pick = start(sc, seed), random.Random(seed)
        while not s.over:
            role = next(r for r, ready in enumerate(s.ready) if not ready)
            acts = legal_actions(s, role)
            listed = {a.text for a in acts}
            for a in acts:
                apply(s, a)
            if s.phase == "orders":
                me = sc.role_ids[role]
                for c in s.hands[role]:
                    cid = sc.card_ids[c]
                    cmds = [f"{me}:play:{cid}:{sc.role_ids[t]}" for t in sc.card_targets[c]] or [f"{me}:play:{cid}"]
                    for cmd in cmds:
                        if cmd not in listed:
                            try:
                                apply(s, cmd)
                            except IllegalCommand:
                                continue
                            raise AssertionError(f"{cmd} accepted but not listed")
            s = apply(s, pick.choice(acts))


def test_6_8_4_messages_allowed_in_orders_but_not_after_sealing_phase():
    """Orders phase. Orders: us:say:prc:last chance (§5.2 allows messages in diplomacy and orders).
    Expected: accepted and visible to us and prc only; once the game is in another phase a message is
    refused naming rule 5.2."""
    from game.views import role_view

    s = apply(_orders(), "us:say:prc:last chance")
    assert [m["text"] for m in role_view(s, "prc")["messages"]] == ["last chance"]
    over = s._replace(phase="upkeep")
    with pytest.raises(IllegalCommand) as info:
        apply(over, "us:say:prc:too late")
    assert info.value.rule == "5.2"


def test_6_9_1_a_card_can_be_taken_back_before_sealing():
    """Orders: us plays us-arms (cost 4), then us-sanction (2) is refused for capital (rule 6.1);
    us:unplay:us-arms. Expected: us-arms out of the order, listed again among the plays; the
    capital is free again, so us-sanction is accepted; us:unplay is listed only for cards in
    the order, just before seal."""
    s = apply(_orders(), "us:play:us-arms")
    texts = [c.text for c in legal_actions(s, 0)]
    assert texts[-2:] == ["us:unplay:us-arms", "us:seal"]
    refused(s, "us:play:us-sanction:prc", "6.1")
    s = apply(s, "us:unplay:us-arms")
    assert s.orders[0] == ()
    texts = [c.text for c in legal_actions(s, 0)]
    assert "us:play:us-arms" in texts and not any(t.startswith("us:unplay") for t in texts)
    s = apply(s, "us:play:us-sanction:prc")
    assert len(s.orders[0]) == 1


def test_6_9_2_only_a_card_in_the_order_and_only_before_sealing():
    """Orders: us:unplay:us-stall with an empty order -> refused, rule 6.9; us plays us-stall
    and seals, then us:unplay:us-stall -> refused, rule 6.7; the order is revealed with the card."""
    s = _orders()
    refused(s, "us:unplay:us-stall", "6.9")
    refused(s, "us:unplay:no-such-card", "6.9")
    s = run(s, "us:play:us-stall", "us:seal")
    refused(s, "us:unplay:us-stall", "6.7")
    assert role_view(s, "us")["my_order"] == [{"card": "us-stall", "target": ""}]
