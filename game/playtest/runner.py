"""Run a batch: dispatch chunks, stream rows to disk, show progress, stop cleanly.

The parent process never plays games; it hands chunks of indices to a backend and
appends each finished chunk's lines to ``games.jsonl`` as it arrives, so memory
stays flat however many games are played. Ctrl-C (SIGINT) only sets a flag: the
loop notices within a fraction of a second, stops the backend (terminating local
workers or cancelling Ray tasks), records the run in ``meta.json``, writes the
summary and plots from what is on disk, and reports ``interrupted`` so the CLI
exits with 130. A second Ctrl-C raises KeyboardInterrupt at once, for the impatient.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from game.agents.registry import build_agents, parse_agents
from game.engine import compiled
from game.playtest.backends import make_backend
from game.playtest.directory import BatchSpec, Meta, PlaytestDir
from game.playtest.errors import PlaytestError
from game.playtest.plots import write_plots
from game.playtest.progress import Bar
from game.playtest.seeds import chunk_size, chunks, game_seed
from game.playtest.summary import summarize_dir
from game.playtest.worker import BatchConfig

POLL_SECONDS = 0.2


@dataclass
class StopFlag:
    """Set by the SIGINT handler (or by a caller) to ask running batches to stop."""

    event: threading.Event = field(default_factory=threading.Event)

    @property
    def set(self) -> bool:
        return self.event.is_set()

    def request(self) -> None:
        self.event.set()


@contextmanager
def interruptible(stop: StopFlag | None = None) -> Iterator[StopFlag]:
    """Route the first Ctrl-C to `stop` instead of raising; the second one raises as usual.

    Signal handlers can only be installed from the main thread; elsewhere the flag is
    still returned (a caller can set it) and Ctrl-C keeps its default behaviour.
    """
    flag = stop or StopFlag()
    if threading.current_thread() is not threading.main_thread():
        yield flag
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        if flag.set:
            raise KeyboardInterrupt
        flag.request()

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield flag
    finally:
        signal.signal(signal.SIGINT, previous)


@dataclass
class RunResult:
    out: Path
    requested: int
    before: int
    played: int
    interrupted: bool
    seconds: float  # playing only (start-up included), not the summary and plots
    summary: dict[str, Any] | None

    @property
    def on_disk(self) -> int:
        return self.before + self.played


def run_playtest(
    spec: BatchSpec,
    games: int,
    out: str | Path,
    *,
    workers: int = 1,
    backend: str = "local",
    address: str | None = None,
    progress: bool | None = None,
    label: str = "games",
    summarize: bool = True,
    plots: bool = True,
    stop: StopFlag | None = None,
) -> RunResult:
    """Play games 0..games-1 of the batch into `out`, skipping those already there.

    `progress` None means "if stderr is a terminal". With a `stop` flag from an
    enclosing :func:`interruptible`, several batches share one Ctrl-C.
    """
    start = time.monotonic()
    llm = _check_agents(spec)
    pdir = PlaytestDir(out)
    meta, done = pdir.prepare(spec, games, backend, workers)
    todo = [i for i in range(games) if i not in done]
    played = 0
    interrupted = False
    with interruptible(stop) as flag:
        try:
            if todo and not flag.set:
                played, interrupted = _dispatch(pdir, meta, todo, len(done), games, workers, backend, address,
                                                progress, label, flag, llm)
            interrupted = interrupted or (flag.set and len(done) + played < games)
        finally:
            seconds = time.monotonic() - start
            _log_run(pdir, meta, played, interrupted, seconds)
    summary = None
    if summarize:
        summary = write_summary(pdir, meta, plots=plots)
    return RunResult(Path(out), games, len(done), played, interrupted, seconds, summary)


def _dispatch(
    pdir: PlaytestDir,
    meta: Meta,
    todo: list[int],
    done: int,
    games: int,
    workers: int,
    backend_name: str,
    address: str | None,
    progress: bool | None,
    label: str,
    flag: StopFlag,
    llm: bool = False,
) -> tuple[int, bool]:
    config = BatchConfig(
        scenario_json=json.dumps(meta.scenario, sort_keys=True, separators=(",", ":")),
        scenario_hash=meta.scenario_hash,
        agents=meta.agents,
        seed=meta.seed,
    )
    played = 0
    backend = make_backend(backend_name, config, workers, address)
    appender = pdir.appender()
    finished = False
    try:
        outstanding = 0
        for chunk in chunks(todo, chunk_size(len(todo), backend.parallelism)):
            backend.submit(chunk)
            outstanding += 1
        with Bar(label, games, done, progress, llm=llm) as bar:
            while outstanding and not flag.set:
                for result in backend.poll(POLL_SECONDS):
                    lines = [line for _, line in result]
                    appender.write(lines)
                    played += len(result)
                    outstanding -= 1
                    bar.advance(len(result), lines)
        finished = not outstanding
    except KeyboardInterrupt:  # the second Ctrl-C
        flag.request()
    finally:
        appender.close()
        if finished:
            backend.close()
        else:
            backend.stop()
    return played, not finished


def _check_agents(spec: BatchSpec) -> bool:
    """Build (and close) the first game's agents here, so a bad seat spec or doctrine is one
    clear error before the directory is created or any worker starts.

    Returns whether a seat reports model usage, by the same test that puts ``llm`` in the
    rows (:func:`game.playtest.rows.play_game`), so the progress bar shows usage exactly
    when the rows will carry it."""
    sc = compiled(spec.model)
    try:
        agents = build_agents(sc, parse_agents(spec.agents, sc), game_seed(spec.seed, 0))
    except Exception as exc:
        raise PlaytestError(f"cannot build the agents {spec.agents}: {exc}") from None
    for agent in agents:
        close = getattr(agent, "close", None)
        if callable(close):
            close()
    return any(isinstance(getattr(agent, "stats", None), dict) for agent in agents)


def _log_run(pdir: PlaytestDir, meta: Meta, played: int, interrupted: bool, seconds: float) -> None:
    run = meta.runs[-1]
    run.played = played
    run.interrupted = interrupted
    run.seconds = round(seconds, 3)
    pdir.write_meta(meta)


def write_summary(pdir: PlaytestDir, meta: Meta | None = None, plots: bool = True) -> dict[str, Any]:
    """summary.json, games.csv and (unless `plots` is false) the plots, from what is on disk."""
    meta = meta or pdir.read_meta()
    summary = summarize_dir(pdir, meta)
    if plots:
        names = {t["id"]: t["name"] for t in meta.scenario.get("tracks", [])}
        write_plots(summary, pdir.path, names)
    return summary
