"""SVG snapshots of the main screens at 80×24, 120×40 and 200×60 (NO_COLOR, pinned theme, fixed
seeds), and the names each size must show in full.

80×24 is the smallest terminal the UI is made for (short track names, compact key bar),
120×40 a laptop's terminal, 200×60 a projector page. Update after an intended change with
``pytest tests/tui --snapshot-update``, then look at every new SVG (render it to PNG with
``chromium --headless --screenshot``) before committing it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_helpers import THEME, play_app, screen_text, settle

from game.compiled import compile_scenario
from game.record import GameRecord, record_from_commands
from game.scenario.loader import load_scenario
from game.simulate import play_random
from tui.app import WedgeApp, build_menu_app, build_play_app, build_replay_app
from tui.opening import StartOptions
from tui.widgets.board import TrackBar

ROOT = Path(__file__).resolve().parents[2]
STANDARD = ROOT / "scenarios" / "standard.yaml"
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
SIZES = [(80, 24), (120, 40), (200, 60)]
#: offers to and from the US in turn 1 (seed 7): one accepted, two waiting for the US (the
#: third asks for a card the US does not hold), one from the US waiting for the PRC
OFFERS = (
    "russia:offer:us:us-tariff-carrot:russia-strategic-dialogue",
    "prc:offer:us:us-arms-waiver-india:prc-curb-dual-use-exports",
    "india:offer:us:us-trade-deal-india:india-cut-russian-oil",
    "us:accept:1",
    "us:offer:prc:prc-curb-dual-use-exports:us-tariff-escalation",
)
Step = str | Callable[[WedgeApp], Any]


def _settled(*steps: Step) -> Any:
    """run_before: settle, then press each key ("settle" waits for the AI seats again)."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, WedgeApp)
        await settle(pilot, app)
        for step in steps:
            if step == "settle":
                await settle(pilot, app)
            elif callable(step):
                step(app)
            else:
                await pilot.press(step)
        await settle(pilot, app)

    return run_before


def _offers_save(tmp_path: Path) -> Path:
    sc = compile_scenario(load_scenario(STANDARD))
    rec, s = GameRecord.start(sc, 7)
    for role in ("russia", "prc", "india"):
        s = rec.accept(s, f"gm:seat:{role}:random")
    for command in OFFERS:
        s = rec.accept(s, command)
    path = tmp_path / "offers.json"
    rec.save(path)
    return path


def _size_id(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
@pytest.mark.parametrize(
    "screen,keys",
    [
        ("board", ()),
        ("hand", ("2",)),
        ("ledger_after_turn_1", ("d", "settle", "s", "enter", "settle", "escape", "4")),
        ("diplomacy_forms", ("3", "o", "m")),
        ("reveal_after_turn_1", ("d", "settle", "s", "enter", "settle")),
    ],
)
def test_game_screens(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], screen: str, keys: tuple[str, ...]
) -> None:
    app = play_app(tmp_path, seed=7)
    assert snap_compare(app, terminal_size=size, run_before=_settled(*keys))


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_diplomacy_with_offers(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """Offers accepted and waiting, to and from the seat: every column stays on screen."""
    app = build_play_app(load_path=_offers_save(tmp_path), save_dir=tmp_path / "saves", theme=THEME)
    assert snap_compare(app, terminal_size=size, run_before=_settled("3", "down"))


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_facilitator_console(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = build_play_app(
        as_role="gm",
        seats_spec="us=human,russia=random,prc=random,india=random",
        seed=7,
        save_dir=tmp_path / "saves",
        theme=THEME,
    )
    assert snap_compare(app, terminal_size=size, run_before=_settled())


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_hotseat_handoff(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = play_app(tmp_path, seats="us=human,russia=human,prc=random,india=random", seed=7)
    assert snap_compare(app, terminal_size=size, run_before=_settled("enter", "settle", "d"))


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_replay_viewer(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], standard_sc: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)  # the title shows the path
    played = play_random(standard_sc, 4)
    record_from_commands(standard_sc, 4, list(played.commands)).save("game.json")
    app = build_replay_app("game.json", theme=THEME)
    assert snap_compare(app, terminal_size=size, run_before=_settled("home", "]", "]", "right"))


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_corrupt_save_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int], monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken-save.json").write_text('{"format": "wedge-save", "version": 1, "scenario": {', encoding="utf-8")
    app = build_play_app(load_path="broken-save.json", save_dir="saves", theme=THEME)
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_projector_board(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = play_app(tmp_path, seed=7)
    assert snap_compare(app, terminal_size=size, run_before=_settled("p"))


# ------------------------------------------------------------------------ names in full


@pytest.mark.parametrize("scenario", [STANDARD, CLASSROOM], ids=lambda p: p.stem)
@pytest.mark.parametrize("size", SIZES, ids=_size_id)
def test_track_names_fit_the_terminal(tmp_path: Path, scenario: Path, size: tuple[int, int]) -> None:
    """At 120×40 and 200×60 every track's full name is on the board (the player's, the
    projector's, the facilitator's); at 80×24 at least its short name, never a name cut
    mid-word without an ellipsis."""
    tracks = load_scenario(scenario).tracks
    wide = size != (80, 24)

    def check(text: str, where: str) -> None:
        for t in tracks:
            if wide:
                assert t.name in text, f"{where} at {_size_id(size)}: {t.name!r} is not shown in full"
            else:
                assert t.name in text or t.short in text, f"{where} at 80x24: neither name of {t.id} is shown"

    async def run() -> None:
        app = play_app(tmp_path, seed=7, scenario_path=scenario)
        async with app.run_test(size=size) as pilot:
            await settle(pilot, app)
            check(screen_text(app), "the board")
            labels = [bar.label for bar in app.screen.query(TrackBar)]
            assert all(label in (t.name, t.short) for label, t in zip(labels, tracks)), labels
            await pilot.press("p")
            await settle(pilot, app)
            check(screen_text(app), "the projector")
        gm = build_play_app(
            scenario, as_role="gm", seats_spec="us=random", seed=7, save_dir=tmp_path / "gm", theme=THEME
        )
        async with gm.run_test(size=size) as pilot:
            await settle(pilot, gm)
            if wide:  # at 80×24 the console's board pane scrolls: its labels are checked instead
                check(screen_text(gm), "the facilitator's board")
            labels = [bar.label for bar in gm.screen.query(TrackBar)]
            assert all(label in (t.name, t.short) for label, t in zip(labels, tracks)), labels
            assert all(label == t.name for label, t in zip(labels, tracks)) or not wide

    asyncio.run(run())


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=_size_id)
@pytest.mark.parametrize("screen,keys", [("menu", ()), ("new_game", ("n",))])
def test_start_menu(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], screen: str, keys: tuple[str, ...], monkeypatch: Any
) -> None:
    """A bare `wedge play`: the start menu and the new-game form (a fixed seed: the form shows it)."""
    monkeypatch.chdir(tmp_path)  # no saves yet
    options = StartOptions(seed=4242, save_dir=Path("saves"), scenario_dirs=(ROOT / "scenarios",))
    app = build_menu_app(options, theme=THEME)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause(0.2)
        for key in keys:
            await pilot.press(key)
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
