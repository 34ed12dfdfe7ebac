"""Engine, scenario and player text is shown literally: never read as Rich/Textual markup or emoji.

A command such as ``india:accept:1`` used to show as "india🉑1" in the replay log (a str
DataTable cell is parsed for markup and emoji), and a name or path holding ``[red]`` lost it
wherever a str reached a Static, a Button, a Select or a notification. The scenario here has
a role, a track and a card named with markup and emoji codes, and the players' texts have
them too; every screen must show them character for character.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.widgets import Select
from tui_helpers import THEME, screen_text, settle

from game.compiled import compile_scenario
from game.record import GameRecord
from game.rules import legal_actions
from game.scenario.loader import load_scenario
from tui.app import WedgeApp, build_play_app, build_replay_app
from tui.screens.dialogs import ConfirmScreen, ErrorModal
from tui.screens.facilitator import FacilitatorScreen

STANDARD = Path(__file__).resolve().parents[2] / "scenarios" / "standard.yaml"
#: what markup or emoji parsing would eat or turn into a picture
MESSAGE = "deal? :accept: :smile: [bold]x[/bold] [red] ok"
ROLE = "United States [red]:smile:"
TRACK = "Alignment [bold]x[/bold] :accept:"
CARD = "Carrot [red] :smile: [bold]y[/bold]"
EMOJI = ("🉑", "😄")  # :accept: and :smile: as Rich renders them


def _scenario(tmp_path: Path) -> Path:
    """The standard scenario with the US, the alignment track and the tariff carrot renamed."""
    text = STANDARD.read_text(encoding="utf-8")
    for old, new in (
        ("    name: United States\n", f'    name: "{ROLE}"\n'),
        ("    name: Russia–PRC alignment\n", f'    name: "{TRACK}"\n'),
        ("    title: Tariff carrot for verified export cuts\n", f'    title: "{CARD}"\n'),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "literal.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _no_emoji(text: str) -> None:
    for emoji in EMOJI:
        assert emoji not in text, f"an emoji code was rendered as {emoji}"


def test_replay_log_shows_commands_and_messages_literally(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    sc = compile_scenario(load_scenario(_scenario(tmp_path)))
    rec, s = GameRecord.start(sc, 7)
    offer = next(c for c in legal_actions(s, sc.role_index["us"]) if c.verb == "offer" and c.args[0] == "india")
    done = [f"{role}:done" for role in sc.role_ids]  # offers are answered in the orders phase
    for command in (offer.text, f"us:say:india:{MESSAGE}", *done, "india:accept:1"):
        s = rec.accept(s, command)
    rec.save("game.json")

    async def run() -> None:
        app = build_replay_app("game.json", theme=THEME)
        async with app.run_test(size=(160, 40)) as pilot:
            await settle(pilot, app)
            await pilot.press("end")  # the replay opens at the start
            await settle(pilot, app)
            text = screen_text(app)
            assert "Last command: india:accept:1" in text
            assert TRACK in text  # the board's bar names
            await pilot.press("3")  # the log tab
            await settle(pilot, app)
            text = screen_text(app)
            assert "india:accept:1" in text
            assert f"us:say:india:{MESSAGE}" in text
            _no_emoji(text)

    asyncio.run(run())


def test_player_screens_dialogs_and_notifications_show_text_literally(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    scenario = _scenario(tmp_path)

    async def run() -> None:
        app = build_play_app(
            scenario,
            seats_spec="russia=random,prc=random,india=random",
            seed=7,
            save_dir="[red] :smile:",
            theme=THEME,
            gm_passphrase="gm",
        )
        assert isinstance(app, WedgeApp) and app.session is not None
        async with app.run_test(size=(160, 48), notifications=True) as pilot:
            await settle(pilot, app)
            assert f"You: {ROLE}" in screen_text(app)  # the status line

            # a message with markup and emoji codes, in the diplomacy tab
            app.session.submit("us", f"us:say:india:{MESSAGE}")
            await pilot.press("3")
            await settle(pilot, app)
            text = screen_text(app)
            assert f"you → India: {MESSAGE}" in text
            _no_emoji(text)

            # the offer form's choices: a card title with markup, in a Select
            await pilot.press("o")
            await settle(pilot, app)
            give = app.screen.query_one("#dip-give", Select)
            give.value = "us-tariff-carrot"
            await settle(pilot, app)
            assert CARD in screen_text(app)
            await pilot.press("escape")

            # the hand: the card's row and its details
            await pilot.press("2")
            await settle(pilot, app)
            assert CARD in screen_text(app)

            # a dialog titled with the role's name
            app.session.submit("us", "us:done")
            await settle(pilot, app)
            await pilot.press("s")
            await settle(pilot, app)
            assert isinstance(app.screen, ConfirmScreen)
            text = screen_text(app)
            assert f"Seal the order of {ROLE}?" in text and "[Enter]" in text
            await pilot.press("escape")
            await settle(pilot, app)

            # a notification naming a path with markup in it
            app.action_save()
            await settle(pilot, app)
            text = screen_text(app)
            assert "Saved to [red] :smile:/autosave-" in text
            _no_emoji(text)

            # an error dialog titled with what the player typed
            assert not app.load_game("nope [bold]x[/bold].json")
            await settle(pilot, app)
            assert isinstance(app.screen, ErrorModal)
            assert "Cannot load nope [bold]x[/bold].json" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot, app)

            # the facilitator console (the facilitator's passphrase): a track and a role chosen in its selects
            await pilot.press("g")
            await pilot.pause()
            await pilot.press("g", "m", "enter")
            await settle(pilot, app)
            assert isinstance(app.screen, FacilitatorScreen)
            app.screen.query_one("#gm-subject", Select).value = "alignment"
            app.screen.query_one("#gm-seat-role", Select).value = "us"
            await settle(pilot, app)
            text = screen_text(app)
            assert TRACK in text and ROLE in text
            _no_emoji(text)

    asyncio.run(run())
