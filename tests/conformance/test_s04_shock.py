"""§4 Shock phase."""

from __future__ import annotations

from game.state import IN_DECK, OUT, USED

from .helpers import (
    E,
    card,
    entries,
    next_turn,
    run,
    seal_all,
    shift,
    shock,
    shock_status,
    start,
    start_where,
    to_orders,
    variant,
)

A = shock("a", shift("dependence", 1))
B = shock("b", shift("dualuse", 1))


def test_4_1_1_turn_start_is_recorded_before_shock_effects():
    """Setup: a shock (always drawn) cuts dualuse by 10; us holds a card whose effect is
    `if delta(dualuse) <= -10 then alignment -5`.
    Orders: us plays it.
    Expected: turn_start holds dualuse 100 (the value before the shock), so the delta is -10
    and the card shifts alignment 70 -> 65."""
    sc = variant(
        shocks=[shock("cut", shift("dualuse", -10))],
        add_cards=[card("us-check", "us", "event",
                        {"op": "if", "when": {"test": "delta", "track": "dualuse", "max": -10},
                         "then": [shift("alignment", -5)]})],
    )
    s = start(sc)
    assert s.turn_start[sc.track_index["dualuse"]] == 100 and s.track("dualuse") == 90
    s = run(to_orders(s), "us:play:us-check")
    s = seal_all(s)
    assert entries(s, cause="card:us-check") == [E(1, "adjudication", "alignment", 70, 65, "card:us-check")]


def test_4_2_1_one_draw_when_stability_above_threshold():
    """Setup: shocks_per_turn 1, extra_shock_at_or_below 2, stability 3; deck a, b (weight 1 each).
    Expected: exactly one shock drawn in the first shock phase."""
    s = start(variant(shocks=[A, B]), 1)
    assert len(s.shocks_this_turn) == 1


def test_4_2_2_extra_draw_when_stability_at_threshold():
    """Setup: as 4.2.1 but stability starts at 2 (= extra_shock_at_or_below).
    Expected: two draws, so both a and b are drawn (without replacement), both used, and each
    shock's effect is in the ledger with cause shock:<id>."""
    for seed in (1, 2, 3):
        s = start(variant(shocks=[A, B], tracks={"stability": {"start": 2}}), seed)
        assert sorted(s.shocks_this_turn) == ["a", "b"]
        assert shock_status(s, "a") == USED == shock_status(s, "b")
        assert sorted(s.ledger) == sorted([E(1, "shock", "dependence", 70, 71, "shock:a"),
                                           E(1, "shock", "dualuse", 100, 101, "shock:b")])


def test_4_3_1_zero_weight_shock_is_never_drawn():
    """Setup: deck = zero (weight 0) and one (weight 1, recurring); stability 2 so two draws.
    Expected, for 40 seeds: only `one` is drawn, once; `zero` stays in the deck."""
    sc = variant(shocks=[shock("zero", shift("dualuse", -50), weight=0),
                         shock("one", shift("dependence", 1), recurring=True)],
                 tracks={"stability": {"start": 2}})
    for seed in range(1, 41):
        s = start(sc, seed)
        assert s.shocks_this_turn == ("one",)
        assert shock_status(s, "zero") == IN_DECK
        assert s.track("dualuse") == 100


def test_4_3_2_weight_mod_makes_a_shock_drawable():
    """Setup: deck = standoff only (weight 0, weight_mod +5 while stability <= 2; effect stability -1).
    Case a: stability 3 -> nothing drawn. Case b: stability 2 -> standoff drawn (once, though two
    draws are allowed) and stability 2 -> 1 with cause shock:standoff."""
    standoff = shock("standoff", shift("stability", -1), weight=0,
                     weight_mods=[{"when": {"test": "track", "track": "stability", "max": 2}, "add": 5}])
    s = start(variant(shocks=[standoff]), 1)
    assert s.shocks_this_turn == () and s.ledger == ()
    s = start(variant(shocks=[standoff], tracks={"stability": {"start": 2}}), 1)
    assert s.shocks_this_turn == ("standoff",)
    assert s.ledger == (E(1, "shock", "stability", 2, 1, "shock:standoff"),)


def test_4_3_3_effective_weight_is_floored_at_zero():
    """Setup: deck = neg (weight 3, weight_mod -5 always: effective -2 -> 0) and pos (weight 1).
    Expected: pos is drawn every time (an unfloored -2 would cancel pos's weight and stop the draw)."""
    sc = variant(shocks=[shock("neg", shift("dualuse", -1), weight=3,
                               weight_mods=[{"when": {"test": "turn", "min": 1}, "add": -5}]),
                         shock("pos", shift("dependence", 1))])
    for seed in range(1, 21):
        assert start(sc, seed).shocks_this_turn == ("pos",)


def test_4_3_4_draws_are_weighted():
    """Setup: deck = light (weight 1) and heavy (weight 3); one draw per game; 400 seeds.
    Expected: heavy drawn in roughly 3/4 of games (between 65% and 85%)."""
    sc = variant(shocks=[shock("light", shift("dependence", 1)), shock("heavy", shift("dependence", 2), weight=3)])
    heavy = sum(start(sc, seed).shocks_this_turn == ("heavy",) for seed in range(400))
    assert 260 <= heavy <= 340


def test_4_3_5_recurring_shock_not_redrawn_within_a_phase():
    """Setup: deck = rec (recurring, weight 5) only; stability 2 so two draws.
    Expected: rec is drawn once this phase (no replacement within the phase) and stays in the deck."""
    sc = variant(shocks=[shock("rec", shift("dependence", 1), weight=5, recurring=True)],
                 tracks={"stability": {"start": 2}})
    s = start(sc, 1)
    assert s.shocks_this_turn == ("rec",)
    assert shock_status(s, "rec") == IN_DECK
    assert s.ledger == (E(1, "shock", "dependence", 70, 71, "shock:rec"),)


def test_4_4_1_shock_effects_apply_in_order_with_cause():
    """Setup: deck = jolt: [dependence +3, set dependence 50, dualuse -7].
    Expected ledger: dependence 70->73, 73->50, dualuse 100->93, all cause shock:jolt, phase shock."""
    jolt = shock("jolt", shift("dependence", 3), {"op": "set", "track": "dependence", "value": 50},
                 shift("dualuse", -7))
    s = start(variant(shocks=[jolt]), 1)
    assert s.ledger == (
        E(1, "shock", "dependence", 70, 73, "shock:jolt"),
        E(1, "shock", "dependence", 73, 50, "shock:jolt"),
        E(1, "shock", "dualuse", 100, 93, "shock:jolt"),
    )


def test_4_4_2_non_recurring_shock_leaves_the_deck():
    """Setup: deck = once (non-recurring, weight 1) only.
    Expected: drawn on turn 1 and marked used; on turn 2 nothing is drawn."""
    s = start(variant(shocks=[shock("once", shift("dependence", 1))]), 1)
    assert s.shocks_this_turn == ("once",) and shock_status(s, "once") == USED
    s = next_turn(s)
    assert s.turn == 2 and s.shocks_this_turn == ()
    assert entries(s, cause="shock:once") == [E(1, "shock", "dependence", 70, 71, "shock:once")]


def test_4_4_3_recurring_shock_stays_in_the_deck():
    """Setup: deck = again (recurring, weight 1) only.
    Expected: drawn on turn 1 and again on turn 2, each time with ledger cause shock:again."""
    s = start(variant(shocks=[shock("again", shift("dualuse", -2), recurring=True)]), 1)
    s = next_turn(s)
    assert s.shocks_this_turn == ("again",) and shock_status(s, "again") == IN_DECK
    assert entries(s, cause="shock:again") == [E(1, "shock", "dualuse", 100, 98, "shock:again"),
                                               E(2, "shock", "dualuse", 98, 96, "shock:again")]
    assert shock_status(s, "again") != OUT


def test_4_2_3_the_extra_draw_is_decided_once_at_the_start_of_the_phase():
    """Setup: stability 3 (one above extra_shock_at_or_below 2); the deck: drop (stability -1)
    and b. Expected: in a game whose first draw is drop, stability ends the phase at 2 but no
    second shock is drawn that turn: the count of draws is fixed when the phase begins."""
    drop = shock("drop", shift("stability", -1))
    s = start_where(variant(shocks=[drop, B]), lambda s: "drop" in s.shocks_this_turn)
    assert s.track("stability") == 2
    assert s.shocks_this_turn == ("drop",)
    assert shock_status(s, "b") == IN_DECK
