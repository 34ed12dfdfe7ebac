"""Engine speed figures (``make bench``). Prints numbers; asserts nothing.

* whole standard games with four random agents, games/s and engine commands/s
  (median of several repetitions, one process, so one core);
* OpenSpiel's pure-Python tic_tac_toe random playthroughs, actions/s, measured in
  the same run, and the ratio of the two action rates;
* the hot path piece by piece: legal actions, a checked and a fast apply, and one
  turn's automatic phases (adjudication, upkeep, next shock).

CPU time (``time.process_time``) is used so that other processes on the machine
disturb the figures less.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from game.compiled import compile_scenario
from game.rules import apply, apply_fast, legal_actions, new_game
from game.scenario.loader import load_scenario
from game.simulate import play_random

ROOT = Path(__file__).resolve().parent.parent


def per_second(fn: Callable[[], int], seconds: float) -> float:
    """Units of work per CPU second: fn() does some work and returns how many units."""
    start = time.process_time()
    units = 0
    while (elapsed := time.process_time() - start) < seconds:
        units += fn()
    return units / elapsed


def median_rate(fn: Callable[[], int], reps: int, seconds: float) -> tuple[float, float, float]:
    rates = [per_second(fn, seconds) for _ in range(reps)]
    return min(rates), statistics.median(rates), max(rates)


def openspiel_rate(reps: int, seconds: float) -> tuple[float, float, float] | None:
    try:
        import pyspiel
        from open_spiel.python.games import tic_tac_toe  # noqa: F401  (registers python_tic_tac_toe)
    except ImportError:
        return None
    game = pyspiel.load_game("python_tic_tac_toe")
    rng = random.Random(0)

    def one() -> int:
        s = game.new_initial_state()
        n = 0
        while not s.is_terminal():
            s.apply_action(rng.choice(s.legal_actions()))
            n += 1
        return n

    return median_rate(one, reps, seconds)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "standard.yaml"))
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--seconds", type=float, default=1.5)
    args = ap.parse_args()
    sc = compile_scenario(load_scenario(args.scenario))

    # Warm the per-scenario command tables so the first repetition isn't penalised.
    for seed in range(50):
        play_random(sc, seed, record=False)

    seeds = iter(range(10**9))
    commands_per_game: list[int] = []

    def one_game() -> int:
        played = play_random(sc, next(seeds))
        commands_per_game.append(len(played.commands))
        return 1

    games = median_rate(one_game, args.reps, args.seconds)
    mean_commands = statistics.mean(commands_per_game)
    actions = tuple(g * mean_commands for g in games)
    print(f"standard game, 4 random agents: {games[1]:8.0f} games/s  (min {games[0]:.0f}, max {games[2]:.0f})")
    print(f"  commands per game: {mean_commands:.1f}")
    print(f"  engine commands/s: {actions[1]:8.0f}")

    osp = openspiel_rate(args.reps, args.seconds)
    if osp is None:
        print("OpenSpiel not installed (pip install open_spiel) — no comparison")
    else:
        print(f"OpenSpiel python_tic_tac_toe random playthrough: {osp[1]:8.0f} actions/s")
        print(f"  ratio Wedge/OpenSpiel actions/s: {actions[1] / osp[1]:.2f}x")

    # Pieces of the hot path, on states from a real game.
    s = new_game(sc, 11)
    for role in range(len(sc.role_ids)):
        s = apply_fast(s, legal_actions(s, role)[-1])  # everyone done with diplomacy
    play = next(c for c in legal_actions(s, 0) if c.verb == "play")

    def bulk(fn: Callable[[], object], n: int = 2000) -> Callable[[], int]:
        def run() -> int:
            for _ in range(n):
                fn()
            return n

        return run

    rows = [
        ("legal_actions (orders phase)", bulk(lambda: legal_actions(s, 0))),
        ("apply_fast (play a card)", bulk(lambda: apply_fast(s, play))),
        ("apply, checked (play a card)", bulk(lambda: apply(s, play.text))),
    ]
    sealed = s
    for role in range(len(sc.role_ids)):
        if role:
            sealed = apply_fast(sealed, legal_actions(sealed, role)[-1])
    last = legal_actions(sealed, 0)[-1]  # seal: runs adjudication, upkeep and the next shock
    rows.append(("seal → adjudicate + upkeep + shock", bulk(lambda: apply_fast(sealed, last), 300)))
    for label, fn in rows:
        lo, med, hi = median_rate(fn, 3, 0.5)
        print(f"{label:38s} {med:10.0f}/s  ({1e6 / med:6.1f} µs)")


if __name__ == "__main__":
    main()
