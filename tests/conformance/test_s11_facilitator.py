"""§11 Facilitator commands (actor `gm`)."""

from __future__ import annotations

import json

import pytest

from game.errors import IllegalCommand
from game.hashing import state_hash
from game.rules import apply, legal_actions, pending_roles
from game.views import public_view

from .helpers import E, give, mini, next_turn, refused, run, shift, shock, start, to_orders, variant


def _s(**kw):
    return start(variant(**kw), 1)


def test_11_1_pause_refuses_role_commands_until_resume():
    """Orders: gm:pause; us:done; us:say:prc:hi; gm:resume; us:done.
    Expected: while paused both role commands are refused under rule 11 (state unchanged), nothing
    is legal and nobody is waited for; after resume us:done is accepted."""
    s = apply(_s(), "gm:pause")
    assert s.paused
    refused(s, "us:done", "11")
    refused(s, "us:say:prc:hi", "11")
    assert legal_actions(s, 0) == [] and pending_roles(s) == []
    s = run(s, "gm:resume", "us:done")
    assert not s.paused and s.ready == (True, False)


def test_11_2_lock_and_unlock_are_public():
    """Orders: gm:lock, then gm:unlock. Expected: the public view shows the lock; while locked
    only `done` is legal in diplomacy; unlocked, offers are legal again."""
    s = give(apply(_s(), "gm:lock"), "us", "us-carrot", "us-stall")
    assert public_view(s)["diplomacy_locked"] is True
    assert [c.text for c in legal_actions(s, 0)] == ["us:done"]
    s = apply(s, "gm:unlock")
    assert not s.diplomacy_locked and "us:offer:prc:prc-curb:us-carrot" in {c.text for c in legal_actions(s, 0)}


def test_11_3_set_track_with_reason():
    """Orders: gm:set:alignment:55:ruling on the summit: part 2.
    Expected: alignment 70 -> 55, ledger entry in the current phase with cause
    `override:ruling on the summit: part 2` (the reason may contain colons)."""
    s = apply(_s(), "gm:set:alignment:55:ruling on the summit: part 2")
    assert s.track("alignment") == 55
    assert s.ledger[-1] == E(1, "diplomacy", "alignment", 70, 55, "override:ruling on the summit: part 2")


def test_11_4_set_capital_with_reason():
    """Orders: gm:set:capital.prc:9:windfall. Expected: prc 5 -> 9, cause override:windfall."""
    s = apply(_s(), "gm:set:capital.prc:9:windfall")
    assert s.capital == (5, 9)
    assert s.ledger[-1] == E(1, "diplomacy", "capital:prc", 5, 9, "override:windfall")


def test_11_5_set_refusals():
    """Orders: alignment 101 and -1 (range 0..100), capital.us 11 (max 10), unknown track, capital of an
    unknown role, non-integer value -> refused, rule 11, state unchanged. A blank reason does not parse."""
    s = _s()
    for cmd in ("gm:set:alignment:101:x", "gm:set:alignment:-1:x", "gm:set:capital.us:11:x",
                "gm:set:morale:3:x", "gm:set:capital.russia:3:x", "gm:set:alignment:high:x"):
        refused(s, cmd, "11")
    with pytest.raises(IllegalCommand):
        apply(s, "gm:set:alignment:50:   ")


JOLT = shock("jolt", shift("dependence", -4), {"op": "open_window", "window": "far_east", "turns": 1}, weight=0)


def test_11_6_inject_shock_by_id_applies_immediately():
    """Setup: jolt (weight 0, never drawn): dependence -4, open far_east for 1 turn.
    Orders: gm:inject:jolt during turn 1 diplomacy.
    Expected: dependence 70 -> 66 with cause inject:jolt, far_east open through turn 1 (the orders
    phase has not ended), jolt listed among this turn's shocks."""
    s = apply(_s(shocks=[JOLT]), "gm:inject:jolt")
    assert s.ledger == (E(1, "diplomacy", "dependence", 70, 66, "inject:jolt"),)
    assert s.windows == (1,) and "jolt" in s.shocks_this_turn
    refused(s, "gm:inject:no-such-shock", "11")


CUSTOM = {"id": "flood", "title": "Flood", "weight": 0, "text": "Floods.", "source": "gm",
          "effects": [{"op": "shift", "track": "dualuse", "amount": -15},
                      {"op": "capital", "role": "prc", "amount": 2}]}


def test_11_7_inject_custom_shock():
    """Orders (orders phase): gm:inject-custom:{flood: dualuse -15, prc capital +2} as JSON.
    Expected: dualuse 100 -> 85 and prc 5 -> 7, both with cause inject:flood, phase orders."""
    s = apply(to_orders(_s()), "gm:inject-custom:" + json.dumps(CUSTOM))
    assert s.ledger == (E(1, "orders", "dualuse", 100, 85, "inject:flood"),
                        E(1, "orders", "capital:prc", 5, 7, "inject:flood"))
    assert "flood" in s.shocks_this_turn


def test_11_8_inject_custom_refusals():
    """Orders: invalid JSON; a shock missing its effects; a shock naming an unknown track; a shock
    naming an unknown role. Expected: refused, rule 11, state unchanged."""
    s = _s()
    bad_track = {**CUSTOM, "effects": [{"op": "shift", "track": "morale", "amount": 1}]}
    bad_role = {**CUSTOM, "effects": [{"op": "capital", "role": "russia", "amount": 1}]}
    no_effects = {k: v for k, v in CUSTOM.items() if k != "effects"}
    for text in ('{"id": "flood", ', json.dumps(no_effects), json.dumps(bad_track), json.dumps(bad_role)):
        refused(s, "gm:inject-custom:" + text, "11")


def _first_play(s, role):
    return next((c.text for c in legal_actions(s, role) if c.verb == "play"), None)


def _scripted_turn(s, log):
    """done, done, us plays its first legal card, us seals, prc seals; logs (command, hash after)."""
    cmds = ["us:done", "prc:done"]
    for cmd in cmds:
        s = apply(s, cmd)
        log.append((cmd, state_hash(s)))
    for cmd in filter(None, [_first_play(s, 0), "us:seal", "prc:seal"]):
        s = apply(s, cmd)
        log.append((cmd, state_hash(s)))
    return s


def test_11_9_rollback_restores_turn_start_exactly():
    """Setup: the mini scenario with its real shock deck, seed 5; three scripted turns.
    Orders: gm:rollback:2 at the end of the game, then the turn 2 and 3 commands again.
    Expected: right after the rollback the state hash equals the hash at turn 2 diplomacy of the
    original run (the shock phase replays identically), every replayed command reproduces the
    original hash, and gm:rollback:1 gives exactly the new game."""
    sc = mini()
    log: list[tuple[str, str]] = []
    s = _scripted_turn(start(sc, 5), log)
    at_turn2, mark = state_hash(s), len(log)
    s = _scripted_turn(_scripted_turn(s, log), log)
    assert s.over
    r = apply(s, "gm:rollback:2")
    assert (r.turn, r.phase) == (2, "diplomacy") and state_hash(r) == at_turn2
    for cmd, h in log[mark:]:
        r = apply(r, cmd)
        assert state_hash(r) == h, cmd
    assert state_hash(apply(s, "gm:rollback:1")) == state_hash(start(sc, 5))


def test_11_10_rollback_undoes_overrides_and_orders_of_the_turn():
    """Setup: turn 2 orders phase; gm:set alignment 10; us has played a card.
    Orders: gm:rollback:2. Expected: the override, its ledger entry and the order are gone; the
    state equals turn 2 diplomacy as first reached."""
    s = next_turn(give(_s(), "us", "us-stall"))
    at_turn2 = state_hash(s)
    t = run(to_orders(s), "gm:set:alignment:10:test", "us:play:us-stall")
    r = apply(t, "gm:rollback:2")
    assert state_hash(r) == at_turn2 and r.orders == ((), ()) and r.ledger == s.ledger


def test_11_11_rollback_out_of_range_refused():
    """Setup: turn 2. Orders: gm:rollback:0, gm:rollback:3, gm:rollback:two. Expected: refused, rule 11."""
    s = next_turn(_s())
    for n in ("0", "3", "two"):
        refused(s, f"gm:rollback:{n}", "11")


def test_11_12_seat_changes_controller_publicly():
    """Orders: gm:seat:us:ai:heuristic. Expected: us controlled by ai:heuristic, shown in the public
    view; prc still human; unknown role refused (rule 11)."""
    s = apply(_s(), "gm:seat:us:ai:heuristic")
    assert s.controllers == ("ai:heuristic", "human")
    assert public_view(s)["roles"]["us"]["controller"] == "ai:heuristic"
    refused(s, "gm:seat:russia:human", "11")


def test_11_12b_a_long_seat_controller_is_kept_whole_or_refused():
    """Orders: gm:seat:us with a 300-character agent spec, then one of 401 characters.
    Expected: the first kept whole (a cut spec would lose its last parameters); the second
    refused under rule 11.6, nothing changed."""
    spec = "llm:base_url=http://127.0.0.1:8080/v1:model=" + "m" * 230 + ":prompt=short"
    s = apply(_s(), f"gm:seat:us:{spec}")
    assert s.controllers[0] == spec and s.controllers[0].endswith(":prompt=short")
    refused(s, "gm:seat:us:" + "x" * 401, "11.6")


def test_11_13_force_seals_for_an_absent_role():
    """Setup: offer 1 us -> prc made in diplomacy; orders phase; us plays us-stall and seals.
    Orders: gm:force:prc. Expected: prc sealed with an empty order, offer 1 declined (not broken, no
    penalty), the turn adjudicated (us-stall resolved) and turn 2 begun."""
    s = give(give(_s(), "us", "us-stall", "us-carrot"), "prc", "prc-curb")
    s = run(to_orders(apply(s, "us:offer:prc:prc-curb:us-carrot")), "us:play:us-stall", "us:seal")
    s = apply(s, "gm:force:prc")
    assert s.turn == 2
    assert s.history[0].orders[1] == ()
    assert [(o.status, o.outcome) for o in s.history[0].offers] == [("declined", "declined")]
    assert [e.cause for e in s.ledger if e.phase == "adjudication"] == ["card:us-stall"]


def test_11_14_force_in_diplomacy_and_refusals():
    """Orders: gm:force:us in diplomacy (us done for it); gm:force:us again (not waited for);
    gm:force:russia. Expected: first accepted, the others refused, rule 11; forcing prc too ends
    diplomacy."""
    s = apply(_s(), "gm:force:us")
    assert s.ready == (True, False) and s.phase == "diplomacy"
    refused(s, "gm:force:us", "11")
    refused(s, "gm:force:russia", "11")
    assert apply(s, "gm:force:prc").phase == "orders"


def test_11_15_game_over_refuses_commands():
    """Setup: a finished one-turn game. Orders: us:done, gm:set, gm:inject, gm:force.
    Expected: refused, rule 10."""
    s = next_turn(start(variant(rules={"turns": 1}, shocks=[JOLT]), 1))
    assert s.over
    for cmd in ("us:done", "gm:set:alignment:50:late", "gm:inject:jolt", "gm:force:us"):
        refused(s, cmd, "10")


def test_11_16_facilitator_commands_work_while_paused():
    """Setup: paused, orders phase. Orders: gm:set and gm:force:us, gm:force:prc.
    Expected: the override applies and the forced seals adjudicate the turn; the game stays paused."""
    s = apply(to_orders(_s()), "gm:pause")
    s = run(s, "gm:set:dependence:60:ruling", "gm:force:us", "gm:force:prc")
    assert s.paused and s.turn == 2
    assert E(1, "orders", "dependence", 70, 60, "override:ruling") in s.ledger


def test_11_17_override_to_crisis_level_ends_the_game():
    """Orders: gm:set:stability:1:escalation in diplomacy. Expected: the override is the crisis (§10.1):
    the crisis flag is set and the game is over at once on turn 1; the ledger names the override."""
    s = apply(_s(), "gm:set:stability:1:escalation")
    assert (s.phase, s.end_reason, s.turn) == ("over", "crisis", 1) and s.flag("crisis")
    assert s.ledger[-1].cause == "override:escalation" and s.ledger[-1].after == 1


def test_11_18_a_used_up_shock_can_be_injected_again():
    """Setup: jolt (non-recurring) injected once: used up (§4.4). Orders: gm:inject:jolt again.
    Expected: the facilitator's injection applies it again (dependence 66 -> 62, cause
    inject:jolt) and it stays used up: §8.3 keeps effects (add_shock) from bringing it back, but
    an injection is the white cell's explicit act (§11.3)."""
    s = apply(_s(shocks=[JOLT]), "gm:inject:jolt")
    s = apply(s, "gm:inject:jolt")
    assert [e.after for e in s.ledger if e.cause == "inject:jolt"] == [66, 62]
    assert s.shock_status == (2,)  # USED
