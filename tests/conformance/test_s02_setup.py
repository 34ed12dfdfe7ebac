"""§2 Setup."""

from __future__ import annotations

from game.rng import Stream
from game.state import IN_DECK, OUT

from .helpers import mini, standard, start, variant


def test_2_1_hands_are_dealt_from_a_seeded_shuffle():
    """Setup: mini scenario (us and prc own 5 cards each, hand_size 4), seed 11.
    Expected: each role's deck is its own cards shuffled by the game's stream (us first,
    then prc); the hand is hand_size cards drawn from the top, the deck keeps the rest."""
    sc = variant()
    s = start(sc, 11)
    stream = Stream(11)
    for r in range(2):
        expected = list(sc.cards_by_role[r])
        stream.shuffle(expected)
        size = sc.role_hand_size[r]
        assert len(s.hands[r]) == size == 4
        assert sorted(s.hands[r]) == sorted(expected[-size:])
        assert sorted(s.decks[r]) == sorted(expected[:-size])
        assert s.discards[r] == () and s.removed[r] == ()


def test_2_2_same_seed_same_hands_and_decks():
    """Setup: two games of the standard scenario with seed 42.
    Expected: identical hands, decks and stream position."""
    a, b = start(standard(), 42), start(standard(), 42)
    assert a.hands == b.hands and a.decks == b.decks and a.rng == b.rng
    assert all(len(h) == 5 for h in a.hands)


def test_2_3_different_seeds_deal_different_hands():
    """Setup: standard scenario, seeds 1..20.
    Expected: the deals are not all the same (a constant deal would ignore the seed),
    and every hand holds only the role's own cards, with no card dealt twice."""
    sc = standard()
    deals = set()
    for seed in range(1, 21):
        s = start(sc, seed)
        deals.add(s.hands)
        for r in range(len(sc.role_ids)):
            mine = set(sc.cards_by_role[r])
            assert set(s.hands[r]) <= mine
            assert len(set(s.hands[r]) | set(s.decks[r])) == len(s.hands[r]) + len(s.decks[r]) == len(mine)
    assert len(deals) >= 15


def test_2_4_tracks_flags_windows_at_start():
    """Setup: mini with a shock deck that never draws; seed 3.
    Expected at turn 1 diplomacy: every track at `start` (70, 70, 100, 3), turn-start values the
    same, no flag set, no window open, no block, an empty ledger."""
    s = start(variant(), 3)
    assert (s.turn, s.phase) == (1, "diplomacy")
    assert s.tracks == (70, 70, 100, 3) == s.turn_start
    assert s.flags == 0 and s.windows == (0,) and s.blocks == ()
    assert s.ledger == ()
    assert s.end_reason == ""


def test_2_5_capital_at_start():
    """Setup: mini with us capital 7 and prc capital 0.
    Expected: capital (7, 0) at the start of turn 1; nothing has been paid or earned."""
    s = start(variant(roles={"us": {"capital": 7}, "prc": {"capital": 0}}), 5)
    assert s.capital == (7, 0)


def test_2_6_shock_deck_holds_in_deck_shocks_only():
    """Setup: the mini scenario (unrest, calm, standoff in the deck; mutiny has in_deck: false).
    Orders: none (inspect after the first shock phase).
    Expected: mutiny is out of the deck; the others are in it or (unrest, non-recurring) used."""
    sc = mini()
    s = start(sc, 1)
    st = dict(zip(sc.shock_ids, s.shock_status, strict=True))
    assert st["mutiny"] == OUT
    assert st["calm"] == IN_DECK and st["standoff"] == IN_DECK
    assert s.shocks_this_turn in (("unrest",), ("calm",))


def test_2_7_game_starts_at_turn_1_in_first_phase():
    """Setup: mini. Expected: turn 1 and the checkpoint of turn 1 sits in the first phase
    of rules.phases (shock), with the setup deal already done."""
    s = start(variant(), 9)
    assert s.turn == 1
    assert len(s.checkpoints) == 1
    cp = s.checkpoints[0]
    assert cp.phase == "shock" and cp.turn == 1 and cp.hands == s.hands
