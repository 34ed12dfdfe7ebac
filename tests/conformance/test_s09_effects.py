"""§9 Effects.

Most cases give us one test card (kind event, cost 0 unless stated) in a one-turn mini game with a
silent shock deck, play it, and read the adjudication ledger entries caused by that card.
"""

from __future__ import annotations

from game.rules import apply
from game.state import IN_DECK, OUT, USED

from .helpers import (
    KIND,
    E,
    card,
    die,
    discards,
    entries,
    give,
    hand,
    next_turn,
    refused,
    removed,
    run,
    seal_all,
    set_capital,
    set_tracks,
    shift,
    shock,
    start,
    to_orders,
    trio,
    variant,
)

PRC = ("prc-curb", "prc-summit", "prc-block", "prc-trade")


def _setup(extra, us_hand, turns=1, seed=1, **kw):
    s = start(variant(add_cards=extra, rules={"turns": turns, **kw.pop("rules", {})}, **kw), seed)
    return give(give(s, "us", *us_hand), "prc", *PRC)


def _play(s, *commands):
    return seal_all(run(to_orders(s), *commands))


def by(s, cid):
    return entries(s, cause="card:" + cid)


# ---------------------------------------------------------------------------- roll

DICE = card("us-dice", "us", "event", {
    "op": "roll", "dice": "1d4",
    "modifiers": [
        {"label": "always", "add": 2, "when": {"test": "turn", "min": 1}},
        {"label": "never", "add": 5, "when": {"test": "turn", "min": 9}},
        {"label": "per track", "track": "alignment", "above": 60, "per": 4},
    ],
    "outcomes": [
        {"min": 5, "max": 6, "effects": [shift("dependence", 1)]},
        {"min": 7, "max": 8, "effects": [shift("dependence", 2), shift("dualuse", -1)]},
    ],
})


def test_9_1_1_roll_modifiers_and_outcome_bands():
    """Setup: us-dice rolls 1d4 + 2 (turn >= 1 holds) + 0 (turn >= 9 fails) + floor((70 - 60) / 4) = +4.
    Bands: 5..6 -> dependence +1; 7..8 -> dependence +2 and dualuse -1.
    Expected: exactly the band containing the total applies; each entry carries `1d4=R+4=T`."""
    for seed in range(1, 9):
        s0 = _setup([DICE], ["us-dice"], seed=seed)
        raw = die(s0, 4)
        s = _play(s0, "us:play:us-dice")
        note = f"1d4={raw}+4={raw + 4}"
        if raw + 4 <= 6:
            assert by(s, "us-dice") == [E(1, "adjudication", "dependence", 70, 71, "card:us-dice", note)]
        else:
            assert by(s, "us-dice") == [E(1, "adjudication", "dependence", 70, 72, "card:us-dice", note),
                                        E(1, "adjudication", "dualuse", 100, 99, "card:us-dice", note)]


def test_9_1_2_track_modifier_floors_below_the_threshold():
    """Setup: alignment 57; a card rolling 1d4 with +2 (always) and floor((57 - 60) / 4) = -1,
    one band -10..20 -> dependence +1. Expected roll text `1d4=R+1=T` (truncation would give +2)."""
    c = card("us-low", "us", "event", {
        "op": "roll", "dice": "1d4",
        "modifiers": [{"add": 2}, {"track": "alignment", "above": 60, "per": 4}],
        "outcomes": [{"min": -10, "max": 20, "effects": [shift("dependence", 1)]}],
    })
    s0 = set_tracks(_setup([c], ["us-low"]), alignment=57)
    raw = die(s0, 4)
    s = _play(s0, "us:play:us-low")
    assert by(s, "us-low") == [E(1, "adjudication", "dependence", 70, 71, "card:us-low", f"1d4={raw}+1={raw + 1}")]


def test_9_1_3_roll_outside_every_band_changes_nothing_but_is_recorded():
    """Setup: a 2d6 roll whose only band is 50..60. Expected: no track changes; the card's one
    ledger entry is the roll itself (§9.2): subject `roll`, before = after = the total, its dice."""
    c = card("us-miss", "us", "event", {"op": "roll", "dice": "2d6",
                                        "outcomes": [{"min": 50, "max": 60, "effects": [shift("dependence", 9)]}]})
    s = _play(_setup([c], ["us-miss"]), "us:play:us-miss")
    (entry,) = by(s, "us-miss")
    assert entry.subject == "roll" and entry.before == entry.after and 2 <= entry.after <= 12
    assert entry.roll == f"2d6={entry.after}"
    assert s.track("dependence") == 70


def test_9_1_4_a_roll_whose_band_moves_no_track_is_recorded_once():
    """Setup: a 1d6 roll whose every band only sets the flag tariff_cut (flags have no ledger
    entries), and one whose every band shifts dependence -1. Expected: the first writes exactly
    one `roll` entry and sets the flag; the second writes its shift and no `roll` entry."""
    flag = card("us-flag", "us", "event", {"op": "roll", "dice": "1d6", "outcomes": [
        {"min": 1, "max": 6, "effects": [{"op": "flag", "flag": "tariff_cut"}]}]})
    s = _play(_setup([flag], ["us-flag"]), "us:play:us-flag")
    assert [e.subject for e in by(s, "us-flag")] == ["roll"] and s.flag("tariff_cut")
    moves = card("us-move", "us", "event", {"op": "roll", "dice": "1d6",
                                            "outcomes": [{"min": 1, "max": 6, "effects": [shift("dependence", -1)]}]})
    s = _play(_setup([moves], ["us-move"]), "us:play:us-move")
    assert [e.subject for e in by(s, "us-move")] == ["dependence"]


# ------------------------------------------------------------------------------ if


def test_9_2_1_if_then_else():
    """Setup: us-frame: if far_east open then alignment -6 else alignment -1.
    Case a: window open through turn 1 -> 70 -> 64. Case b: closed -> 70 -> 69."""
    s = _play(_setup([], ["us-frame"])._replace(windows=(1,)), "us:play:us-frame")
    assert by(s, "us-frame") == [E(1, "adjudication", "alignment", 70, 64, "card:us-frame")]
    s = _play(_setup([], ["us-frame"]), "us:play:us-frame")
    assert by(s, "us-frame") == [E(1, "adjudication", "alignment", 70, 69, "card:us-frame")]


def test_9_2_2_played_condition_false_before_reveal():
    """Setup: us-watch requires `prc played a sanction`. Orders: prc plays prc-curb and seals; then
    us plays us-watch. Expected: refused, rule 6.2 (nothing is revealed during orders)."""
    c = card("us-watch", "us", "event", shift("dependence", 1),
             requires={"test": "played", "role": "prc", "kind": "sanction"})
    s = run(to_orders(_setup([c], ["us-watch"])), "prc:play:prc-curb", "prc:seal")
    refused(s, "us:play:us-watch", "6.2")


def test_9_2_3_played_condition_true_after_reveal():
    """Setup: us-echo (framing, resolves before sanctions): if prc played prc-curb then dependence +1
    else dependence -1. Case a: prc plays prc-curb -> 70 -> 71 (the reveal precedes all resolution).
    Case b: prc plays prc-trade -> 70 -> 69."""
    c = card("us-echo", "us", "framing", {"op": "if", "when": {"test": "played", "role": "prc", "card": "prc-curb"},
                                          "then": [shift("dependence", 1)], "else": [shift("dependence", -1)]})
    s = _play(_setup([c], ["us-echo"]), "us:play:us-echo", "prc:play:prc-curb")
    assert by(s, "us-echo") == [E(1, "adjudication", "dependence", 70, 71, "card:us-echo")]
    s = _play(_setup([c], ["us-echo"]), "us:play:us-echo", "prc:play:prc-trade")
    assert by(s, "us-echo") == [E(1, "adjudication", "dependence", 70, 69, "card:us-echo")]


def test_9_2_4_conditions_all_any_not_turn_flag_delta():
    """Setup: us-logic, effects in order:
    if all(turn 1..1, crisis flag false) -> dependence +1 else -1;   (holds: 70 -> 71)
    if any(turn >= 5, stability <= 1) -> dualuse +10 else -1;       (fails: 100 -> 99)
    if not(far_east open) -> alignment +3;                          (holds: 70 -> 73)
    if delta(alignment) in 3..3 -> dependence +1                    (holds: 71 -> 72)."""
    c = card("us-logic", "us", "event",
             {"op": "if", "when": {"test": "all", "of": [{"test": "turn", "min": 1, "max": 1},
                                                          {"test": "flag", "flag": "crisis", "is": False}]},
              "then": [shift("dependence", 1)], "else": [shift("dependence", -1)]},
             {"op": "if", "when": {"test": "any", "of": [{"test": "turn", "min": 5},
                                                          {"test": "track", "track": "stability", "max": 1}]},
              "then": [shift("dualuse", 10)], "else": [shift("dualuse", -1)]},
             {"op": "if", "when": {"test": "not", "of": {"test": "window", "window": "far_east"}},
              "then": [shift("alignment", 3)]},
             {"op": "if", "when": {"test": "delta", "track": "alignment", "min": 3, "max": 3},
              "then": [shift("dependence", 1)]})
    s = _play(_setup([c], ["us-logic"]), "us:play:us-logic")
    assert [(e.subject, e.before, e.after) for e in by(s, "us-logic")] == [
        ("dependence", 70, 71), ("dualuse", 100, 99), ("alignment", 70, 73), ("dependence", 71, 72)]


def test_9_2_5_target_condition():
    """Setup: trio; us-aim (targets prc, india): if target india then dependence -3 else +3.
    Case a: target india -> 70 -> 67. Case b: target prc -> 70 -> 73."""
    c = card("us-aim", "us", "event", {"op": "if", "when": {"test": "target", "role": "india"},
                                       "then": [shift("dependence", -3)], "else": [shift("dependence", 3)]},
             targets=["prc", "india"])
    for target, after in (("india", 67), ("prc", 73)):
        s = give(start(trio(add_cards=[c], rules={"turns": 1}), 1), "us", "us-aim")
        s = _play(s, f"us:play:us-aim:{target}")
        assert by(s, "us-aim") == [E(1, "adjudication", "dependence", 70, after, "card:us-aim")]


# ------------------------------------------------------------------ set / capital / flag


def test_9_3_1_set_effect():
    """Setup: us-set: set alignment 100 (its max), set dualuse 0 (its min), set stability 3 (unchanged).
    Expected: alignment 70 -> 100, dualuse 100 -> 0, no entry for the unchanged stability."""
    c = card("us-set", "us", "event", {"op": "set", "track": "alignment", "value": 100},
             {"op": "set", "track": "dualuse", "value": 0}, {"op": "set", "track": "stability", "value": 3})
    s = _play(_setup([c], ["us-set"]), "us:play:us-set")
    assert by(s, "us-set") == [E(1, "adjudication", "alignment", 70, 100, "card:us-set"),
                               E(1, "adjudication", "dualuse", 100, 0, "card:us-set")]


def test_9_3_2_shift_clamps_to_the_track_range():
    """Setup: us-push: alignment +45 (from 70; max 100). Expected: 70 -> 100."""
    c = card("us-push", "us", "event", shift("alignment", 45))
    s = _play(_setup([c], ["us-push"]), "us:play:us-push")
    assert by(s, "us-push") == [E(1, "adjudication", "alignment", 70, 100, "card:us-push")]


def test_9_3_3_capital_with_owner_and_target_placeholders():
    """Setup: us-deal (targets prc): capital owner +3, capital target -2; us capital 9, prc capital 1.
    Expected: us 9 -> 10 (clamped to max_capital), prc 1 -> 0 (clamped to 0)."""
    c = card("us-deal", "us", "event", {"op": "capital", "role": "owner", "amount": 3},
             {"op": "capital", "role": "target", "amount": -2}, targets=["prc"])
    s = set_capital(_setup([c], ["us-deal"]), us=9, prc=1)
    s = _play(s, "us:play:us-deal:prc")
    assert by(s, "us-deal") == [E(1, "adjudication", "capital:us", 9, 10, "card:us-deal"),
                                E(1, "adjudication", "capital:prc", 1, 0, "card:us-deal")]


def test_9_3_4_flag_effect():
    """Setup: us-flag: flag tariff_cut true; flag crisis... left alone. Expected: tariff_cut set, crisis not."""
    c = card("us-flag", "us", "event", {"op": "flag", "flag": "tariff_cut"})
    s = _play(_setup([c], ["us-flag"]), "us:play:us-flag")
    assert s.flag("tariff_cut") and not s.flag("crisis")


# ------------------------------------------------------------------- draw / discard


def test_9_4_1_draw_effect():
    """Setup: us hand us-draw only (draw owner 2); deck holds the five mini us cards.
    Expected after adjudication: hand of 2, deck of 3, us-draw in the discard pile."""
    c = card("us-draw", "us", "event", {"op": "draw", "role": "owner", "count": 2})
    s = _play(_setup([c], ["us-draw"]), "us:play:us-draw")
    assert len(hand(s, "us")) == 2 and len(s.decks[0]) == 3 and discards(s, "us") == ["us-draw"]


def test_9_4_2_discard_effect_on_target():
    """Setup: us-strip (targets prc): discard target 2. prc holds 4 cards and plays nothing.
    Expected: prc keeps 2 cards, discards the other 2."""
    c = card("us-strip", "us", "event", {"op": "discard", "role": "target", "count": 2}, targets=["prc"])
    s = _play(_setup([c], ["us-strip"]), "us:play:us-strip:prc")
    assert len(hand(s, "prc")) == 2 and len(discards(s, "prc")) == 2
    assert sorted(hand(s, "prc") + discards(s, "prc")) == sorted(PRC)


def test_9_4_3_discard_spares_cards_in_the_sealed_order():
    """Setup: prc-trade is remove_after_use. us-strip (sanction kind, targets prc): discard target 5.
    Orders: us plays us-strip:prc; prc plays prc-trade (tariff_carrot, resolves after sanctions).
    Expected: prc's three other cards are discarded but prc-trade, being in its sealed order, is not;
    it then resolves (dualuse +5) and is removed from the game."""
    c = card("us-strip", "us", "sanction", {"op": "discard", "role": "target", "count": 5}, targets=["prc"])
    s = _setup([c], ["us-strip"], cards={"prc-trade": {"remove_after_use": True}})
    s = _play(s, "us:play:us-strip:prc", "prc:play:prc-trade")
    assert by(s, "prc-trade") == [E(1, "adjudication", "dualuse", 100, 105, "card:prc-trade")]
    assert sorted(discards(s, "prc")) == ["prc-block", "prc-curb", "prc-summit"]
    assert removed(s, "prc") == ["prc-trade"] and hand(s, "prc") == []


def test_9_4_4_discard_during_orders_spares_the_order():
    """Setup: orders phase; prc has put prc-trade in its order. Facilitator injects a custom shock
    `discard prc 5`. Expected: the other three prc cards are discarded; prc-trade stays in hand and order."""
    s = to_orders(_setup([], ["us-stall"]))
    s = apply(s, "prc:play:prc-trade")
    s = apply(s, 'gm:inject-custom:{"id": "purge", "title": "Purge", "weight": 0, "text": "t", "source": "gm",'
                 ' "effects": [{"op": "discard", "role": "prc", "count": 5}]}')
    assert hand(s, "prc") == ["prc-trade"]
    assert sorted(discards(s, "prc")) == ["prc-block", "prc-curb", "prc-summit"]


# ------------------------------------------------------------------------- durations


def test_9_5_1_block_from_a_shock_covers_this_turn():
    """Setup: deck = embargo (block_kind sanction, all roles, turns 1), drawn at turn 1.
    Expected: block (sanction, all, through turn 1); us-sanction and prc-curb refused (6.3) at turn 1;
    at turn 2 the block is gone and us-sanction is accepted."""
    emb = shock("embargo", {"op": "block_kind", "kind": "sanction", "turns": 1})
    s = _setup([], ["us-sanction", "us-stall"], turns=3, shocks=[emb])
    assert s.blocks == ((KIND["sanction"], -1, 1),)
    o = to_orders(s)
    refused(o, "us:play:us-sanction:prc", "6.3")
    refused(o, "prc:play:prc-curb", "6.3")
    s = to_orders(next_turn(s))
    assert s.turn == 2 and s.blocks == ()
    apply(s, "us:play:us-sanction:prc")


def test_9_5_2_block_from_a_card_covers_next_turn():
    """Setup: prc-block: block_kind sanction for us, turns 1. Orders turn 1: prc plays prc-block.
    Expected: block (sanction, us, through turn 2); at turn 2 us-sanction refused (6.3) while prc-curb
    is accepted; at turn 3 us-sanction is accepted."""
    s = _play(_setup([], ["us-sanction", "us-stall"], turns=3), "prc:play:prc-block")
    assert s.turn == 2 and s.blocks == ((KIND["sanction"], 0, 2),)
    o = give(to_orders(s), "prc", "prc-curb")
    refused(o, "us:play:us-sanction:prc", "6.3")
    apply(o, "prc:play:prc-curb")
    s = to_orders(next_turn(s))
    assert s.turn == 3 and s.blocks == ()
    apply(s, "us:play:us-sanction:prc")


def test_9_5_3_window_durations():
    """Case a: shock unrest opens far_east for 1 turn at turn 1 -> open through turn 1.
    Case b: card us-open (open_window far_east, turns 1) played at turn 1 -> open through turn 2.
    Case c: the same card with turns 2 -> open through turn 3."""
    unrest = shock("unrest", {"op": "open_window", "window": "far_east", "turns": 1})
    assert _setup([], ["us-stall"], shocks=[unrest]).windows == (1,)
    for turns, last in ((1, 2), (2, 3)):
        c = card("us-open", "us", "event", {"op": "open_window", "window": "far_east", "turns": turns})
        s = _play(_setup([c], ["us-open"], turns=3), "us:play:us-open")
        assert s.turn == 2 and s.windows == (last,) and s.window_open("far_east")


def test_9_5_4_shock_after_orders_blocks_from_next_turn():
    """Setup: rules.phases = diplomacy, orders, adjudication, shock, upkeep; deck = embargo
    (block_kind sanction, all roles, turns 1). Expected: nothing drawn before turn 1's orders; the
    shock comes after orders have ended, so its block covers turn 2 (last turn 2)."""
    emb = shock("embargo", {"op": "block_kind", "kind": "sanction", "turns": 1})
    phases = ["diplomacy", "orders", "adjudication", "shock", "upkeep"]
    s = _setup([], ["us-sanction"], turns=3, shocks=[emb], rules={"phases": phases})
    assert (s.phase, s.blocks) == ("diplomacy", ())
    s = next_turn(s)
    assert s.turn == 2 and s.blocks == ((KIND["sanction"], -1, 2),)
    refused(to_orders(s), "us:play:us-sanction:prc", "6.3")


def test_9_6_1_shock_deck_effects():
    """Setup: deck = sleeper (weight 0, recurring), calm (weight 3, recurring), mutiny (out of deck,
    weight 0). At turn 1 calm is drawn. us-stir: reweight sleeper +3, remove calm, add mutiny.
    Expected after turn 1: sleeper's weight delta 3, calm out, mutiny in; at turn 2 sleeper is drawn
    (the only shock with weight): dependence 70 -> 71, cause shock:sleeper."""
    shocks = [shock("sleeper", shift("dependence", 1), weight=0, recurring=True),
              shock("calm", shift("dualuse", 0), weight=3, recurring=True),
              shock("mutiny", shift("dependence", 3), weight=0, in_deck=False)]
    c = card("us-stir", "us", "event", {"op": "reweight_shock", "shock": "sleeper", "delta": 3},
             {"op": "remove_shock", "shock": "calm"}, {"op": "add_shock", "shock": "mutiny"})
    s = _setup([c], ["us-stir"], turns=3, shocks=shocks)
    assert s.shocks_this_turn == ("calm",)
    s = _play(s, "us:play:us-stir")
    assert s.shock_delta == (3, 0, 0) and s.shock_status[1:] == (OUT, IN_DECK)
    assert s.shocks_this_turn == ("sleeper",)
    assert entries(s, cause="shock:sleeper") == [E(2, "shock", "dependence", 70, 71, "shock:sleeper")]


def test_9_6_2_add_shock_never_brings_back_a_used_up_shock():
    """§8.3: a non-recurring shock that has been drawn is used up and never returns.
    Setup: deck = clash (weight 3, non-recurring), drawn at turn 1. us-revive: add_shock clash.
    Expected: clash stays used up after us-revive resolves, and is not drawn at turn 2."""
    shocks = [shock("clash", shift("dependence", 1), weight=3)]
    c = card("us-revive", "us", "event", {"op": "add_shock", "shock": "clash"})
    s = _setup([c], ["us-revive"], turns=3, shocks=shocks)
    assert s.shocks_this_turn == ("clash",) and s.shock_status == (USED,)
    s = _play(s, "us:play:us-revive")
    assert s.shock_status == (USED,)
    assert s.shocks_this_turn == ()


def test_9_4_3_a_card_window_holds_drift_in_this_upkeep_and_the_next():
    """Setup: alignment 70 drifts toward 65 by 2 a turn unless far_east is open. us-open (event):
    open far_east for 1 turn. Orders: us plays it in turn 1. Expected: the window lasts through
    turn 2 (§9.4: from a card, N = 1 is next turn), and it is open from the moment it opens, so
    neither turn 1's upkeep nor turn 2's moves alignment; turn 3's does (70 -> 68)."""
    c = card("us-open", "us", "event", {"op": "open_window", "window": "far_east", "turns": 1})
    s = _play(_setup([c], ["us-open"], turns=3), "us:play:us-open")
    assert s.windows == (2,)
    assert entries(s, cause="drift", subject="alignment") == []
    s = next_turn(s)
    assert entries(s, cause="drift", subject="alignment") == []
    s = next_turn(s)
    assert [(e.turn, e.before, e.after) for e in entries(s, cause="drift", subject="alignment")] == [(3, 70, 68)]
