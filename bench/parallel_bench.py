"""Playtest throughput (``python bench/parallel_bench.py``). Prints numbers; asserts nothing
except that every configuration wrote the very same games.

* games/s of ``wedge playtest`` with 1 and 2 local worker processes, and the speed-up;
* the same batch on Ray (a private local instance with 2 CPUs: the same 2 cores),
  with Ray's start-up timed separately, and its overhead relative to local workers;
* for reference, one process playing the games in a plain loop (no pool, no disk).

Wall-clock time, because parallel speed-up is about elapsed time. Each figure
includes its backend's worker start-up (pool spawn, scenario compile) and writing
games.jsonl, but not the summary and plots, which are the same for every backend.
"""

from __future__ import annotations

import argparse
import hashlib
import tempfile
import time
from pathlib import Path

from game.agents.registry import canonical_agents, parse_agents
from game.compiled import compile_scenario
from game.playtest.directory import BatchSpec
from game.playtest.rows import play_game
from game.playtest.runner import run_playtest
from game.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def digest(directory: Path) -> str:
    lines = sorted((directory / "games.jsonl").read_text(encoding="utf-8").splitlines())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "standard.yaml"))
    ap.add_argument("--games", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--agents", default="random")
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    model = load_scenario(args.scenario)
    sc = compile_scenario(model)
    agents = canonical_agents(args.agents, sc)
    spec = BatchSpec(args.scenario, model, args.seed, agents)
    n = args.games
    print(f"{n} games of {model.scenario.id}, agents {args.agents}")

    seats = parse_agents(agents, sc)
    start = time.perf_counter()
    for i in range(min(n, 500)):
        play_game(sc, seats, agents, args.seed, i)
    loop_rate = min(n, 500) / (time.perf_counter() - start)
    print(f"  in-process loop (no pool, no disk): {loop_rate:8.1f} games/s")

    rates: dict[str, float] = {}
    digests: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            out = Path(tmp) / f"local{workers}"
            r = run_playtest(spec, n, out, workers=workers, summarize=False, progress=False)
            rates[f"local{workers}"] = n / r.seconds
            digests[f"local{workers}"] = digest(out)
            print(f"  local, {workers} worker{'s' if workers > 1 else ' '}:         {n / r.seconds:8.1f} games/s"
                  f"  ({r.seconds:.2f} s)")
        print(f"  speed-up 2 workers vs 1:           {rates['local2'] / rates['local1']:8.2f}x")

        if not args.no_ray:
            try:
                import ray
            except ImportError:
                print("  Ray not installed (pip install 'wedge[ray]') — no Ray figures")
            else:
                t0 = time.perf_counter()
                ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="ERROR")
                startup = time.perf_counter() - t0
                try:
                    out = Path(tmp) / "ray2"
                    r = run_playtest(spec, n, out, workers=2, backend="ray", summarize=False, progress=False)
                finally:
                    ray.shutdown()
                rates["ray2"] = n / r.seconds
                digests["ray2"] = digest(out)
                print(f"  ray, 2 CPUs (start-up {startup:.1f} s apart): {n / r.seconds:8.1f} games/s  "
                      f"({r.seconds:.2f} s)")
                print(f"  ray overhead vs 2 local workers:   {rates['local2'] / rates['ray2']:8.2f}x the time "
                      f"(+{startup + r.seconds - n / rates['local2']:.1f} s wall with start-up)")
    same = len(set(digests.values())) == 1
    print(f"  identical games in every configuration: {'yes' if same else 'NO'} ({', '.join(digests.values())})")


if __name__ == "__main__":
    main()
