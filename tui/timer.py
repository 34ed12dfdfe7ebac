"""The clocks a terminal shows: the facilitator's phase timer and a server's phase deadline.

Both are UI-side only: wall-clock time never enters the game. :class:`PhaseTimer` is the
facilitator's own countdown (local play, or the facilitator's ``wedge join``); it stands
still while the game is paused (:meth:`PhaseTimer.hold`). :class:`DeadlineClock` shows a
networked game's phase deadline, as the server last sent it, to the players' and the
projector's terminals (``wedge join``, ``wedge watch``).

Both answer the same three questions the screens ask: ``running`` (is there a countdown
to show), ``expired`` and ``text()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


def _mmss(seconds: float) -> str:
    left = max(0, int(round(seconds)))
    return f"{left // 60:02d}:{left % 60:02d}"


class PhaseTimer:
    """The facilitator's phase timer.

    ``running`` is true from *start* to *stop* (or time-up), also while the game is paused:
    a paused game holds the countdown (:meth:`hold`), which goes on when the game resumes.
    """

    def __init__(self, seconds: int = 300, clock: Callable[[], float] = time.monotonic) -> None:
        self.duration = seconds
        self._clock = clock
        self._deadline: float | None = None  # set while the countdown is counting
        self._left: float = float(seconds)
        self._running = False
        self._held = False
        self.auto_force = False
        self.expired = False

    @property
    def running(self) -> bool:
        """Started by the facilitator and not stopped (counting, or held by a pause)."""
        return self._running

    @property
    def held(self) -> bool:
        """Running, but standing still because the game is paused."""
        return self._running and self._held

    def remaining(self) -> float:
        if self._deadline is None:
            return self._left
        return max(0.0, self._deadline - self._clock())

    def start(self) -> None:
        if not self._running:
            self._running = True
            self.expired = False
            if not self._held:
                self._deadline = self._clock() + self._left

    def stop(self) -> None:
        if self._running:
            self._left = self.remaining()
            self._deadline = None
            self._running = False

    def hold(self, paused: bool) -> None:
        """Follow the game's pause: stand still while it is paused, go on when it resumes."""
        if paused == self._held:
            return
        self._held = paused
        if paused:
            if self._deadline is not None:
                self._left = self.remaining()
                self._deadline = None
        elif self._running and self._deadline is None:
            self._deadline = self._clock() + self._left

    def reset(self, seconds: int | None = None) -> None:
        if seconds is not None:
            self.duration = max(1, seconds)
        self._deadline = None
        self._running = False
        self._left = float(self.duration)
        self.expired = False

    def tick(self) -> bool:
        """Call about once a second; True exactly once, when the time runs out."""
        if self._deadline is not None and self.remaining() <= 0:
            self._deadline = None
            self._running = False
            self._left = 0.0
            self.expired = True
            return True
        return False

    def text(self) -> str:
        if self.expired:
            return "TIME UP"
        clock = _mmss(self.remaining())
        if self.held:
            return f"⏸ {clock} paused"
        return f"▶ {clock}" if self._running else f"⏸ {clock}"


class DeadlineClock:
    """A networked game's phase deadline, counted down locally from what the server sent.

    `source` returns the latest ``Deadline`` the server sent (or None) and the local
    monotonic time it arrived; `view` returns the seat's current view. A deadline of
    another phase than the one on screen (the server stops sending one between phases)
    is not shown.
    """

    auto_force = False

    def __init__(
        self,
        source: Callable[[], tuple[Any, float]],
        view: Callable[[], dict[str, Any]],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._view = view
        self._clock = clock

    def current(self) -> Any:
        """The server's deadline for the phase on screen, or None."""
        deadline, _ = self._source()
        if deadline is None:
            return None
        view = self._view()
        if view.get("turn") != deadline.turn or view.get("phase") != deadline.phase:
            return None
        return deadline

    def remaining(self) -> float:
        deadline, received = self._source()
        if deadline is None:
            return 0.0
        if deadline.paused:
            return float(deadline.seconds)
        return max(0.0, float(deadline.seconds) - (self._clock() - received))

    @property
    def running(self) -> bool:
        """There is a deadline to show (counting, paused, or just run out)."""
        return self.current() is not None

    @property
    def held(self) -> bool:
        deadline = self.current()
        return deadline is not None and bool(deadline.paused)

    @property
    def expired(self) -> bool:
        deadline = self.current()
        return deadline is not None and not deadline.paused and self.remaining() <= 0

    def tick(self) -> bool:
        """The server acts at its deadline; nothing to do here."""
        return False

    def text(self) -> str:
        deadline = self.current()
        if deadline is None:
            return ""
        if deadline.paused:
            return f"deadline {_mmss(self.remaining())} paused"
        if self.remaining() <= 0:
            return "deadline: time up"
        return f"deadline {_mmss(self.remaining())}"
