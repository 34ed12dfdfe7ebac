"""The facilitator is a seat: only it opens the console; its acts ask first; stray keys do nothing.

What a classroom facilitator tripped on: a player could press ``g`` (or use the command
palette, even behind the hot-seat hand-off) and override a track; ``--as gm`` with computer
seats finished the game in a second; the phase timer ran on through a pause; keys typed
outside the custom-shock field paused and forced the game.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.widgets import Input
from tui_helpers import THEME, play_app, screen_text, settle

from tui.app import WedgeApp, build_play_app
from tui.screens.dialogs import DangerConfirmScreen, HandoffScreen, PassphraseScreen
from tui.screens.facilitator import FacilitatorScreen
from tui.screens.game import GameScreen
from tui.screens.projector import ProjectorScreen
from tui.timer import PhaseTimer

ROOT = Path(__file__).resolve().parents[2]
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
HOT_SEAT = "us=human,russia=human,prc=random,india=random"
ALL_RANDOM = "us=random,russia=random,prc=random,india=random"
ALL_HUMAN = "us=human,russia=human,prc=human,india=human"
SECRET = "white cell 42"


def _commands(app: WedgeApp) -> list[str]:
    return [c.title for c in app.get_system_commands(app.screen)]


def _footer_keys(app: WedgeApp) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show}


def _gm_app(tmp_path: Path, seats: str = ALL_RANDOM, **kw: Any) -> WedgeApp:
    return build_play_app(
        CLASSROOM, as_role="gm", seats_spec=seats, seed=3, save_dir=tmp_path / "saves", theme=THEME, **kw
    )


def _phase(app: WedgeApp) -> tuple[int, str]:
    view = app.session.view("public")
    return view["turn"], view["phase"]


async def _palette(pilot: Any, app: WedgeApp, text: str) -> None:
    """Run the command palette's best match for `text`."""
    await pilot.press("ctrl+p")
    await pilot.pause(0.2)
    await pilot.press(*text)
    await pilot.pause(0.5)
    await pilot.press("enter")
    await pilot.pause(0.2)


# ------------------------------------------------------------------------ who opens the console


def test_a_player_seat_cannot_open_the_console(tmp_path: Path) -> None:
    """Hot seat without a facilitator seat: no `g`, no palette entry, not even behind the hand-off."""

    async def run() -> None:
        app = play_app(tmp_path, seats=HOT_SEAT, seed=5)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app)
            assert isinstance(app.screen, HandoffScreen)
            assert "Facilitator console" not in _commands(app)  # the palette behind the hand-off
            await _palette(pilot, app, "facilitator console")
            assert not isinstance(app.screen, FacilitatorScreen | PassphraseScreen)
            while not isinstance(app.screen, HandoffScreen):
                await pilot.press("escape")
            await pilot.press("enter")  # the US sits down
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen) and app.seat == "us"
            assert "g" not in _footer_keys(app)
            assert "Facilitator console" not in _commands(app)
            await pilot.press("g")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            history = list(app.session.history)
            app.action_facilitator()  # however it is reached, the action itself refuses
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            assert app.session.history == history

    asyncio.run(run())


def test_the_gm_passphrase_opens_the_console_and_nothing_else_does(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seats=HOT_SEAT, seed=5, gm_passphrase=SECRET)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app)
            assert isinstance(app.screen, HandoffScreen)
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            assert "g" in _footer_keys(app)
            # a wrong passphrase: the console stays closed
            await pilot.press("g")
            await pilot.pause()
            assert isinstance(app.screen, PassphraseScreen)
            await pilot.press(*"because I can", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            # the palette asks too
            await _palette(pilot, app, "facilitator console")
            assert isinstance(app.screen, PassphraseScreen)
            await pilot.press("escape")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            # the right one opens it, with the public board only (the screen is shared)
            await pilot.press("g")
            await pilot.pause()
            await pilot.press(*SECRET, "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, FacilitatorScreen)
            assert not app.screen.full_view
            assert "Hands and pending orders" not in screen_text(app)
            await pilot.press("escape")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            await pilot.press("g")  # every time: the next player cannot walk in after the facilitator
            await pilot.pause()
            assert isinstance(app.screen, PassphraseScreen)
            await pilot.press("escape")
        # only a hash, in memory: never in the save
        saves = list((tmp_path / "saves").glob("*.json"))
        assert saves and all(SECRET not in p.read_text(encoding="utf-8") for p in saves)

    asyncio.run(run())


def test_loading_another_game_is_the_facilitators_call(tmp_path: Path) -> None:
    """With a facilitator seat, replacing the game (Load game…) asks for the passphrase too."""

    async def run() -> None:
        app = play_app(tmp_path, seats=HOT_SEAT, seed=5, gm_passphrase=SECRET)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            await _palette(pilot, app, "load game")
            assert isinstance(app.screen, PassphraseScreen)
            await pilot.press(*"nope", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)  # no file prompt
            app.action_load()
            await pilot.pause()
            await pilot.press(*SECRET, "enter")
            await pilot.pause()
            assert "Load a saved game" in screen_text(app)

    asyncio.run(run())


def test_gm_asks_for_the_passphrase_before_play(tmp_path: Path) -> None:
    """`wedge play --gm`: the facilitator types the passphrase twice before the first hand-off."""

    async def run() -> None:
        app = play_app(tmp_path, seats=HOT_SEAT, seed=5, ask_gm_passphrase=True)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause(0.3)
            assert isinstance(app.screen, PassphraseScreen)
            await pilot.press(*SECRET, "enter", *"something else", "enter")
            await pilot.pause()
            assert isinstance(app.screen, PassphraseScreen)  # the two differ: asked again
            assert "do not match" in screen_text(app)
            await pilot.press(*SECRET, "enter")
            await settle(pilot, app)
            assert app.gm_lock.is_set and app.gm_lock.check(SECRET)
            assert isinstance(app.screen, HandoffScreen)  # then the game starts

    asyncio.run(run())


# ------------------------------------------------------------------ --as gm: paused, AI pace


def test_as_gm_with_ai_seats_starts_paused_and_steps_one_phase(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app)
            await pilot.pause(0.3)
            await settle(pilot, app)
            assert isinstance(app.screen, FacilitatorScreen)
            view = app.session.view("public")
            assert view["paused"] and _phase(app) == (1, "diplomacy")  # nothing played yet
            assert app.session.history[-1] == "gm:pause"
            assert "PAUSED" in screen_text(app)
            await pilot.press("n")  # one phase: the pause ends, the computer seats play diplomacy
            await settle(pilot, app)
            await pilot.pause(0.3)
            await settle(pilot, app)
            assert _phase(app) == (1, "orders")
            assert not app.session.view("public")["paused"]
            assert app.ai_pace == "hold"
            assert "One phase played" in screen_text(app)
            await pilot.press("n")
            await settle(pilot, app)
            await pilot.pause(0.3)
            await settle(pilot, app)
            assert _phase(app) == (2, "diplomacy")
            # the pace is the console's: the game's log has one pause and one resume
            gm = [c for c in app.session.history if c.startswith("gm:") and not c.startswith("gm:seat:")]
            assert gm == ["gm:pause", "gm:resume"]
            await pilot.press("a")  # run: the computer seats play on to the end
            await settle(pilot, app)
            assert app.session.view("public")["phase"] == "over"

    asyncio.run(run())


def test_as_gm_with_people_only_does_not_pause(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path, seats=ALL_HUMAN)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app)
            assert not app.session.view("public")["paused"]
            assert "gm:pause" not in app.session.history

    asyncio.run(run())


# ------------------------------------------------------------------------ confirmations


def test_roll_back_asks_first_and_cancel_changes_nothing(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            for _ in range(2):
                await pilot.press("n")
                await settle(pilot, app)
                await pilot.pause(0.2)
                await settle(pilot, app)
            assert _phase(app) == (2, "diplomacy")
            before_history, before_view = list(app.session.history), app.session.view("gm")
            screen = app.screen
            assert isinstance(screen, FacilitatorScreen)
            screen.query_one("#gm-rollback-turn", Input).value = "1"
            await pilot.click("#gm-rollback")
            await pilot.pause()
            assert isinstance(app.screen, DangerConfirmScreen)
            text = screen_text(app)
            assert "Roll back to turn 1?" in text and "cannot itself be undone" in text
            await pilot.press(*"yes y", "enter")  # typing cannot confirm: Enter presses the focused Cancel
            await settle(pilot, app)
            assert app.screen is screen
            await pilot.click("#gm-rollback")
            await pilot.pause()
            await pilot.press("escape")
            await settle(pilot, app)
            assert app.screen is screen
            assert app.session.history == before_history
            assert app.session.view("gm") == before_view
            assert "Cancelled" in screen_text(app)
            # and going ahead does roll back
            await pilot.click("#gm-rollback")
            await pilot.pause()
            await pilot.press("tab", "enter")
            await settle(pilot, app)
            assert app.session.history[-1] == "gm:rollback:1"
            assert _phase(app) == (1, "diplomacy")

    asyncio.run(run())


def test_override_force_and_seat_switch_ask_first(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path, seats=ALL_HUMAN)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, FacilitatorScreen)
            history = list(app.session.history)
            await pilot.press("f")
            await pilot.pause()
            assert isinstance(app.screen, DangerConfirmScreen)
            assert "roll back to the start of turn 1" in screen_text(app)
            assert app.focused is not None and app.focused.id == "no"  # Enter would cancel
            await pilot.press("right")
            assert app.focused is not None and app.focused.id == "yes"
            await pilot.press("escape")
            screen.query_one("#gm-subject").value = "alignment"  # type: ignore[attr-defined]
            screen.query_one("#gm-value", Input).value = "40"
            screen.query_one("#gm-reason", Input).value = "because I can"
            await pilot.click("#gm-override")
            await pilot.pause()
            assert isinstance(app.screen, DangerConfirmScreen)
            assert "→ 40" in screen_text(app)
            await pilot.press("escape")
            screen.query_one("#gm-seat-role").value = "india"  # type: ignore[attr-defined]
            screen.query_one("#gm-seat-kind").value = "random"  # type: ignore[attr-defined]
            await pilot.click("#gm-seat")
            await pilot.pause()
            assert isinstance(app.screen, DangerConfirmScreen)
            assert "switch the seat back" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot, app)
            assert app.session.history == history

    asyncio.run(run())


# ------------------------------------------------------------------------------- the timer


def test_phase_timer_holds_while_paused() -> None:
    now = [100.0]
    timer = PhaseTimer(300, clock=lambda: now[0])
    timer.start()
    now[0] += 10
    assert timer.remaining() == 290
    timer.hold(True)
    now[0] += 600
    assert timer.remaining() == 290 and timer.running and timer.held
    assert not timer.tick() and "paused" in timer.text()
    timer.hold(False)
    now[0] += 5
    assert timer.remaining() == 285
    timer.stop()
    timer.hold(True)
    timer.start()  # started during a pause: counts from the resume
    now[0] += 50
    assert timer.remaining() == 285
    timer.hold(False)
    now[0] += 285
    assert timer.tick() and timer.expired and timer.text() == "TIME UP"


def test_the_console_timer_does_not_run_while_the_game_is_paused(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path, seats=ALL_HUMAN)
        now = [1000.0]
        app.timer = PhaseTimer(300, clock=lambda: now[0])
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            await pilot.press("t")
            now[0] += 10
            assert app.timer.remaining() == 290
            await pilot.press("space")
            await settle(pilot, app)
            assert app.session.view("public")["paused"]
            now[0] += 120
            await pilot.pause(1.2)  # the app's one-second tick comes and goes
            assert app.timer.remaining() == 290 and app.timer.running
            assert "04:50 paused" in screen_text(app)
            await pilot.press("space")
            await settle(pilot, app)
            now[0] += 5
            assert app.timer.remaining() == 285
            await pilot.press("p")  # the projector shows it
            await settle(pilot, app)
            assert isinstance(app.screen, ProjectorScreen)
            await pilot.pause(1.2)
            assert "04:45" in screen_text(app)

    asyncio.run(run())


def test_players_see_the_facilitators_timer(tmp_path: Path) -> None:
    """Hot seat: the timer the facilitator starts shows in the players' status line."""

    async def run() -> None:
        app = play_app(tmp_path, seats=HOT_SEAT, seed=5, gm_passphrase=SECRET)
        now = [1000.0]
        app.timer = PhaseTimer(300, clock=lambda: now[0])
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app)
            await pilot.press("enter")
            await settle(pilot, app)
            await pilot.press("g")
            await pilot.pause()
            await pilot.press(*SECRET, "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, FacilitatorScreen)
            await pilot.press("t", "escape")
            now[0] += 30
            await settle(pilot, app)
            await pilot.pause(1.2)
            assert isinstance(app.screen, GameScreen)
            assert "▶ 04:30" in screen_text(app)

    asyncio.run(run())


# ------------------------------------------------------------------------------ stray keys


def test_typing_in_the_custom_shock_field_never_pauses_forces_or_toggles(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path, seats=ALL_HUMAN)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, FacilitatorScreen)
            history = list(app.session.history)
            await pilot.click("#gm-custom")
            typed = '{"id": "f t", "title": "a space n"}'
            await pilot.press(*typed)
            await settle(pilot, app)
            assert screen.query_one("#gm-custom", Input).value == typed
            assert app.screen is screen and app.session.history == history
            assert not app.timer.running and app.ai_pace == "run"
            assert not {"space", "f", "t", "n"} & _footer_keys(app)  # not offered while typing

    asyncio.run(run())


def test_typing_outside_any_field_is_not_taken_for_commands(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path, seats=ALL_HUMAN)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, FacilitatorScreen)
            now = [50.0]
            screen.clock = lambda: now[0]
            history = list(app.session.history)
            await pilot.press(*'{"id": "x", "title": "f t"}')
            await settle(pilot, app)
            assert app.screen is screen and app.session.history == history and not app.timer.running
            assert "Typing outside a text field" in screen_text(app)
            now[0] += 5  # a moment later, a key on its own is a command again
            await pilot.press("space")
            await settle(pilot, app)
            assert app.session.view("public")["paused"]

    asyncio.run(run())


def test_the_controls_stay_put_when_the_status_grows(tmp_path: Path) -> None:
    async def run() -> None:
        app = _gm_app(tmp_path, seats=ALL_HUMAN)
        async with app.run_test(size=(72, 24)) as pilot:  # narrow: PAUSED makes the status two lines
            await settle(pilot, app)
            screen = app.screen
            assert isinstance(screen, FacilitatorScreen)
            controls = ("#gm-controls", "#gm-pause", "#gm-step", "#gm-timer")
            where = [screen.query_one(c).region for c in controls]
            assert all(r.height for r in where)  # on screen
            screen._fail("a very long refusal " * 20)
            await pilot.press("space")  # PAUSED joins the status line
            await settle(pilot, app)
            assert [screen.query_one(c).region for c in controls] == where

    asyncio.run(run())


def test_v_in_the_console_shows_the_last_reveal_with_the_computer_seats_reasons(tmp_path: Path) -> None:
    """The facilitator reads each turn's reveal from the console, and, since it sees every
    hand and order, a language-model seat's stated reasons under its cards during play."""
    from tui.screens.reveal import RevealScreen

    async def run() -> None:
        app = _gm_app(tmp_path)
        async with app.run_test(size=(160, 150)) as pilot:
            await settle(pilot, app)
            await pilot.press("v")  # nothing revealed yet: a note, no screen
            await settle(pilot, app)
            assert isinstance(app.screen, FacilitatorScreen)
            while app.session.view("public")["turn"] < 2:
                await pilot.press("n")
                await settle(pilot, app)
            played = next(i for i, c in enumerate(app.session.history) if c.startswith("india:play:"))
            app.session.meta["rationales"] = [
                {"index": played, "role": "india", "turn": 1, "text": "Hedge between the blocs", "source": "model"}
            ]
            await pilot.press("v")
            await settle(pilot, app)
            assert isinstance(app.screen, RevealScreen)
            text = screen_text(app)
            assert "Revealed: turn 1" in text and "why: Hedge between the blocs" in text
            assert "Ledger" not in text  # a tab of the game screen, not of the console

    asyncio.run(run())
