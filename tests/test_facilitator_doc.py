"""docs/facilitator.md checked against the game: a teacher follows it literally, so every
command it shows must parse, the ones that run without a network must work, its custom
shock must be accepted, its console keys must exist, and what it says about offers must
match the classroom scenario's rules."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path

import pytest
from wedge_testing import ROOT, wedge_command

from game.cli import build_parser
from game.compiled import compile_scenario
from game.rules import apply, new_game
from game.scenario.loader import load_scenario

DOC = (ROOT / "docs" / "facilitator.md").read_text(encoding="utf-8")
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"


def _commands() -> list[list[str]]:
    """Every `wedge …` line of the doc's sh blocks, continuation lines joined."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", DOC, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("wedge "):
                out.append(shlex.split(line)[1:])
    return out


COMMANDS = _commands()


def test_the_doc_shows_the_commands_of_a_session() -> None:
    verbs = {argv[0] for argv in COMMANDS}
    assert {"play", "briefing", "serve", "web", "report", "playtest"} <= verbs, verbs


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: " ".join(a)[:60])
def test_every_command_in_the_doc_parses(argv: list[str]) -> None:
    try:
        build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse refused it
        pytest.fail(f"`wedge {' '.join(argv)}` does not parse (exit {exc.code})")


def _run(tmp: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [*wedge_command(), *argv], capture_output=True, text=True, cwd=ROOT, timeout=300, env=None
    )
    assert proc.returncode == 0, (argv, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    return proc


def test_the_offline_commands_run(tmp_path: Path) -> None:
    """The briefing, report and playtest commands, as printed (outputs moved to a temp dir,
    the playtest shortened), work on a fresh game of the classroom scenario."""
    ran: set[str] = set()
    runs = 0
    save = tmp_path / "game.json"
    _run(tmp_path, "simulate", str(CLASSROOM), "--seed", "3", "--save", str(save))
    for argv in COMMANDS:
        argv = list(argv)
        if argv[0] == "briefing":
            argv[argv.index("--out") + 1] = str(tmp_path / "briefings")
        elif argv[0] == "report" and argv[1].endswith(".json"):
            argv[1] = str(save)
            argv[argv.index("--out") + 1] = str(tmp_path / "debrief.html")
        elif argv[0] == "playtest":
            argv[argv.index("--games") + 1] = "8"
            runs += 1
            argv[argv.index("--out") + 1] = str(tmp_path / f"run-{runs}")
            argv += ["--no-plots", "--quiet"]
        else:
            continue
        _run(tmp_path, *argv)
        ran.add(argv[0])
    assert ran == {"briefing", "report", "playtest"}
    assert len(list((tmp_path / "briefings").glob("*.html"))) == 4
    assert (tmp_path / "debrief.html").stat().st_size > 1000


def test_the_custom_shock_example_is_accepted() -> None:
    example = re.search(r"```json\n(.*?)```", DOC, re.S)
    assert example is not None
    shock = json.loads(example.group(1))
    sc = compile_scenario(load_scenario(CLASSROOM))
    s = new_game(sc, 1)
    after = apply(s, "gm:inject-custom:" + json.dumps(shock, separators=(",", ":")))
    assert after.tracks != s.tracks or after.windows != s.windows


def test_the_console_keys_in_the_doc_exist() -> None:
    from tui.app import WedgeApp
    from tui.screens.facilitator import FacilitatorScreen

    table = DOC[DOC.index("## The facilitator console") :]
    table = table[: table.index("**A custom shock**")]
    keys = set(re.findall(r"\| `([^`]+)` \|\s*$", table, re.M))
    assert keys, "the console table lists its keys in the last column"
    bound = {
        key.strip()
        for b in (*FacilitatorScreen.BINDINGS, *WedgeApp.BINDINGS)
        if hasattr(b, "key")
        for key in b.key.split(",")
    }
    assert keys <= bound, f"keys in docs/facilitator.md not bound in the console: {keys - bound}"


def test_what_the_doc_says_about_offers_matches_the_classroom_rules() -> None:
    rules = load_scenario(CLASSROOM).rules
    if rules.max_offers_per_role == 1:
        assert "one offer to each team" not in DOC
        assert re.search(r"one offer a turn", DOC), "the doc should say teams make one offer a turn (rule 5.1)"
