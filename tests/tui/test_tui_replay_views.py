"""The replay viewer: where it opens, what each seat viewed as may read in the log, the turn
a command belongs to, and who played a simulated game."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import THEME, screen_text, settle

from game.compiled import Compiled
from game.record import GameRecord, record_from_commands
from game.rules import legal_actions
from game.simulate import play_random
from tui.app import build_replay_app
from tui.screens.replay import HIDDEN
from tui.widgets.common import RowTable

MESSAGE = "us:say:india:meet me at the summit"


def _one_turn(sc: Compiled) -> tuple[GameRecord, dict[str, int]]:
    """Turn 1 of a game with an offer US → India, a private message, a card played and taken
    back, and one played and kept; every role seals, so turn 1 is revealed by the last seal.
    Returns the record and the (0-based) index of each interesting command."""
    rec, s = GameRecord.start(sc, 7)
    us = sc.role_index["us"]
    offer = next(c for c in legal_actions(s, us) if c.verb == "offer" and c.args[0] == "india").text
    at: dict[str, int] = {}

    def send(name: str, command: str) -> None:
        nonlocal s
        at[name] = len(rec.commands)
        s = rec.accept(s, command)

    send("offer", offer)
    send("say", MESSAGE)
    for role in sc.role_ids:
        send(f"{role}-done", f"{role}:done")
    plays = [c for c in legal_actions(s, us) if c.verb == "play"]
    send("taken-back", plays[0].text)
    send("unplay", f"us:unplay:{plays[0].args[0]}")
    send("kept", plays[1].text)
    for role in sc.role_ids:
        send(f"{role}-seal", f"{role}:seal")
    assert s.turn == 2 and len(s.history) == 1
    return rec, at


def _log(app: Any) -> Any:
    return app.screen.query_one("#replay-log")


def _command_cell(app: Any, index: int) -> str:
    return str(_log(app).get_cell(str(index + 1), "command"))


def test_replay_opens_at_the_start(tmp_path: Path, standard_sc: Compiled, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    played = play_random(standard_sc, 4)
    record_from_commands(standard_sc, 4, list(played.commands)).save("game.json")

    async def run() -> None:
        app = build_replay_app("game.json", theme=THEME)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            assert app.session.position == 0
            text = screen_text(app)
            assert f"command 0/{len(played.commands)} · turn 1" in text
            assert "Last command: (start of game)" in text
            await pilot.press("right")
            await settle(pilot, app)
            assert app.session.position == 1
            assert f"Last command: {played.commands[0]}" in screen_text(app)

    asyncio.run(run())


def test_public_view_hides_private_offers_messages_and_orders(
    tmp_path: Path, standard_sc: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rec, at = _one_turn(standard_sc)
    rec.save("game.json")

    async def run() -> None:
        app = build_replay_app("game.json", theme=THEME)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            # the facilitator reads every command
            assert _command_cell(app, at["offer"]) == rec.commands[at["offer"]]
            await pilot.press("v")  # view as: the public
            await settle(pilot, app)
            assert "viewing as public" in screen_text(app)
            # before the reveal: the offer, the message and the cards are private
            for name in ("offer", "say", "taken-back", "unplay", "kept"):
                assert _command_cell(app, at[name]) == HIDDEN, name
            for name in ("us-done", "india-seal"):
                assert _command_cell(app, at[name]) == rec.commands[at[name]]
            await pilot.press("right", "right")
            await settle(pilot, app)
            assert f"Last command: {HIDDEN}" in screen_text(app)  # the status line hides it too
            assert "meet me at the summit" not in screen_text(app)
            # after the reveal the offer and the card kept are public; the message and the
            # card taken back never are
            await pilot.press("end")
            await settle(pilot, app)
            assert _command_cell(app, at["offer"]) == rec.commands[at["offer"]]
            assert _command_cell(app, at["kept"]) == rec.commands[at["kept"]]
            for name in ("say", "taken-back", "unplay"):
                assert _command_cell(app, at[name]) == HIDDEN, name
            await pilot.press("3")
            await settle(pilot, app)
            assert "meet me at the summit" not in screen_text(app)
            # India (the other party) reads the offer and the message from the start
            await pilot.press("home", "v", "v", "v", "v")  # public → us → russia → prc → india
            await settle(pilot, app)
            assert "viewing as India" in screen_text(app)
            assert _command_cell(app, at["offer"]) == rec.commands[at["offer"]]
            assert _command_cell(app, at["say"]) == MESSAGE
            assert _command_cell(app, at["kept"]) == HIDDEN

    asyncio.run(run())


def test_log_turn_is_the_turn_the_command_was_sent_in(
    tmp_path: Path, standard_sc: Compiled, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    rec, at = _one_turn(standard_sc)
    rec.save("game.json")

    async def run() -> None:
        app = build_replay_app("game.json", theme=THEME)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            log = _log(app)
            last = at["india-seal"]  # the seal that ends turn 1 (the game is in turn 2 after it)
            assert rec.commands[last] == "india:seal" and last == len(rec.commands) - 1
            assert str(log.get_cell(str(last + 1), "turn")) == "1"
            assert all(str(log.get_cell(str(i + 1), "turn")) == "1" for i in range(len(rec.commands)))

    asyncio.run(run())


@pytest.mark.parametrize(
    "agents,expected",
    [
        ("random", {"us": "random", "russia": "random", "prc": "random", "india": "random"}),
        (
            "us=heuristic,russia=random,prc=random,india=random",
            {"us": "heuristic", "russia": "random", "prc": "random", "india": "random"},
        ),
    ],
)
def test_simulated_game_shows_its_agents_as_seats(
    tmp_path: Path,
    standard_sc: Compiled,
    monkeypatch: pytest.MonkeyPatch,
    agents: str,
    expected: dict[str, str],
) -> None:
    """`wedge simulate --save` and playtest games record no seat commands: every seat reads
    "human" in the state, but the meta names the agents."""
    monkeypatch.chdir(tmp_path)
    played = play_random(standard_sc, 5)
    record = record_from_commands(standard_sc, 5, list(played.commands), {"agents": agents})
    record.save("sim.json")
    hashes = list(record.hashes)

    async def run() -> None:
        app = build_replay_app("sim.json", theme=THEME)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            roles = app.screen.query_one("#board-roles", RowTable)
            seats = {roles.cell(r, 0): roles.cell(r, 4) for r in range(roles.row_count)}
            names = {app.catalog.short_role(role): kind for role, kind in expected.items()}
            assert seats == names
            # display only: the game itself still says human, and nothing was replayed differently
            assert all(v["controller"] == "human" for v in app.session.view("public")["roles"].values())
            assert app.session._record.hashes == hashes

    asyncio.run(run())


def test_a_seat_command_wins_over_the_meta(tmp_path: Path, standard_sc: Compiled, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    rec, s = GameRecord.start(standard_sc, 3, {"agents": "random"})
    s = rec.accept(s, "gm:seat:us:human")
    s = rec.accept(s, "us:done")
    rec.save("g.json")

    async def run() -> None:
        app = build_replay_app("g.json", theme=THEME)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            roles = app.screen.query_one("#board-roles", RowTable)
            assert roles.cell(0, 4) == "random"  # at the start nothing has set the US seat yet
            await pilot.press("end")
            await settle(pilot, app)
            assert roles.cell(0, 4) == "human"
            assert roles.cell(1, 4) == "random"

    asyncio.run(run())
