"""A whole game over the network: a real ``wedge serve`` subprocess, three raw protocol
clients, the US played through the Textual UI on a RemoteSession (headless pilot), and
a spectator and the facilitator connected throughout (the facilitator pauses, resumes
and overrides a track mid-game).

The game is then replayed locally from the server's database: every client's final view
must equal what the engine gives that seat, and — the leak audit — every message each
seat received must be exactly a view of that seat at some point of the game (in order),
carry only log entries that seat may see, and name none of the cards hidden from it.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest
from server_helpers import ROLES, STANDARD, play_seat, rich_choice, screen_text, start_server

from game.compiled import Compiled, compile_scenario
from game.hashing import state_hash
from game.record import GameRecord, final_state
from game.rules import apply, legal_actions, new_game
from game.scenario.loader import load_scenario
from game.server.client import Client
from game.server.store import read_commands
from game.state import GameState
from game.views import facilitator_view, public_view, role_view
from tui.remote import RemoteApp, build_remote_app
from tui.screens.reveal import RevealScreen

SEED = 7


@dataclass
class Played:
    game: str = ""
    frames: dict[str, list[str]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    commands: dict[str, list[str]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    us_screen: str = ""
    us_pressed: int = 0
    exit_code: int = -1


async def _drive_us(app: RemoteApp, out: Played) -> None:
    """Play the US with key presses only: d = done, 2/a = add a card, s + enter = seal, enter
    to close each turn's reveal."""
    async with app.run_test(size=(110, 34)) as pilot:
        session = app.remote
        assert session is not None
        await pilot.pause(0.1)
        for _ in range(400):
            view = session.view("us")
            if view["phase"] == "over":
                break
            if isinstance(app.screen, RevealScreen):  # what happened last turn: read, then on
                await pilot.press("enter")
                await pilot.pause()
                continue
            legal = session.legal("us")
            if not legal:
                await pilot.pause(0.03)
                continue
            if view["phase"] == "diplomacy":
                await pilot.press("d")
            else:
                plays = {c.args[0] for c in legal if c.verb == "play" and len(c.args) == 1}
                rows = [i for i, card in enumerate(view["hand"]) if card in plays]
                if rows and not view["my_order"] and view["turn"] <= 2:
                    await pilot.press("2")
                    app.screen.query_one("#hand-table").focus()
                    await pilot.press("home", *(["down"] * rows[0]), "a")
                    await pilot.pause()
                await pilot.press("s")
                await pilot.pause()
                await pilot.press("enter")
            out.us_pressed += 1
            await pilot.pause(0.02)
        await pilot.pause(0.2)
        for _ in range(3):  # the last turn's reveal comes before the results
            if isinstance(app.screen, RevealScreen):
                await pilot.press("enter")
                await pilot.pause(0.1)
        out.us_screen = screen_text(app)
        out.views["us"] = session.view("us")
        out.commands["us"] = session.history
        out.frames["us"] = list(session.client.received)


async def _facilitate(gm: Client) -> None:
    """Pause and resume in turn 2, override a track in turn 3 (ordinary logged commands)."""
    await gm.wait_for(lambda c: c.view["turn"] >= 2, timeout=120)
    await gm.submit("gm:pause")
    await asyncio.sleep(0.05)
    await gm.submit("gm:resume")
    await gm.wait_for(lambda c: c.view["turn"] >= 3, timeout=120)
    await gm.submit("gm:set:alignment:70:classroom ruling on the summit")


async def _play(url: str, tokens: dict[str, str]) -> Played:
    out = Played()
    gm = Client(url, tokens["gm"], record=True)
    spectator = Client(url, record=True)
    await gm.connect()
    await spectator.connect()
    raw = {r: Client(url, tokens[r], record=True) for r in ("russia", "prc", "india")}
    for c in raw.values():
        await c.connect()
    app = build_remote_app(url, tokens["us"], theme="textual-dark", record=True)
    tasks = [asyncio.ensure_future(play_seat(c, rich_choice, salt=3)) for c in raw.values()]
    tasks.append(asyncio.ensure_future(_facilitate(gm)))
    await _drive_us(app, out)
    await asyncio.wait_for(asyncio.gather(*tasks), 60)
    await spectator.wait_for(lambda c: c.view["phase"] == "over")
    await gm.wait_for(lambda c: c.view["phase"] == "over")
    for seat, c in [("gm", gm), ("public", spectator), *raw.items()]:
        out.views[seat], out.commands[seat], out.frames[seat] = c.view, c.commands, list(c.received)
        await c.close()
    return out


def _play_once(db: Path) -> Played:
    sp = start_server(db, "--seed", str(SEED))
    try:
        out = asyncio.run(_play(sp.url(), sp.tokens[sp.game]))
    finally:
        out_code = sp.stop()
    out.exit_code = out_code
    out.game = sp.game
    out.log = read_commands(db, sp.game)
    con = sqlite3.connect(db)
    out.hashes = [r[0] for r in con.execute("SELECT state_hash FROM commands ORDER BY idx")]
    con.close()
    return out


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    """The game, played once per test session even when pytest-xdist spreads this module's
    tests over several workers: the first worker plays and writes the results, the others
    wait for them."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "server-e2e"
    shared.mkdir(exist_ok=True)
    results, failed = shared / "played.json", shared / "failed.txt"
    try:
        os.close(os.open(shared / "lock", os.O_CREAT | os.O_EXCL))
    except FileExistsError:
        end = time.monotonic() + 600
        while not results.exists() and not failed.exists() and time.monotonic() < end:
            time.sleep(0.2)
        if not results.exists():
            raise AssertionError("the end-to-end game failed in another worker") from None
        return Played(**json.loads(results.read_text()))
    try:
        out = _play_once(shared / "games.db")
    except BaseException as exc:
        failed.write_text(repr(exc))
        raise
    tmp = shared / "played.tmp"
    tmp.write_text(json.dumps(asdict(out)))
    os.replace(tmp, results)
    return out


@pytest.fixture(scope="module")
def sc() -> Compiled:
    return compile_scenario(load_scenario(STANDARD))


@pytest.fixture(scope="module")
def states(played: Played, sc: Compiled) -> list[GameState]:
    """Every state of the game, replayed locally from the server's log."""
    s = new_game(sc, SEED)
    out = [s]
    for command in played.log:
        s = apply(s, command)
        out.append(s)
    return out


def _view(s: GameState, seat: str) -> dict[str, Any]:
    if seat == "public":
        return public_view(s)
    if seat == "gm":
        return facilitator_view(s)
    return role_view(s, seat)


def test_the_game_finishes_and_equals_its_local_replay(played: Played, sc: Compiled, states: list[GameState]) -> None:
    assert played.exit_code == 0
    final = states[-1]
    assert final.phase == "over" and final.turn == sc.rules.turns
    rec = GameRecord(sc, SEED, played.log, played.hashes, state_hash(states[0]), {})
    assert state_hash(final_state(rec, verify=True)) == state_hash(final)  # every stored hash checks out
    for seat in (*ROLES, "gm", "public"):
        assert played.views[seat] == json.loads(json.dumps(_view(final, seat))), seat
    assert played.commands["gm"] == played.log  # the facilitator sees the whole log
    # the facilitator's acts and every seat's own orders are ordinary log entries
    assert "gm:pause" in played.log and "gm:set:alignment:70:classroom ruling on the summit" in played.log
    for role in ROLES:
        assert any(c.startswith(f"{role}:seal") for c in played.log)
    assert any(":offer:" in c for c in played.log) and any(":say:" in c for c in played.log)


def test_the_textual_client_played_the_us_seat(played: Played, states: list[GameState]) -> None:
    assert played.us_pressed >= 16  # at least done + seal in each of the 8 turns
    assert "Game over" in played.us_screen
    us = [c for c in played.log if c.startswith("us:")]
    assert played.commands["us"] == [c for c in played.log if c.split(":")[0] in ("us", "gm")]
    assert any(c.startswith("us:play:") for c in us), "the UI added cards through the network"
    assert played.views["us"]["results"] is not None


def _keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        out = set(obj)
        for v in obj.values():
            out |= _keys(v)
        return out
    if isinstance(obj, list):
        return set().union(*(_keys(v) for v in obj)) if obj else set()
    return set()


def _secret_cards(s: GameState, seat: str, askable: set[str]) -> set[str]:
    """Cards in other roles' hands and sealed orders that nothing public names now."""
    f = facilitator_view(s)
    hidden: set[str] = set()
    for role in ROLES:
        if role != seat:
            hidden |= set(f["hands"][role]) | {o["card"] for o in f["pending_orders"][role]}
    visible = json.dumps(public_view(s))
    if seat in ROLES:
        visible += json.dumps(role_view(s, seat)["offers"])
    return {c for c in hidden - askable if f'"{c}"' not in visible and f":{c}" not in visible}


@pytest.mark.parametrize("seat", [*ROLES, "public", "gm"])
def test_no_message_carries_anything_hidden_from_its_seat(
    played: Played, sc: Compiled, states: list[GameState], seat: str
) -> None:
    askable = {sc.card_ids[c] for asks in sc.askable_by_role for c in asks}
    frames = played.frames[seat]
    assert frames and json.loads(frames[0])["type"] == "welcome"
    view: dict[str, Any] = {}
    legal: list[str] = []
    seen: list[str] = []
    k = 0
    updates = 0
    for text in frames:
        msg = json.loads(text)
        kind = msg["type"]
        body = {key: v for key, v in msg.items() if key != "scenario"}  # the scenario is public data
        assert not _keys(body) & {"seed", "rng", "decks", "hands", "pending_orders"} or seat == "gm", text[:300]
        if kind == "welcome":
            view, legal, seen = msg["view"], msg["legal"], list(msg["commands"])
        elif kind == "update":
            updates += 1
            assert msg["patch"] or "legal" in msg or "hints" in msg or msg["commands"], "an update that says nothing"
            view = {**view, **msg["patch"]}
            legal = msg.get("legal", legal)
            seen += msg["commands"]
        else:
            assert kind in ("ack", "pong", "checked", "error"), kind
            if kind == "ack" and seat in ROLES:
                assert msg["command"].startswith(f"{seat}:")
            continue
        for command in msg["commands"]:
            actor = command.split(":", 1)[0]
            assert seat == "gm" or actor in (seat, "gm"), f"{seat} was sent {command}"
        # the view is exactly this seat's view of some state, no earlier than the last one
        while k < len(states):
            s = states[k]
            if _view(s, seat) == view and (
                seat not in ROLES or legal == [c.text for c in legal_actions(s, sc.role_index[seat])]
            ):
                break
            k += 1
        assert k < len(states), f"{seat} received a view no state of the game gives it: {text[:300]}"
        if seat != "gm":
            secret = _secret_cards(states[k], seat, askable)
            flat = json.dumps(body)
            leaked = [c for c in secret if f'"{c}"' in flat or f":{c}" in flat]
            assert not leaked, f"{seat} was sent hidden cards {leaked}"
        for problem_cmd in msg.get("hints", {}):
            assert seat in ROLES and problem_cmd.startswith(f"{seat}:play:")
    assert k == len(states) - 1, "the last message shows the final state"
    assert seen == [c for c in played.log if seat == "gm" or c.split(":", 1)[0] in (seat, "gm")]
    if seat == "public":
        distinct = sum(1 for a, b in zip(states, states[1:]) if public_view(a) != public_view(b))
        assert updates <= distinct, "the projector was told of changes it cannot see"
