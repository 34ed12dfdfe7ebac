"""The ``wedge playtest`` and ``wedge experiment`` commands and ``wedge replay --playtest``.

Kept here rather than in :mod:`game.cli` so the CLI module only wires arguments;
every failure is a :class:`~game.playtest.errors.PlaytestError` (or a scenario /
agent-spec error) that the CLI prints as one line.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.engine import compiled
from game.playtest.errors import PlaytestError
from game.playtest.usage import Usage

if TYPE_CHECKING:
    from game.playtest.runner import RunResult

# The heavy modules (process pools, rich, numpy, matplotlib) are imported inside the
# commands, so building the CLI parser costs every other ``wedge`` command nothing.

EXIT_INTERRUPTED = 130


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


def add_run_options(p: argparse.ArgumentParser, games_default: int | None) -> None:
    """Options shared by ``playtest`` and ``experiment``."""
    p.add_argument("--games", type=int, default=games_default, metavar="N", help="number of games")
    p.add_argument("--workers", type=int, default=default_workers(), metavar="K",
                   help="worker processes (local) or CPUs of a private Ray instance (default: all cores)")
    p.add_argument("--backend", default="local", metavar="local|ray", help="local processes (default) or Ray")
    p.add_argument("--address", metavar="ADDR", help="Ray cluster address (ray start --head prints it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--llm-cache", metavar="DIR", help="recorded language-model calls to reuse and extend (llm seats): "
                   "a rerun of the same batch makes no calls")
    p.add_argument("--llm-concurrency", type=int, metavar="N", help="at most N games at once when a seat is an "
                   "llm (one call at a time per game, so at most N calls to the endpoint at once)")


def _check_counts(args: argparse.Namespace) -> None:
    if args.games is not None and args.games < 0:
        raise PlaytestError("--games must be 0 or more")
    if args.workers < 1:
        raise PlaytestError("--workers must be at least 1")


def _progress(args: argparse.Namespace) -> bool | None:
    return False if args.quiet else None


def _report_playtest(result: RunResult, summary: dict[str, Any] | None) -> None:
    print(f"{result.out}: {result.on_disk} of {result.requested} games on disk "
          f"({result.played} played now in {result.seconds:.1f} s)")
    if summary:
        print_summary(summary)


def print_summary(summary: dict[str, Any]) -> None:
    n = summary["games"]
    print(f"{summary['scenario']}: {n} games, agents {summary['agents']}, crisis rate "
          f"{summary['crisis_rate']:.3f} [{summary['crisis_ci95'][0]:.3f}, {summary['crisis_ci95'][1]:.3f}]")
    for role, r in summary["roles"].items():
        lo, hi = r["win_ci95"]
        print(f"  {role:>8}: objective {r['win_rate']:.3f} [{lo:.3f}, {hi:.3f}]  mean score "
              f"{r['mean_score']:.2f}/{r['max_score']}")
    if "alignment" in summary["tracks"]:
        a = summary["tracks"]["alignment"]
        print(f"  final alignment: median {a['median']:.0f} (IQR {a['q1']:.0f}–{a['q3']:.0f}), mean {a['mean']:.2f}")
    usage = Usage.from_json(summary.get("llm") or {})
    if usage:
        print(f"  model seats: {usage.exact()}")


def _interrupted(out: Path, on_disk: int, requested: int) -> int:
    print(f"wedge: interrupted — {on_disk} of {requested} games are on disk in {out}; "
          "run the same command again to resume", file=sys.stderr)
    return EXIT_INTERRUPTED


def cmd_playtest(args: argparse.Namespace) -> int:
    from game.agents.registry import AgentSpecError, canonical_agents
    from game.playtest.directory import BatchSpec, PlaytestDir
    from game.playtest.runner import run_playtest, write_summary
    from game.scenario.loader import load_scenario

    if args.summarize:
        pdir = PlaytestDir(args.summarize)
        summary = write_summary(pdir, plots=not args.no_plots)
        print(f"{pdir.path}: summary.json, games.csv and plots rebuilt from {summary['games']} games")
        print_summary(summary)
        return 0
    if not args.out:
        raise PlaytestError("playtest needs --out DIR (or --summarize DIR)")
    _check_counts(args)
    model = load_scenario(args.scenario)
    sc = compiled(model)
    try:
        agents = canonical_agents(args.agents, sc)
    except AgentSpecError as exc:
        raise PlaytestError(f"--agents: {exc}") from None
    spec = BatchSpec(str(args.scenario), model, args.seed, agents)
    games = 100 if args.games is None else args.games
    _llm_options(args, agents)
    result = run_playtest(spec, games, args.out, workers=args.workers, backend=args.backend,
                          address=args.address, progress=_progress(args), plots=not args.no_plots)
    if result.interrupted:
        return _interrupted(result.out, result.on_disk, games)
    _report_playtest(result, result.summary)
    return 0


def _llm_options(args: argparse.Namespace, agents: str) -> None:
    """--llm-cache reaches the workers' llm seats through the environment (the cache is
    where calls are kept, not part of the batch: the same batch may be rerun without it);
    --llm-concurrency caps the workers when a seat calls a model."""
    from game.agents.llm import CACHE_ENV

    if getattr(args, "llm_cache", None):
        os.environ[CACHE_ENV] = str(Path(args.llm_cache).resolve())
    limit = getattr(args, "llm_concurrency", None)
    if limit is not None:
        if limit < 1:
            raise PlaytestError("--llm-concurrency must be at least 1")
        if "=llm:" in agents or agents.startswith("llm"):
            args.workers = min(args.workers, limit)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "experiment"


def cmd_experiment(args: argparse.Namespace) -> int:
    from game.agents.registry import seats_text
    from game.playtest.experiment import format_report, load_experiment, run_experiment

    _check_counts(args)
    prepared = load_experiment(args.file, seed=args.seed, seats=args.seats)
    _llm_options(args, " ".join(seats_text(side) for side in prepared.seats.values()))
    out = Path(args.out) if args.out else Path("playtests") / f"{_slug(prepared.name)}-seed{prepared.file.seed}"
    result = run_experiment(prepared, out, args.games, workers=args.workers, backend=args.backend,
                            address=args.address, progress=_progress(args), plots=not args.no_plots)
    n = args.games or prepared.file.games
    if result.interrupted:
        on_disk = sum(r.on_disk for r in result.runs.values())
        return _interrupted(out, on_disk, 2 * n)
    assert result.report is not None
    print(format_report(result.report))
    print(f"\n{out / 'experiment.json'}; per-side playtests in {out / 'a'} and {out / 'b'}")
    return 0


def cmd_replay_playtest(args: argparse.Namespace) -> int:
    from game.playtest.replay import replay_game
    from game.story import story

    if args.file:
        raise PlaytestError("give either a save file or --playtest DIR --game N, not both")
    if args.game is None:
        raise PlaytestError("--playtest DIR needs --game N")
    done = replay_game(args.playtest, args.game, verify=True)
    print(story(done.state))
    if args.verify:
        print(f"{args.playtest} game {args.game}: ok — {len(done.record.commands)} commands replayed, "
              f"final state hash matches ({done.row['state_hash']})")
    return 0
