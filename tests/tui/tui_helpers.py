"""Shared helpers for the TUI tests (imported as a plain module: tests/tui has no __init__)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from tui.app import WedgeApp, build_play_app

THEME = "textual-dark"
OTHERS_RANDOM = "russia=random,prc=random,india=random"


def screen_text(app: App[Any]) -> str:
    """What a person reads on the terminal now: the composited screen, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)


async def settle(pilot: Pilot[Any], app: WedgeApp, timeout: float = 20.0) -> None:
    """Wait until no AI is deciding and the screen has caught up with the session."""
    deadline = time.monotonic() + timeout
    await pilot.pause()
    while time.monotonic() < deadline:
        if app.settled():
            await pilot.pause()
            if app.settled():
                return
        await pilot.pause(0.01)
    raise AssertionError("the app did not settle")


def play_app(tmp_path: Path, seats: str = OTHERS_RANDOM, seed: int = 7, **kw: Any) -> WedgeApp:
    return build_play_app(seats_spec=seats, seed=seed, save_dir=tmp_path / "saves", theme=THEME, **kw)
