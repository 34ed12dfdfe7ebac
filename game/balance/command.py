"""The ``wedge balance`` command: plan, play, judge, report; the exit code is the verdict.

Exit codes: 0 when every judged target passes, 1 when any fails, 2 when the report
cannot be made (bad options, a scenario or balance section with problems, games that
cannot be played or replayed), 130 after Ctrl-C (finished games stay on disk; the same
command resumes). Kept apart from :mod:`game.cli`, which only wires the arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from game.errors import WedgeError
from game.playtest.commands import EXIT_INTERRUPTED

if TYPE_CHECKING:
    from game.scenario.models import Scenario

EXIT_FAILED, EXIT_UNUSABLE = 1, 2


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from game.playtest.commands import default_workers
    from game.scenario.balance import CHECK_KINDS

    p = sub.add_parser(
        "balance",
        help="playtest-based balance report of a scenario's balance: targets (docs/playtests.md)",
        description=(
            "Play the batches of games a scenario's balance: section needs (each a resumable playtest "
            "directory under --out), judge every target PASS or FAIL, print a table and write "
            "OUT/balance.json and OUT/balance.html. Exit code 0 if every target passes, 1 if any fails, "
            "2 if the report cannot be made."
        ),
    )
    p.add_argument("scenario", metavar="SCENARIO", help="a scenario file with a balance: section")
    p.add_argument("--games", type=int, metavar="N",
                   help="play N games wherever the section gives a count (mixes, skill, levers, baselines, "
                        "windows): --games 100 is a quick look")
    p.add_argument("--agents", metavar="SPEC",
                   help="replace the section's mixes with one mix named 'custom' (an agent for every seat, or a "
                        "seat spec); targets that name a mix read this one")
    p.add_argument("--out", metavar="DIR", help="output directory (default runs/balance-<scenario id>); "
                                               "rerunning into it resumes")
    p.add_argument("--workers", type=int, default=default_workers(), metavar="W",
                   help="worker processes (default: all cores)")
    p.add_argument("--only", nargs="+", metavar="CHECK", default=[],
                   help="judge only the targets of these checks and play only what they need "
                        f"({', '.join(CHECK_KINDS)}); give SCENARIO before it")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_balance)


def _usage(message: str) -> int:
    """One line: the first problem (an agent's doctrine error, say, can list several)."""
    first, *rest = message.strip().splitlines() or [""]
    more = f" (and {len(rest)} more line{'s' if len(rest) > 1 else ''})" if rest else ""
    print(f"wedge: {first}{more}", file=sys.stderr)
    return EXIT_UNUSABLE


def cmd_balance(args: argparse.Namespace) -> int:
    from game.scenario.loader import ScenarioError, load_scenario

    if args.workers < 1:
        return _usage("--workers must be at least 1")
    if args.games is not None and args.games < 1:
        return _usage("--games must be at least 1")
    try:
        model = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        return _run(args, model)
    except WedgeError as exc:
        return _usage(str(exc))


def _run(args: argparse.Namespace, model: Scenario) -> int:
    from game.balance.checks import Context, judge
    from game.balance.info import report_info
    from game.balance.plan import Options, make_plan
    from game.balance.report import build, format_terminal, write
    from game.playtest.errors import PlaytestError
    from game.playtest.runner import StopFlag, interruptible, run_playtest

    out = Path(args.out) if args.out else Path("runs") / f"balance-{model.scenario.id}"
    options = Options(games=args.games, agents=args.agents, only=tuple(dict.fromkeys(args.only)))
    plan = make_plan(str(args.scenario), model, out, options)
    progress = False if args.quiet else None
    with interruptible(StopFlag()) as flag:
        for batch in plan.batches.values():
            try:
                result = run_playtest(batch.spec, batch.games, out / batch.key, workers=args.workers,
                                      progress=progress, label=batch.key, plots=False, stop=flag)
            except PlaytestError as exc:
                raise PlaytestError(f"{batch.where} ({out / batch.key}): {exc}") from None
            if result.interrupted:
                print(f"wedge: interrupted — {result.on_disk} of {batch.games} games of {batch.key} are on disk "
                      f"in {out}; run the same command again to resume", file=sys.stderr)
                return EXIT_INTERRUPTED
    ctx = Context(plan)
    results = judge(plan, ctx)
    report = build(plan, results, report_info(ctx))
    json_path, html_path = write(out, report)
    print(format_terminal(report))
    print(f"\n{json_path}; {html_path}")
    return 0 if report["passed"] else EXIT_FAILED
