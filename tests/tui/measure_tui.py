"""Measure the TUI's time to first frame (in-process and in a fresh headless process).

Run:  .venv/bin/python tests/tui/measure_tui.py
Key latency while an AI thinks is measured by tests/tui/test_tui_latency.py (-s prints it).
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CHILD = r"""
import json, sys, time
t_start = time.time()
from tui.app import build_play_app
t_import = time.time()
app = build_play_app(seats_spec="russia=random,prc=random,india=random", seed=1, save_dir=sys.argv[1])
t_built = time.time()
stamps = {}
display = app._display
def record(*a, **k):
    stamps.setdefault("first_paint", time.time())
    display(*a, **k)
app._display = record
async def auto_pilot(pilot):
    while "first_paint" not in stamps:
        await pilot.pause(0.001)
    app.exit()
app.run(headless=True, size=(80, 24), auto_pilot=auto_pilot)
print(json.dumps({"start": t_start, "import": t_import, "built": t_built, **stamps}))
"""


def subprocess_first_frame(save_dir: str) -> dict[str, float]:
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, save_dir],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    s = json.loads(out.stdout.strip().splitlines()[-1])
    return {
        "spawn_to_first_paint": s["first_paint"] - t0,
        "interpreter_start": s["start"] - t0,
        "imports": s["import"] - s["start"],
        "open_game": s["built"] - s["import"],
        "built_to_first_paint": s["first_paint"] - s["built"],
    }


async def in_process_first_frame(save_dir: str) -> float:
    from tui.app import build_play_app

    t0 = time.perf_counter()
    app = build_play_app(seats_spec="russia=random,prc=random,india=random", seed=1, save_dir=save_dir)
    first: list[float] = []
    display = app._display

    def record(*a: Any, **k: Any) -> None:
        if not first:
            first.append(time.perf_counter())
        display(*a, **k)

    app._display = record  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        while not first:
            await pilot.pause(0.001)
    return first[0] - t0


def main() -> None:
    with tempfile.TemporaryDirectory() as d:
        sub = [subprocess_first_frame(d) for _ in range(3)]
        inproc = [asyncio.run(in_process_first_frame(d)) for _ in range(3)]
    for key in sub[0]:
        print(f"subprocess {key:>22}: median {statistics.median(r[key] for r in sub) * 1000:7.0f} ms")
    print(f"in-process (run_test) build→first paint: median {statistics.median(inproc) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
