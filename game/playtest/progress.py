"""A live progress bar (games done, games/s, ETA) that disappears when nobody is watching.

It draws on stderr with rich only when stderr is a terminal and ``--quiet`` was not
given, so logs, pipes and tests get no control codes. A batch with language-model seats
also shows the model calls, cache hits and tokens of the games played so far in this run:
those seats are where a batch's time and money go, and a runaway prompt or a dead cache
should be visible while it can still be stopped.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from game.playtest.usage import Usage


class RateColumn(ProgressColumn):
    """Games per second, over rich's recent-speed window."""

    def render(self, task: Any) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:7.1f} games/s" if speed else "    ... games/s", style="progress.data.speed")


class UsageColumn(ProgressColumn):
    """The model seats' running totals (the task's ``usage`` field)."""

    def render(self, task: Any) -> Text:
        usage = task.fields.get("usage")
        return Text(usage.compact() if isinstance(usage, Usage) else "", style="progress.filesize")


class Bar:
    """`llm`: the batch has model seats, so :meth:`advance` is given the rows' lines and the
    bar sums their usage (only while drawn: nobody else needs the running total)."""

    def __init__(
        self,
        label: str,
        total: int,
        done: int,
        enabled: bool | None = None,
        *,
        llm: bool = False,
        console: Console | None = None,
    ) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self.usage: Usage | None = Usage() if llm and self.enabled else None
        self._progress: Progress | None = None
        self._task: Any = None
        if self.enabled:
            columns: list[str | ProgressColumn] = [
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                RateColumn(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
            ]
            if self.usage is not None:
                columns.append(UsageColumn())
            self._progress = Progress(*columns, console=console or Console(stderr=True), transient=False)
            self._task = self._progress.add_task(label, total=total, completed=done, usage=self.usage)

    @property
    def progress(self) -> Progress | None:
        return self._progress

    def __enter__(self) -> Bar:
        if self._progress is not None:
            self._progress.start()
        return self

    def advance(self, n: int, lines: Iterable[str] = ()) -> None:
        """`n` more games done; `lines` are their rows, read only for a bar that shows usage."""
        if self.usage is not None:
            self.usage.add_lines(lines)
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
