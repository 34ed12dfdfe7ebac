"""Report fixes found by reading a real classroom report, each on a small game played here.

- seats handed to AIs when a game starts are setup, not facilitator interventions;
- a lever is the US's instrument: another role's card of the same kind is not that lever;
- the debrief asks what a lever did only about levers the US actually pulled;
- an offer's answer and outcome never say the same word twice ("declined declined").
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from game.compiled import Compiled
from game.record import GameRecord
from game.report import build_report, render_html, render_markdown
from game.report import tables as tb
from game.report.model import Report
from game.rules import legal_actions
from game.state import GameState


def _accept(rec: GameRecord, s: GameState, commands: Iterable[str]) -> GameState:
    for command in commands:
        s = rec.accept(s, command)
    return s


def _all(sc: Compiled, verb: str) -> list[str]:
    return [f"{role}:{verb}" for role in sc.role_ids]


# ----------------------------------------------------------------------------- 1. seats at the start


def test_seats_given_at_the_start_are_setup_and_later_switches_are_interventions(standard_sc: Compiled) -> None:
    rec, s = GameRecord.start(standard_sc, 3)
    # what `wedge play --seats russia=random,...` writes before anyone moves
    s = _accept(rec, s, ["gm:seat:russia:random", "gm:seat:prc:heuristic", "gm:seat:india:random"])
    setup_only = build_report(rec)
    assert setup_only.facilitator == ()
    assert [(x.role, x.controller) for x in setup_only.setup] == [
        ("russia", "random"),
        ("prc", "heuristic"),
        ("india", "random"),
    ]
    md = render_markdown(setup_only)
    section = md.split("## 4. Facilitator actions")[1].split("## 5.")[0]
    assert "The facilitator did not intervene." in section
    assert "(setup, not interventions): Russia random, PRC heuristic, India random." in section
    assert "The facilitator did not intervene." in render_html(setup_only)

    # once a role has acted, handing a seat to an agent is the facilitator's decision
    s = _accept(rec, s, ["us:done", "gm:seat:us:heuristic"])
    later = build_report(rec)
    assert [(a.verb, a.command_no, a.text) for a in later.facilitator] == [
        ("seat", 5, "Seat US now played by heuristic")
    ]
    assert len(later.setup) == 3
    section = render_markdown(later).split("## 4. Facilitator actions")[1].split("## 5.")[0]
    assert "Seat US now played by heuristic" in section and "Seat Russia" not in section


# ----------------------------------------------------------------------------- 2 and 3. levers


def _russian_carrot_game(sc: Compiled) -> tuple[Report, str]:
    """A turn in which Russia plays one of its own tariff carrots and the US plays no carrot."""
    kind = {c.id: c.kind for c in sc.model.cards}
    for seed in range(1, 60):
        rec, s = GameRecord.start(sc, seed)
        s = _accept(rec, s, _all(sc, "done"))
        carrots = [
            c
            for c in legal_actions(s, sc.role_index["russia"])
            if c.verb == "play" and kind[c.args[0]] == "tariff_carrot"
        ]
        # "Discounted oil for India", the card the classroom report filed under the US carrot
        carrot = next((c for c in carrots if c.args[0] == "russia-energy-discount-india"), None)
        if carrot is None:
            continue
        s = _accept(rec, s, [carrot.text, *_all(sc, "seal")])
        assert s.history, "the turn was revealed"
        return build_report(rec), carrot.args[0]
    pytest.fail("no seed lets Russia play Discounted oil for India in turn 1")


def test_levers_count_only_the_us_cards(standard_sc: Compiled) -> None:
    report, card = _russian_carrot_game(standard_sc)
    carrot = next(s for s in report.levers if s.lever.id == "tariff_carrot")
    assert card not in carrot.cards and sum(carrot.plays.values()) == 0
    assert carrot.role == "us"
    assert all(v == 0 for v in carrot.total.values())
    played = next(p for p in report.plays if p.card == card)
    assert played.role == "russia" and played.lever == ""
    assert all(row.lever == "" for row in report.ledger if row.cause == f"card:{card}")
    # every lever card is the US's, and every US card of a lever kind is a lever card
    owner = {c.id: c.role for c in standard_sc.model.cards}
    every = {c for s in report.levers for c in s.cards}
    assert {owner[c] for c in every} == {"us"}
    assert every == {c.id for c in standard_sc.model.cards if c.role == "us" and c.kind != "event"}
    md = render_markdown(report)
    scorecard = md.split("## 6. Lever scorecard")[1].split("## 7.")[0]
    assert "| Tariff carrot | 0 |" in scorecard
    assert standard_sc.model.cards[standard_sc.card_index[card]].title not in scorecard


def test_the_debrief_asks_what_blunted_a_lever_only_when_it_was_pulled(standard_sc: Compiled) -> None:
    report, _ = _russian_carrot_game(standard_sc)
    why = [p.text for p in report.prompts if p.stage == "Why"]
    assert not any(t.startswith("Tariff carrot:") for t in why), why
    assert any(t.startswith("The US never pulled the tariff carrot lever") for t in why), why
    for score in report.levers:
        asked = [t for t in why if t.startswith(f"{score.lever.name}:")]
        if score.plays[score.role]:
            assert len(asked) == 1 and f"{score.plays[score.role]} card(s) played by the US" in asked[0]
        else:
            assert not asked, asked


# ----------------------------------------------------------------------------- 4. offers


def test_a_declined_offer_does_not_say_declined_twice(standard_sc: Compiled) -> None:
    sc = standard_sc
    rec, s = GameRecord.start(sc, 3)
    to_india = next(c for c in legal_actions(s, sc.role_index["us"]) if c.verb == "offer" and c.args[0] == "india")
    to_us = next(c for c in legal_actions(s, sc.role_index["prc"]) if c.verb == "offer" and c.args[0] == "us")
    s = _accept(rec, s, [to_india.text, to_us.text, *_all(sc, "done"), "india:decline:1", "us:decline:2"])
    s = _accept(rec, s, _all(sc, "seal"))
    report = build_report(rec)
    assert [(o.status, o.outcome) for o in report.offers] == [("declined", "declined")] * 2
    table = tb.offers(report)
    for row in table.rows:
        answer, outcome = row[-2:]
        assert answer == "declined" and outcome != answer
    for text in (render_markdown(report), render_markdown(report, compact=True), render_html(report)):
        words = text.replace("|", " ").replace("<td>", " ").replace("</td>", " ").split()
        assert not any(a == b == "declined" for a, b in zip(words, words[1:])), "declined twice in a row"
    assert "2 offer(s) were made: 0 kept, 0 broken, 2 declined or unanswered" in render_markdown(report)
