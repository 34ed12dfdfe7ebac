"""The Session is the UI's only door to a game: views only, checked commands, autosave, replay stepping."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from tui_helpers import THEME, screen_text, settle

from game.agents.registry import canonical_agents, parse_agents
from game.compiled import Compiled
from game.errors import IllegalCommand
from game.playtest.directory import BatchSpec, PlaytestDir
from game.playtest.rows import play_game, row_line
from game.record import load_save, record_from_commands
from game.simulate import play_random
from tui.app import build_replay_app
from tui.opening import OpenError, open_replay
from tui.seats import resolve_seats
from tui.session import LocalSession, ReplaySession, Session, StateChanged
from tui.widgets.board import TrackBar

STANDARD = Path(__file__).resolve().parents[2] / "scenarios" / "standard.yaml"


def test_local_session_views_submit_and_autosave(tmp_path: Path) -> None:
    save = tmp_path / "auto.json"
    s = LocalSession.new(STANDARD, 3, save)
    assert isinstance(s, Session)
    events: list[StateChanged] = []
    s.subscribe(events.append)
    us = s.view("us")
    assert "hands" not in us and "pending_orders" not in us  # only the role's own hand
    assert set(s.view("gm")["hands"]) == set(s.roles)
    with pytest.raises(IllegalCommand) as exc:
        s.submit("us", "russia:done")  # a seat cannot act for another role
    assert exc.value.rule == "3"
    with pytest.raises(IllegalCommand) as exc:
        s.submit("us", "us:seal")  # wrong phase: the engine's reason comes back
    assert exc.value.rule == "6"
    assert s.history == [] and not save.exists() and events == []
    s.submit("us", "us:done")
    assert s.history == ["us:done"]
    assert events[-1] == StateChanged(1, "command", "us", "us:done")
    assert load_save(save).commands == ["us:done"]  # written after every accepted command
    assert s.explain("us", "us:done") is not None
    assert s.explain("russia", "russia:done") is None


def test_replay_session_steps_by_command_and_turn(standard_sc: Compiled) -> None:
    played = play_random(standard_sc, 9)
    r = ReplaySession(record_from_commands(standard_sc, 9, list(played.commands)))
    assert r.position == 0 and r.length == len(played.commands)  # a replay opens at the start
    assert r.view("public")["turn"] == 1
    r.step_turn(1)
    assert r.view("public")["turn"] == 2
    first_of_2 = r.position
    assert r.turn_at(first_of_2 - 1) == 1
    r.step(1)
    r.step_turn(-1)
    assert r.position == first_of_2
    r.step_turn(-1)
    assert r.position == 0
    with pytest.raises(IllegalCommand):
        r.submit("us", "us:done")


def test_replay_of_a_playtest_game(tmp_path: Path, standard_sc: Compiled) -> None:
    agents = canonical_agents("random", standard_sc)
    store = PlaytestDir(tmp_path / "pt")
    store.prepare(BatchSpec(str(STANDARD), standard_sc.model, 5, agents), 2, "local", 1)
    appender = store.appender()
    appender.write([row_line(play_game(standard_sc, parse_agents(agents, standard_sc), agents, 5, i)) for i in (0, 1)])
    appender.close()
    r = open_replay(tmp_path / "pt", 1)
    row = store.find(1)
    assert r.history == row["commands"]
    r.seek(r.length)
    assert r.view("public")["tracks"] == row["final_tracks"]
    with pytest.raises(OpenError) as exc:
        open_replay(tmp_path / "pt", 7)
    assert "no game 7" in exc.value.reason


def test_replay_viewer_keys(tmp_path: Path, standard_sc: Compiled) -> None:
    played = play_random(standard_sc, 12)
    save = tmp_path / "g.json"
    record_from_commands(standard_sc, 12, list(played.commands)).save(save)

    async def run() -> None:
        app = build_replay_app(save, theme=THEME)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            r = app.session
            assert r.position == 0 and "command 0/" in screen_text(app)  # opens at the start
            await pilot.press("end")
            await settle(pilot, app)
            assert r.position == r.length
            await pilot.press("home")
            await settle(pilot, app)
            assert r.position == 0 and "command 0/" in screen_text(app)
            await pilot.press("right", "right")
            await settle(pilot, app)
            assert r.position == 2
            await pilot.press("]")
            await settle(pilot, app)
            assert r.view("public")["turn"] == 2
            for bar in app.screen.query(TrackBar):
                assert bar.value == r.view("gm")["tracks"][bar.track]
            await pilot.press("left")
            await settle(pilot, app)
            assert r.view("public")["turn"] == 1
            await pilot.press("v")  # view as the public
            await settle(pilot, app)
            assert "viewing as public" in screen_text(app)

    asyncio.run(run())


def test_seats_default_and_hotseat(standard_sc: Compiled) -> None:
    seats = resolve_seats(standard_sc, None, None)
    assert seats.as_role == "us" and seats.humans == ["us"]
    assert all(seats.controllers[r] in ("heuristic", "random") for r in ("russia", "prc", "india"))
    hot = resolve_seats(standard_sc, None, "us=human,india=human,prc=random")
    assert hot.humans == ["us", "india"] and hot.controllers["prc"] == "random"
    with pytest.raises(ValueError):
        resolve_seats(standard_sc, "us", "us=random")
    with pytest.raises(ValueError):
        resolve_seats(standard_sc, "mars", None)


def test_save_file_is_plain_json_with_seats_logged(tmp_path: Path) -> None:
    from tui.app import build_play_app

    app = build_play_app(seats_spec="russia=random,prc=random,india=random", seed=2, save_dir=tmp_path, theme=THEME)
    assert app.session.history[:3] == ["gm:seat:russia:random", "gm:seat:prc:random", "gm:seat:india:random"]
    saved = json.loads(next(tmp_path.glob("autosave-*.json")).read_text())
    assert saved["commands"][:3] == app.session.history[:3]
