"""Running ``wedge serve``: open the database, resume or create games, listen, and print
the exact command every participant types to join.

Start-up failures (bad scenario, unusable database, port in use) raise WedgeError with
one line, which ``wedge`` prints without a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from game.compiled import Compiled
from game.engine import open_scenario
from game.errors import WedgeError
from game.server import logs
from game.server.commands import StopRequest
from game.server.host import GM, GameHost
from game.server.server import WedgeServer, check_on_deadline, seat_controllers, server_game_seed
from game.server.store import Store

SWITCH_INTERVAL = 0.0005


def public_host(host: str) -> str:
    """The address to print in join commands: listening on every interface means
    'this machine', so show an address other machines can reach."""
    if host not in ("0.0.0.0", "::", ""):
        return f"[{host}]" if ":" in host else host
    with contextlib.suppress(OSError):
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.connect(("10.255.255.255", 1))  # no packet is sent: this only picks the outgoing interface
            return str(probe.getsockname()[0])
        finally:
            probe.close()
    return "127.0.0.1"


def announce_game(game: GameHost, base: str, out: TextIO) -> None:
    s = game.state
    sc = game.sc
    url = f"{base}/g/{game.id}"
    print(f"Game {game.id} · {sc.model.scenario.title} · turn {s.turn}/{sc.rules.turns} {s.phase}", file=out)
    for i, role in enumerate(sc.role_ids):
        controller = s.controllers[i]
        note = "" if controller == "human" else f"   (now played by the server: {controller})"
        print(f"  {role:<12} wedge join {url} --token {game.tokens[role]}{note}", file=out)
    print(f"  {'facilitator':<12} wedge join {url} --token {game.tokens[GM]}", file=out)
    print(f"  {'projector':<12} wedge watch {url}", file=out)


async def _serve(
    args: argparse.Namespace, scenario: Callable[[], Compiled], store: Store, out: TextIO, stop: StopRequest
) -> int:
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    stop.attach(lambda: loop.call_soon_threadsafe(stopped.set))
    server = WedgeServer.open(store, scenario)
    try:
        if not stop.requested:
            await _start(server, args, out, stop)
            await stopped.wait()
    finally:
        await server.close()
    print("Server stopped; every accepted command is in the database.", file=out)
    return 0


async def _start(server: WedgeServer, args: argparse.Namespace, out: TextIO, stop: StopRequest) -> None:
    """Listen, create the games asked for and print how to join (each step only if no stop came)."""
    for gid, why in server.broken.items():
        print(f"wedge: game {gid} cannot be resumed and is not served: {why}", file=sys.stderr)
    create = args.new or not (server.games or server.broken)
    if create:
        _ = server.default_scenario  # a bad scenario file stops the start before the port is taken
    port = await server.listen(args.host, args.port)  # a busy port must not leave a new game behind
    server.start_games()
    if create:
        for i in range(args.games):
            if stop.requested:
                return
            seed = None if args.seed is None else server_game_seed(args.seed, i)
            await server.create_game(None, args.seats, seed, args.deadline, args.on_deadline)
    # Everything loaded so far (modules, scenarios, resumed games) lives as long as the
    # server: keep it out of the cyclic collector's full passes, which would otherwise
    # walk it again and again while players wait for their acknowledgements.
    gc.collect()
    gc.freeze()
    if stop.requested:
        return
    base = f"ws://{public_host(args.host)}:{port}"
    print(f"Wedge server on {base} · database {args.db} · {len(server.games)} game(s)", file=out)
    for game in server.games.values():
        announce_game(game, base, out)
    print(f"Admin token (creates more games over the protocol): {server.admin_token}", file=out)
    print(f"Ctrl+C stops the server; the games stay in {args.db} and resume when it starts again.", file=out)
    out.flush()


def serve_main(args: argparse.Namespace, out: TextIO | None = None, stop: StopRequest | None = None) -> int:
    """Start the server. The scenario file is read only when a game is created: on a fresh
    database (before anything is written, so a bad file leaves nothing behind) or with
    ``--new``; a restart that only resumes games never needs it.

    SIGTERM and Ctrl+C stop it cleanly (exit code 0, database closed) at any point; the
    handler is usually installed by ``wedge serve`` itself, before this module is imported."""
    if stop is None:
        with StopRequest().installed() as own:
            return serve_main(args, out, own)
    # The event loop and the AI threads hand the interpreter lock to each other; the
    # default 5 ms hand-over would add up to that to every step.
    sys.setswitchinterval(SWITCH_INTERVAL)
    logs.install(sys.stderr)  # never blocks the event loop, even on a stderr nobody reads
    logging.getLogger("websockets").setLevel(logging.CRITICAL)  # handshake noise from port scanners etc.
    loaded: list[Compiled] = []

    def scenario() -> Compiled:
        if not loaded:
            loaded.append(open_scenario(args.scenario))
            seat_controllers(args.seats, loaded[0])
        return loaded[0]

    why = check_on_deadline(args.on_deadline)
    if why:
        raise WedgeError(f"--on-deadline: {why}")
    if args.new or args.seats or not Path(args.db).exists():
        scenario()
    store = Store.open(args.db)
    try:
        return asyncio.run(_serve(args, scenario, store, out or sys.stdout, stop))
    finally:
        store.close()
