"""The after-action report in the terminal UI, driven by key presses (Textual's Pilot).

A finished game is loaded from the golden log — the state a table is in at game end — and
the report screen must open from the game screen and from the command palette, show the
roles' scores, and jump to the lever scorecard. Before the game is over a player is told
to wait instead (the facilitator may look at any time).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import MarkdownViewer

from game.record import final_state, load_save
from game.victory import evaluate
from tui.app import WedgeApp, build_play_app
from tui.screens.game import GameScreen
from tui.screens.report import ReportScreen

GOLDEN = Path(__file__).resolve().parent / "golden" / "game.json"
SEATS = "russia=random,prc=random,india=random"


@pytest.fixture(autouse=True)
def _pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


def screen_text(app: App[Any]) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)


async def _until(pilot: Any, done: Any, timeout: float = 20.0) -> None:
    for _ in range(int(timeout / 0.05)):
        await pilot.pause(0.05)
        if done():
            return
    raise AssertionError("timed out waiting for the screen")


def test_report_opens_at_game_end_and_shows_the_scorecard(tmp_path: Path) -> None:
    async def run() -> None:
        app = build_play_app(seats_spec=SEATS, load_path=GOLDEN, save_dir=tmp_path, theme="textual-dark")
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, GameScreen)
            assert app.session.view("public")["phase"] == "over"
            await pilot.press("r")
            await _until(pilot, lambda: isinstance(app.screen, ReportScreen) and "1. Outcome" in screen_text(app))
            text = screen_text(app)
            results = evaluate(final_state(load_save(GOLDEN)))
            assert "After-action report" in text
            for role, short in (("us", "US"), ("prc", "PRC"), ("india", "India")):
                assert f"{short} {results[role]['score']}/{results[role]['max_score']}" in text
            assert "Played by" in text  # the outcome table
            await pilot.press("s")
            await _until(pilot, lambda: "6. Lever scorecard" in screen_text(app))
            text = screen_text(app)
            assert "Sanctions" in text and "Capital spent" in text
            viewer = app.screen.query_one(MarkdownViewer)
            assert viewer.scroll_y > 0
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, GameScreen)

    asyncio.run(run())


def test_report_is_in_the_command_palette_and_waits_for_the_end(tmp_path: Path) -> None:
    async def run() -> None:
        app: WedgeApp = build_play_app(seats_spec=SEATS, seed=3, save_dir=tmp_path, theme="textual-dark")
        async with app.run_test(size=(110, 36)) as pilot:
            await pilot.pause()
            titles = [c.title for c in app.get_system_commands(app.screen)]
            assert "After-action report" in titles
            app.action_report()
            await pilot.pause()
            assert not isinstance(app.screen, ReportScreen)  # a player mid-game is asked to wait
            assert any("when the game is over" in str(n.message) for n in app._notifications)

    asyncio.run(run())
