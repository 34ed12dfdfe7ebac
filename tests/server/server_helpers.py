"""Shared helpers for the server tests: a real ``wedge serve`` subprocess on 127.0.0.1
port 0, and deterministic players that speak the real protocol.

Imported as a plain module (tests/server has no __init__), like tests/tui's helpers.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from game import rng
from game.commands import Command, parse
from game.errors import IllegalCommand
from game.server.client import Client
from game.views import RoleView

ROOT = Path(__file__).resolve().parents[2]
STANDARD = ROOT / "scenarios" / "standard.yaml"
ROLES = ("us", "russia", "prc", "india")
_JOIN = re.compile(r"^\s+(\S+)\s+wedge join (ws://\S+)/g/(\w+) --token (\S+)")
_WATCH = re.compile(r"^\s+projector\s+wedge watch (ws://\S+)/g/(\w+)")
_ADMIN = re.compile(r"^Admin token .*: (\S+)$")
_BASE = re.compile(r"^Wedge server on (ws://[^ ]+) ")


@dataclass
class ServerProc:
    """A running ``wedge serve`` and what it printed."""

    proc: subprocess.Popen[str]
    db: Path
    base: str = ""
    admin: str = ""
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)  # game -> seat -> token
    lines: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.base.rsplit(":", 1)[1])

    @property
    def game(self) -> str:
        """The first game's id."""
        return next(iter(self.tokens))

    def url(self, game: str | None = None) -> str:
        return f"{self.base}/g/{game or self.game}"

    def kill9(self) -> None:
        """The crash: SIGKILL, no clean-up of any kind."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()
        return int(self.proc.returncode)


def _pump(stream: Any, out: queue.Queue[str | None]) -> None:
    for line in stream:
        out.put(line.rstrip("\n"))
    out.put(None)


def wedge_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "game.cli", *args]


def start_server(
    db: Path,
    *args: str,
    port: int = 0,
    timeout: float = 30.0,
    launcher: list[str] | None = None,
    read_stderr: bool = True,
) -> ServerProc:
    """Start ``wedge serve --port PORT --db DB ARGS...`` and wait for its announcement.

    ``launcher`` replaces ``python -m game.cli`` (it gets the same arguments). With
    ``read_stderr=False`` nothing ever reads the server's stderr pipe (``proc.stderr``).
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port), "--db", str(db), *args]
    proc = subprocess.Popen(
        [*launcher, *serve] if launcher else wedge_cmd(*serve),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    sp = ServerProc(proc, db)
    lines: queue.Queue[str | None] = queue.Queue()
    errs: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
    if read_stderr:
        threading.Thread(target=_pump, args=(proc.stderr, errs), daemon=True).start()
    end = time.monotonic() + timeout
    while True:
        try:
            line = lines.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            proc.kill()
            raise AssertionError(f"server did not start; printed {sp.lines}") from None
        if line is None:
            proc.wait(5)
            while read_stderr:
                e = errs.get(timeout=5)
                if e is None:
                    break
                sp.stderr.append(e)
            raise AssertionError(f"server exited {proc.returncode}: {sp.lines} {sp.stderr}")
        sp.lines.append(line)
        if m := _BASE.match(line):
            sp.base = m.group(1)
        elif m := _JOIN.match(line):
            sp.tokens.setdefault(m.group(3), {})[{"facilitator": "gm"}.get(m.group(1), m.group(1))] = m.group(4)
        elif m := _ADMIN.match(line):
            sp.admin = m.group(1)
            return sp
        if time.monotonic() > end:
            proc.kill()
            raise AssertionError(f"server did not start; printed {sp.lines}")


def screen_text(app: Any) -> str:
    """What a person reads on the terminal now: the composited screen, one line per row."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip).rstrip() for strip in strips)


# ------------------------------------------------------------------------------ players


def simple_choice(role: str, view: dict[str, Any], legal: list[str], salt: int = 0) -> str:
    """A deterministic order that depends only on the role's view: no offers or messages,
    so the game does not depend on how the four seats' commands interleave."""
    if view["phase"] == "diplomacy":
        return f"{role}:done"
    plays = sorted(c for c in legal if ":play:" in c)
    n = len(view["my_order"])
    x = rng.derive(salt, role, view["turn"], n)
    if not plays or n >= 2 or x % 4 == 0:
        return f"{role}:seal"
    return plays[x % len(plays)]


def rich_choice(role: str, view: dict[str, Any], legal: list[str], salt: int = 0) -> str:
    """Like simple_choice, plus offers, answers and messages (for end-to-end play)."""
    x = rng.derive(salt, role, view["turn"], view["phase"], len(view["my_order"]), len(view["offers"]))
    if view["phase"] == "diplomacy":
        said = any(m["from"] == role and m["turn"] == view["turn"] for m in view["messages"])
        if not said:
            other = [r for r in ROLES if r != role][x % 3]
            return f"{role}:say:{other}:turn {view['turn']} greetings from {role}"
        offers = sorted(c for c in legal if ":offer:" in c)
        if offers and x % 2 == 0:
            return offers[x % len(offers)]
        return f"{role}:done"
    answers = sorted(c for c in legal if ":accept:" in c or ":decline:" in c)
    if answers:
        return answers[x % len(answers)]
    return simple_choice(role, view, legal, salt)


class PolicyAgent:
    """The same policy as an engine agent, to play the expected game locally."""

    needs_view = True

    def __init__(self, role: str, salt: int = 0) -> None:
        self.role, self.salt = role, salt

    def act(self, view: RoleView, legal: list[Command]) -> Command:
        return parse(simple_choice(self.role, view.to_json(), [c.text for c in legal], self.salt))


def _changed_since(seq: int) -> Any:
    return lambda c: c.seq != seq


async def play_seat(
    client: Client, policy: Any = simple_choice, salt: int = 0, acks: list[str] | None = None, on_ack: Any = None
) -> None:
    """Play `client`'s seat to the end of the game with `policy`."""
    role = client.seat
    assert role in ROLES
    while True:
        await client.wait_for(lambda c: c.view.get("phase") == "over" or bool(c.legal), timeout=60)
        if client.view.get("phase") == "over":
            return
        cmd = policy(role, client.view, client.legal, salt)
        seq = client.seq
        try:
            ack = await client.submit(cmd, timeout=60)
        except IllegalCommand as exc:  # the facilitator paused the game meanwhile: wait for news
            assert exc.rule in ("11", "3"), exc
            await client.wait_for(_changed_since(seq), timeout=60)
            continue
        if acks is not None:
            acks.append(ack.command)
        if on_ack is not None:
            await on_ack()


# ------------------------------------------------------------------------ raw frames


class Raw:
    """A bare websocket speaking JSON frames by hand (for protocol and fuzz tests)."""

    def __init__(self, url: str) -> None:
        from websockets.sync.client import connect

        self._stack = contextlib.ExitStack()
        self.ws = self._stack.enter_context(connect(url, max_size=64 * 1024 * 1024, compression=None, open_timeout=10))

    def send(self, obj: Any) -> None:
        import json

        self.ws.send(obj if isinstance(obj, str | bytes) else json.dumps(obj))

    def recv(self, timeout: float = 10.0) -> dict[str, Any]:
        import json

        return dict(json.loads(self.ws.recv(timeout=timeout)))

    def hello(self, token: str | None = None, game: str | None = None) -> dict[str, Any]:
        msg: dict[str, Any] = {"type": "hello", "protocol": 1}
        if token is not None:
            msg["token"] = token
        if game is not None:
            msg["game"] = game
        self.send(msg)
        return self.recv()

    def request(self, obj: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Send a request with an id and return its answer (skipping updates)."""
        self.send(obj)
        while True:
            msg = self.recv(timeout)
            if msg["type"] not in ("update", "welcome"):
                return msg

    def closed_code(self, timeout: float = 10.0) -> int | None:
        """Read until the server closes; the close code (None if it stayed open)."""
        from websockets.exceptions import ConnectionClosed

        try:
            while True:
                self.ws.recv(timeout=timeout)
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd is not None else None
        except TimeoutError:
            return None

    def close(self) -> None:
        self._stack.close()
