"""SVG snapshots of the main screens at 80×24 and 160×48 (NO_COLOR, pinned theme, fixed seeds).

Update after an intended change with ``pytest tests/tui --snapshot-update`` and look at
the report before committing the new SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tui_helpers import THEME, play_app, settle

from game.record import record_from_commands
from game.simulate import play_random
from tui.app import WedgeApp, build_play_app, build_replay_app

SIZES = [(80, 24), (160, 48)]


def _settled(*keys: str) -> Any:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, WedgeApp)
        await settle(pilot, app)
        for key in keys:
            if key == "settle":
                await settle(pilot, app)
            else:
                await pilot.press(key)
        await settle(pilot, app)

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(
    "screen,keys",
    [
        ("board", ()),
        ("hand", ("2",)),
        ("diplomacy", ("3",)),
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


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_facilitator_console(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = build_play_app(
        as_role="gm",
        seats_spec="us=human,russia=random,prc=random,india=random",
        seed=7,
        save_dir=tmp_path / "saves",
        theme=THEME,
    )
    assert snap_compare(app, terminal_size=size, run_before=_settled())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_hotseat_handoff(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = play_app(tmp_path, seats="us=human,russia=human,prc=random,india=random", seed=7)
    assert snap_compare(app, terminal_size=size, run_before=_settled("enter", "settle", "d"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_replay_viewer(
    snap_compare: Any, tmp_path: Path, size: tuple[int, int], standard_sc: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)  # the title shows the path
    played = play_random(standard_sc, 4)
    record_from_commands(standard_sc, 4, list(played.commands)).save("game.json")
    app = build_replay_app("game.json", theme=THEME)
    assert snap_compare(app, terminal_size=size, run_before=_settled("home", "]", "]", "right"))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_corrupt_save_screen(snap_compare: Any, tmp_path: Path, size: tuple[int, int], monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    Path("broken-save.json").write_text('{"format": "wedge-save", "version": 1, "scenario": {', encoding="utf-8")
    app = build_play_app(load_path="broken-save.json", save_dir="saves", theme=THEME)
    assert snap_compare(app, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_projector_board(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = play_app(tmp_path, seed=7)
    assert snap_compare(app, terminal_size=size, run_before=_settled("p"))
