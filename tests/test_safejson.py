"""The guarded JSON decoder (game.safejson) and every place outside JSON comes in.

Each hostile input once escaped as a traceback (RecursionError, or the bare ValueError of
an over-long integer) instead of the caller's own "malformed input" answer. The server's
share of these tests lives in tests/server/test_server_safejson.py, beside the server
fixtures.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from game import safejson
from game.agents.external import ExternalAgent
from game.agents.registry import build_agents, parse_seat, parse_seats
from game.compiled import Compiled
from game.errors import IllegalCommand
from game.hashing import state_hash
from game.rules import apply, new_game
from game.safejson import JSONInputError
from game.simulate import play
from game.state import OVER
from game.victory import evaluate

GOLDEN_SAVE = Path(__file__).resolve().parent / "report" / "golden" / "game.json"
DEEP = "[" * 100_000


def _depth(value: Any) -> int:
    """Nesting of a decoded value, the obvious recursive way (values here are shallow)."""
    if isinstance(value, dict):
        return 1 + max(map(_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_depth, value), default=0)
    return 0


# ------------------------------------------------------------------ the decoder itself


def test_depth_limit_is_exact() -> None:
    assert _depth(safejson.loads("[" * 64 + "]" * 64)) == 64
    with pytest.raises(JSONInputError, match=r"^JSON nested deeper than 64 levels$"):
        safejson.loads("[" * 65 + "]" * 65)
    objects = '{"a": ' * 64 + "1" + "}" * 64
    assert _depth(safejson.loads(objects)) == 64
    with pytest.raises(JSONInputError, match="deeper than 64"):
        safejson.loads('{"a": ' + objects + "}")
    assert safejson.loads("[[[]]]", max_depth=3) == [[[]]]
    with pytest.raises(JSONInputError, match="deeper than 2 levels"):
        safejson.loads("[[[]]]", max_depth=2)


def test_brackets_inside_strings_do_not_count() -> None:
    inside = json.dumps(["[" * 1000 + "{" * 1000])
    assert safejson.loads(inside) == ["[" * 1000 + "{" * 1000]
    # an escaped quote does not end the string, so what follows it is still inside
    escaped = '["\\"' + "[" * 1000 + '"]'
    assert safejson.loads(escaped) == ['"' + "[" * 1000]
    # an escaped backslash does not escape the quote after it: that quote does end the string
    after_backslash = '["\\\\", ' + "[" * 70 + "]" * 70 + "]"
    with pytest.raises(JSONInputError, match="deeper than 64"):
        safejson.loads(after_backslash)
    assert safejson.loads('["\\\\\\"[[["]') == ['\\"[[[']  # \\ then \" : still inside


def test_the_depth_check_runs_before_the_decoder() -> None:
    """100,000 levels: refused by the scan, so no RecursionError (and no deep recursion)."""
    with pytest.raises(JSONInputError, match="deeper than 64"):
        safejson.loads(DEEP)
    with pytest.raises(JSONInputError, match="deeper than 64"):
        safejson.loads('{"type": "ping", "x": ' + DEEP + "]" * 100_000 + "}")


def test_a_huge_integer_is_refused_with_a_clear_message() -> None:
    limit = sys.get_int_max_str_digits()
    with pytest.raises(JSONInputError, match=rf"^number too long \(over {limit} digits\)$"):
        safejson.loads('{"seed": ' + "7" * 5000 + "}")
    assert safejson.loads("7" * 100) == int("7" * 100)


def test_invalid_json_names_line_and_column() -> None:
    with pytest.raises(JSONInputError) as info:
        safejson.loads('{"a": 1,\n  }')
    err = info.value
    assert (err.lineno, err.colno) == (2, 3)
    assert str(err) == "not valid JSON: Expecting property name enclosed in double quotes at line 2 column 3"
    assert err.reason == "Expecting property name enclosed in double quotes"
    assert isinstance(err, ValueError)  # code that refused ValueError still refuses it


@pytest.mark.parametrize("text", ["NaN", "[Infinity]", '{"x": -Infinity}', "[1e999]", "-1e400"])
def test_non_finite_numbers_are_refused(text: str) -> None:
    with pytest.raises(JSONInputError) as info:
        safejson.loads(text)
    assert info.value.lineno is None and str(info.value)


def test_ordinary_values_decode_as_json_loads_does() -> None:
    text = '{"a": [1, -2.5, 1e300, true, null, "é\\u00e9\\n"], "b": {}}'
    assert safejson.loads(text) == json.loads(text)
    assert safejson.loads(text.encode("utf-8")) == json.loads(text)


def test_bytes_must_be_utf8_and_max_bytes_counts_bytes() -> None:
    with pytest.raises(JSONInputError, match="not UTF-8"):
        safejson.loads(b'["\xff"]')
    assert safejson.loads('"é"', max_bytes=4) == "é"  # 4 bytes, 3 characters
    with pytest.raises(JSONInputError, match="4 bytes; the limit is 3"):
        safejson.loads('"é"', max_bytes=3)
    with pytest.raises(JSONInputError, match="4 bytes; the limit is 3"):
        safejson.loads('"é"'.encode(), max_bytes=3)


_TEXT = st.text(alphabet='[]{}"\\/aé\n', max_size=12)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | _TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner, max_size=3),
    max_leaves=30,
)


@given(_JSON, st.booleans())
def test_the_scan_counts_exactly_the_decoders_nesting(value: Any, ascii_only: bool) -> None:
    """Strings full of brackets, quotes and backslashes never fool the depth scan."""
    text = json.dumps(value, ensure_ascii=ascii_only)
    depth = _depth(value)
    assert safejson.loads(text, max_depth=depth) == value
    if depth:
        with pytest.raises(JSONInputError, match="nested deeper"):
            safejson.loads(text, max_depth=depth - 1)


@given(st.text(alphabet='[]{}"\\ ,:1a', max_size=40))
def test_any_text_decodes_within_the_limit_or_is_refused(text: str) -> None:
    """Whatever the text, the only failure is JSONInputError, and nothing deeper than the
    limit is ever returned (so the scan never under-counts what the decoder accepts)."""
    try:
        value = safejson.loads(text, max_depth=2)
    except JSONInputError:
        return
    assert _depth(value) <= 2


# ------------------------------------------------------------------ gm:inject-custom


@pytest.mark.parametrize(
    ("payload", "why"),
    [("[" * 1500, "nested deeper than 64 levels"), ('{"id": "x", "weight": NaN}', "NaN")],
    ids=["deep", "nan"],
)
def test_inject_custom_with_hostile_json_is_refused_under_rule_11(
    standard_sc: Compiled, payload: str, why: str
) -> None:
    s = new_game(standard_sc, 3)
    before, snapshot = state_hash(s), tuple(s)
    with pytest.raises(IllegalCommand) as info:
        apply(s, "gm:inject-custom:" + payload)
    assert info.value.rule == "11"
    assert info.value.reason.startswith("custom shock is not valid: ") and why in info.value.reason
    assert state_hash(s) == before and tuple(s) == snapshot
    apply(s, "gm:pause")  # the game goes on


# ------------------------------------------------------------------ external agents

NESTED_AGENT = """
import sys
for line in sys.stdin:
    if '"act"' in line:
        print(LINE, flush=True)
"""


@pytest.mark.parametrize(
    ("line", "why"),
    [
        ('"[" * 60_000', "JSON nested deeper than 64 levels"),  # under the 64 KiB line limit
        ('\'{"type": "command", "id": \' + "9" * 5000 + \', "command": "us:seal"}\'', "number too long"),
        ('\'{"type": "command", "id": 1, "command": "us:seal", "x": NaN}\'', "NaN is not a JSON value"),
    ],
    ids=["deep", "huge-int", "nan"],
)
def test_an_agent_printing_hostile_json_gets_the_default_order(
    standard_sc: Compiled, tmp_path: Path, line: str, why: str
) -> None:
    program = tmp_path / "agent.py"
    program.write_text(NESTED_AGENT.replace("LINE", line), encoding="utf-8")
    seats = parse_seats("", standard_sc)
    seats["us"] = parse_seat(f"external:{shlex.quote(sys.executable)} {shlex.quote(str(program))}:timeout=5")
    agents = build_agents(standard_sc, seats, 9)
    agent = agents[standard_sc.role_index["us"]]
    assert isinstance(agent, ExternalAgent)
    with agent:
        played = play(standard_sc, 9, agents)
        agent.close(evaluate(played.state))
    assert played.state.phase == OVER
    # every decision was answered with garbage, recorded, and took the default
    assert agent.decision > 0
    assert [e["kind"] for e in agent.events] == ["garbage"] * agent.decision
    assert all(e["detail"].startswith(why) for e in agent.events), agent.events[0]
    mine = [c for c in played.commands if c.startswith("us:")]
    assert mine and all(c in ("us:seal", "us:done") for c in mine), mine


# ------------------------------------------------------------------ saves on the command line


def _hostile_saves(tmp: Path) -> dict[str, Path]:
    """A real save, spoiled three ways: all nesting, nesting inside meta, a 5,000-digit seed."""
    good = json.loads(GOLDEN_SAVE.read_text(encoding="utf-8"))
    saves = {"deep": DEEP}
    good["meta"] = {"note": "NESTED"}
    saves["deep-meta"] = json.dumps(good).replace('"NESTED"', DEEP + "]" * 100_000)
    good["meta"] = {}
    good["seed"] = "SEED"
    saves["huge-int"] = json.dumps(good).replace('"SEED"', "1" * 5000)
    paths = {}
    for name, text in saves.items():
        paths[name] = tmp / f"{name}.json"
        paths[name].write_text(text, encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def hostile_saves(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return _hostile_saves(tmp_path_factory.mktemp("hostile"))


@pytest.mark.parametrize("save", ["deep", "deep-meta", "huge-int"])
@pytest.mark.parametrize("command", [("replay", "--verify"), ("replay", "--text"), ("report", "--format", "md")])
def test_hostile_saves_fail_on_one_clear_line(
    wedge: Any, hostile_saves: dict[str, Path], save: str, command: tuple[str, ...]
) -> None:
    path = hostile_saves[save]
    proc = wedge(command[0], path, *command[1:])
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    why = "number too long (over" if save == "huge-int" else "nested deeper than 64 levels"
    assert lines[0].startswith(f"wedge: {path}: not a Wedge save: ") and why in lines[0], lines[0]
