"""Test agents: deliberately slow players, to check the UI stays responsive while they think.

They are registered in the agent registry for the test only (``monkeypatch.setitem(KINDS, ...)``).
"""

from __future__ import annotations

import time
from typing import Any

from game import rng
from game.commands import Command


class _Slow:
    needs_view = True
    PARAMS: dict[str, str] = {"seconds": "how long each decision takes"}

    def __init__(self, seed: int, seconds: float) -> None:
        self.seed, self.seconds, self.index = seed, seconds, 0
        self.deciding = False

    @classmethod
    def from_spec(cls, sc: object, role: str, seed: int, arg: str, params: dict[str, str]) -> Any:
        return cls(seed, float(params.get("seconds", "0.6")))

    def _pick(self, legal: list[Command]) -> Command:
        choice = legal[rng.draw(self.seed, self.index) % len(legal)]
        self.index += 1
        return choice


class SleepyAgent(_Slow):
    """Waits (releases the GIL) before answering, like a remote or external player."""

    def act(self, view: dict[str, Any], legal: list[Command]) -> Command:
        time.sleep(self.seconds)
        return self._pick(legal)


class BusyAgent(_Slow):
    """Computes (holds the GIL in pure Python) before answering, like a search agent."""

    def act(self, view: dict[str, Any], legal: list[Command]) -> Command:
        end = time.perf_counter() + self.seconds
        x = 0
        while time.perf_counter() < end:
            for i in range(1000):
                x += i * i
        return self._pick(legal)
