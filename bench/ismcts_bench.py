"""Search-agent speed figures (prints numbers; asserts nothing).

* games/s per agent kind: whole standard games with the same kind in all four seats
  (``random``, ``heuristic``, ``ismcts:iterations=50``), one process, CPU time;
* ISMCTS playouts/s: playouts (search iterations) per CPU second spent inside the
  ISMCTS agents' ``act`` during those games — each playout samples a determinization,
  descends the tree, plays out to the horizon and evaluates the leaf.

    .venv/bin/python bench/ismcts_bench.py [--games N] [--ismcts-games N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.agents.ismcts import ISMCTSAgent  # noqa: E402
from game.agents.registry import build_agents, parse_seats  # noqa: E402
from game.commands import Command  # noqa: E402
from game.compiled import Compiled, compile_scenario  # noqa: E402
from game.scenario.loader import load_scenario  # noqa: E402
from game.simulate import play  # noqa: E402


class Timed:
    """Wraps an agent and adds up the CPU time spent in its act()."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.needs_view = inner.needs_view
        self.cpu = 0.0

    def act(self, view: Any, legal: list[Command]) -> Command:
        start = time.process_time()
        try:
            return self.inner.act(view, legal)
        finally:
            self.cpu += time.process_time() - start


def run(sc: Compiled, spec: str, games: int, first_seed: int) -> tuple[float, int, float]:
    """(games/s, playouts, CPU seconds inside ISMCTS act) over `games` games."""
    seats = parse_seats(",".join(f"{r}={spec}" for r in sc.role_ids), sc)
    playouts, search_cpu = 0, 0.0
    start = time.process_time()
    for seed in range(first_seed, first_seed + games):
        agents = [Timed(a) for a in build_agents(sc, seats, seed)]
        play(sc, seed, agents, record=False)
        for a in agents:
            if isinstance(a.inner, ISMCTSAgent):
                playouts += a.inner.playouts
                search_cpu += a.cpu
    return games / (time.process_time() - start), playouts, search_cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "standard.yaml"))
    ap.add_argument("--games", type=int, default=200, help="games for random and heuristic")
    ap.add_argument("--ismcts-games", type=int, default=4)
    ap.add_argument("--ismcts", default="ismcts:iterations=50")
    args = ap.parse_args()
    sc = compile_scenario(load_scenario(args.scenario))
    run(sc, "random", 20, 10**6)  # warm the command tables and doctrine caches
    run(sc, "heuristic", 2, 10**6)

    print("standard game, the same agent kind in all four seats (one core, CPU time)")
    for spec, games in (("random", args.games), ("heuristic", args.games), (args.ismcts, args.ismcts_games)):
        rate, playouts, cpu = run(sc, spec, games, 1)
        line = f"  {spec:<24} {rate:10.2f} games/s  ({games} games)"
        if playouts:
            line += f"   {playouts / cpu:7.0f} playouts/s  ({playouts} playouts)"
        print(line)


if __name__ == "__main__":
    main()
