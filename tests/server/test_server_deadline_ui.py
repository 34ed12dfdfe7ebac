"""A server's phase deadline on the terminals: ``wedge watch`` (the projector) and a player's
``wedge join`` show it counting down, and "paused" while the facilitator pauses the game.
A networked player's terminal never offers the facilitator console.

A real ``wedge serve --deadline`` subprocess on loopback; the facilitator is a raw
protocol client; the projector and the player are the Textual apps, driven headless."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from server_helpers import ServerProc, screen_text, start_server

from game.server.client import Client
from tui.remote import RemoteApp, build_remote_app
from tui.screens.game import GameScreen
from tui.screens.projector import ProjectorScreen

DEADLINE = 600


@pytest.fixture(scope="module")
def sp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    server = start_server(tmp_path_factory.mktemp("deadline") / "games.db", "--seed", "3", "--deadline", str(DEADLINE))
    yield server
    server.stop()


async def _until(pilot: Any, app: RemoteApp, predicate: Any, timeout: float = 15.0) -> str:
    """Wait until `predicate(screen text)` holds; returns the text."""
    end = time.monotonic() + timeout
    text = ""
    while time.monotonic() < end:
        await pilot.pause(0.1)
        text = screen_text(app)
        if predicate(text):
            return text
    raise AssertionError(f"not shown in time; the screen reads:\n{text}")


def _left(text: str) -> int:
    m = re.search(r"deadline (\d\d):(\d\d)", text)
    assert m, text
    return int(m.group(1)) * 60 + int(m.group(2))


def test_watch_and_join_show_the_servers_deadline_and_its_pause(sp: ServerProc) -> None:
    tokens = sp.tokens[sp.game]

    async def run() -> None:
        gm = Client(sp.url(), tokens["gm"])
        await gm.connect()
        watch = build_remote_app(sp.url(), None, theme="textual-dark")
        player = build_remote_app(sp.url(), tokens["us"], theme="textual-dark")
        try:
            async with watch.run_test(size=(100, 30)) as wp:
                assert isinstance(watch.screen, ProjectorScreen)
                text = await _until(wp, watch, lambda t: "deadline " in t)
                first = _left(text)
                assert 0 <= DEADLINE - first <= 60
                await _until(wp, watch, lambda t: _left(t) < first)  # counting down
                await gm.submit("gm:pause")
                text = await _until(wp, watch, lambda t: "paused" in t)
                frozen = _left(text)
                await wp.pause(2.2)
                assert _left(screen_text(watch)) == frozen  # it stands still while paused
                await gm.submit("gm:resume")
                await _until(wp, watch, lambda t: "deadline " in t and "paused" not in t)
            async with player.run_test(size=(110, 34)) as pp:
                await _until(pp, player, lambda t: "You: United States" in t)
                assert isinstance(player.screen, GameScreen)
                text = await _until(pp, player, lambda t: "deadline " in t)
                assert 0 <= DEADLINE - _left(text) <= 60
                # a networked player's terminal does not offer the facilitator console
                assert "g" not in {k for k, a in player.screen.active_bindings.items() if a.binding.show}
                titles = [c.title for c in player.get_system_commands(player.screen)]
                assert "Facilitator console" not in titles
                await pp.press("g")
                await pp.pause(0.2)
                assert isinstance(player.screen, GameScreen)
                await gm.submit("gm:pause")
                await _until(pp, player, lambda t: "paused" in t)
                await gm.submit("gm:resume")
        finally:
            await gm.close()

    asyncio.run(run())
