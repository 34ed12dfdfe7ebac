"""Ledger causes and offer outcomes: the typed records read back exactly what the engine wrote."""

from __future__ import annotations

from game.causes import (
    CARD,
    OFFER,
    OVERRIDE,
    Cause,
    OfferOutcome,
    accepted_outcome,
    broken_offer_cause,
    override_cause,
    parse_cause,
    parse_outcome,
)
from game.compiled import Compiled
from game.rules import apply, new_game
from game.simulate import play_random


def test_every_cause_and_outcome_of_real_games_round_trips(standard_sc: Compiled) -> None:
    kinds = set()
    outcomes = set()
    for seed in range(12):
        s = play_random(standard_sc, seed).state
        for e in s.ledger:
            cause = parse_cause(e.cause)
            assert str(cause) == e.cause
            kinds.add(cause.kind)
            if cause.kind == CARD:
                assert cause.ref in standard_sc.card_index
        for rec in s.history:
            for o in rec.offers:
                parsed = parse_outcome(o.outcome)
                assert str(parsed) == o.outcome and parsed.settled
                assert parsed.kept == (o.outcome == "kept")
                outcomes.add(o.outcome.partition(":")[0])
    assert {"card", "cost", "shock", "drift", "income"} <= kinds
    assert {"kept", "declined", "broken"} <= outcomes


def test_offer_and_override_causes() -> None:
    c = parse_cause(broken_offer_cause(12))
    assert (c.kind, c.offer, str(c)) == (OFFER, 12, "offer:12:broken")
    o = parse_cause(override_cause("the class voted: 40"))
    assert (o.kind, o.ref, o.by_facilitator) == (OVERRIDE, "the class voted: 40", True)
    assert parse_cause("drift") == Cause("drift") and str(Cause("drift")) == "drift"
    assert parse_cause("card:x").offer == -1


def test_outcomes() -> None:
    assert parse_outcome("") == OfferOutcome(False) and str(OfferOutcome(False)) == ""
    assert parse_outcome("declined").declined and not parse_outcome("declined").kept
    both = parse_outcome(accepted_outcome(["us", "prc"]))
    assert both.breakers == ("us", "prc") and both.broken and not both.kept
    assert parse_outcome(accepted_outcome([])).kept


def test_an_override_reason_with_colons_survives(standard_sc: Compiled) -> None:
    s = apply(new_game(standard_sc, 1), "gm:set:alignment:40:a reason: with colons")
    assert parse_cause(s.ledger[-1].cause).ref == "a reason: with colons"
