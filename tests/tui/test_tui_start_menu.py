"""The start menu of a bare ``wedge play``: a new game (scenario, seed, seats), the last autosave,
a save or a replay — and ``wedge play SCENARIO`` still starting the game directly."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Select
from tui_helpers import THEME, screen_text, settle

from game import cli
from game.compiled import compile_scenario
from game.record import GameRecord
from game.scenario.loader import load_scenario
from tui.app import WedgeApp, build_menu_app
from tui.opening import StartOptions, describe_save, find_scenarios, latest_autosave
from tui.screens.dialogs import ErrorModal, HandoffScreen, PassphraseScreen
from tui.screens.facilitator import FacilitatorScreen
from tui.screens.game import GameScreen
from tui.screens.replay import ReplayScreen
from tui.screens.start import NewGameScreen, OpenScreen, StartScreen
from tui.session import ReplaySession

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
STANDARD = SCENARIOS / "standard.yaml"
CLASSROOM = SCENARIOS / "classroom.yaml"
SIZE = (80, 24)  # the menu must work on the smallest terminal


def _options(tmp_path: Path, **kw: Any) -> StartOptions:
    return StartOptions(save_dir=tmp_path / "saves", scenario_dirs=(SCENARIOS,), **kw)


def _save(path: Path, commands: tuple[str, ...] = (), scenario: Path = CLASSROOM, seed: int = 5) -> list[str]:
    """A save of `scenario` after `commands` (the US at the keyboard, the others random)."""
    sc = compile_scenario(load_scenario(scenario))
    rec, s = GameRecord.start(sc, seed)
    for command in ("gm:seat:russia:random", "gm:seat:prc:random", "gm:seat:india:random", *commands):
        s = rec.accept(s, command)
    path.parent.mkdir(parents=True, exist_ok=True)
    rec.save(path)
    return list(rec.commands)


async def _started(pilot: Any, app: WedgeApp) -> None:
    """Wait for the menu's first frame and for the autosave's check just after it."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        screen = app.screen
        if isinstance(screen, StartScreen) and (screen.autosave is None or screen.checked):
            break
    await pilot.pause()


# ------------------------------------------------------------------------ the command line


@pytest.mark.parametrize(
    "argv,menu",
    [
        (["play"], True),
        (["play", "--as", "india", "--seed", "9"], True),  # options fill in the new-game form
        (["play", str(CLASSROOM)], False),
        (["play", str(STANDARD), "--seed", "3", "--as", "gm"], False),
        (["play", "--load", "saves/x.json"], False),
    ],
)
def test_only_a_bare_wedge_play_opens_the_menu(monkeypatch: pytest.MonkeyPatch, argv: list[str], menu: bool) -> None:
    import tui.app

    calls: list[tuple[str, Any]] = []
    monkeypatch.setattr(tui.app, "run_menu", lambda options=None: calls.append(("menu", options)) or 0)
    monkeypatch.setattr(tui.app, "run_play", lambda *a, **k: calls.append(("play", a)) or 0)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert cli.main(argv) == 0
    assert [kind for kind, _ in calls] == ["menu" if menu else "play"]
    kind, got = calls[0]
    if kind == "menu":
        assert isinstance(got, StartOptions)
        if "--as" in argv:
            assert (got.as_role, got.seed) == ("india", 9)
        else:
            assert got.seed is None  # the menu shows a fresh random seed
    elif "--load" in argv:
        assert got[4] == "saves/x.json"
    else:
        assert Path(got[0]) == Path(argv[1])  # the scenario given, not the default


def test_without_a_terminal_a_bare_wedge_play_still_tells_a_story(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["play", "--text", "--seed", "2"]) == 0
    assert "Turn 1" in capsys.readouterr().out


def test_the_menu_offers_the_scenarios_that_load() -> None:
    found, refused = find_scenarios([SCENARIOS])
    assert [s.path.name for s in found][:1] == ["standard.yaml"]
    assert {s.path.name for s in found} >= {"standard.yaml", "classroom.yaml"}
    assert {p.name for p, _ in refused} >= {"doctrine.yaml"}  # not a scenario: never offered
    assert all(":" in why for _, why in refused)  # with the loader's FILE:LINE:COL reason


# ------------------------------------------------------------------------ new game


def test_new_game_with_a_scenario_a_seed_and_seats(tmp_path: Path) -> None:
    async def run() -> None:
        app = build_menu_app(_options(tmp_path), theme=THEME)
        async with app.run_test(size=SIZE) as pilot:
            await _started(pilot, app)
            assert isinstance(app.screen, StartScreen) and app.mode == "menu"
            assert "New game" in screen_text(app) and "no autosave" in screen_text(app)
            await pilot.press("n")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, NewGameScreen)
            # a random seed, shown and editable
            seed = form.query_one("#new-seed", Input)
            assert seed.value.isdigit() and seed.value in screen_text(app)
            scenario = form.query_one("#new-scenario", Select)
            labels = [str(label) for label, _ in scenario._options]
            assert any("classroom.yaml" in x for x in labels) and not any("doctrine" in x for x in labels)
            assert "doctrine.yaml" in screen_text(app)  # said why it is not offered
            # a bad seed is refused in the form
            seed.value = "-4"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert isinstance(app.screen, NewGameScreen) and "seed must be a whole number" in screen_text(app)
            # the classroom scenario, seed 42, India at this keyboard and the US too (hot seat)
            scenario.value = next(v for label, v in scenario._options if "classroom" in str(label))
            await pilot.pause()
            seed.value = "42"
            form.query_one("#new-as", Select).value = "india"
            await pilot.pause()
            assert form.query_one("#new-seat-india", Select).disabled  # the keyboard's own seat is a person
            form.query_one("#new-seat-us", Select).value = "human"
            form.query_one("#new-seat-russia", Select).value = "random"
            form.query_one("#new-seat-prc", Select).value = "random"
            await pilot.click("#new-start")
            await settle(pilot, app)
            assert app.mode == "play"
            session = app.game
            assert session.seed == 42 and session.scenario.scenario.title.startswith("Wedge in the Classroom")
            controllers = {r: v["controller"] for r, v in session.view("public")["roles"].items()}
            assert controllers == {"us": "human", "russia": "random", "prc": "random", "india": "human"}
            assert isinstance(app.screen, HandoffScreen)  # two people at one keyboard
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen) and app.seat in ("us", "india")
            assert app.screen_stack[0] is app.screen  # the menu is gone from the game's stack
            assert list((tmp_path / "saves").glob("autosave-*.json"))  # autosaved as usual

    asyncio.run(run())


def test_new_game_form_is_filled_in_from_the_command_line(tmp_path: Path) -> None:
    async def run() -> None:
        options = _options(tmp_path, as_role="prc", seats="india=random", seed=7)
        app = build_menu_app(options, theme=THEME)
        async with app.run_test(size=SIZE) as pilot:
            await _started(pilot, app)
            await pilot.press("n")
            await pilot.pause()
            form = app.screen
            assert form.query_one("#new-seed", Input).value == "7"
            assert form.query_one("#new-as", Select).value == "prc"
            assert form.query_one("#new-seat-india", Select).value == "random"
            await pilot.press("escape")  # back to the menu
            await pilot.pause()
            assert isinstance(app.screen, StartScreen)

    asyncio.run(run())


def test_new_game_as_the_facilitator(tmp_path: Path) -> None:
    async def run() -> None:
        app = build_menu_app(_options(tmp_path), theme=THEME)
        async with app.run_test(size=(120, 36)) as pilot:
            await _started(pilot, app)
            await pilot.press("n")
            await pilot.pause()
            form = app.screen
            form.query_one("#new-as", Select).value = "gm"
            await pilot.pause()
            assert not form.query_one("#new-passphrase-row").display  # the console's own seat needs none
            for role in ("us", "russia", "prc", "india"):
                form.query_one(f"#new-seat-{role}", Select).value = "random"
            await pilot.press("ctrl+s")
            await settle(pilot, app)
            assert isinstance(app.screen, FacilitatorScreen) and app.seat == "gm"
            assert app.game.view("public")["paused"]  # computer seats: it starts paused, as with --as gm
            await pilot.press("escape")  # the console is the game's first screen: Esc stays there
            await settle(pilot, app)
            assert isinstance(app.screen, FacilitatorScreen)

    asyncio.run(run())


# ------------------------------------------------------------------------ continue


def test_continue_the_latest_autosave(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    _save(saves / "autosave-20260101-090000.json", seed=1)
    commands = _save(saves / "autosave-20260101-100000.json", ("us:done",), seed=5)
    os.utime(saves / "autosave-20260101-090000.json", (1, 1))  # the other one is older
    assert latest_autosave(saves) == saves / "autosave-20260101-100000.json"

    async def run() -> None:
        app = build_menu_app(_options(tmp_path), theme=THEME)
        async with app.run_test(size=SIZE) as pilot:
            await _started(pilot, app)
            text = screen_text(app)
            assert "autosave-20260101-100000.json" in text and "seed 5" in text
            await pilot.press("c")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen) and app.seat == "us"
            assert app.game.history[: len(commands)] == commands and app.game.seed == 5

    asyncio.run(run())


def test_an_autosave_that_no_longer_loads_says_why(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    saves.mkdir()
    (saves / "autosave-20260101-100000.json").write_text('{"format": "wedge-save", "version": 2', encoding="utf-8")

    async def run() -> None:
        app = build_menu_app(_options(tmp_path), theme=THEME)
        async with app.run_test(size=(120, 30)) as pilot:
            await _started(pilot, app)
            assert "cannot be continued" in screen_text(app) and "truncated" in screen_text(app)
            menu = app.screen.query_one(OptionList)
            assert menu.get_option("continue").disabled
            await pilot.press("c")
            await pilot.pause()
            assert isinstance(app.screen, ErrorModal)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, StartScreen) and app.mode == "menu"

    asyncio.run(run())


# ------------------------------------------------------------------------ open a save or replay


def test_open_a_save_to_resume_it(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    commands = _save(saves / "class-monday.json", ("us:done",))

    async def run() -> None:
        app = build_menu_app(_options(tmp_path), theme=THEME)
        async with app.run_test(size=SIZE) as pilot:
            await _started(pilot, app)
            await pilot.press("o")
            await pilot.pause()
            assert isinstance(app.screen, OpenScreen)
            text = screen_text(app)
            assert "class-monday.json" in text and "turn 1/4" in text  # what the highlighted save holds
            assert "turn 1/4 diplomacy · seed 5 · 4 commands" in describe_save(saves / "class-monday.json")
            await pilot.press("enter")  # the highlighted save: resume it
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            assert app.game.history[: len(commands)] == commands

    asyncio.run(run())


def test_open_a_save_in_the_replay_viewer_and_a_bad_path(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    _save(saves / "class-monday.json", ("us:done",))

    async def run() -> None:
        app = build_menu_app(_options(tmp_path), theme=THEME)
        async with app.run_test(size=SIZE) as pilot:
            await _started(pilot, app)
            await pilot.press("o")
            await pilot.pause()
            path = app.screen.query_one("#open-path", Input)
            path.value = str(tmp_path / "missing.json")
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert isinstance(app.screen, OpenScreen) and "cannot read" in screen_text(app)
            path.value = str(saves / "class-monday.json")
            await pilot.press("ctrl+r")
            await settle(pilot, app)
            assert isinstance(app.screen, ReplayScreen) and isinstance(app.session, ReplaySession)
            assert app.mode == "replay"

    asyncio.run(run())


def test_wedge_play_gm_asks_for_the_passphrase_once_the_game_is_chosen(tmp_path: Path) -> None:
    """`wedge play --gm`: the menu first; the passphrase (twice) before the first hand-off."""

    async def run() -> None:
        options = _options(tmp_path, seats="us=human,russia=human", ask_gm_passphrase=True)
        app = build_menu_app(options, theme=THEME)
        async with app.run_test(size=(100, 30)) as pilot:
            await _started(pilot, app)
            assert isinstance(app.screen, StartScreen)  # not asked over the menu
            await pilot.press("n")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause(0.3)
            assert isinstance(app.screen, PassphraseScreen)
            await pilot.press(*"wc", "enter", *"wc", "enter")
            await settle(pilot, app)
            assert app.gm_lock.check("wc")
            assert isinstance(app.screen, HandoffScreen)  # then the game starts

    asyncio.run(run())
