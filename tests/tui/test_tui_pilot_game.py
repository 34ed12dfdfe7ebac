"""A whole game played through key presses: US human, the other roles random."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import TabbedContent
from tui_helpers import play_app, screen_text, settle

from game.record import final_state, load_save
from tui.screens.dialogs import ResultsScreen
from tui.screens.reveal import RevealScreen
from tui.widgets.board import TrackBar
from tui.widgets.common import RowTable
from tui.widgets.hand import HandPanel
from tui.widgets.ledger import LedgerPanel


def _playable_row(app, view) -> int | None:  # type: ignore[no-untyped-def]
    """Index in the hand table of the first card the engine lets the US add now."""
    legal = {c.args[0] for c in app.session.legal("us") if c.verb == "play"}
    for i, card in enumerate(view["hand"]):
        if card in legal:
            return i
    return None


def test_whole_game_by_keys_and_ledger_matches_engine(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=11)
        async with app.run_test(size=(100, 32)) as pilot:
            await settle(pilot, app)
            checked_ledger = False
            played = 0
            reveals = 0

            async def read_reveal() -> None:
                nonlocal reveals
                while isinstance(app.screen, RevealScreen):  # after each adjudication
                    reveals += 1
                    assert f"Revealed: turn {len(app.session.view('us')['history'])}" in screen_text(app)
                    await pilot.press("escape")
                    await settle(pilot, app)

            for _ in range(40):
                view = app.session.view("us")
                if view["phase"] == "over":
                    break
                if view["phase"] == "diplomacy":
                    await pilot.press("d")
                elif view["phase"] == "orders":
                    await pilot.press("2")
                    row = _playable_row(app, view)
                    if row is not None:
                        table = app.screen.query_one("#hand-table", RowTable)
                        table.focus()
                        await pilot.press("home", *(["down"] * row), "a")
                        await pilot.pause()
                        if app.session.view("us")["my_order"]:
                            played += 1
                        elif isinstance(app.screen, type(app.screen)) and app.screen.query("TargetScreen"):
                            await pilot.press("enter")
                    await pilot.press("s")
                    await pilot.press("enter")
                await settle(pilot, app)
                await read_reveal()
                view = app.session.view("us")
                if not checked_ledger and view["history"] and view["phase"] != "over":
                    await _check_ledger(pilot, app, view)
                    checked_ledger = True
            view = app.session.view("us")
            assert view["phase"] == "over"
            assert reveals == len(view["history"]), "a reveal after every adjudication"
            assert checked_ledger
            assert played >= 1, "the US played at least one card through the Hand screen"
            # board bars show exactly the engine's values
            for bar in app.screen_stack[0].query(TrackBar):
                assert bar.value == view["tracks"][bar.track]
            # the results dialog shows the engine's scores
            assert isinstance(app.screen, ResultsScreen)
            text = str(app.screen.query_one("#results-body").render())
            assert "Game over" in screen_text(app)
            for role, r in view["results"].items():
                assert f"{app.catalog.role(role)}: {r['score']}/{r['max_score']}" in text
        # the autosave replays to the same game
        saves = list((tmp_path / "saves").glob("autosave-*.json"))
        assert len(saves) == 1
        assert final_state(load_save(saves[0])).over

    asyncio.run(run())


async def _check_ledger(pilot, app, view) -> None:  # type: ignore[no-untyped-def]
    """After the first adjudication, the Ledger tab lists turn 1 and its totals are the engine's."""
    await pilot.press("4")
    screen = app.screen
    assert screen.query_one(TabbedContent).active == "ledger"
    ledger = screen.query_one(LedgerPanel)
    for track in ("alignment", "dependence", "dualuse"):
        ledger.select(track, 1)
        await pilot.pause()
        table = screen.query_one("#ledger-table", RowTable)
        deltas = [int(table.cell(r, 4)) for r in range(table.row_count)]
        engine = [e for e in view["ledger"] if e["subject"] == track and e["turn"] == 1]
        assert len(deltas) == len(engine)
        assert sum(deltas) == sum(e["after"] - e["before"] for e in engine)
        start = app.catalog.tracks[track].start
        # the sum of the listed changes is exactly how far the track moved in turn 1
        assert start + sum(deltas) == view["turn_start"][track]
        summary = str(screen.query_one("#ledger-summary").render())
        if engine:
            assert f"{start} → {view['turn_start'][track]}" in summary
    # the reveal lists every role's revealed order
    reveal = str(screen.query_one("#ledger-reveal").render())
    assert "Revealed in turn 1" in reveal
    for role in app.session.roles:
        assert app.catalog.short_role(role) in reveal
    assert isinstance(screen.query_one(HandPanel), HandPanel)
    await pilot.press("1")
