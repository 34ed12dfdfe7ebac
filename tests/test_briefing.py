"""`wedge briefing`: role sheets generated from a scenario, in Markdown and printable HTML.

What a sheet must hold: every card of the reader's deck with its cost, effects in
plain words and source; the objectives; the start of every track. What it must not:
another role's private brief, or another role's cards beyond the askable ones an offer
can name. The "what you don't know" section follows the rules, not a per-role script.
Failures are one line and an exit code, never a traceback.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from game.briefing import _Words, build, render_html, render_md
from game.cli import main
from game.scenario import models as m
from game.scenario.loader import load_scenario, load_scenario_text

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
STANDARD = ROOT / "scenarios" / "standard.yaml"
ROLES = ("us", "russia", "prc", "india")


@pytest.fixture(scope="module")
def scenario() -> m.Scenario:
    return load_scenario(CLASSROOM)


def _section(text: str, title: str) -> str:
    """The Markdown of one ``## title`` section."""
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end >= 0 else None]


def _words(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------ content


@pytest.mark.parametrize("role", ROLES)
def test_every_card_of_the_role_is_described(scenario: m.Scenario, role: str) -> None:
    text = render_md(build(scenario, role))
    cards = _section(text, "Your cards")
    words = _Words(scenario)
    mine = [c for c in scenario.cards if c.role == role]
    assert mine
    for c in mine:
        assert f"### {c.title} — " in cards, c.id
        assert f", cost {c.cost}\n" in cards.split(f"### {c.title} — ", 1)[1].split("\n", 1)[0] + "\n"
        assert words.effects(c.effects) in cards, c.id
        assert c.source in cards, c.id
        assert _words(c.text) in cards, c.id
    # Exactly this role's cards get a heading in the section.
    assert cards.count("\n### ") == len(mine)


@pytest.mark.parametrize("role", ROLES)
def test_objectives_and_situation_come_from_the_scenario(scenario: m.Scenario, role: str) -> None:
    text = render_md(build(scenario, role))
    me = next(r for r in scenario.roles if r.id == role)
    objectives = _section(text, "Your objectives")
    assert me.objective.summary in objectives
    for term in me.objective.terms:
        assert f"| {term.label} |" in objectives
        assert ("| required |" if term.required else "| bonus |") in objectives.split(f"| {term.label} |", 1)[1]
    assert f"after the upkeep of turn {scenario.rules.turns}" in objectives
    situation = _section(text, "The situation")
    assert _words(me.briefing) in _section(text, "At a glance")
    for t in scenario.tracks:
        assert re.search(rf"\| {re.escape(t.name)}( ★)? \| {t.start} \(", situation), t.id


@pytest.mark.parametrize("role", ROLES)
def test_no_other_roles_private_information(scenario: m.Scenario, role: str) -> None:
    """Others' private briefs, card texts and sources never appear; of their cards only the
    askable ones are named in "What the others can do" (an offer must name them)."""
    text = render_md(build(scenario, role))
    flat = _words(text)
    others = [r for r in scenario.roles if r.id != role]
    assert others
    for other in others:
        assert _words(other.briefing) not in flat, other.id
        # Their objectives are public (the board scores them): the summary is shown.
        assert other.objective.summary in text
    section = _section(text, "What the others can do")
    # A card shown in full may itself name another card ("if Russia played X"): drop those
    # descriptions first, so what is left is what the section says on its own account.
    words = _Words(scenario)
    bare = section
    for c in scenario.cards:
        if c.role != role and c.askable:
            bare = bare.replace(words.effects(c.effects), "")
    for c in scenario.cards:
        if c.role == role:
            continue
        assert _words(c.text) not in flat, c.id
        assert c.source not in flat, c.id
        if c.askable:
            assert f"| {c.title} |" in section, c.id
        else:
            assert c.title not in bare, c.id


def test_the_others_section_names_askable_cards_with_their_effects(scenario: m.Scenario) -> None:
    section = _section(render_md(build(scenario, "us")), "What the others can do")
    curb = next(c for c in scenario.cards if c.id == "prc-curb-dual-use-exports")
    assert f"| {curb.title} | sanction | {curb.cost} | {_Words(scenario).effects(curb.effects)} |" in section
    # Each other role's deck is summarised by kind and by the tracks it can move.
    assert section.count("**Means:** ") == 3
    assert "**Its cards can lower:** " in section


def test_what_you_dont_know_follows_the_rules(scenario: m.Scenario) -> None:
    """Change the rules and the hand sizes; the section changes with them (nothing is per-role text)."""
    text = CLASSROOM.read_text(encoding="utf-8")
    assert "  max_offers_per_role: 1\n" in text and "    hand_size: 5\n" in text
    changed = text.replace("  max_offers_per_role: 1\n", "  max_offers_per_role: 0\n")
    changed = changed.replace("    hand_size: 5\n", "    hand_size: 4\n")
    before = _section(render_md(build(scenario, "india")), "What you don't know")
    after = _section(render_md(build(load_scenario_text(changed, "changed.yaml"), "india")), "What you don't know")
    assert "Other roles' deals." in before and "Other roles' deals." not in after
    assert "Russia holds 5 of 9" in before and "Russia holds 4 of 9" in after
    in_deck = sum(1 for x in scenario.shocks if x.in_deck)
    assert f"{in_deck} at the start" in before
    for x in scenario.shocks:
        assert f"**{x.title}:**" in before, x.id
    # Only the reader's own dice cards are listed.
    dice = before.split("these roll:", 1)[1].split("\n", 1)[0]
    assert "Border talks with the PRC" in dice and "Secondary sanctions on foreign banks" not in dice


def test_window_names_read_once(scenario: m.Scenario) -> None:
    for role in ROLES:
        assert "window window" not in render_md(build(scenario, role))


# ------------------------------------------------------------------ formats


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in ("meta", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (self.stack[-3:], tag)
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_a_printable_page_with_the_same_content(scenario: m.Scenario) -> None:
    b = build(scenario, "prc")
    page = render_html(b)
    parser = _Collector()
    parser.feed(page)
    parser.close()
    assert parser.stack == [], "every element is closed"
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@page" in page and "break-before: page" in page
    assert 'class="new-page"' in page
    text = _words("".join(parser.text))
    for sec in b.sections:
        assert sec.title in text
    for c in scenario.cards:
        if c.role == "prc":
            assert c.title in text and c.source in text
    assert parser.tags.count("table") >= 3


def test_html_escapes_scenario_text(scenario: m.Scenario) -> None:
    source = CLASSROOM.read_text(encoding="utf-8")
    hostile = source.replace("title: Curb dual-use exports to Russia", "title: Curb <script>alert(1)</script> & co")
    s = load_scenario_text(hostile, "hostile.yaml")
    page = render_html(build(s, "prc"))
    assert "<script>" not in page
    assert "Curb &lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    md = render_md(build(s, "us"))  # the US may ask for it: it is in the others' table
    assert "Curb <script>alert(1)</script> & co" in md


# ------------------------------------------------------------------ the command


def test_cli_prints_markdown(capsys: pytest.CaptureFixture[str], scenario: m.Scenario) -> None:
    assert main(["briefing", str(CLASSROOM), "--role", "russia"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out == render_md(build(scenario, "russia"))


def test_cli_writes_html_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], scenario: m.Scenario) -> None:
    dest = tmp_path / "us.html"
    assert main(["briefing", str(CLASSROOM), "--role", "us", "--format", "html", "--out", str(dest)]) == 0
    assert dest.read_text(encoding="utf-8") == render_html(build(scenario, "us"))
    assert str(dest) in capsys.readouterr().out
    assert not list(tmp_path.glob("*.tmp"))


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_cli_role_all_writes_one_file_per_role(tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    out = tmp_path / "sheets"
    assert main(["briefing", str(CLASSROOM), "--role", "all", "--format", fmt, "--out", str(out)]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(f"classroom-{r}.{fmt}" for r in ROLES)
    us = (out / f"classroom-us.{fmt}").read_text(encoding="utf-8")
    assert "United States — role briefing" in us
    assert len(capsys.readouterr().out.splitlines()) == len(ROLES)


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    out = capsys.readouterr()
    assert out.out == ""
    assert "Traceback" not in out.err
    lines = out.err.strip().splitlines()
    assert len(lines) == 1, out.err
    return lines[0]


def test_unknown_role_lists_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["briefing", str(CLASSROOM), "--role", "china"]) == 2
    line = _one_line_error(capsys)
    assert "'china'" in line and "us, russia, prc, india" in line and str(CLASSROOM) in line


def test_a_save_file_is_refused_with_the_loaders_location(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    save = tmp_path / "game.json"
    save.write_text(json.dumps({"format": "wedge-save", "version": 1, "seed": 3, "commands": []}), encoding="utf-8")
    assert main(["briefing", str(save), "--role", "us"]) == 1
    line = _one_line_error(capsys)
    assert re.match(rf"^{re.escape(str(save))}:\d+:\d+: ", line), line
    assert "more problem" in line and "wedge validate" in line


def test_a_truncated_scenario_is_refused_on_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CLASSROOM.read_text(encoding="utf-8")
    cut = tmp_path / "cut.yaml"
    cut.write_text(text[: text.index("\nroles:")], encoding="utf-8")
    assert main(["briefing", str(cut), "--role", "us"]) == 1
    line = _one_line_error(capsys)
    assert line.startswith(f"{cut}:") and "roles" in line


@pytest.mark.parametrize("name", ["README.md", "missing.yaml"])
def test_other_bad_files(capsys: pytest.CaptureFixture[str], name: str) -> None:
    path = ROOT / name
    assert main(["briefing", str(path), "--role", "us"]) == 1
    line = _one_line_error(capsys)
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: ", line), line


def test_unwritable_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "no" / "such" / "dir" / "us.md"
    assert main(["briefing", str(CLASSROOM), "--role", "us", "--out", str(dest)]) == 1
    line = _one_line_error(capsys)
    assert line.startswith("wedge: cannot write") and "us.md" in line


def test_works_for_the_standard_scenario_too(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["briefing", str(STANDARD), "--role", "india"]) == 0
    text = capsys.readouterr().out
    assert "India — role briefing" in text and "8 turns" in text


@pytest.mark.parametrize("path", ["standard.yaml", "classroom.yaml"])
@pytest.mark.parametrize("role", ROLES)
def test_first_page_summary_fits_a_page(path: str, role: str) -> None:
    """A class starts in five minutes: the briefing opens with a summary of at most 400 words
    holding the role's brief, every required objective with where the board stands, and every
    card of the deck by kind."""
    scenario = load_scenario(Path(__file__).resolve().parent.parent / "scenarios" / path)
    text = render_md(build(scenario, role))
    assert text.index("## At a glance") < text.index("## The situation")
    glance = _section(text, "At a glance")
    assert len(re.findall(r"[\w’'–-]+", glance)) <= 400, len(glance.split())
    me = next(r for r in scenario.roles if r.id == role)
    for term in me.objective.terms:
        if term.required:
            assert term.label in glance, term.label
    for c in scenario.cards:
        if c.role == role:
            assert c.title in glance, c.id
