"""The reasoning timeline: the reasons computer seats gave (``meta["rationales"]``), placed
at the commands they explain, in both report formats, and never trusted blindly (a save
is outside input)."""

from __future__ import annotations

from game.compiled import Compiled
from game.record import GameRecord
from game.report import build_report, render_html, render_markdown
from game.rules import legal_actions


def _game(sc: Compiled) -> GameRecord:
    """A few commands of a real game: the US offers, then plays its first card and seals."""
    rec, s = GameRecord.start(sc, 5)
    us = sc.role_index["us"]
    offer = next(c for c in legal_actions(s, us) if c.verb == "offer")
    s = rec.accept(s, offer.text)
    for role in sc.role_ids:
        s = rec.accept(s, f"{role}:done")
    play = next(c for c in legal_actions(s, us) if c.verb == "play")
    s = rec.accept(s, play.text)
    rec.accept(s, "us:seal")
    return rec


def test_reasons_sit_at_their_commands_in_both_formats(standard_sc: Compiled) -> None:
    rec = _game(standard_sc)
    card = rec.commands[5].split(":")[2]
    title = next(c.title for c in standard_sc.model.cards if c.id == card)
    rec.meta["rationales"] = [
        {"index": 0, "role": "us", "text": "Test whether the PRC bites.", "source": "model"},
        {"index": 5, "role": "us", "text": "Pain <first> & carrot later.", "source": "model"},
        {"index": 6, "role": "us", "text": "no valid reply", "source": "default"},
        {"index": 5, "role": "prc", "text": "not the actor of command 6: dropped"},
        {"index": 999, "role": "us", "text": "no such command: dropped"},
        {"index": True, "role": "us", "text": "a bool is not an index"},
        "garbage",
    ]
    report = build_report(rec)
    assert [(x.command_no, x.turn, x.phase, x.role, x.source) for x in report.reasoning] == [
        (1, 1, "diplomacy", "us", "model"),
        (6, 1, "orders", "us", "model"),
        (7, 1, "orders", "us", "default"),
    ]
    assert report.reasoning[1].command.startswith(f"play “{title}”")
    assert report.reasoning[2].command == "seal the order"

    md = render_markdown(report)
    section = md.split("## 3. Decision timeline")[1].split("## 4.")[0]
    assert "#### Why United States chose what it did" in section
    assert "Pain <first> & carrot later." in section
    assert "(default: no valid reply)" in section
    assert "dropped" not in md and "bool" not in md

    html = render_html(report)
    assert 'class="reasoning" data-role="us"' in html
    assert "Pain &lt;first&gt; &amp; carrot later." in html and "<first>" not in html


def test_a_game_without_reasons_has_no_reasoning_section(standard_sc: Compiled) -> None:
    report = build_report(_game(standard_sc))
    assert report.reasoning == ()
    assert "chose what it did" not in render_markdown(report)
    assert 'class="reasoning"' not in render_html(report)
