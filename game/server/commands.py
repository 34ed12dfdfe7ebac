"""``wedge serve``, ``wedge join`` and ``wedge watch``.

Only the argument definitions live at import time; the server, the client and the
terminal UI are imported by the handlers, so ``wedge --help`` stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent.parent / "scenarios" / "standard.yaml"
DEFAULT_PORT = 8765
DEFAULT_DB = "wedge-server.db"
#: Where ``wedge join`` finds the token when ``--token`` is not given (keeps it out of ``ps``).
TOKEN_ENV = "WEDGE_TOKEN"


def add_commands(sub: Any) -> None:
    """Register serve/join/watch on the ``wedge`` sub-parser set."""
    s = sub.add_parser("serve", help="host multiplayer games over the network (docs/protocol.md)")
    s.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO), help="scenario of new games")
    s.add_argument("--seats", default="", metavar="SPEC", help="e.g. us=human,russia=heuristic (unnamed: human)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0 for the LAN)")
    s.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0 = any free)")
    s.add_argument("--db", default=DEFAULT_DB, metavar="PATH", help=f"game database (default {DEFAULT_DB})")
    s.add_argument("--seed", type=int, default=None, help="seed of the first new game (default: random, secret)")
    s.add_argument("--games", type=int, default=1, metavar="N", help="games to create in a new database")
    s.add_argument("--new", action="store_true", help="create the games even if the database already has some")
    s.add_argument("--deadline", type=float, default=None, metavar="SECONDS", help="time limit of each phase")
    s.add_argument(
        "--on-deadline",
        default="default",
        metavar="WHAT",
        help="at the deadline, waiting seats get their 'default' order or are played by an agent (e.g. heuristic)",
    )
    s.set_defaults(func=cmd_serve)

    j = sub.add_parser("join", help="play a seat of a game on a server, in the terminal UI")
    j.add_argument("url", help="ws://HOST:PORT/g/GAME as printed by wedge serve")
    j.add_argument(
        "--token",
        default=None,
        help=f"your seat's token (the facilitator's for the white cell); default: ${TOKEN_ENV}",
    )
    j.set_defaults(func=cmd_join)

    w = sub.add_parser("watch", help="show a server game's public board (a projector)")
    w.add_argument("url", help="ws://HOST:PORT/g/GAME as printed by wedge serve")
    w.set_defaults(func=cmd_watch)


class StopRequest:
    """SIGTERM or Ctrl+C asks the server to stop cleanly, at whatever stage it is.

    Installed before anything else of ``wedge serve`` runs: a signal that arrives while
    the server is still importing, opening its database or replaying games is remembered
    and honoured at the next step, so the database is always closed properly and the exit
    code is 0 (without it, an early SIGTERM killed the process on the spot). Once the
    event loop runs, :meth:`attach` makes the signal wake it."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.requested = False
        self._wake: Callable[[], object] | None = None

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if self._wake is not None:
            self._wake()

    def attach(self, wake: Callable[[], object]) -> None:
        """Call `wake` (thread- and signal-safe, e.g. ``loop.call_soon_threadsafe(...)``) on a signal."""
        self._wake = wake
        if self.requested:
            wake()

    @contextlib.contextmanager
    def installed(self) -> Iterator[StopRequest]:
        """Handle the signals for the duration of the block; the old handlers come back after."""
        old: dict[int, Any] = {}
        for sig in self.SIGNALS:
            with contextlib.suppress(ValueError, OSError):  # not the main thread: leave the handlers alone
                old[sig] = signal.signal(sig, self)
        try:
            yield self
        finally:
            self._wake = None
            for signum, handler in old.items():
                signal.signal(signum, handler)


def _fail(message: str, code: int = 2) -> int:
    print(f"wedge: {message}", file=sys.stderr)
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    if not 0 <= args.port <= 65535:
        return _fail(f"--port {args.port}: ports are 0..65535")
    if args.games < 0 or args.games > 500:
        return _fail("--games must be between 0 and 500")
    if args.deadline is not None and not 0 < args.deadline <= 7 * 24 * 3600:
        return _fail("--deadline must be a positive number of seconds (at most a week)")
    with StopRequest().installed() as stop:
        from game.server.run import serve_main  # imports the server: a signal meanwhile is kept for later

        return serve_main(args, stop=stop)


def _terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def cmd_join(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get(TOKEN_ENV, "")
    if not token:
        return _fail(f"wedge join needs the seat's token: --token TOKEN (or the {TOKEN_ENV} variable)")
    if not _terminal():
        return _fail("wedge join opens the terminal UI: run it in a terminal")
    from tui.remote import run_join

    return run_join(args.url, token)


def cmd_watch(args: argparse.Namespace) -> int:
    if not _terminal():
        return _fail("wedge watch opens the terminal UI: run it in a terminal")
    from tui.remote import run_watch

    return run_watch(args.url)
