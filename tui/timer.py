"""The facilitator's phase timer. UI-side only: wall-clock time never enters the game."""

from __future__ import annotations

import time
from collections.abc import Callable


class PhaseTimer:
    def __init__(self, seconds: int = 300, clock: Callable[[], float] = time.monotonic) -> None:
        self.duration = seconds
        self._clock = clock
        self._deadline: float | None = None
        self._left: float = float(seconds)
        self.auto_force = False
        self.expired = False

    @property
    def running(self) -> bool:
        return self._deadline is not None

    def remaining(self) -> float:
        if self._deadline is None:
            return self._left
        return max(0.0, self._deadline - self._clock())

    def start(self) -> None:
        if self._deadline is None:
            self._deadline = self._clock() + self._left
            self.expired = False

    def stop(self) -> None:
        if self._deadline is not None:
            self._left = self.remaining()
            self._deadline = None

    def reset(self, seconds: int | None = None) -> None:
        if seconds is not None:
            self.duration = max(1, seconds)
        self._deadline = None
        self._left = float(self.duration)
        self.expired = False

    def tick(self) -> bool:
        """Call about once a second; True exactly once, when the time runs out."""
        if self._deadline is not None and self.remaining() <= 0:
            self._deadline = None
            self._left = 0.0
            self.expired = True
            return True
        return False

    def text(self) -> str:
        left = int(round(self.remaining()))
        clock = f"{left // 60:02d}:{left % 60:02d}"
        if self.expired:
            return "TIME UP"
        return f"▶ {clock}" if self.running else f"⏸ {clock}"
