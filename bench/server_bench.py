"""Multiplayer server figures: many concurrent games on loopback against ``wedge serve``.

Starts a real server subprocess on 127.0.0.1 (fresh database in a temporary
directory), creates GAMES games over the protocol, and connects 4 seat clients and 1
spectator to each (the library client, ``game.server.client.Client``). Every seat plays
its game to the end — offers, messages, answers, cards, seals — pausing THINK
milliseconds (uniformly 0.5x–1.5x, seeded) before each decision; ``--think 0`` is a
stress test with no pause at all. Then the server is stopped and its database is read.

The clients are spread over PROCS processes (default 2, whole games per process), each
with its own event loop: 125 clients parsing every update in one Python process made
that process, not the server, a large part of the measured latency.

Prints:

* order-ack latency, client-side, over the real socket: from just before the client
  sends the ``command`` frame to the moment its reader reads the ``ack`` frame (the
  headline figure), and to the moment ``Client.submit`` returns to the caller (which
  adds the client's own task scheduling);
* commands acknowledged, the rate, and the wall time;
* lost commands (acknowledged to a client but absent from the database) and duplicated
  ones (in the database more often than acknowledged) — both must be 0;
* the server's resident memory (peak, sampled every 0.2 s, and at the end) and its
  CPU time per command.

Latency is wall-clock by nature: run it on a quiet machine. Asserts nothing.

    .venv/bin/python bench/server_bench.py [--games 25] [--think 200] [--seed 1] [--procs 2]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import queue
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game import rng  # noqa: E402
from game.errors import IllegalCommand  # noqa: E402
from game.server import protocol as p  # noqa: E402
from game.server.client import Client  # noqa: E402

ROLES = ("us", "russia", "prc", "india")


# --------------------------------------------------------------------------- server


class Server:
    def __init__(self, db: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "game.cli", "serve", "--port", "0", "--db", str(db), "--games", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        self.base = self.admin = ""
        while not self.admin:
            line = lines.get(timeout=60)
            if line is None:
                err = self.proc.stderr.read() if self.proc.stderr else ""
                raise SystemExit(f"the server did not start: {err}")
            if m := re.match(r"^Wedge server on (ws://\S+) ", line):
                self.base = m.group(1)
            if m := re.match(r"^Admin token .*: (\S+)$", line.strip()):
                self.admin = m.group(1)
        self.peak_rss = 0
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()

    def rss(self) -> int:
        """Resident set size in bytes (Linux /proc)."""
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def cpu(self) -> float:
        """User + system CPU seconds so far."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def _sample(self) -> None:
        while self._sampling and self.proc.poll() is None:
            self.peak_rss = max(self.peak_rss, self.rss())
            time.sleep(0.2)

    def stop(self) -> None:
        self._sampling = False
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# --------------------------------------------------------------------------- players


def choose(role: str, view: dict[str, Any], legal: list[str], salt: int) -> str:
    """A deterministic, lively policy: a message and maybe an offer in diplomacy,
    answers and up to two cards in orders."""
    x = rng.derive(salt, role, view["turn"], view["phase"], len(view["my_order"]), len(view["offers"]))
    if view["phase"] == "diplomacy":
        if not any(m["from"] == role and m["turn"] == view["turn"] for m in view["messages"]):
            other = [r for r in ROLES if r != role][x % 3]
            return f"{role}:say:{other}:turn {view['turn']}: shall we talk?"
        offers = sorted(c for c in legal if ":offer:" in c)
        if offers and x % 3 == 0:
            return offers[x % len(offers)]
        return f"{role}:done"
    answers = sorted(c for c in legal if ":accept:" in c or ":decline:" in c)
    if answers:
        return answers[x % len(answers)]
    plays = sorted(c for c in legal if ":play:" in c)
    if not plays or len(view["my_order"]) >= 2 or x % 4 == 0:
        return f"{role}:seal"
    return plays[x % len(plays)]


class TimedClient(Client):
    """The library client, noting when its reader reads each ``ack`` frame."""

    acked_at = 0.0

    def _dispatch(self, frame: str | bytes) -> None:
        if isinstance(frame, str) and frame.startswith('{"type":"ack"'):
            self.acked_at = time.perf_counter()
        super()._dispatch(frame)


async def play(
    client: TimedClient, salt: int, think_ms: float, latencies: list[tuple[float, float]], acked: list[str]
) -> None:
    role = client.seat
    assert role is not None
    stream = rng.Stream(rng.derive(salt, "think", role))
    while True:
        await client.wait_for(lambda c: c.view.get("phase") == "over" or bool(c.legal), timeout=300)
        if client.view.get("phase") == "over":
            return
        if think_ms:
            await asyncio.sleep(think_ms * (0.5 + stream.below(1001) / 1000) / 1000)
        command = choose(role, client.view, client.legal, salt)
        client.acked_at = 0.0
        start = time.perf_counter()
        try:
            ack = await client.submit(command, timeout=120)
        except IllegalCommand:
            continue  # cannot happen with this policy; counted as nothing
        returned = time.perf_counter()
        latencies.append((client.acked_at - start if client.acked_at else returned - start, returned - start))
        acked.append(ack.command)


async def create_games(server: Server, games: int, seed: int) -> list[p.Created]:
    lobby = Client(server.base)
    await lobby.connect()
    created = [await lobby.create_game(server.admin, seed=rng.derive(seed, "bench", i)) for i in range(games)]
    await lobby.close()
    return created


async def play_games(
    base: str, games: list[tuple[str, dict[str, str]]], think_ms: float, seed: int, ready: Any
) -> dict[str, Any]:
    """One client process: connect every seat and a spectator of `games`, wait for the
    others (`ready`, a barrier), play to the end."""
    clients: list[tuple[str, str, TimedClient]] = []
    for game, tokens in games:
        for seat in (*ROLES, "public"):
            clients.append((game, seat, TimedClient(f"{base}/g/{game}", tokens.get(seat))))
    await asyncio.gather(*(c.connect() for _, _, c in clients))
    await asyncio.to_thread(ready.wait)
    latencies: list[tuple[float, float]] = []
    acked: dict[str, list[str]] = {f"{g} {s}": [] for g, s, _ in clients if s != "public"}
    mine0 = time.process_time()
    seats = [(f"{g} {s}", c) for g, s, c in clients if s != "public"]
    await asyncio.gather(*(play(c, seed, think_ms, latencies, acked[key]) for key, c in seats))
    spectators = [c for _, s, c in clients if s == "public"]
    await asyncio.gather(*(c.wait_for(lambda x: x.view.get("phase") == "over", 60) for c in spectators))
    mine = time.process_time() - mine0
    await asyncio.gather(*(c.close() for _, _, c in clients))
    return {"latencies": latencies, "acked": acked, "cpu": mine, "done": time.perf_counter()}


Games = list[tuple[str, dict[str, str]]]  # (game id, seat -> token)


def worker(base: str, games: Games, think_ms: float, seed: int, ready: Any, out: Any) -> None:
    """Entry point of a client process (spawned: nothing of the parent's loop is inherited)."""
    try:
        out.put(asyncio.run(play_games(base, games, think_ms, seed, ready)))
    except BaseException as exc:
        ready.abort()
        out.put({"error": f"{type(exc).__name__}: {exc}"})
        raise


def run(server: Server, games: int, think_ms: float, seed: int, procs: int) -> dict[str, Any]:
    created = asyncio.run(create_games(server, games, seed))
    shares = [[(g.game, dict(g.tokens)) for g in created[k::procs]] for k in range(procs)]
    shares = [s for s in shares if s]
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Barrier(len(shares) + 1)
    results = ctx.Queue()
    workers = [ctx.Process(target=worker, args=(server.base, s, think_ms, seed, ready, results)) for s in shares]
    for w in workers:
        w.start()
    ready.wait(timeout=120)  # every client is connected: the clock starts
    start = time.perf_counter()
    cpu0 = server.cpu()
    outs = [results.get(timeout=1800) for _ in workers]
    for w in workers:
        w.join(30)
    errors = [o["error"] for o in outs if "error" in o]
    if errors:
        raise SystemExit(f"a client process failed: {errors[0]}")
    cpu = server.cpu() - cpu0
    wall = max(o["done"] for o in outs) - start
    acked: dict[tuple[str, str], list[str]] = {}
    for o in outs:
        for key, commands in o["acked"].items():
            game, seat = key.split(" ")
            acked[(game, seat)] = commands
    return {
        "latencies": [x for o in outs for x in o["latencies"]],
        "acked": acked,
        "wall": wall,
        "cpu": cpu,
        "clients_cpu": sum(o["cpu"] for o in outs),
        "rss_end": server.rss(),
    }


def audit(db: Path, acked: dict[tuple[str, str], list[str]]) -> tuple[int, int, int]:
    """(lost, duplicated, stored) comparing the database with what clients saw acknowledged."""
    con = sqlite3.connect(db)
    rows = con.execute("SELECT game_id, seat, command FROM commands WHERE source = 'player'").fetchall()
    con.close()
    stored: dict[tuple[str, str], Counter[str]] = {}
    for game, seat, command in rows:
        stored.setdefault((game, seat), Counter())[command] += 1
    lost = dup = 0
    for key, commands in acked.items():
        have = stored.get(key, Counter())
        want = Counter(commands)
        lost += sum((want - have).values())
        dup += sum((have - want).values())
    return lost, dup, len(rows)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=25)
    ap.add_argument("--think", type=float, default=200.0, help="mean pause before each decision, ms (0 = none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--procs", type=int, default=2, help="client processes the games are spread over (default 2)")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]  # other work on the machine skews every figure: say how busy it was
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        server = Server(db)
        rss_start = server.rss()
        try:
            out = run(server, args.games, args.think, args.seed, max(1, args.procs))
        finally:
            server.stop()
        lost, dup, stored = audit(db, out["acked"])
    lat = [read for read, _ in out["latencies"]]
    ret = [returned for _, returned in out["latencies"]]
    n = len(lat)
    print(
        f"{args.games} games x 4 seats + 1 spectator, think {args.think:g} ms, loopback, "
        f"clients in {min(args.procs, args.games)} process(es)"
    )
    print(f"  commands acknowledged  {n}  ({n / out['wall']:.0f}/s over {out['wall']:.1f} s)")
    for name, values in (("order-ack latency", lat), ("  submit() returned", ret)):
        print(
            f"  {name:<22} "
            f"p50 {pct(values, 0.5) * 1000:.1f} ms  p90 {pct(values, 0.9) * 1000:.1f} ms  "
            f"p99 {pct(values, 0.99) * 1000:.1f} ms  max {max(values) * 1000:.1f} ms  "
            f"(mean {statistics.fmean(values) * 1000:.1f})"
        )
    print(f"  lost commands          {lost}   duplicated {dup}   (database holds {stored} player commands)")
    print(
        f"  server memory (RSS)    start {rss_start / 2**20:.0f} MiB  peak {server.peak_rss / 2**20:.0f} MiB  "
        f"end {out['rss_end'] / 2**20:.0f} MiB"
    )
    print(
        f"  CPU                    server {out['cpu']:.1f} s ({out['cpu'] / max(n, 1) * 1000:.2f} ms per command), "
        f"the {args.games * 5} clients {out['clients_cpu']:.1f} s"
    )
    print(f"  machine load (1 min)   {load0:.2f} before, {os.getloadavg()[0]:.2f} after (this run included)")


if __name__ == "__main__":
    main()
