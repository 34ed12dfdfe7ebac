"""The facilitator console: every act is a logged gm command; overrides need a reason."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Select
from tui_helpers import THEME, play_app, screen_text, settle

from tui.app import build_play_app
from tui.screens.dialogs import DangerConfirmScreen, ResultsScreen
from tui.screens.facilitator import FacilitatorScreen
from tui.screens.game import GameScreen
from tui.screens.projector import ProjectorScreen
from tui.screens.rules import RulesScreen


async def _confirm(pilot, app) -> None:  # type: ignore[no-untyped-def]
    """Go ahead in the confirmation dialog of a destructive act (focus starts on Cancel)."""
    await pilot.pause()
    assert isinstance(app.screen, DangerConfirmScreen)
    await pilot.press("tab", "enter")
    await settle(pilot, app)


def test_console_pause_override_inject_rollback_seat(tmp_path: Path) -> None:
    async def run() -> None:
        app = build_play_app(
            as_role="gm",
            seats_spec="us=human,russia=random,prc=random,india=random",
            seed=7,
            save_dir=tmp_path,
            theme=THEME,
        )
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, FacilitatorScreen)
            assert "Hands and pending orders" in screen_text(app)  # --as gm sees everything
            assert app.session.view("public")["paused"]  # --as gm with AI seats starts paused
            await pilot.press("space")
            assert not app.session.view("public")["paused"]
            await pilot.press("space")
            assert app.session.view("public")["paused"]
            await pilot.press("space")
            assert not app.session.view("public")["paused"]
            # override without a reason is refused in the UI, with one it is logged
            screen.query_one("#gm-subject", Select).value = "alignment"
            screen.query_one("#gm-value", Input).value = "60"
            screen._override()
            assert "reason is required" in str(screen.query_one("#gm-error").render())
            screen.query_one("#gm-reason", Input).value = "ruling on the summit"
            screen._override()
            await _confirm(pilot, app)
            view = app.session.view("public")
            assert view["tracks"]["alignment"] == 60
            assert view["ledger"][-1]["cause"] == "override:ruling on the summit"
            # an out-of-range value: the engine's reason, inline
            screen.query_one("#gm-value", Input).value = "900"
            screen.query_one("#gm-reason", Input).value = "typo"
            screen._override()
            assert "Refused (rule 11)" in str(screen.query_one("#gm-error").render())
            screen.query_one("#gm-shock", Select).value = "galwan-border-clash"
            await pilot.click("#gm-inject")
            await settle(pilot, app)
            assert "galwan-border-clash" in app.session.view("public")["shocks_this_turn"]
            screen.query_one("#gm-seat-role", Select).value = "us"
            screen.query_one("#gm-seat-kind", Select).value = "random"
            await pilot.click("#gm-seat")
            await _confirm(pilot, app)  # the US is now an AI seat and plays on
            assert app.session.view("public")["roles"]["us"]["controller"] == "random"
            assert app.session.view("public")["turn"] > 1 or app.session.view("public")["phase"] == "over"
            if isinstance(app.screen, ResultsScreen):
                await pilot.press("escape")
            screen.query_one("#gm-rollback-turn", Input).value = "1"
            screen.query_one("#gm-seat-kind", Select).value = "human"
            await pilot.click("#gm-seat")
            await _confirm(pilot, app)
            await pilot.click("#gm-rollback")
            await _confirm(pilot, app)
            assert app.session.view("public")["turn"] == 1
            cmds = app.session.history
            assert cmds.count("gm:pause") == 2 and "gm:set:alignment:60:ruling on the summit" in cmds
            assert "gm:inject:galwan-border-clash" in cmds and "gm:rollback:1" in cmds
            await pilot.press("t")
            assert app.timer.running
            await pilot.press("t")
            assert not app.timer.running

    asyncio.run(run())


def test_player_screens_projector_and_rules(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await pilot.press("p")
            assert isinstance(app.screen, ProjectorScreen)
            us_hand = [app.catalog.card_title(c) for c in app.session.view("us")["hand"]]
            assert not any(t[:25] in screen_text(app) for t in us_hand)
            await pilot.press("escape")
            await pilot.press("g")  # the console is the facilitator's: not a player's (tests/tui/test_tui_gm_seat.py)
            assert isinstance(app.screen, GameScreen)
            await pilot.press("f1")
            await pilot.pause(0.3)
            assert isinstance(app.screen, RulesScreen)
            assert "Wedge — Rulebook" in screen_text(app)
            await pilot.press("escape")
            assert isinstance(app.screen, GameScreen)
            await pilot.press("f2")
            assert app.theme == "wedge-high-contrast"

    asyncio.run(run())


def test_facilitator_can_hand_a_seat_to_the_pass_agent(tmp_path: Path) -> None:
    """The no-play baseline's `pass` agent is offered for a seat and can take one over."""

    async def run() -> None:
        app = build_play_app(
            as_role="gm", seats_spec="us=human,russia=random,prc=random,india=random", seed=7,
            save_dir=tmp_path, theme=THEME,
        )
        async with app.run_test(size=(200, 60)) as pilot:
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, FacilitatorScreen)
            kinds = screen.query_one("#gm-seat-kind", Select)
            assert "pass" in [value for _, value in kinds._options]
            screen.query_one("#gm-seat-role", Select).value = "india"
            kinds.value = "pass"
            await pilot.click("#gm-seat")
            await _confirm(pilot, app)
            view = app.session.view("public")
            assert view["roles"]["india"]["controller"] == "pass"
            assert "gm:seat:india:pass" in app.session.history

    asyncio.run(run())
