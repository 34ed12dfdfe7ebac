"""§8 Upkeep phase.

Mini, silent shock deck, 3 turns unless stated. alignment drifts toward 30 + dependence/2 at rate 2
unless the far_east window is open; income 2 per role, max_capital 10, hand_size 4.
"""

from __future__ import annotations

from game.state import IN_DECK, OUT, USED

from .helpers import (
    KIND,
    E,
    deck,
    discards,
    entries,
    give,
    hand,
    next_turn,
    run,
    seal_all,
    set_capital,
    set_tracks,
    shift,
    shock,
    shock_status,
    start,
    to_orders,
    variant,
)


def _s(**kw):
    return start(variant(**kw), 1)


def upkeep(s, turn=1):
    return entries(s, phase="upkeep", turn=turn)


def test_8_1_1_drift_toward_baseline_by_rate_then_income():
    """Setup: alignment 70, dependence 70 -> baseline 30 + 35 = 65. Orders: none.
    Expected upkeep ledger, exactly: alignment 70 -> 68 (drift), us 5 -> 7, prc 5 -> 7 (income)."""
    s = next_turn(_s())
    assert upkeep(s) == [
        E(1, "upkeep", "alignment", 70, 68, "drift"),
        E(1, "upkeep", "capital:us", 5, 7, "income"),
        E(1, "upkeep", "capital:prc", 5, 7, "income"),
    ]


def test_8_1_2_drift_moves_only_the_remaining_distance():
    """Setup a: alignment 64, dependence 71 (baseline 30 + floor(71/2) = 65) -> 64 -> 65.
    Setup b: alignment 66, dependence 70 -> 66 -> 65. Setup c: alignment 65 -> no drift entry."""
    for before, dep, after in ((64, 71, 65), (66, 70, 65)):
        s = next_turn(set_tracks(_s(), alignment=before, dependence=dep))
        assert entries(s, cause="drift") == [E(1, "upkeep", "alignment", before, after, "drift")]
    assert entries(next_turn(set_tracks(_s(), alignment=65)), cause="drift") == []


def test_8_1_3_baseline_uses_floor_division():
    """Setup: track tension (-10..10) at -3; track mood (-10..10) at 0 drifting toward
    0 + floor(tension * 1 / 2) = floor(-1.5) = -2 at rate 5.
    Expected: mood 0 -> -2 (truncation would give -1)."""
    band = [{"min": -10, "max": 10, "label": "any"}]
    extra = [
        {"id": "tension", "name": "T", "min": -10, "max": 10, "start": -3, "meaning": "m", "bands": band},
        {"id": "mood", "name": "M", "min": -10, "max": 10, "start": 0, "meaning": "m", "bands": band,
         "drift": {"base": 0, "track": "tension", "num": 1, "den": 2, "rate": 5}},
    ]
    s = next_turn(_s(add_tracks=extra))
    assert entries(s, subject="mood") == [E(1, "upkeep", "mood", 0, -2, "drift")]


def test_8_1_4_drift_suspended_while_window_open():
    """Setup: far_east open through turn 1. Expected: no alignment drift at turn 1's upkeep;
    drift resumes at turn 2 (70 -> 68)."""
    s = next_turn(_s()._replace(windows=(1,)))
    assert entries(s, cause="drift") == []
    s = next_turn(s)
    assert entries(s, cause="drift") == [E(2, "upkeep", "alignment", 70, 68, "drift")]


def test_8_1_5_baseline_sums_several_terms_each_rounded_down():
    """Setup: alignment 70 drifting toward 10 + floor(dependence/2) + floor(-3*tension/2) at rate 9,
    dependence 70, tension 3 (-10..10). Baseline = 10 + 35 + floor(-4.5) = 40.
    Expected: alignment 70 -> 61 (rate 9)."""
    band = [{"min": -10, "max": 10, "label": "any"}]
    extra = [{"id": "tension", "name": "T", "min": -10, "max": 10, "start": 3, "meaning": "m", "bands": band}]
    terms = [{"track": "dependence", "num": 1, "den": 2}, {"track": "tension", "num": -3, "den": 2}]
    drift = {"base": 10, "terms": terms, "rate": 9}
    s = next_turn(_s(add_tracks=extra, tracks={"alignment": {"drift": drift}}))
    assert entries(s, cause="drift") == [E(1, "upkeep", "alignment", 70, 61, "drift")]


def test_8_1_6_suspend_up_holds_only_recovery():
    """Setup: drift with suspend: up; far_east open through turn 1.
    a: alignment 60 below its baseline 65 -> no drift (a wedge made in the window sticks).
    b: alignment 70 above it -> 70 -> 68 (the window does not hold it up)."""
    drift = {"base": 30, "track": "dependence", "num": 1, "den": 2, "rate": 2, "suspended_by": ["far_east"],
             "suspend": "up"}
    s = next_turn(set_tracks(_s(tracks={"alignment": {"drift": drift}}), alignment=60)._replace(windows=(1,)))
    assert entries(s, cause="drift") == []
    s = next_turn(set_tracks(_s(tracks={"alignment": {"drift": drift}}), alignment=70)._replace(windows=(1,)))
    assert entries(s, cause="drift") == [E(1, "upkeep", "alignment", 70, 68, "drift")]


def test_8_1_7_pressures_apply_before_drift_while_their_condition_holds():
    """Setup: pressure `squeeze` (dependence >= 70: dependence +3), pressure `idle` (turn >= 5).
    Expected turn 1 upkeep: dependence 70 -> 73 (pressure:squeeze), then alignment drifts toward
    30 + floor(73/2) = 66: 70 -> 68; `idle` writes nothing."""
    pressures = [
        {"id": "squeeze", "name": "S", "when": {"test": "track", "track": "dependence", "min": 70},
         "effects": [shift("dependence", 3)], "text": "t", "source": "s"},
        {"id": "idle", "name": "I", "when": {"test": "turn", "min": 5}, "effects": [shift("dependence", -9)],
         "text": "t", "source": "s"},
    ]
    s = next_turn(_s(pressures=pressures))
    got = [e for e in upkeep(s) if e.subject in ("dependence", "alignment")]
    assert got == [
        E(1, "upkeep", "dependence", 70, 73, "pressure:squeeze"),
        E(1, "upkeep", "alignment", 70, 68, "drift"),
    ]


def test_8_2_1_windows_close_after_their_last_turn():
    """Setup: far_east open through turn 2 (at turn 1).
    Expected: still open at turn 2 (no drift at turns 1 and 2), closed after turn 2's upkeep."""
    s = next_turn(_s()._replace(windows=(2,)))
    assert s.windows == (2,) and s.window_open("far_east")
    s = next_turn(s)
    assert s.windows == (0,) and not s.window_open("far_east")
    assert entries(s, cause="drift") == []


def test_8_2_2_blocks_expire_after_their_last_turn():
    """Setup: blocks (sanction, us, through turn 1) and (framing, all, through turn 2).
    Expected: after turn 1 only the framing block remains; after turn 2 none."""
    b1, b2 = (KIND["sanction"], 0, 1), (KIND["framing"], -1, 2)
    s = next_turn(_s()._replace(blocks=(b1, b2)))
    assert s.blocks == (b2,)
    assert next_turn(s).blocks == ()


MUTINY = shock("mutiny", shift("dependence", 3), weight=0, in_deck=False,
               add_when={"test": "track", "track": "alignment", "max": 60})


def test_8_3_1_add_when_adds_a_shock_at_upkeep():
    """Setup: mutiny (not in deck; add_when alignment <= 60); alignment 58.
    Expected: after drift (58 -> 60) the condition holds and mutiny is in the deck at turn 2."""
    s = set_tracks(_s(shocks=[MUTINY]), alignment=58)
    assert shock_status(s, "mutiny") == OUT
    s = next_turn(s)
    assert s.track("alignment") == 60 and shock_status(s, "mutiny") == IN_DECK


def test_8_3_2_deck_update_comes_after_drift():
    """Setup: as 8.3.1 but alignment 59: drift takes it to 61 before the deck update.
    Expected: mutiny stays out of the deck."""
    s = next_turn(set_tracks(_s(shocks=[MUTINY]), alignment=59))
    assert s.track("alignment") == 61 and shock_status(s, "mutiny") == OUT


def test_8_3_3_added_shock_can_be_drawn_next_turn():
    """Setup: as 8.3.1 with mutiny weight 4 (the only drawable shock). Expected: drawn at turn 2's
    shock phase: dependence 70 -> 73 with cause shock:mutiny."""
    s = next_turn(set_tracks(_s(shocks=[{**MUTINY, "weight": 4}]), alignment=58))
    assert s.shocks_this_turn == ("mutiny",)
    assert entries(s, cause="shock:mutiny") == [E(2, "shock", "dependence", 70, 73, "shock:mutiny")]


def test_8_3_4_drawn_non_recurring_shock_never_returns():
    """Setup: flash (weight 1, non-recurring, add_when: always). Drawn at turn 1.
    Expected: still used after turn 1's upkeep; nothing drawn at turn 2."""
    s = _s(shocks=[shock("flash", shift("dualuse", 1), add_when={"test": "turn", "min": 1})])
    assert s.shocks_this_turn == ("flash",)
    s = next_turn(s)
    assert shock_status(s, "flash") == USED and s.shocks_this_turn == ()


def test_8_3_5_remove_when_removes_a_shock():
    """Setup: fade (weight 0, in deck, remove_when turn >= 1). Expected: out of the deck after turn 1."""
    s = _s(shocks=[shock("fade", shift("dualuse", 1), weight=0, remove_when={"test": "turn", "min": 1})])
    assert shock_status(s, "fade") == IN_DECK
    assert shock_status(next_turn(s), "fade") == OUT


def test_8_3_6_recurring_shock_removed_then_re_added():
    """Setup: rec (recurring, weight 1, remove_when turn <= 1, add_when turn >= 2); drawn at turn 1.
    Expected: drawn at turn 1 and stays in the deck (recurring) until turn 1's upkeep removes it; at
    turn 2's upkeep add_when holds and, being recurring, it returns to the deck (§8.3)."""
    rec = shock("rec", shift("dualuse", 1), recurring=True, remove_when={"test": "turn", "max": 1},
                add_when={"test": "turn", "min": 2})
    s = _s(shocks=[rec])
    assert s.shocks_this_turn == ("rec",)
    assert shock_status(s, "rec") == IN_DECK
    s = next_turn(s)
    assert shock_status(s, "rec") == OUT and s.shocks_this_turn == ()
    s = next_turn(s)
    assert shock_status(s, "rec") == IN_DECK


def test_8_3_7_drawn_non_recurring_shock_never_returns():
    """Setup: once (non-recurring, weight 1, add_when turn >= 2); drawn at turn 1.
    Expected: after turn 1 it is used; at turn 2's upkeep add_when holds but it stays out (§8.3)."""
    once = shock("once", shift("dualuse", 1), add_when={"test": "turn", "min": 2})
    s = _s(shocks=[once])
    assert s.shocks_this_turn == ("once",)
    s = next_turn(next_turn(s))
    assert shock_status(s, "once") not in (IN_DECK,)


def test_8_4_1_income_capped_at_max_capital():
    """Setup: us capital 9 (max 10); prc max_capital 6, capital 5. Income 2 each.
    Expected: us 9 -> 10, prc 5 -> 6, cause income."""
    s = next_turn(set_capital(_s(roles={"prc": {"max_capital": 6}}), us=9))
    assert entries(s, cause="income") == [E(1, "upkeep", "capital:us", 9, 10, "income"),
                                          E(1, "upkeep", "capital:prc", 5, 6, "income")]


def test_8_5_1_game_ends_after_the_last_turn_without_drawing():
    """Setup: turns 1; us holds 4 cards. Orders: us plays us-stall.
    Expected: game over, end_reason 'last turn', turn 1; income was paid (8.4 before 8.5);
    us's hand was not refilled (3 cards) because the game ended before 8.6."""
    s = give(_s(rules={"turns": 1}), "us", "us-sanction", "us-carrot", "us-arms", "us-stall")
    s = seal_all(run(to_orders(s), "us:play:us-stall"))
    assert (s.phase, s.end_reason, s.turn) == ("over", "last turn", 1)
    assert entries(s, cause="income") == [E(1, "upkeep", "capital:us", 6, 8, "income"),
                                          E(1, "upkeep", "capital:prc", 5, 7, "income")]
    assert len(s.hands[0]) == 3


def test_8_5_2_game_runs_every_turn():
    """Setup: turns 3. Expected: after two turns the game is at turn 3; after the third it is over."""
    s = next_turn(next_turn(_s()))
    assert (s.turn, s.phase) == (3, "diplomacy")
    s = next_turn(s)
    assert (s.turn, s.phase, s.end_reason) == (3, "over", "last turn")


def test_8_6_1_hand_refilled_with_reshuffle_of_discard():
    """Setup: us hand us-sanction, us-carrot, us-frame, us-stall; deck us-arms only.
    Orders: us plays us-frame and us-stall (both discarded).
    Expected after upkeep: us draws us-arms, then the deck is empty so the discard
    (us-frame, us-stall) is shuffled into a new deck and one is drawn: hand of 4, deck of 1,
    empty discard pile."""
    s = give(_s(), "us", "us-sanction", "us-carrot", "us-frame", "us-stall")
    assert deck(s, "us") == ["us-arms"]
    s = seal_all(run(to_orders(s), "us:play:us-frame", "us:play:us-stall"))
    assert s.turn == 2
    h = hand(s, "us")
    assert len(h) == 4 and {"us-sanction", "us-carrot", "us-arms"} <= set(h)
    assert sorted(set(h) - {"us-sanction", "us-carrot", "us-arms"} | set(deck(s, "us"))) == ["us-frame", "us-stall"]
    assert len(deck(s, "us")) == 1 and discards(s, "us") == []


def test_8_6_2_hand_refilled_from_deck():
    """Setup: us hand us-sanction, us-carrot, us-arms (3 cards); deck us-frame, us-stall; no plays.
    Expected: one card drawn: hand of 4, deck of 1, all five cards accounted for, discard empty."""
    s = next_turn(give(_s(), "us", "us-sanction", "us-carrot", "us-arms"))
    assert len(hand(s, "us")) == 4 and len(deck(s, "us")) == 1 and discards(s, "us") == []
    assert sorted(hand(s, "us") + deck(s, "us")) == sorted(s.sc.card_ids[c] for c in s.sc.cards_by_role[0])


def test_8_7_1_turn_advances_and_records_turn_start():
    """Expected after turn 1: turn 2, turn-start values = values after upkeep (alignment 68),
    a checkpoint for turn 2, nobody ready, no orders, no offers."""
    s = next_turn(_s())
    assert s.turn == 2 and s.turn_start == s.tracks and s.track("alignment") == 68
    assert len(s.checkpoints) == 2 and s.checkpoints[1].turn == 2
    assert s.orders == ((), ()) and s.offers == () and s.ready == (False, False)
