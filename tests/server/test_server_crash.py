"""Crash recovery: ``kill -9`` the server mid-game, restart it on the same database.

Four raw clients play while the server is killed three times (after 12, 45 and 95
acknowledgements, each time with other clients' commands in flight). Each restart
replays every game from the database and checks every state hash; the clients
reconnect with their tokens and re-send whatever was not acknowledged, with the same
idempotency key. Afterwards, per seat, the database holds exactly the commands the
client saw acknowledged — none lost, none twice — and the final state equals the same
players' game played locally without any crash.

The second test does the same with every seat played by the server's own agents: an
interrupted game must end exactly like an uninterrupted one with the same seed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from server_helpers import ROLES, STANDARD, PolicyAgent, ServerProc, play_seat, simple_choice

from game.compiled import Compiled, compile_scenario
from game.hashing import state_hash
from game.rules import apply, new_game
from game.scenario.loader import load_scenario
from game.server.client import Client
from game.server.store import read_commands
from game.simulate import play

SEED = 11
KILL_AFTER = (12, 45, 95)


def _replay(sc: Compiled, seed: int, log: list[str]) -> str:
    s = new_game(sc, seed)
    for command in log:
        s = apply(s, command)
    assert s.phase == "over"
    return state_hash(s)


def test_kill_9_mid_game_loses_and_duplicates_nothing(servers: Callable[..., ServerProc], tmp_path: Path) -> None:
    db = tmp_path / "games.db"
    box: dict[str, ServerProc] = {"sp": servers(db, "--seed", str(SEED))}
    first = box["sp"]
    url, tokens = first.url(), first.tokens[first.game]
    acked: dict[str, list[str]] = {r: [] for r in ROLES}
    count = {"acks": 0, "kills": 0}
    restarting = asyncio.Lock()

    async def on_ack() -> None:
        count["acks"] += 1
        if count["kills"] < len(KILL_AFTER) and count["acks"] >= KILL_AFTER[count["kills"]]:
            async with restarting:
                if count["acks"] < KILL_AFTER[count["kills"]]:
                    return
                count["kills"] += 1
                box["sp"].kill9()
                await asyncio.sleep(0.05)  # clients notice; their in-flight commands wait for the restart
                box["sp"] = await asyncio.to_thread(servers, db, port=first.port)

    async def run() -> dict[str, Any]:
        clients = {r: Client(url, tokens[r]) for r in ROLES}
        gm, spectator = Client(url, tokens["gm"]), Client(url)
        for c in [*clients.values(), gm, spectator]:
            await c.connect()
        await asyncio.wait_for(
            asyncio.gather(*(play_seat(clients[r], simple_choice, acks=acked[r], on_ack=on_ack) for r in ROLES)), 120
        )
        await gm.wait_for(lambda c: c.view["phase"] == "over", 30)
        await spectator.wait_for(lambda c: c.view["phase"] == "over", 30)
        out = {
            "welcomes": {r: c.welcomes for r, c in clients.items()},
            "gm_welcomes": gm.welcomes,
            "spectator_welcomes": spectator.welcomes,
            "gm_commands": gm.commands,
        }
        for c in [*clients.values(), gm, spectator]:
            await c.close()
        return out

    out = asyncio.run(run())
    assert count["kills"] == len(KILL_AFTER)
    assert box["sp"].stop() == 0
    log = read_commands(db, first.game)
    for role in ROLES:
        assert [c for c in log if c.startswith(f"{role}:")] == acked[role], f"{role}: lost or duplicated commands"
    assert out["gm_commands"] == log
    # every client came back after each crash, with its token
    assert all(n == 1 + len(KILL_AFTER) for n in out["welcomes"].values()), out
    assert out["gm_welcomes"] == out["spectator_welcomes"] == 1 + len(KILL_AFTER)
    sc = compile_scenario(load_scenario(STANDARD))
    expected = play(sc, SEED, [PolicyAgent(r) for r in ROLES]).state
    assert _replay(sc, SEED, log) == state_hash(expected), "the game differs from the same orders without crashes"


def test_ai_game_resumes_exactly_after_kill_9(servers: Callable[..., ServerProc], tmp_path: Path) -> None:
    """Two games with the same seed and agents on one server: the first plays through,
    the second is interrupted by kill -9 part-way; both logs must be identical."""
    seats = "us=random,russia=heuristic,prc=random,india=heuristic"
    db = tmp_path / "games.db"
    sp = servers(db, "--seed", "5", "--seats", seats)
    calm = sp.game

    async def watch_until(url: str, token: str, stop: Callable[[Client], bool]) -> None:
        gm = Client(url, token, reconnect=False)
        await gm.connect()
        await gm.wait_for(stop, 60)
        await gm.close()

    async def second_game() -> tuple[str, str]:
        lobby = Client(sp.base)
        await lobby.connect()
        created = await lobby.create_game(sp.admin, seats=seats, seed=5)
        await lobby.close()
        return created.game, created.tokens["gm"]

    asyncio.run(watch_until(sp.url(calm), sp.tokens[calm]["gm"], lambda c: c.view["phase"] == "over"))
    crashy, gm_token = asyncio.run(second_game())
    asyncio.run(watch_until(sp.url(crashy), gm_token, lambda c: len(c.commands) >= 40))
    sp.kill9()
    at_kill = len(read_commands(db, crashy))
    again = servers(db, port=sp.port)
    assert again.tokens[crashy]["gm"] == gm_token  # the restarted server announces the same seats
    asyncio.run(watch_until(again.url(crashy), gm_token, lambda c: c.view["phase"] == "over"))
    assert again.stop() == 0
    interrupted, uninterrupted = read_commands(db, crashy), read_commands(db, calm)
    assert interrupted == uninterrupted
    assert 40 <= at_kill < len(interrupted), "the kill came mid-game"
    assert interrupted[0] == "gm:seat:us:random"
