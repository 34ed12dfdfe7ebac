"""The after-action report, checked against the engine on a committed golden game.

The golden log (``golden/game.json``) is a real save of the standard scenario with offers
kept and broken, an injected shock, overrides, a seat change, a pause, a forced seal and a
rollback (``make_golden.py`` writes it). Every number the report shows is recomputed here
from the engine's own final state, so a report that drifted from the ledger fails.

The Markdown report must equal ``golden/report.md`` byte for byte. After an intended change
to the report's wording, regenerate the snapshot and review the diff::

    WEDGE_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/report -q
"""

from __future__ import annotations

import base64
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from game.compiled import compile_scenario
from game.record import GameRecord, final_state, load_save, record_from_commands
from game.report import LEVERS, build_report, render_html, render_markdown
from game.report.model import Report, ShockHit
from game.rules import apply, legal_actions
from game.state import GameState

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden" / "game.json"
SNAPSHOT = HERE / "golden" / "report.md"
VOID = {"meta", "img", "br", "hr", "link", "input", "source", "col", "wbr", "area", "base"}


class Page(HTMLParser):
    """Collects images, ledger rows and lever tables, and checks that tags nest properly."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.images: list[dict[str, str]] = []
        self.table_id: list[str] = []
        self.lever: list[str] = []
        self.ledger: list[tuple[dict[str, str], list[str]]] = []
        self.levers: dict[str, list[list[str]]] = {}
        self._row: list[str] | None = None
        self._row_attrs: dict[str, str] = {}
        self._cell: list[str] | None = None
        self.doctype = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl.lower() == "doctype html"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(a)
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "table":
            self.table_id.append(a.get("id", ""))
            self.lever.append(a.get("data-lever", ""))
        elif tag == "tr":
            self._row, self._row_attrs = [], a
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else 'nothing'}>")
            return
        self.stack.pop()
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if self.table_id and self.table_id[-1] == "ledger" and "data-cause" in self._row_attrs:
                self.ledger.append((self._row_attrs, self._row))
            if self.lever and self.lever[-1]:
                self.levers.setdefault(self.lever[-1], []).append(self._row)
            self._row = None
        elif tag == "table":
            self.table_id.pop()
            self.lever.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def record() -> GameRecord:
    return load_save(GOLDEN)


@pytest.fixture(scope="module")
def final(record: GameRecord) -> GameState:
    try:
        return final_state(record, verify=True)
    except Exception as exc:  # pragma: no cover - only when the engine changed under the golden log
        pytest.fail(f"the golden log no longer replays ({exc}); run tests/report/make_golden.py and review")


@pytest.fixture(scope="module")
def report(record: GameRecord, final: GameState) -> Report:
    return build_report(record)


@pytest.fixture(scope="module")
def html(report: Report) -> str:
    return render_html(report)


@pytest.fixture(scope="module")
def page(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p


# ----------------------------------------------------------------------------- the golden game


def test_golden_game_exercises_what_the_report_shows(record: GameRecord, final: GameState) -> None:
    verbs = {c.split(":")[1] for c in record.commands if c.startswith("gm:")}
    assert {"inject", "set", "rollback", "force", "seat", "pause"} <= verbs
    outcomes = [o.outcome for t in final.history for o in t.offers]
    assert "kept" in outcomes and any(o.startswith("broken:") for o in outcomes) and "declined" in outcomes
    assert final.over and len(final.history) == final.sc.rules.turns


# ----------------------------------------------------------------------------- HTML


def test_html_is_one_well_formed_self_contained_file(html: str, page: Page) -> None:
    assert page.doctype and not page.problems and not page.stack, page.problems[:3] or page.stack
    lowered = html.lower()
    for external in ("<script", "<link", 'src="http', "url(", "@import"):
        assert external not in lowered, external
    assert "<style>" in lowered and "@media print" in lowered


def test_html_has_exactly_one_chart_per_track(report: Report, page: Page, final: GameState) -> None:
    charts = [img for img in page.images if "chart" in img.get("class", "").split()]
    assert len(charts) == len(page.images) == len(final.sc.track_ids)
    assert [img["data-track"] for img in charts] == list(final.sc.track_ids)
    for img in charts:
        prefix = "data:image/png;base64,"
        assert img["src"].startswith(prefix)
        png = base64.b64decode(img["src"][len(prefix) :], validate=True)
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000
        assert img["alt"]


def test_html_ledger_is_the_engine_ledger_row_for_row(page: Page, final: GameState) -> None:
    assert len(page.ledger) == len(final.ledger) > 100
    for (attrs, cells), e in zip(page.ledger, final.ledger):
        n, turn, _phase, _subject, before, after, delta, _cause, roll = cells
        assert (attrs["data-subject"], attrs["data-phase"], attrs["data-cause"]) == (e.subject, e.phase, e.cause)
        assert (int(turn), int(before), int(after), int(delta)) == (e.turn, e.before, e.after, e.after - e.before)
        assert roll == e.roll
    assert [int(cells[0]) for _, cells in page.ledger] == list(range(1, len(final.ledger) + 1))
    gm = [attrs for attrs, _ in page.ledger if attrs.get("class") == "gm"]
    assert gm and all(a["data-cause"].startswith(("override:", "inject:")) for a in gm)


def test_html_lever_tables_show_the_ledger_sums(page: Page, final: GameState) -> None:
    names = {t.name: t.id for t in final.sc.model.tracks}
    expected = _lever_sums(final)
    assert set(page.levers) == {lv.id for lv in LEVERS}
    for lever, rows in page.levers.items():
        shown = {row[0]: int(row[1]) for row in rows[1:] if row[0] in names}
        for name, total in shown.items():
            assert total == expected[lever][names[name]], (lever, name)
        assert {n for n, t in names.items() if expected[lever][t]} <= set(shown)


# ----------------------------------------------------------------------------- model


def _lever_sums(final: GameState) -> dict[str, dict[str, int]]:
    """Per lever and track, the sum of ledger deltas caused by the US's cards of the lever's
    kinds — computed from the scenario's cards and the raw ledger, not from the report."""
    card_of = {c.id: c for c in final.sc.model.cards}
    out = {lv.id: dict.fromkeys(final.sc.track_ids, 0) for lv in LEVERS}
    for e in final.ledger:
        source, _, card = e.cause.partition(":")
        if source != "card" or e.subject.startswith("capital:") or card_of[card].role != "us":
            continue
        for lv in LEVERS:
            if card_of[card].kind in lv.kinds:
                out[lv.id][e.subject] += e.after - e.before
    return out


def test_lever_scorecard_sums_equal_ledger_sums(report: Report, final: GameState) -> None:
    expected = _lever_sums(final)
    sc = final.sc
    for score in report.levers:
        assert score.total == expected[score.lever.id]
        for role in sc.role_ids:
            mine = dict.fromkeys(sc.track_ids, 0)
            for e in final.ledger:
                source, _, card = e.cause.partition(":")
                if (
                    source == "card"
                    and not e.subject.startswith("capital:")
                    and card in score.cards
                    and sc.role_ids[sc.card_role[sc.card_index[card]]] == role
                ):
                    mine[e.subject] += e.after - e.before
            assert score.by_role[role] == mine, (score.lever.id, role)
        played = sum(1 for t in final.history for order in t.orders for c, _ in order if sc.card_ids[c] in score.cards)
        assert sum(score.plays.values()) == played > 0
    assert any(score.total["alignment"] for score in report.levers)


def test_levers_follow_card_kinds_in_the_scenario(record: GameRecord) -> None:
    """Re-kinding a US card in the scenario data moves it to another lever: no card ids in code;
    only the US's cards pull the levers."""
    model = record.sc.model
    card = next(c for c in model.cards if c.kind == "framing" and c.role == "us")
    cards = [c.model_copy(update={"kind": "sanction"}) if c.id == card.id else c for c in model.cards]
    sc = compile_scenario(model.model_copy(update={"cards": cards}))
    rec, _ = GameRecord.start(sc, 1)
    levers = {s.lever.id: s.cards for s in build_report(rec).levers}
    assert card.id in levers["sanctions"] and card.id not in levers["framing"]
    everything = {c for cs in levers.values() for c in cs}
    assert everything == {c.id for c in model.cards if c.kind != "event" and c.role == "us"}


def test_tracks_end_where_the_engine_ends(report: Report, final: GameState) -> None:
    for t in report.tracks:
        assert t.end == final.track(t.id) == t.points[-1].value == t.turn_end[-1]
        assert t.start + sum(e.after - e.before for e in final.ledger if e.subject == t.id) == t.end
    for info in report.turns:
        for track, net in info.net.items():
            assert net == sum(e.after - e.before for e in final.ledger if e.subject == track and e.turn == info.turn)


def test_facilitator_actions_are_reported_with_reasons(report: Report, record: GameRecord) -> None:
    texts = [a.text for a in report.facilitator]
    assert len(texts) == sum(c.startswith("gm:") for c in record.commands)
    assert any("summit communique read as a pledge" in t for t in texts)
    assert any(t.startswith("Rolled back to the start of turn 6") for t in texts)
    assert any(t.startswith("Injected shock") for t in texts)
    assert any(hit.injected for info in report.turns for hit in info.shocks)


def test_debrief_prompts_come_from_this_game(report: Report, final: GameState) -> None:
    head = final.sc.track_ids[0]
    per_turn = {t: 0 for t in range(1, final.turn + 1)}
    for e in final.ledger:
        if e.subject == head:
            per_turn[e.turn] += e.after - e.before
    turn = max(per_turn, key=lambda t: (abs(per_turn[t]), -t))
    stages = {p.stage for p in report.prompts}
    assert stages == {"What happened", "Why", "What would you do differently"}
    text = "\n".join(p.text for p in report.prompts)
    assert f"{abs(per_turn[turn])} in turn {turn}, mostly from" in text
    assert "summit communique read as a pledge" in text
    for lever in LEVERS:
        assert lever.name in text


def test_report_from_a_record_object_equals_the_report_from_the_save(record: GameRecord, report: Report) -> None:
    """What the server does: a GameRecord from its command list (no hashes to verify)."""
    rebuilt = GameRecord(record.sc, record.seed, list(record.commands), [], "", dict(record.meta))
    assert render_markdown(build_report(rebuilt, verify=False)) == render_markdown(report)


def test_markdown_matches_the_snapshot(report: Report) -> None:
    text = render_markdown(report)
    if os.environ.get("WEDGE_UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(text, encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot: run WEDGE_UPDATE_SNAPSHOTS=1 pytest tests/report"
    assert text == SNAPSHOT.read_text(encoding="utf-8"), "report changed: see this module's docstring"


def test_compact_markdown_says_the_same_in_text_tables(report: Report) -> None:
    compact = render_markdown(report, compact=True, width=80)
    assert "| " not in compact and "```text" in compact
    fenced = False
    for line in compact.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced:
            assert len(line) <= 80, line  # paragraphs wrap in the widget; text tables must fit
    rows = re.findall(r"^ *(\d+) +(\d+) +\w+ ", compact.split("## 8. Ledger")[1], re.M)  # one line each
    assert [int(n) for n, _ in rows] == [e.n for e in report.ledger]


# ----------------------------------------------------------------------------- hidden information


def _to_orders(sc: Any, seed: int) -> tuple[GameRecord, GameState]:
    rec, s = GameRecord.start(sc, seed)
    while s.phase != "orders":
        for role in range(len(sc.role_ids)):
            if not s.ready[role]:
                s = rec.accept(s, f"{sc.role_ids[role]}:done")
    return rec, s


def test_unrevealed_orders_and_private_messages_stay_out(standard_sc: Any) -> None:
    rec, s = _to_orders(standard_sc, 5)
    s = rec.accept(s, "us:say:russia:SECRET-PLAN-42 meet me later")
    play = next(c for c in legal_actions(s, 0) if c.verb == "play")
    title = next(c.title for c in standard_sc.model.cards if c.id == play.args[0])
    s = rec.accept(s, play.text)
    report = build_report(rec)
    md = render_markdown(report)  # the HTML is written from the same model (see the tests above)
    assert "SECRET-PLAN-42" not in md and "SECRET-PLAN-42" not in repr(report)
    assert title not in md and title not in repr(report)
    assert not report.plays and "in progress: turn 1" in md


def test_a_crisis_and_a_rollback_read_clearly(standard_sc: Any) -> None:
    rec, s = _to_orders(standard_sc, 9)
    s = rec.accept(s, "gm:set:alignment:60:ruling for the test")
    s = rec.accept(s, "gm:rollback:1")
    custom = {
        "id": "vladivostok-riot",
        "title": "Riot over Chinese traders in Vladivostok",
        "weight": 0,
        "effects": [{"op": "shift", "track": "suspicion", "amount": 2}],
        "text": "Written on the spot by the facilitator.",
        "source": "classroom",
    }
    s = rec.accept(s, "gm:inject-custom:" + json.dumps(custom))
    s = rec.accept(s, "gm:set:stability:1:the crisis the test needs")
    assert apply(s, "gm:pause").over
    report = build_report(rec)
    assert report.over and report.end_reason == "crisis"
    undone = [a for a in report.facilitator if a.verb == "set" and a.undone]
    assert len(undone) == 1 and "ruling for the test" in undone[0].text
    md = render_markdown(report)
    assert "undone by a later rollback" in md and "crisis" in md
    assert report.ledger[-1].cause == "override:the crisis the test needs"
    riot = [e for e in report.ledger if e.cause == "inject:vladivostok-riot"]
    assert len(riot) == 1 and riot[0].cause_text.endswith("Riot over Chinese traders in Vladivostok")
    assert report.turns[0].shocks[-1] == ShockHit("vladivostok-riot", custom["title"], True)
    assert record_from_commands(standard_sc, 9, rec.commands).hashes == rec.hashes
