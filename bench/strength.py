"""Playing strength of agent kinds in one seat (prints results; asserts nothing).

Design: *paired* games. Every agent under test plays the same N game seeds in the
chosen seat (default ``us``) against the same opponents, so each seed's shocks,
dice and opponents' seeded choices are shared and the per-seed score difference
isolates the seat's agent.

Opponents are ``random`` by default. Why: ISMCTS models the other roles with a
uniform random default policy, so against random opponents the comparison measures
the quality of the search and evaluation in the world the search assumes, and the
heuristic is judged on the same footing. ``--opponents heuristic`` plays against the
doctrine of ``scenarios/doctrine.yaml`` instead; there the search's opponent model is
wrong (the doctrines pump the alignment back up in the last turns, random players do
not) and its edge over the heuristic is smaller.

For each pair of agents the script reports the mean score difference and two
paired tests on the per-seed scores, both implemented here with numpy (no scipy):

* exact two-sided sign test on the non-zero differences (binomial, p = 1/2);
* two-sided paired permutation test (random sign flips of the differences,
  ``--perms`` resamples, seeded), which tests the mean difference.

Games run on ``--workers`` processes (default 2) with ProcessPoolExecutor.

    .venv/bin/python bench/strength.py --seat us --games 200
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.agents.registry import build_agents, parse_seat, parse_seats  # noqa: E402
from game.compiled import Compiled, compile_scenario  # noqa: E402
from game.scenario.loader import load_scenario  # noqa: E402
from game.simulate import play  # noqa: E402
from game.victory import evaluate  # noqa: E402

DEFAULT_AGENTS = "random,heuristic,ismcts:iterations=100"
_SC: Compiled | None = None


def _init(scenario: str) -> None:
    global _SC
    _SC = compile_scenario(load_scenario(scenario))


def _games(job: tuple[str, str, str, list[int]]) -> list[tuple[int, int, bool, float]]:
    """Play `seeds` with `spec` in `seat`, `opponents` elsewhere: (seed, score, won, cpu s)."""
    spec, seat, opponents, seeds = job
    assert _SC is not None
    sc = _SC
    out = []
    for seed in seeds:
        seats = parse_seats(f"{seat}={spec}", sc, default=opponents)
        start = time.process_time()
        final = play(sc, seed, build_agents(sc, seats, seed), record=False).state
        res = evaluate(final)[seat]
        out.append((seed, int(res["score"]), bool(res["won"]), time.process_time() - start))
    return out


def sign_test(diff: np.ndarray) -> float:
    """Exact two-sided sign test: P(|wins - n/2| >= observed) under Binomial(n, 1/2)."""
    wins = int((diff > 0).sum())
    n = wins + int((diff < 0).sum())
    if n == 0:
        return 1.0
    k = min(wins, n - wins)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n
    return min(1.0, 2 * tail)


def permutation_test(diff: np.ndarray, perms: int, seed: int = 12345) -> float:
    """Two-sided paired permutation test of mean(diff) = 0 by random sign flips."""
    if not diff.any():
        return 1.0
    gen = np.random.default_rng(seed)
    observed = abs(diff.mean())
    hits = 0
    for start in range(0, perms, 5000):
        n = min(5000, perms - start)
        signs = gen.integers(0, 2, size=(n, diff.size), dtype=np.int8) * 2 - 1
        hits += int((np.abs((signs * diff).mean(axis=1)) >= observed - 1e-12).sum())
    return (hits + 1) / (perms + 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "standard.yaml"))
    ap.add_argument("--seat", default="us")
    ap.add_argument("--games", type=int, default=200)
    ap.add_argument("--first-seed", type=int, default=1)
    ap.add_argument("--agents", default=DEFAULT_AGENTS, help=f"comma-separated agent specs (default {DEFAULT_AGENTS})")
    ap.add_argument("--opponents", default="random", help="agent spec for every other seat (default random)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--perms", type=int, default=100_000)
    args = ap.parse_args()

    sc = compile_scenario(load_scenario(args.scenario))
    if args.seat not in sc.role_ids:
        ap.error(f"unknown seat {args.seat!r}; seats are {', '.join(sc.role_ids)}")
    specs = [x.strip() for x in args.agents.split(",") if x.strip()]
    for spec in [*specs, args.opponents]:
        parse_seat(spec)  # fail early on a bad spec
    seeds = list(range(args.first_seed, args.first_seed + args.games))
    chunk = max(1, math.ceil(len(seeds) / (args.workers * 8)))
    jobs = [
        (spec, args.seat, args.opponents, seeds[i : i + chunk]) for spec in specs for i in range(0, len(seeds), chunk)
    ]

    print(
        f"seat {args.seat}; {args.games} paired games (seeds {seeds[0]}..{seeds[-1]}); "
        f"opponents: {args.opponents}; {args.workers} workers"
    )
    wall = time.perf_counter()
    results: dict[str, dict[int, tuple[int, bool, float]]] = {spec: {} for spec in specs}
    with ProcessPoolExecutor(args.workers, initializer=_init, initargs=(args.scenario,)) as pool:
        for (spec, *_), rows in zip(jobs, pool.map(_games, jobs)):
            for seed, score, won, cpu in rows:
                results[spec][seed] = (score, won, cpu)
    elapsed = time.perf_counter() - wall

    scores = {spec: np.array([results[spec][s][0] for s in seeds], dtype=float) for spec in specs}
    wins = {spec: np.array([results[spec][s][1] for s in seeds], dtype=float) for spec in specs}
    cpu = {spec: float(np.mean([results[spec][s][2] for s in seeds])) for spec in specs}
    width = max(len(s) for s in specs)
    print(f"\n{'agent':<{width}}  mean score (sd)   win rate   cpu s/game")
    for spec in specs:
        print(
            f"{spec:<{width}}  {scores[spec].mean():6.3f} ({scores[spec].std(ddof=1):.2f})"
            f"   {wins[spec].mean():7.3f}   {cpu[spec]:8.3f}"
        )
    print(f"\npaired comparisons (two-sided p-values; {args.perms} sign-flip permutations)")
    for i, a in enumerate(specs):
        for b in specs[:i]:
            diff = scores[a] - scores[b]
            better, worse = int((diff > 0).sum()), int((diff < 0).sum())
            print(
                f"{a} vs {b}: mean diff {diff.mean():+.3f}  (better {better}, worse {worse}, "
                f"tied {len(diff) - better - worse})  win rate {wins[a].mean() - wins[b].mean():+.3f}\n"
                f"    sign test p = {sign_test(diff):.2e}   permutation p = {permutation_test(diff, args.perms):.2e}"
            )
    print(f"\nwall time {elapsed:.0f} s")


if __name__ == "__main__":
    main()
