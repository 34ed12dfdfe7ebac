"""``wedge web``: the player UI in a browser, for students without a terminal.

This module only declares the command line; the server itself (aiohttp and
textual-serve) lives in :mod:`tui.web.server` and is imported when the
command runs, so ``wedge --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any
from urllib.parse import urlsplit

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: Each browser tab runs one ``wedge join`` process (~100 MB); this caps a runaway.
DEFAULT_MAX_SESSIONS = 40
#: Public-board tabs (``/watch``, no token) have their own cap, so they cannot fill the seats.
DEFAULT_MAX_WATCHERS = 32


def add_web_parser(sub: Any) -> None:
    """Register ``wedge web`` on the ``wedge`` subcommand parser ``sub``."""
    w = sub.add_parser(
        "web",
        help="serve the player UI to browsers: one tab per seat, and a projector board (docs/web.md)",
    )
    w.add_argument("server_url", metavar="SERVER_URL", help="the game's ws:// URL, as printed by `wedge serve`")
    w.add_argument("--host", default=DEFAULT_HOST, help="address to listen on (0.0.0.0 for a LAN; unencrypted)")
    w.add_argument("--port", type=int, default=DEFAULT_PORT, help="port to listen on (0 picks a free one)")
    w.add_argument(
        "--max-sessions",
        type=int,
        default=DEFAULT_MAX_SESSIONS,
        metavar="N",
        help=f"most seat tabs (opened with a token) served at once (default {DEFAULT_MAX_SESSIONS})",
    )
    w.add_argument(
        "--max-watchers",
        type=int,
        default=DEFAULT_MAX_WATCHERS,
        metavar="N",
        help=f"most public-board tabs (/watch, no token) served at once, apart from the seats"
        f" (default {DEFAULT_MAX_WATCHERS})",
    )
    w.set_defaults(func=cmd_web)


def check_server_url(url: str) -> str | None:
    """Why ``url`` cannot be a game server address, or None if it can."""
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss"):
        return f"SERVER_URL must start with ws:// or wss:// (got {url!r})"
    if not parts.hostname:
        return f"SERVER_URL has no host (got {url!r})"
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"SERVER_URL has a bad port (got {url!r})"
    return None


def cmd_web(args: argparse.Namespace) -> int:
    problem = check_server_url(args.server_url)
    if problem is None and not 0 <= args.port <= 65535:
        problem = f"--port must be between 0 and 65535 (got {args.port})"
    if problem is None and args.max_sessions < 1:
        problem = f"--max-sessions must be at least 1 (got {args.max_sessions})"
    if problem is None and args.max_watchers < 1:
        problem = f"--max-watchers must be at least 1 (got {args.max_watchers})"
    if problem is not None:
        print(f"wedge web: {problem}", file=sys.stderr)
        return 2
    from tui.web.server import WebSeats, wedge_commands

    seat_launch, watch_launch = wedge_commands(args.server_url)
    web = WebSeats(
        seat_launch=seat_launch,
        watch_launch=watch_launch,
        server_url=args.server_url,
        host=args.host,
        port=args.port,
        max_sessions=args.max_sessions,
        max_watchers=args.max_watchers,
    )
    return web.run()
