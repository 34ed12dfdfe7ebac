"""The ``wedge`` command line.

Every user-facing failure (bad scenario, bad save, refused command) prints one
clear message to stderr and exits non-zero — never a traceback.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Sequence
from pathlib import Path

from game.compiled import Compiled
from game.engine import open_scenario
from game.errors import WedgeError
from game.hashing import state_hash
from game.record import final_state, load_save, record_from_commands
from game.scenario.loader import ScenarioError, load_scenario
from game.simulate import play_random
from game.state import GameState
from game.story import story
from game.victory import evaluate

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "standard.yaml"


def _load(path: str) -> Compiled:
    return open_scenario(path)


def _validate_doctrine(path: str) -> str:
    """Check a heuristic doctrine (``doctrine*.yaml``) against the scenario it names.

    Doctrines live beside the scenarios, so ``wedge validate scenarios/*.yaml`` meets
    them; they are checked as what they are rather than reported as broken scenarios.
    """
    from game.agents.heuristic import DoctrineError, compile_doctrine, load_doctrine

    loaded = load_doctrine(path)
    scenario_id = loaded.doctrine.scenario or "standard"
    scenario_path = Path(path).with_name(f"{scenario_id}.yaml")
    if not scenario_path.is_file():
        raise DoctrineError([loaded.problem(("scenario",), f"no scenario file {scenario_path} for {scenario_id!r}")])
    sc = _load(str(scenario_path))
    for role in loaded.doctrine.roles:
        compile_doctrine(sc, loaded, role)
    return f"{path}: ok — doctrine for scenario {scenario_id!r}, {len(loaded.doctrine.roles)} roles"


def cmd_validate(args: argparse.Namespace) -> int:
    bad = 0
    for path in args.paths:
        if Path(path).name.startswith("doctrine") and Path(path).suffix in (".yaml", ".yml"):
            try:
                print(_validate_doctrine(path))
            except WedgeError as exc:
                print(exc, file=sys.stderr)
                bad += 1
            continue
        try:
            s = load_scenario(path)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            bad += 1
            continue
        print(
            f"{path}: ok — {len(s.tracks)} tracks, {len(s.roles)} roles, {len(s.cards)} cards, {len(s.shocks)} shocks"
        )
    return 1 if bad else 0


def summary(s: GameState, seed: int) -> dict[str, object]:
    results = evaluate(s)
    return {
        "seed": seed,
        "scenario": s.sc.model.scenario.id,
        "turns": s.turn,
        "end_reason": s.end_reason,
        "final_tracks": {t: v for t, v in zip(s.sc.track_ids, s.tracks)},
        "scores": {r: x["score"] for r, x in results.items()},
        "winners": [r for r, x in results.items() if x["won"]],
        "state_hash": state_hash(s),
    }


def cmd_simulate(args: argparse.Namespace) -> int:
    sc = _load(args.scenario)
    played = play_random(sc, args.seed)
    if args.save:
        rec = record_from_commands(sc, args.seed, list(played.commands), {"agents": "random"})
        rec.save(args.save)
    if args.json:
        print(json.dumps(summary(played.state, args.seed), sort_keys=True))
    else:
        print(story(played.state))
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    if args.playtest and args.game is not None and not args.verify and not args.text and sys.stdout.isatty():
        from tui.app import run_replay

        return int(run_replay(args.playtest, args.game))
    if args.playtest:
        from game.playtest.commands import cmd_replay_playtest

        return cmd_replay_playtest(args)
    if args.game is not None:
        print("wedge: --game needs --playtest DIR", file=sys.stderr)
        return 2
    if not args.file:
        print("wedge: replay needs a save file (or --playtest DIR --game N)", file=sys.stderr)
        return 2
    if not args.verify and not args.text and sys.stdin.isatty() and sys.stdout.isatty():
        from tui.app import run_replay

        return int(run_replay(args.file, None))
    rec = load_save(args.file)
    s = final_state(rec, verify=args.verify)
    count = len(rec.commands)
    if args.verify:
        print(f"{args.file}: ok — {count} commands replayed, every state hash matches ({state_hash(s)})")
    else:
        print(story(s))
    return 0


def cmd_rulebook(args: argparse.Namespace) -> int:
    from game.rulebook import update

    model = load_scenario(args.scenario)
    path = Path(args.rulebook)
    old = path.read_text(encoding="utf-8")
    new = update(old, model)
    if args.check:
        if new != old:
            print(f"{path} is out of date: run `wedge rulebook {args.scenario}`", file=sys.stderr)
            return 1
        print(f"{path} is up to date")
        return 0
    path.write_text(new, encoding="utf-8")
    print(f"{path}: tables regenerated from {args.scenario}")
    return 0


def cmd_play(args: argparse.Namespace) -> int:
    bare = args.scenario is None and args.load is None  # a bare `wedge play`: the start menu
    interactive = not args.text and sys.stdin.isatty() and sys.stdout.isatty()
    if bare and interactive:
        from tui.app import run_menu
        from tui.opening import StartOptions

        return int(
            run_menu(
                StartOptions(
                    as_role=args.as_role,
                    seats=args.seats,
                    seed=args.seed,  # None: the menu shows a fresh random seed, editable
                    gm_passphrase=args.gm_passphrase,
                    ask_gm_passphrase=args.gm,
                )
            )
        )
    scenario = args.scenario or str(DEFAULT_SCENARIO)
    if args.seed is None:
        # A new game gets a fresh seed (a class should not replay the same game every time);
        # it is a recorded input like any other, shown in the game and kept in the save.
        args.seed = secrets.randbelow(1_000_000) + 1
    if not interactive:
        # No terminal to draw on (a pipe, CI): tell a headless random game's story instead.
        sc = _load(scenario)
        print(story(play_random(sc, args.seed).state))
        return 0
    from tui.app import run_play

    return int(
        run_play(
            scenario,
            args.as_role,
            args.seats,
            args.seed,
            args.load,
            gm_passphrase=args.gm_passphrase,
            ask_gm_passphrase=args.gm,
        )
    )


def _version() -> str:
    """The package version, the Python running it, and which engine (see game/accel.py)."""
    from importlib.metadata import PackageNotFoundError, version

    from game import accel

    try:
        mine = version("wedge")
    except PackageNotFoundError:  # run from a source tree that was never installed
        mine = "(not installed)"
    engine = "compiled engine" if accel.active() else "pure-Python engine"
    return f"wedge {mine} · Python {sys.version.split()[0]} · {engine}"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="wedge", description="Wedge: can the US pry apart the Russia–PRC alignment?")
    p.add_argument("--version", action="version", version=_version())
    sub = p.add_subparsers(dest="command", required=True)

    v = sub.add_parser("validate", help="check scenario files; report every problem as FILE:LINE:COL")
    v.add_argument("paths", nargs="+")
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("simulate", help="play one headless game with random agents")
    s.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    s.add_argument("--seed", type=int, default=1)
    s.add_argument("--json", action="store_true", help="print one JSON summary object")
    s.add_argument("--save", metavar="FILE", help="write the game as a save file")
    s.set_defaults(func=cmd_simulate)

    r = sub.add_parser("replay", help="replay a save file, or one game of a playtest directory")
    r.add_argument("file", nargs="?")
    r.add_argument("--verify", action="store_true", help="check every state hash; stop at the first mismatch")
    r.add_argument("--playtest", metavar="DIR", help="replay a game of this playtest directory (with --game)")
    r.add_argument("--game", type=int, metavar="N", help="the game's index in the playtest")
    r.add_argument("--text", action="store_true", help="print the story instead of opening the replay viewer")
    r.set_defaults(func=cmd_replay)

    b = sub.add_parser("rulebook", help="regenerate rulebook.md's tables from a scenario")
    b.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    b.add_argument("--rulebook", default=str(DEFAULT_SCENARIO.parent.parent / "rulebook.md"))
    b.add_argument("--check", action="store_true", help="only report whether the file is up to date")
    b.set_defaults(func=cmd_rulebook)

    pl = sub.add_parser(
        "play",
        help="play a game in the terminal UI",
        description="Play Wedge in the terminal. Each seat is a person (human) or an agent; several "
        "human seats share this terminal in turns (hot seat), and --as gm opens the facilitator's console.",
    )
    pl.add_argument(
        "scenario",
        nargs="?",
        default=None,
        help="scenario file: starts that game at once (without it, and without --load, a start menu offers a new "
        "game, the last autosave or a save or replay; without a terminal, the standard scenario's story)",
    )
    pl.add_argument(
        "--seed",
        type=int,
        default=None,
        help="the game's seed: the same seed, scenario and commands give the same game (default: a new random "
        "seed, shown in the game and kept in its save)",
    )
    pl.add_argument("--as", dest="as_role", metavar="ROLE", default=None,
                    help="the seat this terminal plays: a role id, or gm for the facilitator (default: us)")
    pl.add_argument("--seats", metavar="SPEC",
                    help="who plays each seat, e.g. us=human,india=human,prc=heuristic; seats not named are "
                    "played by the heuristic agent (see docs/agents.md for agent kinds)")
    pl.add_argument("--load", metavar="SAVE", help="resume a saved game (its seats and seed come from the save)")
    pl.add_argument("--gm", action="store_true",
                    help="a facilitator seat at this keyboard: asks for a passphrase when the game opens; g (and the "
                    "command palette) then open the facilitator console with it, for nobody else")
    pl.add_argument("--gm-passphrase", metavar="PASSPHRASE", default=None,
                    help="the same with the passphrase given here (visible in the shell's history: prefer --gm)")
    pl.add_argument("--text", action="store_true", help="print a headless random game's story instead of the UI")
    pl.set_defaults(func=cmd_play)

    from game.playtest.commands import add_run_options, cmd_experiment, cmd_playtest

    pt = sub.add_parser("playtest", help="play many headless games in parallel and summarise them (docs/playtests.md)")
    pt.add_argument("scenario", nargs="?", default=str(DEFAULT_SCENARIO))
    pt.add_argument("--seed", type=int, default=1, help="master seed; game i plays with rng.derive(seed, 'game', i)")
    pt.add_argument("--agents", default="random", metavar="SPEC", help="e.g. random, or us=heuristic,prc=random")
    pt.add_argument("--out", metavar="DIR", help="output directory; rerunning into it resumes")
    pt.add_argument("--summarize", metavar="DIR", help="only rebuild summary.json, games.csv and plots of DIR")
    pt.add_argument("--no-plots", action="store_true", help="write summary.json and games.csv but no PNGs")
    add_run_options(pt, None)
    pt.set_defaults(func=cmd_playtest)

    ex = sub.add_parser("experiment", help="compare two configurations over paired seeds (docs/playtests.md)")
    ex.add_argument("file", metavar="EXPERIMENT.yaml")
    ex.add_argument("--seed", type=int, default=None, help="master seed (default: the file's)")
    ex.add_argument("--out", metavar="DIR", help="output directory (default playtests/NAME-seedS); resumable")
    ex.add_argument("--no-plots", action="store_true", help="skip the per-side plots")
    ex.add_argument("--seats", metavar="SPEC", default="", help="ROLE=AGENT seats that replace the file's on both "
                    "sides, e.g. russia=llm:model=NAME:base_url=URL (another model without editing the file)")
    add_run_options(ex, None)
    ex.set_defaults(func=cmd_experiment)

    from game.balance.command import add_parser as add_balance_parser  # light: the report is imported on use

    add_balance_parser(sub)

    def cmd_briefing(args: argparse.Namespace) -> int:
        from game.briefing import cmd_briefing as run

        return run(args)

    br = sub.add_parser("briefing", help="a role's briefing sheet from a scenario (Markdown or printable HTML)")
    br.add_argument("scenario", metavar="SCENARIO")
    br.add_argument("--role", required=True, metavar="ROLE", help="a role id of the scenario, or all (one file each)")
    br.add_argument("--format", choices=("md", "html"), default="md", help="md (default) or printable html")
    br.add_argument("--out", metavar="PATH", help="write to this file (with --role all: this directory)")
    br.set_defaults(func=cmd_briefing)

    from tui.web import add_web_parser  # light: the web server itself is imported on use

    add_web_parser(sub)

    def cmd_report(args: argparse.Namespace) -> int:
        from game.report.command import cmd_report as run  # matplotlib etc. only when a report is made

        return run(args)

    rp = sub.add_parser("report", help="after-action report of a save: HTML with charts, or Markdown")
    rp.add_argument("save", metavar="SAVE", help="a save file (the TUI's autosave, wedge simulate --save, ...)")
    rp.add_argument("--game", metavar="ID", help="with a wedge serve database instead of a save: which game")
    rp.add_argument("--format", choices=("html", "md"), default="html", help="html (default, with charts) or md")
    rp.add_argument("--out", metavar="FILE", help="default: next to the save (GAME.report.html); - for stdout")
    rp.set_defaults(func=cmd_report)

    from game.server.commands import add_commands as add_server_commands  # light: the server is imported on use

    add_server_commands(sub)

    ac = sub.add_parser("accel", help="build or check the compiled (mypyc) engine: same results, about twice as fast")
    ac.add_argument("action", choices=("build", "status"))
    ac.add_argument("--jobs", type=int, default=2, help="parallel C compiler jobs (default 2)")
    ac.add_argument("--force", action="store_true", help="rebuild even if these sources are already built")
    ac.set_defaults(func=cmd_accel)
    return p


def cmd_accel(args: argparse.Namespace) -> int:
    from game import accel

    if args.action == "status":
        print(accel.status())
        return 0
    if args.force or not accel.built():
        print("compiling the engine with mypyc (about a minute; again only when its sources change)...", flush=True)
    try:
        where = accel.build(args.jobs, args.force)
    except accel.AccelError as exc:
        print(f"wedge accel: {exc}", file=sys.stderr)
        print("wedge accel: the pure-Python engine will be used (same results, about half the speed)", file=sys.stderr)
        return 1
    print(f"compiled engine ready: {where}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "seed", 0) is not None and not 0 <= getattr(args, "seed", 0) < 2**63:
        print("wedge: --seed must be between 0 and 2**63-1", file=sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 1
    except WedgeError as exc:
        print(f"wedge: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into e.g. `head`, which closed early: not an error worth a traceback.
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
