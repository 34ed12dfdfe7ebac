"""Run CPU-bound agents (search) in a helper process, so they never hold the UI's GIL.

The AI worker thread still drives every AI seat; for a hosted kind it sends the seat's
view record (pickled without its compiled scenario, which the host compiled once: see
:mod:`game.views`) and legal commands to the host process and waits (without the GIL)
for the chosen command. Agents live in the host between decisions, seeded exactly as
in-process, so the game is the same either way. The host runs at a lower priority
than the UI (NICE).
"""

from __future__ import annotations

import contextlib
import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import IO, Any

from game.commands import Command, parse
from game.engine import compiled
from game.views import RoleView


def _send(stream: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def _recv(stream: IO[bytes]) -> Any:
    head = stream.read(4)
    if len(head) < 4:
        raise EOFError("agent host closed")
    (size,) = struct.unpack(">I", head)
    return pickle.loads(stream.read(size))


class _Conn:
    def __init__(self, rfile: IO[bytes], wfile: IO[bytes]) -> None:
        self.rfile, self.wfile = rfile, wfile

    def recv(self) -> Any:
        return _recv(self.rfile)

    def send(self, obj: Any) -> None:
        _send(self.wfile, obj)


def _serve(conn: _Conn) -> None:  # pragma: no cover - runs in the host process
    import importlib


    sc: Any = None
    agents: dict[str, Any] = {}
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        op = msg[0]
        try:
            if op == "scenario":  # the parent's validated Scenario, pickled
                sc = compiled(pickle.loads(msg[1]))
                agents.clear()
                conn.send(("ok", ""))
            elif op == "make":
                _, key, module, name, role, seed, arg, params = msg
                cls = getattr(importlib.import_module(module), name)
                allowed: dict[str, str] = getattr(cls, "PARAMS", {})
                unknown = sorted(set(params) - set(allowed))
                if unknown:  # as the registry would say (the UI does not import the agent)
                    known = ", ".join(f"{k} ({v})" for k, v in allowed.items()) or "none"
                    raise ValueError(f"{name} has no parameter {unknown[0]!r}; parameters: {known}")
                agents[key] = cls.from_spec(sc, role, seed, arg, params)
                conn.send(("ok", ""))
            elif op == "act":
                _, key, view, legal_texts = msg
                legal = [parse(t) for t in legal_texts]
                conn.send(("ok", agents[key].act(view, legal).text))
        except Exception as exc:  # reported to the driver, which takes the default command
            conn.send(("error", f"{type(exc).__name__}: {exc}"))


class AgentHost:
    """One helper process serving any number of hosted agents (one decision at a time).

    A plain subprocess speaking length-prefixed pickles over its stdin/stdout (trusted: it is
    our own child), started with this interpreter and ``sys.path`` so any agent module the
    registry can import, it can too.
    """

    def __init__(self, scenario: bytes) -> None:
        """`scenario`: a pickled, validated :class:`~game.scenario.models.Scenario`."""
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tui.agent_host"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._conn = _Conn(self._proc.stdout, self._proc.stdin)
        self._lock = threading.Lock()
        self._made: set[str] = set()
        self._call(("scenario", scenario))

    def _call(self, msg: tuple[Any, ...]) -> str:
        with self._lock:
            self._conn.send(msg)
            status, value = self._conn.recv()
        if status != "ok":
            raise RuntimeError(value)
        return str(value)

    def act(
        self, key: str, spec: tuple[str, str, str, int, str, dict[str, str]], view: RoleView, legal: list[Command]
    ) -> Command:
        """Decide for agent `key` (made from `spec` = module, class, role, seed, arg, params on first use)."""
        if key not in self._made:
            self._call(("make", key, *spec))
            self._made.add(key)
        return parse(self._call(("act", key, view, [c.text for c in legal])))

    def close(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self._conn.send(None)
        try:  # a host in the middle of a search only reads the goodbye when it is done
            self._proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        for stream in (self._proc.stdin, self._proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()


#: The host's scheduling priority relative to the UI (Unix nice increment). On a machine with
#: few cores a search agent computing flat out competes with the UI for CPU; at a lower
#: priority it yields whenever the UI has work (a key, a frame) and takes all that is left.
NICE = 10

if __name__ == "__main__":  # pragma: no cover - the host process
    with contextlib.suppress(OSError, AttributeError):  # not on every platform
        os.nice(NICE)
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr  # an agent that prints must not corrupt the protocol
    _serve(_Conn(sys.stdin.buffer, protocol_out))
