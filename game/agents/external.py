"""An agent played by any program that speaks Wedge's JSON-lines protocol.

The program is started once per game (on its first decision), reads one JSON object
per line on stdin and writes one JSON object per line on stdout. The full protocol is
in ``docs/agents.md``; in short::

    wedge -> agent  {"type": "hello", "protocol": 1, "role": "us", "scenario": {...}, "seed": 123}
    agent -> wedge  {"type": "ready", "name": "my agent"}                     (optional)
    wedge -> agent  {"type": "act", "id": 1, "view": {...}, "legal": ["us:done", ...]}
    agent -> wedge  {"type": "command", "id": 1, "command": "us:done"}
    ...
    wedge -> agent  {"type": "end", "results": {...}}                          (then stdin closes)

The program sees exactly :func:`game.views.role_view` for its role (the role's
:class:`~game.views.RoleView` record as JSON, made here at the boundary) and the legal
commands, nothing else. Whatever it does, the game goes on: a program that crashes,
hangs past ``timeout``, writes something that is not an answer, or answers a command
that is not legal gets the *default* command for that decision (``seal`` in orders,
``done`` in diplomacy) and an entry in :attr:`ExternalAgent.events`. The default is an
ordinary command, so the game log replays exactly without the program. After a crash
or three timeouts in a row the program is stopped and every later decision takes the
default at once.

Owners of the agent should call :meth:`ExternalAgent.close` (with the game's results)
when the game ends, or use the agent as a context manager. If they don't, the process
is killed when the agent is garbage-collected or the interpreter exits.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shlex
import shutil
import signal
import subprocess
import threading
import time
import weakref
from collections import deque
from pathlib import Path
from types import TracebackType
from typing import IO, Any, ClassVar

from game import safejson
from game.agents.base import Capabilities
from game.commands import Command
from game.compiled import Compiled
from game.views import RoleView

PROTOCOL = 1
DEFAULT_TIMEOUT = 5.0
#: After this many timeouts in a row the program is stopped and defaults are used.
MAX_CONSECUTIVE_TIMEOUTS = 3
#: Seconds a program gets to exit by itself after ``end`` and the close of its stdin.
END_GRACE = 1.0
#: Longest line accepted from a program (characters); longer lines count as garbage. An
#: answer is a command and a short rationale: 64 KiB is far more than any needs.
MAX_LINE = 64 * 1024
#: Lines a program may have written and not yet been read. A program that gets this far
#: ahead is flooding (1.5 GB in 4 s was seen): it is stopped and the defaults are used,
#: so the memory held for it stays under MAX_QUEUED × MAX_LINE (16 MiB).
MAX_QUEUED = 256
#: Event kinds recorded in ``ExternalAgent.events``.
CRASH, TIMEOUT, GARBAGE, ILLEGAL, FLOOD = "crash", "timeout", "garbage", "illegal", "flood"

_EOF = object()  # reader -> agent: the program closed its stdout (exited)
_TOO_LONG = object()  # reader -> agent: a line longer than MAX_LINE was skipped
_CLOSE = object()  # agent -> writer: close the program's stdin


def _read_lines(stream: IO[str], out: queue.Queue[object], flooded: threading.Event) -> None:
    """Reader thread: every line the program writes, then _EOF. Holds no reference to the agent.

    With MAX_QUEUED lines unread it sets `flooded` and stops reading (the agent checks the
    flag before reading a line, so a flood is caught at once, not after the queued lines)."""
    try:
        skipping = False
        while True:
            line = stream.readline(MAX_LINE)
            if not line:
                break
            if skipping:
                skipping = not line.endswith("\n")
                continue
            if not line.endswith("\n") and len(line) >= MAX_LINE:
                out.put(_TOO_LONG)
                skipping = True
                continue
            if out.qsize() >= MAX_QUEUED:
                flooded.set()
                break  # stop reading: the closed pipe stops the program's writes too
            out.put(line)
    except (OSError, ValueError):
        pass
    finally:
        out.put(_EOF)
        with contextlib.suppress(OSError, ValueError):
            stream.close()


def _write_lines(stream: IO[str], inbox: queue.Queue[object]) -> None:
    """Writer thread: so that a program that stops reading can never block the game."""
    try:
        while True:
            item = inbox.get()
            if item is _CLOSE:
                break
            stream.write(str(item))
            stream.flush()
    except (OSError, ValueError):
        pass
    finally:
        with contextlib.suppress(OSError, ValueError):
            stream.close()


def _kill(proc: subprocess.Popen[str]) -> None:
    """Kill the program (and its process group, which start_new_session gave it) and reap it."""
    if proc.poll() is None:
        try:
            if os.name == "posix":
                os.killpg(proc.pid, signal.SIGKILL)
            else:
                proc.kill()
        except (ProcessLookupError, PermissionError, OSError):
            with contextlib.suppress(OSError):
                proc.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


def _terminate(proc: subprocess.Popen[str], inbox: queue.Queue[object], grace: float) -> None:
    """Close the program's stdin, give it `grace` seconds to exit, then kill it. Idempotent."""
    inbox.put(_CLOSE)
    if grace > 0:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=grace)
    _kill(proc)
    # The reader thread closes stdout when it reaches end of file (closing it here could
    # block on the reader's lock), and the writer thread closes stdin.


def default_command(legal: list[Command]) -> Command:
    """What a role does when its program gives no usable answer: seal / done, else the last legal command."""
    for cmd in legal:
        if cmd.verb in ("seal", "done"):
            return cmd
    return legal[-1]


def scenario_summary(sc: Compiled) -> dict[str, Any]:
    """The public part of the scenario sent in ``hello``: ids, names and card texts."""
    model = sc.model
    return {
        "id": model.scenario.id,
        "title": model.scenario.title,
        "roles": [r.id for r in model.roles],
        "tracks": [{"id": t.id, "name": t.name, "min": t.min, "max": t.max} for t in model.tracks],
        "cards": [
            {"id": c.id, "title": c.title, "kind": c.kind, "role": c.role, "cost": c.cost, "text": c.text}
            for c in model.cards
        ],
    }


def _short(text: str, limit: int = 200) -> str:
    text = text.rstrip("\n")
    return text if len(text) <= limit else text[:limit] + "..."


class ExternalAgent:
    """A seat played by an external program (see the module docstring and docs/agents.md)."""

    needs_view = True
    PARAMS: dict[str, str] = {
        "timeout": f"seconds the program has to answer each decision (default {DEFAULT_TIMEOUT:g})",
        "startup": "seconds to wait for the program's ready line before the first decision (default 0)",
        "log": "file that receives the program's stderr (default: discarded)",
    }
    CAPABILITIES: ClassVar[Capabilities] = Capabilities(stateful=True)

    def __init__(
        self,
        argv: list[str],
        role: str,
        seed: int,
        scenario: dict[str, Any],
        timeout: float = DEFAULT_TIMEOUT,
        startup: float = 0.0,
        log: str | os.PathLike[str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> None:
        if not argv:
            raise ValueError("an external agent needs a command to run")
        self.argv = list(argv)
        self.role = role
        self.seed = seed
        self.scenario = scenario
        self.timeout = float(timeout)
        self.startup = float(startup)
        self.log = Path(log) if log is not None else None
        self.cwd = cwd
        #: What went wrong, one dict per decision that took the default because of the program:
        #: ``{"decision": N, "kind": "crash"|"timeout"|"garbage"|"illegal", "detail": "..."}``.
        self.events: list[dict[str, Any]] = []
        #: The name the program gave in its ready line, if any.
        self.name = ""
        #: Decisions answered with the default because the program was already stopped.
        self.defaulted = 0
        self.process: subprocess.Popen[str] | None = None
        self.decision = 0
        self._timeouts = 0
        self._dead = False  # stopped talking to the program (crash, timeouts, or closed)
        self._closed = False
        self._lines: queue.Queue[object] = queue.Queue()
        self._flooded = threading.Event()
        self._outbox: queue.Queue[object] = queue.Queue()
        self._pushback: deque[object] = deque()
        self._finalizer: weakref.finalize[Any, Any] | None = None

    @classmethod
    def from_spec(cls, sc: Compiled, role: str, seed: int, arg: str, params: dict[str, str]) -> ExternalAgent:
        from game.agents.registry import AgentSpecError

        try:
            argv = shlex.split(arg)
        except ValueError as exc:
            raise AgentSpecError(f"external agent command {arg!r}: {exc}") from None
        if not argv:
            raise AgentSpecError("external agent needs a command, e.g. external:python3 my_agent.py")
        if shutil.which(argv[0]) is None:
            raise AgentSpecError(f"external agent command {argv[0]!r} not found or not executable")
        numbers: dict[str, float] = {}
        for key, default in (("timeout", DEFAULT_TIMEOUT), ("startup", 0.0)):
            try:
                numbers[key] = float(params.get(key, default))
            except ValueError:
                raise AgentSpecError(f"external agent {key}={params[key]!r} is not a number of seconds") from None
            if not numbers[key] >= 0 or numbers[key] == float("inf"):
                raise AgentSpecError(f"external agent {key}={params[key]!r} must be a finite number >= 0")
        return cls(
            argv,
            role,
            seed,
            scenario_summary(sc),
            timeout=numbers["timeout"],
            startup=numbers["startup"],
            log=params.get("log") or None,
        )

    # ------------------------------------------------------------------ lifecycle

    @property
    def alive(self) -> bool:
        """Whether Wedge is still talking to the program."""
        return self.process is not None and not self._dead

    def _start(self) -> None:
        stderr: Any = subprocess.DEVNULL
        log_file: IO[str] | None = None
        if self.log is not None:
            log_file = open(self.log, "a", encoding="utf-8")  # noqa: SIM115 - the child keeps its own copy
            stderr = log_file
        try:
            self.process = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
                encoding="utf-8",
                errors="replace",
                bufsize=1,
                cwd=self.cwd,
                start_new_session=os.name == "posix",
            )
        finally:
            if log_file is not None:
                log_file.close()
        proc = self.process
        assert proc.stdin is not None and proc.stdout is not None
        threading.Thread(target=_read_lines, args=(proc.stdout, self._lines, self._flooded), daemon=True).start()
        threading.Thread(target=_write_lines, args=(proc.stdin, self._outbox), daemon=True).start()
        # Kill the program if the agent is dropped without close(), or at interpreter exit.
        self._finalizer = weakref.finalize(self, _terminate, proc, self._outbox, 0.0)

    def _send(self, message: dict[str, Any]) -> None:
        self._outbox.put(json.dumps(message, ensure_ascii=False, separators=(",", ":")) + "\n")

    def _stop(self, grace: float) -> None:
        """Stop talking to the program and make sure it is gone."""
        self._dead = True
        if self._finalizer is not None and self._finalizer.alive:
            self._finalizer.detach()
        if self.process is not None:
            _terminate(self.process, self._outbox, grace)

    def close(self, results: dict[str, Any] | None = None) -> None:
        """End the game for the program: send ``end`` (with `results` if given), close its stdin,
        wait up to END_GRACE seconds for it to exit, then kill it. Safe to call more than once."""
        if self._closed:
            return
        self._closed = True
        if self.process is None:
            self._dead = True
            return
        grace = 0.0
        if not self._dead:
            self._send({"type": "end", "results": results})
            grace = END_GRACE
        self._stop(grace)

    def __enter__(self) -> ExternalAgent:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ decisions

    def _event(self, kind: str, detail: str) -> None:
        self.events.append({"decision": self.decision, "kind": kind, "detail": detail})

    def _crash_detail(self) -> str:
        code = None
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.process.wait(timeout=0.5)
        return "program exited" + (f" with code {code}" if code is not None else "") + " (stdout closed)"

    def _next(self, deadline: float) -> object | None:
        """The next line (or marker) from the program, or None at the deadline."""
        if self._pushback:
            return self._pushback.popleft()
        left = deadline - time.monotonic()
        try:
            return self._lines.get(timeout=left) if left > 0 else self._lines.get_nowait()
        except queue.Empty:
            return None

    def _await_ready(self) -> None:
        """Wait up to `startup` seconds for ``ready``; any other line is kept for the first decision."""
        deadline = time.monotonic() + self.startup
        while True:
            item = self._next(deadline)
            if item is None:
                return
            if isinstance(item, str):
                if not item.strip():
                    continue
                msg = _json_object(item)
                if isinstance(msg, dict) and msg.get("type") == "log":
                    continue
                if isinstance(msg, dict) and msg.get("type") == "ready":
                    self._note_ready(msg)
                    return
            self._pushback.append(item)
            return

    def _note_ready(self, msg: dict[str, Any]) -> None:
        name = msg.get("name")
        if isinstance(name, str):
            self.name = name[:100]

    def act(self, view: RoleView, legal: list[Command]) -> Command:
        self.decision += 1
        default = default_command(legal)
        if self.process is None and not self._dead:
            try:
                self._start()
            except OSError as exc:
                self._event(CRASH, f"could not start {shlex.join(self.argv)}: {exc}")
                self._dead = True
                return default
            self._send(
                {"type": "hello", "protocol": PROTOCOL, "role": self.role, "scenario": self.scenario, "seed": self.seed}
            )
            if self.startup > 0:
                self._await_ready()
        if self._dead:
            self.defaulted += 1
            return default
        texts = [c.text for c in legal]
        self._send({"type": "act", "id": self.decision, "view": view.to_json(), "legal": texts})
        answer = self._answer(texts)
        if answer is None:
            return default
        return legal[answer]

    def _answer(self, texts: list[str]) -> int | None:
        """Index into `texts` of the program's answer, or None (and an event) for the default."""
        n = self.decision
        deadline = time.monotonic() + self.timeout
        while True:
            if self._flooded.is_set():
                why = f"more than {MAX_QUEUED} lines written ahead; using defaults for the rest of the game"
                self._event(FLOOD, why)
                self._stop(0.0)
                with self._lines.mutex:
                    self._lines.queue.clear()
                return None
            item = self._next(deadline)
            if item is None:
                self._timeouts += 1
                detail = f"no answer within {self.timeout:g}s"
                if self._timeouts >= MAX_CONSECUTIVE_TIMEOUTS:
                    detail += f"; {self._timeouts} timeouts in a row, using defaults for the rest of the game"
                    self._event(TIMEOUT, detail)
                    self._stop(0.0)
                else:
                    self._event(TIMEOUT, detail)
                return None
            if item is _EOF:
                self._event(CRASH, self._crash_detail())
                self._stop(0.0)
                return None

            self._timeouts = 0
            if item is _TOO_LONG:
                self._event(GARBAGE, f"line longer than {MAX_LINE} characters")
                return None
            assert isinstance(item, str)
            if not item.strip():
                continue
            msg = _json_object(item)
            if isinstance(msg, str):
                self._event(GARBAGE, f"{msg}: {_short(item)}")
                return None
            kind = msg.get("type")
            if kind == "ready":
                self._note_ready(msg)
                continue
            if kind == "log":  # free-form notes from the program; ignored
                continue
            got = msg.get("id")
            if kind == "command" and isinstance(got, int) and not isinstance(got, bool) and got < n:
                continue  # a late answer to a decision that already took the default
            if kind != "command" or got != n or isinstance(got, bool):
                self._event(GARBAGE, f"expected a command with id {n}: {_short(item)}")
                return None
            command = msg.get("command")
            if not isinstance(command, str) or command not in texts:
                self._event(ILLEGAL, f"not one of the {len(texts)} legal commands: {_short(repr(command))}")
                return None
            return texts.index(command)


def _json_object(line: str) -> dict[str, Any] | str:
    """The line as a JSON object, or why it is not one (for the ``garbage`` event).

    Decoded by :mod:`game.safejson`: a program printing deeply nested JSON or a
    5,000-digit number gets the default order like any other garbage, rather than
    aborting the game with the decoder's RecursionError or ValueError."""
    try:
        value = safejson.loads(line)
    except safejson.JSONInputError as exc:
        return str(exc)
    return value if isinstance(value, dict) else "not a JSON object"
