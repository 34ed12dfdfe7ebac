"""Real ``wedge serve`` and ``wedge web`` processes on loopback, for the browser-seat tests."""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEDGE = [sys.executable, "-m", "game.cli"]


@dataclass
class Proc:
    """A running process whose merged stdout/stderr is collected line by line."""

    popen: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ended: bool = False
    _q: queue.Queue[str | None] = field(default_factory=queue.Queue)

    def start_reader(self) -> None:
        def pump() -> None:
            assert self.popen.stdout is not None
            for line in self.popen.stdout:
                self._q.put(line)
            self._q.put(None)

        threading.Thread(target=pump, daemon=True).start()

    def wait_for(self, pattern: str, timeout: float = 20.0) -> re.Match[str]:
        """The first output line (already seen or coming) matching ``pattern``."""
        rx = re.compile(pattern)
        for line in self.lines:
            if m := rx.search(line):
                return m
        deadline = time.monotonic() + timeout
        while not self.ended and (left := deadline - time.monotonic()) > 0:
            try:
                got = self._q.get(timeout=left)
            except queue.Empty:
                break
            if got is None:
                self.ended = True
                break
            self.lines.append(got)
            if m := rx.search(got):
                return m
        state = f"process exited ({self.popen.wait()})" if self.ended else f"nothing within {timeout}s"
        raise AssertionError(f"no {pattern!r}: {state}:\n{self.output()}")

    def output(self) -> str:
        """Everything printed so far."""
        while True:
            try:
                line = self._q.get_nowait()
            except queue.Empty:
                break
            if line is None:
                self.ended = True
            else:
                self.lines.append(line)
        return "".join(self.lines)


@dataclass
class GameServer:
    """A running ``wedge serve`` game: its URL and the seat tokens it printed."""

    url: str
    tokens: dict[str, str]  # seat (us, russia, prc, india, facilitator) -> token
    proc: Proc


@contextmanager
def running(*args: str, cwd: Path | None = None) -> Iterator[Proc]:
    """``wedge ARGS`` as a child process, stopped (SIGINT, then kill) on exit."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    popen = subprocess.Popen(
        [*WEDGE, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=cwd or ROOT,
        env=env,
    )
    proc = Proc(popen)
    proc.start_reader()
    try:
        yield proc
    finally:
        if popen.poll() is None:
            popen.send_signal(2)
            try:
                popen.wait(10)
            except subprocess.TimeoutExpired:
                popen.kill()
                popen.wait()


@contextmanager
def game_server(db: Path) -> Iterator[GameServer]:
    """A real ``wedge serve`` on a free loopback port, with one fresh game stored in ``db``."""
    with running("serve", "--port", "0", "--db", str(db), "--seed", "1") as proc:
        proc.wait_for(r"projector\s+wedge watch ")
        tokens: dict[str, str] = {}
        url = ""
        for line in proc.lines:
            if m := re.match(r"\s+(\w+)\s+wedge join (ws://\S+) --token (\S+)", line):
                tokens[m.group(1)] = m.group(3)
                url = m.group(2)
        assert url and {"us", "russia", "prc", "india"} <= set(tokens), proc.output()
        yield GameServer(url, tokens, proc)


@contextmanager
def web_server(server_url: str, *extra: str, cwd: Path | None = None) -> Iterator[tuple[Proc, str]]:
    """``wedge web SERVER_URL --port 0``; yields the process and its base URL."""
    with running("web", server_url, "--port", "0", *extra, cwd=cwd) as proc:
        m = proc.wait_for(r"projector: (http://127\.0\.0\.1:\d+)/watch")
        yield proc, m.group(1)
