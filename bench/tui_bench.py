"""Terminal UI speed figures (``python bench/tui_bench.py``). Prints numbers; asserts nothing.

* ``first-frame``: ``wedge play`` started on a pseudo-terminal exactly as a person starts
  it; the time from spawning the process to the first frame that shows the board (the
  turn line is on the terminal), then ``ctrl+q``. Median of several fresh processes, plus
  the CPU time of the whole run (measured at exit: it includes mounting the other tabs,
  starting the agent host process and quitting).
* ``phases``: a fresh headless process with timestamps at each step: interpreter up,
  imports, game opened, app built, first frame painted (wall and CPU time).
* ``latency``: key presses (tab switches) while AI seats decide (the person's seat plays
  along so that the game goes on): time until the key is handled and until the next frame
  is painted, in wall time and in CPU time of the UI thread, in-process with Textual's
  headless driver. ``TUI_BENCH_VERBOSE=1`` prints every key.

    .venv/bin/python bench/tui_bench.py                  # everything
    .venv/bin/python bench/tui_bench.py first-frame --runs 9
    .venv/bin/python bench/tui_bench.py latency --seats russia=ismcts:iterations=3000

The machine's load shows in every figure: each section prints the load average first.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-B]|\x1b[=>78]")
BOARD_MARK = b"Turn 1/"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _env(**extra: str) -> dict[str, str]:
    """The child's environment as a person's shell has it: Python may cache bytecode (the
    first, warm-up run writes it), as it does for anyone running ``wedge play`` twice."""
    env = dict(os.environ, **extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _wedge() -> list[str]:
    script = Path(sys.executable).with_name("wedge")
    return [str(script)] if script.exists() else [sys.executable, "-c", "from game.cli import main; main()"]


# ------------------------------------------------------------------------------ first frame


def first_frame_once(args: list[str], cols: int, rows: int, cwd: str) -> tuple[float, float, float]:
    """(seconds to the board, seconds to the first byte, child CPU seconds) for one ``wedge play``."""
    import fcntl
    import pty
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    env = _env(TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [*_wedge(), "play", *args], stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True
    )
    os.close(slave)
    seen = b""
    first_byte = board = float("nan")
    try:
        while time.perf_counter() - t0 < 30:
            ready, _, _ = select.select([master], [], [], 0.02)
            if ready:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                now = time.perf_counter() - t0
                if first_byte != first_byte:
                    first_byte = now
                if board != board:
                    seen += chunk
                    if BOARD_MARK in ANSI.sub(b"", seen):
                        board = now
                        os.write(master, b"\x11")  # ctrl+q
            if proc.poll() is not None:
                break
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return board, first_byte, cpu


def first_frame(runs: int, args: list[str], cols: int, rows: int) -> None:
    print(f"\n== first frame of `wedge play {' '.join(args)}` at {cols}x{rows} ({_load()})")
    boards, firsts, cpus = [], [], []
    with tempfile.TemporaryDirectory() as cwd:
        first_frame_once(args, cols, rows, cwd)  # warm the file cache (and the scenario cache)
        for _ in range(runs):
            board, first, cpu = first_frame_once(args, cols, rows, cwd)
            boards.append(board)
            firsts.append(first)
            cpus.append(cpu)
    ms = sorted(round(b * 1000) for b in boards)
    print(f"spawn -> board painted : median {statistics.median(boards) * 1000:5.0f} ms   (all, sorted: {ms})")
    print(f"spawn -> first byte    : median {statistics.median(firsts) * 1000:5.0f} ms")
    cpu = statistics.median(cpus) * 1000
    print(f"CPU of the whole run   : median {cpu:5.0f} ms (to quitting, agent host included)")


# ------------------------------------------------------------------------------ phases

CHILD = r"""
import json, sys, time
stamps = {"start": (time.perf_counter(), time.process_time())}
def stamp(name):
    stamps.setdefault(name, (time.perf_counter(), time.process_time()))
from tui.app import build_play_app
stamp("imports")
app = build_play_app(seats_spec=sys.argv[2], seed=1, save_dir=sys.argv[1])
stamp("built")
display = app._display
def record(*a, **k):
    stamp("first_paint")
    display(*a, **k)
app._display = record
async def auto_pilot(pilot):
    while "first_paint" not in stamps:
        await pilot.pause(0.001)
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=auto_pilot)
print(json.dumps(stamps))
"""


def phases(runs: int, seats: str) -> None:
    print(f"\n== startup phases, fresh headless process, seats {seats} ({_load()})")
    rows: list[dict[str, tuple[float, float]]] = []
    spawn: list[float] = []
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as d:
        for i in range(runs + 1):
            t0 = time.perf_counter()
            args = [sys.executable, "-c", CHILD, d, seats]
            out = subprocess.run(args, capture_output=True, text=True, check=True, cwd=ROOT, env=_env())
            s = json.loads(out.stdout.strip().splitlines()[-1])
            if i:  # the first run warms the caches
                rows.append(s)
                spawn.append(s["start"][0] - t0)
    print(f"{'interpreter start':>22}: median wall {statistics.median(spawn) * 1000:5.0f} ms")
    names = ["start", "imports", "built", "first_paint"]
    for a, b in zip(names, names[1:]):
        wall = statistics.median(r[b][0] - r[a][0] for r in rows)
        cpu = statistics.median(r[b][1] - r[a][1] for r in rows)
        print(f"{a + ' -> ' + b:>22}: median wall {wall * 1000:5.0f} ms, CPU {cpu * 1000:5.0f} ms")


# ------------------------------------------------------------------------------ key latency


async def _latency_run(seats: str, keys: int, sample: dict[str, list[float]]) -> None:
    from textual import events
    from textual.widgets import TabbedContent

    from tui.app import build_play_app

    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as d:
        app = build_play_app(seats_spec=seats, seed=3, save_dir=d, theme="textual-dark")
        async with app.run_test(size=(100, 30)) as pilot:
            paints: list[tuple[float, float]] = []
            display = app._display

            def record(*a: Any, **k: Any) -> None:
                paints.append((time.perf_counter(), time.thread_time()))
                display(*a, **k)

            app._display = record  # type: ignore[method-assign]
            deadline = time.monotonic() + 30
            while not app.settled() and time.monotonic() < deadline:
                await pilot.pause(0.01)
            tabs = app.screen.query_one(TabbedContent)
            order = [("2", "hand"), ("4", "ledger"), ("3", "diplomacy"), ("1", "board")]
            for i in range(keys):
                if app.session.view("public")["phase"] == "over":
                    break
                # the person at the keyboard (the US) plays along, so that the AI seats keep deciding
                legal = app.session.legal("us")
                if legal and not app._handoff_open:
                    app.session.submit("us", legal[-1].text)
                await asyncio.sleep(0.05)
                key, tab = order[i % len(order)]
                sample["thinking"].append(1.0 if app.thinking else 0.0)
                assert app._driver is not None
                t0, c0 = time.perf_counter(), time.thread_time()
                app._driver.send_message(events.Key(key, key))
                while tabs.active != tab and time.perf_counter() - t0 < 5:
                    await asyncio.sleep(0.001)
                handled = time.perf_counter()
                while not any(p > handled for p, _ in paints) and time.perf_counter() - t0 < 5:
                    await asyncio.sleep(0.001)
                painted, cpu = min(((p, c) for p, c in paints if p > handled), default=(float("nan"), float("nan")))
                if tabs.active != tab:  # the game ended under the key (the results cover the tabs)
                    break
                sample["handled"].append(handled - t0)
                sample["painted"].append(painted - t0)
                sample[f"tab:{tab}"].append(painted - t0)
                sample["cpu"].append(cpu - c0)
                if os.environ.get("TUI_BENCH_VERBOSE"):
                    print(f"  {tab:>9}: {(painted - t0) * 1000:4.0f} ms wall, {(cpu - c0) * 1000:4.0f} ms CPU")
                await asyncio.sleep(0.1)
            sample["refreshes"].append(app.refreshes)
            sample["turn"].append(app.session.view("public")["turn"])
            app.exit()


def _pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def latency(seats: str, keys: int) -> None:
    print(f"\n== key -> paint while AI seats decide ({seats}; {_load()})")
    sample: dict[str, list[float]] = defaultdict(list)
    asyncio.run(_latency_run(seats, keys, sample))
    for name, what in (
        ("handled", "key handled (wall)"),
        ("painted", "key -> paint (wall)"),
        ("cpu", "key -> paint, UI thread CPU"),
    ):
        v = sample[name]
        print(
            f"{what:>28}: p50 {_pct(v, 0.5) * 1000:4.0f} ms, p95 {_pct(v, 0.95) * 1000:4.0f} ms,"
            f" max {max(v) * 1000:4.0f} ms"
        )
    tabs = sorted(k for k in sample if k.startswith("tab:"))
    by_tab = ", ".join(
        f"{k[4:]} {_pct(sample[k], 0.5) * 1000:.0f}/{max(sample[k]) * 1000:.0f}" for k in tabs if sample[k]
    )
    print(f"{'key -> paint by tab (wall)':>28}: p50/max ms: {by_tab}")
    print(
        f"{len(sample['handled'])} keys, {int(sum(sample['thinking']))} of them while an AI seat was deciding;"
        f" {int(sample['refreshes'][0])} repaints from the session; reached turn {int(sample['turn'][0])}"
    )
    print("(UI thread CPU is what the key costs the UI itself: the wall figure minus waiting for the machine)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("what", nargs="?", choices=("all", "first-frame", "phases", "latency"), default="all")
    p.add_argument("--runs", type=int, default=7, help="fresh processes per startup figure")
    p.add_argument("--size", default="80x24", help="terminal COLSxROWS for first-frame")
    p.add_argument(
        "--play-args",
        default="scenarios/standard.yaml",
        help="`wedge play` arguments for first-frame (a bare `wedge play` opens the start menu)",
    )
    p.add_argument("--seats", default="", help="seats for latency (default: heuristic and ismcts AIs)")
    p.add_argument("--keys", type=int, default=40, help="key presses for latency")
    a = p.parse_args()
    cols, rows = (int(x) for x in a.size.split("x"))
    if a.what in ("all", "first-frame"):
        first_frame(a.runs, a.play_args.split(), cols, rows)
    if a.what in ("all", "phases"):
        phases(a.runs, "russia=random,prc=random,india=random")
    if a.what in ("all", "latency"):
        default = ["russia=heuristic,prc=heuristic,india=heuristic", "russia=ismcts:iterations=3000"]
        for seats in [a.seats] if a.seats else default:
            latency(seats, a.keys)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
