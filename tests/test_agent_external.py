"""External agents: a real program per seat speaking the JSON-lines protocol (docs/agents.md)."""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from game.agents.external import ExternalAgent, default_command
from game.agents.registry import AgentSpecError, SeatSpec, build_agents, parse_seat, parse_seats
from game.commands import Command, parse
from game.compiled import Compiled
from game.rules import apply_fast, legal_actions, new_game
from game.simulate import Played, play
from game.state import OVER
from game.victory import evaluate
from game.views import role_record, role_view

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "agents" / "simple_agent.py"
PY = shlex.quote(sys.executable)


def script(tmp_path: Path, name: str, body: str) -> str:
    """Write a helper agent and return the command line that runs it."""
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return f"{PY} {shlex.quote(str(path))}"


def run(sc: Compiled, seed: int, role: str, spec: SeatSpec) -> tuple[Played, ExternalAgent]:
    """One game with `spec` in `role`'s seat and random agents elsewhere; the external agent is closed."""
    seats = parse_seats("", sc)
    seats[role] = spec
    agents = build_agents(sc, seats, seed)
    agent = agents[sc.role_index[role]]
    assert isinstance(agent, ExternalAgent)
    with agent:
        played = play(sc, seed, agents)
        agent.close(evaluate(played.state))
    assert played.state.phase == OVER
    assert agent.process is None or agent.process.poll() is not None, "agent process still running"
    return played, agent


def own(played: Played, role: str) -> list[str]:
    return [c for c in played.commands if c.startswith(role + ":")]


@pytest.fixture
def no_leftovers() -> Iterator[list[ExternalAgent]]:
    """Agents registered here are checked for a dead process after the test."""
    made: list[ExternalAgent] = []
    yield made
    for agent in made:
        agent.close()
        assert agent.process is None or agent.process.poll() is not None


# --------------------------------------------------------------------- the example agent


def test_example_agent_plays_a_whole_game(standard_sc: Compiled, tmp_path: Path) -> None:
    log = tmp_path / "us.log"
    seats = parse_seats(f"us=external:{PY} {EXAMPLE}:timeout=5:log={log}", standard_sc)
    assert seats["us"] == SeatSpec("external", f"{PY} {EXAMPLE}", {"timeout": "5", "log": str(log)})
    played, agent = run(standard_sc, 11, "us", seats["us"])
    assert agent.events == []
    assert agent.name == "simple-agent"
    assert agent.defaulted == 0
    mine = own(played, "us")
    assert len(mine) == agent.decision > 0
    assert any(":play:" in c for c in mine), "the example agent should play cards"
    # It read the end message (with results) before exiting: its stderr says so.
    assert "game over, score" in log.read_text(encoding="utf-8")


def test_example_agent_is_deterministic(standard_sc: Compiled) -> None:
    spec = parse_seat(f"external:{PY} {EXAMPLE}")
    first, _ = run(standard_sc, 23, "india", spec)
    second, _ = run(standard_sc, 23, "india", spec)
    assert first.commands == second.commands
    assert first.state.tracks == second.state.tracks


# --------------------------------------------------------------------- misbehaving programs

HANG = """
import sys, time
sys.stdin.readline()
time.sleep(3600)
"""

GARBAGE = """
import sys
for line in sys.stdin:
    print("this is not json", flush=True)
"""

ILLEGAL = """
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "act":
        print(json.dumps({"type": "command", "id": msg["id"], "command": "us:play:no-such-card"}), flush=True)
"""

WRONG_ID = """
import json, sys
for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "act":
        print(json.dumps({"type": "command", "id": msg["id"] + 100, "command": msg["legal"][0]}), flush=True)
"""


def assert_only_defaults(played: Played, role: str) -> None:
    mine = own(played, role)
    assert mine
    assert all(parse(c).verb in ("seal", "done") for c in mine), mine


def test_crashing_agent_gets_defaults(standard_sc: Compiled) -> None:
    spec = SeatSpec("external", f'{PY} -c "import sys; sys.exit(3)"')
    played, agent = run(standard_sc, 5, "us", spec)
    assert [e["kind"] for e in agent.events] == ["crash"]
    assert agent.events[0]["decision"] == 1
    assert "code 3" in agent.events[0]["detail"]
    assert agent.defaulted == agent.decision - 1 > 0
    assert_only_defaults(played, "us")


def test_hanging_agent_times_out_then_is_stopped(standard_sc: Compiled, tmp_path: Path) -> None:
    spec = parse_seat(f"external:{script(tmp_path, 'hang.py', HANG)}:timeout=0.2")
    start = time.monotonic()
    played, agent = run(standard_sc, 5, "us", spec)
    # Three timeouts in a row, then no more waiting.
    assert [e["kind"] for e in agent.events] == ["timeout"] * 3
    assert [e["decision"] for e in agent.events] == [1, 2, 3]
    assert agent.defaulted == agent.decision - 3
    assert time.monotonic() - start < 10
    assert_only_defaults(played, "us")


@pytest.mark.parametrize(
    ("body", "kind"),
    [(GARBAGE, "garbage"), (ILLEGAL, "illegal"), (WRONG_ID, "garbage")],
    ids=["not-json", "illegal-command", "wrong-id"],
)
def test_bad_answers_get_defaults(standard_sc: Compiled, tmp_path: Path, body: str, kind: str) -> None:
    spec = parse_seat(f"external:{script(tmp_path, 'bad.py', body)}:timeout=2")
    played, agent = run(standard_sc, 9, "us", spec)
    assert agent.events and {e["kind"] for e in agent.events} == {kind}
    # Every decision was answered (badly), each one recorded; the program was never given up on.
    assert [e["decision"] for e in agent.events] == list(range(1, agent.decision + 1))
    assert agent.defaulted == 0
    assert_only_defaults(played, "us")


def test_late_answer_is_skipped_not_misread(standard_sc: Compiled, tmp_path: Path) -> None:
    """An answer that arrives after its timeout is dropped; the next decision still works."""
    body = """
import json, sys, time
for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "act":
        if msg["id"] == 1:
            time.sleep(1.3)  # past the 1 s timeout, but well before decision 2 times out
        print(json.dumps({"type": "command", "id": msg["id"], "command": msg["legal"][-1]}), flush=True)
"""
    spec = parse_seat(f"external:{script(tmp_path, 'late.py', body)}:timeout=1")
    _, agent = run(standard_sc, 3, "us", spec)
    assert [(e["decision"], e["kind"]) for e in agent.events] == [(1, "timeout")]


def test_missing_program_and_bad_params_are_refused(standard_sc: Compiled) -> None:
    seats = parse_seats("", standard_sc)
    for spec in (
        SeatSpec("external", ""),
        SeatSpec("external", "/no/such/agent-program"),
        SeatSpec("external", "python3 'unclosed"),
        SeatSpec("external", f"{PY} x.py", {"timeout": "soon"}),
        SeatSpec("external", f"{PY} x.py", {"timeout": "-1"}),
    ):
        seats["us"] = spec
        with pytest.raises(AgentSpecError):
            build_agents(standard_sc, seats, 1)
    with pytest.raises(AgentSpecError, match="no parameter"):
        parse_seat(f"external:{PY} x.py:speed=3")


def test_close_without_playing_and_context_manager(standard_sc: Compiled, no_leftovers: list[ExternalAgent]) -> None:
    agent = ExternalAgent([sys.executable, str(EXAMPLE)], "us", 1, {})
    agent.close()
    assert agent.process is None
    s = new_game(standard_sc, 1)
    with ExternalAgent([sys.executable, str(EXAMPLE)], "us", 1, {"cards": []}) as agent:
        no_leftovers.append(agent)
        cmd = agent.act(role_record(s, "us"), legal_actions(s, 0))
        assert cmd in legal_actions(s, 0)
        proc = agent.process
        assert proc is not None and proc.poll() is None
    assert proc.poll() is not None
    agent.close()  # idempotent


def test_dropped_agent_is_killed(standard_sc: Compiled, tmp_path: Path) -> None:
    """Without close(), the process dies when the agent is garbage-collected."""
    s = new_game(standard_sc, 1)
    agent = ExternalAgent(shlex.split(script(tmp_path, "hang.py", HANG)), "us", 1, {}, timeout=0.05)
    assert default_command(legal_actions(s, 0)) == agent.act(role_record(s, "us"), legal_actions(s, 0))
    proc = agent.process
    assert proc is not None and proc.poll() is None
    del agent
    deadline = time.monotonic() + 5
    while proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is not None


# --------------------------------------------------------------------- hidden information

DUMP = """
import json, sys
out = open(sys.argv[1], "w", encoding="utf-8")
for line in sys.stdin:
    out.write(line)
    out.flush()
    msg = json.loads(line)
    if msg["type"] == "act":
        legal = msg["legal"]
        pick = legal[(msg["id"] * 7) % len(legal)]
        print(json.dumps({"type": "command", "id": msg["id"], "command": pick}), flush=True)
"""


def keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from keys(v)


def test_agent_sees_only_its_role_view(standard_sc: Compiled, tmp_path: Path) -> None:
    sc = standard_sc
    role, seed = "prc", 17
    dump = tmp_path / "sent.jsonl"
    spec = SeatSpec("external", f"{script(tmp_path, 'dump.py', DUMP)} {shlex.quote(str(dump))}")
    played, agent = run(sc, seed, role, spec)
    assert agent.events == []
    messages = [json.loads(line) for line in dump.read_text(encoding="utf-8").splitlines()]
    assert [m["type"] for m in messages[:1] + messages[-1:]] == ["hello", "end"]
    hello, acts = messages[0], [m for m in messages if m["type"] == "act"]
    assert set(hello) == {"type", "protocol", "role", "scenario", "seed"}
    assert hello["role"] == role and hello["protocol"] == 1
    assert len(acts) == agent.decision == len(own(played, role))

    mine = {sc.card_ids[c] for c in sc.cards_by_role[sc.role_index[role]]}
    # Replay the log: each act message is exactly role_view of the state the role acted in.
    s = new_game(sc, seed)
    k = 0
    hidden_seen = 0
    for text in played.commands:
        cmd: Command = parse(text)
        if cmd.actor == role:
            msg = acts[k]
            assert msg["id"] == k + 1
            assert msg["view"] == json.loads(json.dumps(role_view(s, role)))
            assert msg["legal"] == [c.text for c in legal_actions(s, sc.role_index[role])]
            assert not {"hands", "pending_orders"} & set(keys(msg["view"]))
            assert set(msg["view"]["hand"]) <= mine
            others = {sc.card_ids[c] for r, h in enumerate(s.hands) if sc.role_ids[r] != role for c in h}
            assert not others & set(msg["view"]["hand"])
            hidden_seen += len(others)
            k += 1
        s = apply_fast(s, cmd)
    assert k == len(acts) and hidden_seen > 0


def test_ready_is_optional_and_startup_waits_for_it(standard_sc: Compiled, tmp_path: Path) -> None:
    slow = """
import json, sys, time
time.sleep(0.3)  # loading a model, say
print(json.dumps({"type": "ready", "name": "slow starter"}), flush=True)
for line in sys.stdin:
    msg = json.loads(line)
    if msg["type"] == "act":
        print(json.dumps({"type": "command", "id": msg["id"], "command": msg["legal"][-1]}), flush=True)
"""
    silent = slow.replace('print(json.dumps({"type": "ready", "name": "slow starter"}), flush=True)', "")
    _, agent = run(standard_sc, 4, "russia", parse_seat(f"external:{script(tmp_path, 's.py', slow)}:startup=10"))
    assert agent.events == [] and agent.name == "slow starter"
    _, agent = run(standard_sc, 4, "russia", parse_seat(f"external:{script(tmp_path, 'q.py', silent)}:startup=0.1"))
    assert agent.events == [] and agent.name == ""


FLOOD = """
import sys
while True:
    sys.stdout.write("x" * 200 + "\\n")
"""


def test_a_flooding_agent_is_stopped_in_bounded_memory(tmp_path: Path) -> None:
    """A program that writes as fast as it can (once 1.5 GB in 3.7 s) is stopped with a
    `flood` event once it is MAX_QUEUED lines ahead, and every later decision takes the
    default at once. Decisions are asked directly (a whole game can end before the program
    gets that far ahead); the peak memory of the process is measured in a fresh one."""
    import subprocess

    cmd = script(tmp_path, "flood.py", FLOOD)
    code = f"""
import resource, time
from game.agents.registry import build_agents, parse_seats, parse_seat
from game.engine import open_scenario, legal_actions, new_game
from game.views import role_record
sc = open_scenario({str(ROOT / "scenarios" / "standard.yaml")!r})
seats = parse_seats("", sc)
seats["us"] = parse_seat({("external:" + cmd + ":timeout=5")!r})
agent = build_agents(sc, seats, 5)[0]
s = new_game(sc, 5)
legal = legal_actions(s, 0)
start = time.monotonic()
with agent:
    for _ in range(400):
        agent.act(role_record(s, 0), legal)
        if any(e["kind"] == "flood" for e in agent.events):
            break
    stopped = agent.process is None or agent.process.poll() is not None
print([e["kind"] for e in agent.events][-1], stopped, round(time.monotonic() - start, 1))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    lines = out.stdout.split("\n")
    last, stopped, seconds = lines[0].split()
    assert (last, stopped) == ("flood", "True"), (out.stdout, out.stderr[-2000:])
    assert float(seconds) < 10
    assert int(lines[1]) < 300_000, f"peak RSS {int(lines[1]) // 1024} MB"
