"""Engine speed figures (``make bench``). Prints numbers; asserts nothing.

* whole standard games with four random agents, games/s and engine commands/s
  (median of several repetitions, one process, so one core), with the compiled
  engine when it is built (``wedge accel build``; ``make bench`` builds it) and, for
  comparison, with the pure-Python engine (the same bench in a ``WEDGE_PURE=1``
  subprocess);
* OpenSpiel's pure-Python tic_tac_toe random playthroughs, actions/s, measured in
  the same run, and the ratio of the two action rates;
* the hot path piece by piece, averaged over the positions of real random games:
  legal actions, the random agent's choice, a checked and a fast apply, one turn's
  automatic phases (adjudication, upkeep, next shock) and dealing a new game.

CPU time (``time.process_time``) is used so that other processes on the machine
disturb the figures less.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from game import accel
from game.agents.random_agent import RandomAgent
from game.commands import Command
from game.compiled import compile_scenario
from game.rules import apply, apply_fast, legal_actions, new_game
from game.scenario.loader import load_scenario
from game.simulate import play_random, random_agents
from game.state import DIPLOMACY, ORDERS, GameState

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
    ap.add_argument("--games-only", action="store_true", help="print only the games/s figures, as JSON")
    args = ap.parse_args()
    sc = compile_scenario(load_scenario(args.scenario))
    if not args.games_only:
        print(accel.status())

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
    if args.games_only:
        print(json.dumps({"compiled": accel.active(), "games_per_s": games}))
        return
    mean_commands = statistics.mean(commands_per_game)
    actions = tuple(g * mean_commands for g in games)
    print(f"standard game, 4 random agents: {games[1]:8.0f} games/s  (min {games[0]:.0f}, max {games[2]:.0f})")
    print(f"  commands per game: {mean_commands:.1f}")
    print(f"  engine commands/s: {actions[1]:8.0f}")
    if accel.active():
        pure = pure_rate(args)
        print(f"  pure-Python engine: {pure[1]:8.0f} games/s  (min {pure[0]:.0f}, max {pure[2]:.0f})")
        print(f"  compiled / pure: {games[1] / pure[1]:.2f}x")

    osp = openspiel_rate(args.reps, args.seconds)
    if osp is None:
        print("OpenSpiel not installed (pip install open_spiel) — no comparison")
    else:
        print(f"OpenSpiel python_tic_tac_toe random playthrough: {osp[1]:8.0f} actions/s")
        print(f"  ratio Wedge/OpenSpiel actions/s: {actions[1] / osp[1]:.2f}x")

    # Pieces of the hot path, averaged over the positions of real random games (a
    # turn-1 position alone would flatter adjudication: nobody has played a card yet).
    positions: list[tuple[GameState, int, Command]] = []
    for seed in range(20):
        agents = random_agents(sc, seed)
        s = new_game(sc, seed)
        while not s.over:
            role = s.ready.index(False)
            cmd = agents[role].act({}, legal_actions(s, role))
            positions.append((s, role, cmd))
            s = apply_fast(s, cmd)
    last = len(sc.role_ids) - 1
    turn_ends = [(s, c) for s, _, c in positions if c.verb in ("seal", "done") and sum(s.ready) == last]
    seals = [(s, c) for s, c in turn_ends if c.verb == "seal"]
    ends = {id(s) for s, _ in turn_ends}
    moves = [(s, c) for s, _, c in positions if id(s) not in ends]
    texts = [(s, c.text) for s, c in moves]
    orders = [(s, r) for s, r, _ in positions if s.phase == ORDERS]
    diplomacy = [(s, r) for s, r, _ in positions if s.phase == DIPLOMACY]

    def over(items: list[Any], fn: Callable[[Any, Any], object]) -> Callable[[], int]:
        def run() -> int:
            for a, b in items:
                fn(a, b)
            return len(items)

        return run

    rows = [
        ("legal_actions (diplomacy)", over(diplomacy, legal_actions)),
        ("legal_actions (orders)", over(orders, legal_actions)),
        ("random agent's choice", over([(RandomAgent(7), legal_actions(s, r)) for s, r in orders], _choose)),
        ("apply_fast (a command within a phase)", over(moves, apply_fast)),
        ("apply, checked (the same, as text)", over(texts, apply)),
        ("last seal → adjudicate + upkeep + shock", over(seals, apply_fast)),
        ("new_game (deal + first shock)", over([(sc, seed) for seed in range(50)], new_game)),
    ]
    print(f"hot path, per call ({len(positions) / 20:.0f} commands and {len(seals) / 20:.1f} turns per game):")
    for label, fn in rows:
        lo, med, hi = median_rate(fn, 3, 0.5)
        print(f"  {label:40s} {med:10.0f}/s  ({1e6 / med:6.1f} µs)")


def pure_rate(args: argparse.Namespace) -> tuple[float, float, float]:
    """The whole-game figure again with the pure-Python engine, in a fresh process."""
    out = subprocess.run(
        [sys.executable, __file__, "--games-only", "--scenario", args.scenario, "--reps", str(args.reps),
         "--seconds", str(args.seconds)],
        env={**os.environ, "WEDGE_PURE": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert not data["compiled"], "WEDGE_PURE=1 still ran the compiled engine"
    lo, med, hi = data["games_per_s"]
    return float(lo), float(med), float(hi)


def _choose(agent: RandomAgent, legal: list[Command]) -> Command:
    return agent.act({}, legal)


if __name__ == "__main__":
    main()
