"""Every way a scenario file can be wrong yields located Problems, never a traceback.

Each test breaks the small valid scenario below in one way and checks the line,
the field path and a fragment of the message the author will see.
"""

from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import pytest
from _pytest.monkeypatch import MonkeyPatch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.scenario import loader as loader_module
from game.scenario.loader import (
    MAX_ALIASES,
    MAX_SCENARIO_BYTES,
    Problem,
    ScenarioError,
    load_scenario,
    load_scenario_text,
)
from game.scenario.models import Scenario

VALID = """\
scenario:
  id: strait
  title: The Strait
rules:
  turns: 6
tracks:
  - id: stability
    name: Stability
    min: 0
    max: 5
    start: 3
    meaning: How close the region is to open crisis.
    bands:
      - {min: 0, max: 1, label: crisis}
      - {min: 2, max: 5, label: calm}
  - id: alignment
    name: Alignment
    min: -5
    max: 5
    start: 0
    meaning: Which way the swing state leans.
    bands:
      - {min: -5, max: 5, label: any}
    drift:
      base: 0
      rate: 1
      suspended_by: [summit]
flags:
  - id: crisis
    name: Crisis
windows:
  - id: summit
    name: Summit
roles:
  - id: east
    name: East
    capital: 3
    income: 1
    hand_size: 1
    objective:
      summary: Pull the swing state east.
      terms:
        - label: leaning east
          when: {test: track, track: alignment, max: -1}
  - id: west
    name: West
    capital: 3
    income: 1
    hand_size: 1
    objective:
      summary: Keep the peace.
      terms:
        - label: calm
          when: {test: not, of: {test: flag, flag: crisis}}
cards:
  - id: embargo
    title: Embargo
    kind: sanction
    role: east
    cost: 1
    targets: [west]
    effects:
      - op: shift
        track: alignment
        amount: -1
      - op: capital
        role: target
        amount: -1
    text: Cut off trade.
    source: invented
  - id: summit-offer
    title: Summit offer
    kind: tariff_carrot
    role: west
    cost: 1
    effects:
      - op: if
        when: {test: played, role: east, card: embargo}
        then:
          - {op: flag, flag: crisis}
        else:
          - {op: open_window, window: summit, turns: 1}
    text: Offer talks.
    source: invented
shocks:
  - id: storm
    title: Storm
    weight: 1
    effects:
      - {op: shift, track: stability, amount: -1}
    text: A storm hits the strait.
    source: invented
"""


# Run everything through both parsers: libyaml (the default when PyYAML has it)
# and the pure-Python SafeLoader, which must behave the same.
PARSERS = [loader_module._PyLoader] + [c for c in [getattr(loader_module, "_CLoader", None)] if c is not None]


@pytest.fixture(autouse=True, params=PARSERS, ids=lambda c: c.__name__)
def parser(request: pytest.FixtureRequest, monkeypatch: MonkeyPatch) -> None:
    monkeypatch.setattr(loader_module, "_LOADER", request.param)


def line_of(text: str, needle: str) -> int:
    """1-based line of the single occurrence of ``needle`` (guards the fixture against drift)."""
    assert text.count(needle) == 1, f"{needle!r} must occur exactly once"
    return text[: text.index(needle)].count("\n") + 1


def edit(old: str, new: str, text: str = VALID) -> str:
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def problems(text: str | bytes) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "s.yaml")
    assert info.value.problems, "ScenarioError without problems"
    return info.value.problems


def only(text: str | bytes) -> Problem:
    found = problems(text)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


# ------------------------------------------------------------------ the baseline


def test_valid_fixture_loads(tmp_path: Path) -> None:
    s = load_scenario_text(VALID)
    assert isinstance(s, Scenario)
    assert [c.id for c in s.cards] == ["embargo", "summit-offer"]
    f = tmp_path / "ok.yaml"
    f.write_text(VALID, encoding="utf-8")
    assert load_scenario(f) == s
    assert load_scenario(str(f)) == s
    assert load_scenario_text(VALID.encode()) == s


def test_benign_alias_and_bom_and_dates_are_fine() -> None:
    text = edit(
        "      - {op: shift, track: stability, amount: -1}\n",
        "      - &hit {op: shift, track: stability, amount: -1}\n      - *hit\n",
    )
    text = edit("  title: The Strait\n", "  title: The Strait\n  version: 2024-05-01\n", text)
    s = load_scenario_text(b"\xef\xbb\xbf" + text.encode())
    assert s.shocks[0].effects[0] == s.shocks[0].effects[1]
    assert s.scenario.version == "2024-05-01"  # no implicit timestamps


# ---------------------------------------------------------------- problem shape


def test_problem_str_shape() -> None:
    p = only(edit("        amount: -1\n      - op: capital", "        amount: lots\n      - op: capital"))
    assert re.fullmatch(r"s\.yaml:\d+:\d+: cards\[0\]\.effects\[0\]\.amount: .+", str(p))
    assert str(p) == f"{p.file}:{p.line}:{p.col}: {p.path}: {p.message}"
    assert str(Problem("f", 1, 2, "", "boom")) == "f:1:2: boom"


def test_error_lists_all_problems_sorted_one_per_line() -> None:
    text = edit("  turns: 6", "  turns: 0")
    text = edit("    cost: 1\n    targets", "    cost: 99\n    targets", text)
    with pytest.raises(ScenarioError) as info:
        load_scenario_text(text, "s.yaml")
    exc = info.value
    assert [p.path for p in exc.problems] == ["rules.turns", "cards[0].cost"]
    assert str(exc).splitlines() == [str(p) for p in exc.problems]
    assert pickle.loads(pickle.dumps(exc)).problems == exc.problems


# --------------------------------------------------------------------- YAML level


def test_yaml_syntax_error() -> None:
    text = edit("targets: [west]", "targets: [west")
    p = only(text)
    assert p.line == line_of(text, "    effects:\n      - op: shift")
    assert p.path == ""
    assert "expected ',' or ']'" in p.message
    assert "\n" not in p.message


def test_tab_indentation_is_a_syntax_error() -> None:
    text = edit("  title: The Strait", "\ttitle: The Strait")
    p = only(text)
    assert (p.line, p.col) == (3, 1)
    assert "tab" in p.message or "'\\t'" in p.message  # libyaml / PyYAML wording


def test_duplicate_keys_all_reported_including_nested() -> None:
    text = edit("  title: The Strait\n", "  title: The Strait\n  id: again\n")
    text = edit("        amount: -1\n      - op: capital", (
        "        amount: -1\n        amount: -2\n      - op: capital"
    ), text)
    found = problems(text)
    assert [(p.line, p.message) for p in found] == [
        (line_of(text, "  id: again"), "duplicate key 'id' (first at line 2)"),
        (line_of(text, "amount: -2"), f"duplicate key 'amount' (first at line {line_of(text, 'amount: -2') - 1})"),
    ]


def test_merge_keys_are_rejected() -> None:
    text = edit("  title: The Strait\n", "  title: The Strait\n  <<: {version: '2'}\n")
    p = only(text)
    assert p.line == line_of(text, "<<:")
    assert "merge keys" in p.message


def test_alias_bomb_is_rejected() -> None:
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for name, prev in zip("bcdefghi", "abcdefgh", strict=True):
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]\n"
    p = only(bomb)
    assert (p.line, p.col) == (3, 8)  # first use of *b, which holds aliases itself
    assert "nested alias expansion" in p.message


def test_too_many_aliases() -> None:
    text = "x: &x 1\n" + "".join(f"k{i}: *x\n" for i in range(MAX_ALIASES + 1))
    p = only(text)
    assert p.line == MAX_ALIASES + 2
    assert "too many YAML aliases" in p.message


def test_recursive_alias() -> None:
    p = only("a: &a [1, *a]\n")
    assert (p.line, p.col) == (1, 11)
    assert "recursive YAML alias" in p.message


def test_deep_nesting_is_a_problem_not_a_recursion_error() -> None:
    p = only("a: " + "[" * 5000 + "]" * 5000)
    assert p.line == 1
    assert "nest" in p.message  # ours: "nested more than 100 levels"; libyaml: "maximum nesting depth"


def test_exotic_tags_are_rejected() -> None:
    p = only("scenario: !!python/object/apply:os.system [echo hi]\n")
    assert p.line == 1
    assert "unsupported YAML tag '!!python/object/apply:os.system'" in p.message


@pytest.mark.parametrize("value", ["!!int ''", "!!float ''", "!!int", "!!float \"\""])
def test_an_empty_tagged_number_is_a_problem_not_a_crash(value: str) -> None:
    """PyYAML's own int/float constructors index the first character of the text: an
    empty ``!!int`` raised IndexError (found by the fuzz test below)."""
    found = problems(edit("  turns: 6\n", f"  turns: {value}\n"))
    [p] = [p for p in found if p.message.startswith("invalid number")]
    assert p.line == VALID.splitlines().index("  turns: 6") + 1 and p.message.endswith("''")


# -------------------------------------------------------------- file and bytes


def test_oversized_text_and_bytes() -> None:
    big = "#" * (MAX_SCENARIO_BYTES + 1)
    for text in (big, big.encode()):
        p = only(text)
        assert (p.line, p.col) == (1, 1)
        assert p.message == f"file is {MAX_SCENARIO_BYTES + 1} bytes; the limit is {MAX_SCENARIO_BYTES}"


def test_oversized_file_is_rejected_from_stat(tmp_path: Path) -> None:
    f = tmp_path / "huge.yaml"
    with open(f, "wb") as fh:
        fh.truncate(MAX_SCENARIO_BYTES * 50)  # sparse: proves we never read it all
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    (p,) = info.value.problems
    assert (p.file, p.line, p.col) == (str(f), 1, 1)
    assert f"file is {MAX_SCENARIO_BYTES * 50} bytes" in p.message


def test_non_utf8_bytes() -> None:
    data = VALID.encode().replace(b"Cut off trade.", b"Cut off tr\xe9de.")
    p = only(data)
    assert p.line == line_of(VALID, "Cut off trade.")
    assert p.col == len("    text: Cut off tr") + 1
    assert p.message == "not valid UTF-8 (byte 0xe9)"


def test_control_characters_are_located() -> None:
    p = only(edit("The Strait", "The\x00Strait"))
    assert (p.line, p.col) == (3, 13)
    assert "#x0000" in p.message


@pytest.mark.parametrize("text", ["", "\n\n", "# just a comment\n"])
def test_empty_file(text: str) -> None:
    p = only(text)
    assert (p.line, p.col) == (1, 1)
    assert "empty" in p.message


@pytest.mark.parametrize(
    ("text", "kind"), [("- 1\n- 2\n", "a list"), ("hello\n", "a string"), ("null\n", "a null")]
)
def test_top_level_must_be_mapping(text: str, kind: str) -> None:
    p = only(text)
    assert p.line == 1
    assert p.message == f"top level must be a mapping (key: value pairs), not {kind}"


def test_missing_file_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(missing)
    assert [str(p) for p in info.value.problems] == [f"{missing}:1:1: cannot read: No such file or directory"]
    with pytest.raises(ScenarioError) as info:
        load_scenario(tmp_path)
    assert "cannot read: Is a directory" in str(info.value)


def test_read_error_is_a_problem(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    f = tmp_path / "locked.yaml"
    f.write_text(VALID)

    def deny(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(loader_module, "open", deny, raising=False)
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    assert [str(p) for p in info.value.problems] == [f"{f}:1:1: cannot read: Permission denied"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file(tmp_path: Path) -> None:
    f = tmp_path / "secret.yaml"
    f.write_text(VALID)
    f.chmod(0)
    with pytest.raises(ScenarioError) as info:
        load_scenario(f)
    assert "cannot read: Permission denied" in str(info.value)


# ----------------------------------------------------------------- schema level


def test_unknown_field() -> None:
    text = edit("    cost: 1\n    targets", "    cost: 1\n    cots: 2\n    targets")
    p = only(text)
    assert (p.line, p.col) == (line_of(text, "cots: 2"), 5)
    assert p.path == "cards[0].cots"
    assert p.message.startswith("unknown field 'cots'")
    assert "did you mean 'cost'" in p.message


def test_wrong_type() -> None:
    text = edit("        amount: -1\n      - op: capital", "        amount: lots\n      - op: capital")
    p = only(text)
    assert (p.line, p.col) == (line_of(text, "amount: lots"), len("        amount: ") + 1)
    assert p.path == "cards[0].effects[0].amount"
    assert "valid integer" in p.message and "'lots'" in p.message


def test_out_of_range_value() -> None:
    text = edit("        amount: -1\n      - op: capital", "        amount: 500\n      - op: capital")
    p = only(text)
    assert p.line == line_of(text, "amount: 500")
    assert p.path == "cards[0].effects[0].amount"
    assert "less than or equal to 100" in p.message


def test_missing_field_points_at_the_mapping() -> None:
    text = edit("        amount: -1\n      - op: capital", "      - op: capital")
    p = only(text)
    assert p.line == line_of(text, "      - op: shift")  # the mapping that lacks it
    assert p.path == "cards[0].effects[0].amount"
    assert p.message == "missing required field 'amount'"


def test_model_validator_error_points_at_its_model() -> None:
    text = edit("    start: 3\n", "    start: 9\n")
    p = only(text)
    assert p.line == line_of(text, "  - id: stability")
    assert p.path == "tracks[0]"
    assert p.message == "start 9 is outside 0..5"


def test_union_tags_are_stripped_from_paths() -> None:
    text = edit("{test: flag, flag: crisis}}", "{test: flag, flag: crisis, is: maybe}}")
    p = only(text)
    assert p.line == line_of(text, "is: maybe")
    assert p.path == "roles[1].objective.terms[0].when.of.is"
    assert "valid boolean" in p.message


def test_tag_equal_to_field_name_is_stripped_once() -> None:
    text = edit("{op: flag, flag: crisis}", "{op: flag, flag: Crisis}")
    p = only(text)
    assert p.path == "cards[1].effects[0].then[0].flag"
    assert p.col == text.splitlines()[p.line - 1].index("Crisis") + 1
    assert "lowercase" in p.message


def test_unknown_op_names_the_choices() -> None:
    text = edit("      - op: shift\n", "      - op: shfit\n")
    p = only(text)
    assert p.line == line_of(text, "op: shfit")
    assert p.path == "cards[0].effects[0].op"
    assert "unknown op 'shfit'" in p.message and "shift" in p.message


def test_else_alias_in_path() -> None:
    text = edit("window: summit, turns: 1}", "window: summit, turns: 0}")
    p = only(text)
    assert p.path == "cards[1].effects[0].else[0].turns"
    assert p.line == line_of(text, "turns: 0")


# ------------------------------------------------------------------- references


@pytest.mark.parametrize(
    ("old", "new", "path", "fragment"),
    [
        (
            "        track: alignment\n        amount: -1",
            "        track: alignmnet\n        amount: -1",
            "cards[0].effects[0].track",
            "unknown track 'alignmnet' (known: stability, alignment)",
        ),
        (
            "{op: flag, flag: crisis}",
            "{op: add_shock, shock: flood}",
            "cards[1].effects[0].then[0].shock",
            "unknown shock 'flood' (known: storm)",
        ),
        (
            "{test: played, role: east, card: embargo}",
            "{test: played, role: west, card: embargo}",
            "cards[1].effects[0].when.card",
            "card 'embargo' belongs to role 'east', not 'west'",
        ),
        (
            "{op: flag, flag: crisis}",
            "{op: flag, flag: crysis}",
            "cards[1].effects[0].then[0].flag",
            "flag 'crysis' is not declared in flags (declared: crisis)",
        ),
        (
            "window: summit, turns: 1}",
            "window: sumit, turns: 1}",
            "cards[1].effects[0].else[0].window",
            "window 'sumit' is not declared in windows",
        ),
        (
            "{op: shift, track: stability, amount: -1}",
            "{op: capital, role: owner, amount: -1}",
            "shocks[0].effects[0].role",
            "'owner' can only be used inside a card",
        ),
        (
            "{op: flag, flag: crisis}",
            "{op: draw, role: target, count: 1}",
            "cards[1].effects[0].then[0].role",
            "'target' used in a card that has no targets",
        ),
        (
            "{op: shift, track: stability, amount: -1}",
            "{op: set, track: stability, value: 9}",
            "shocks[0].effects[0].value",
            "value 9 is outside track 'stability' range 0..5",
        ),
        (
            "{test: track, track: alignment, max: -1}",
            "{test: track, track: alignment, max: -9}",
            "roles[0].objective.terms[0].when.max",
            "max -9 is outside track 'alignment' range -5..5",
        ),
        (
            "targets: [west]",
            "targets: [west, east]",
            "cards[0].targets[1]",
            "cannot target its own role 'east'",
        ),
        (
            "suspended_by: [summit]",
            "suspended_by: [summit, talks]",
            "tracks[1].drift.suspended_by[1]",
            "window 'talks' is not declared",
        ),
    ],
)
def test_dangling_references(old: str, new: str, path: str, fragment: str) -> None:
    text = edit(old, new)
    p = only(text)
    assert p.path == path
    assert fragment in p.message
    assert p.line == line_of(text, new.splitlines()[0])


def test_references_inside_roll_modifiers_and_outcomes() -> None:
    roll = (
        "{op: roll, dice: 2d6, modifiers: [{track: tension, when: {test: window, window: talks}}],"
        " outcomes: [{min: 2, max: 7, effects: [{op: reweight_shock, shock: flood, delta: 1}]}]}"
    )
    found = problems(edit("{op: shift, track: stability, amount: -1}", roll))
    assert [p.path for p in found] == [
        "shocks[0].effects[0].modifiers[0].track",
        "shocks[0].effects[0].modifiers[0].when.window",
        "shocks[0].effects[0].outcomes[0].effects[0].shock",
    ]


def test_role_without_cards() -> None:
    text = edit("    role: west\n    cost: 1", "    role: east\n    cost: 1")
    p = only(text)
    assert p.path == "roles[1].id"
    assert p.line == line_of(text, "  - id: west")
    assert p.message == "role 'west' owns no cards"


def test_duplicate_ids() -> None:
    text = edit("  - id: summit-offer", "  - id: embargo")
    text = edit("  - id: alignment", "  - id: stability", text)
    found = problems(text)
    by_path = {p.path: p for p in found}
    assert by_path["cards[1].id"].message == "duplicate id 'embargo' (first at cards[0])"
    assert by_path["cards[1].id"].line == line_of(text, "  - id: embargo\n    title: Summit")
    assert by_path["tracks[1].id"].line == line_of(text, "  - id: stability\n    name: Alignment")


def test_defaulted_rule_references_say_so() -> None:
    text = edit("flags:\n  - id: crisis\n    name: Crisis\n", "")
    text = edit("{test: flag, flag: crisis}", "{test: turn, min: 6}", text)
    text = edit("{op: flag, flag: crisis}", "{op: capital, role: owner, amount: 1}", text)
    p = only(text)
    assert p.path == "rules.crisis_flag"
    assert p.line == line_of(text, "rules:") + 1  # the rules mapping lacks the key
    assert p.message == "flag 'crisis' (the default) is not declared in flags (none declared)"


# --------------------------------------------------------------------- fuzzing


# The autouse `parser` fixture only swaps a module global, so sharing it across examples is safe.
FUZZ_CHECKS = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]


def _load_or_problem(data: str | bytes) -> None:
    try:
        load_scenario_text(data, "fuzz.yaml")
    except ScenarioError as e:
        assert e.problems
        for p in e.problems:
            assert p.line >= 1 and p.col >= 1 and p.message
            assert "\n" not in p.message


@settings(max_examples=200, deadline=None, suppress_health_check=FUZZ_CHECKS)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(data: bytes) -> None:
    _load_or_problem(data)


_SNIPPETS = st.sampled_from(
    ["", ":", "- ", "{", "}", "[", "]", "&a ", "*a", "!!int ", "<<: ", "\t", "\n", "  ", "'", '"', "#",
     "\x00", "\ud800", "é", "-1", "99999", "op: ", "test: ", "~", "? ", "|", ">-\n", "---\n", "%YAML 1.1\n"]
)


@settings(max_examples=200, deadline=None, suppress_health_check=FUZZ_CHECKS)
@given(
    st.lists(
        st.tuples(st.integers(0, len(VALID)), st.integers(0, 8), st.one_of(_SNIPPETS, st.text(max_size=4))),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_valid_yaml_never_crashes(edits: list[tuple[int, int, str]]) -> None:
    text = VALID
    for at, cut, insert in edits:
        at = min(at, len(text))
        text = text[:at] + insert + text[at + cut :]
    _load_or_problem(text)


@settings(max_examples=100, deadline=None, suppress_health_check=FUZZ_CHECKS)
@given(st.lists(st.integers(0, VALID.count("\n") - 1), min_size=1, max_size=3))
def test_dropped_lines_never_crash(drop: list[int]) -> None:
    lines = VALID.splitlines(keepends=True)
    _load_or_problem("".join(line for i, line in enumerate(lines) if i not in drop))


@pytest.mark.parametrize("value", ["true", "8.0", "'8'"])
def test_integer_fields_refuse_booleans_floats_and_strings(tmp_path: Path, value: str) -> None:
    """`turns: true` used to validate (a 1-turn game) and `turns: 8.0` was accepted."""
    from wedge_testing import STANDARD

    text = STANDARD.read_text(encoding="utf-8").replace("turns: 8", f"turns: {value}", 1)
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert "rules.turns" in str(err.value) and "valid integer" in str(err.value)
    assert str(err.value).startswith(f"{path}:13:")


def test_a_flood_of_list_items_is_refused_fast_and_small(tmp_path: Path) -> None:
    """standard.yaml plus ~290,000 lines of `  - {}` under cards (2 MB): once 2.3 million
    problem lines, 3 GB and 22 s. Now one line naming the limit, in bounded memory (the
    peak RSS of a fresh process, measured)."""
    import subprocess
    import sys

    from wedge_testing import STANDARD

    text = STANDARD.read_text(encoding="utf-8").replace("\ncards:\n", "\ncards:\n" + "  - {}\n" * 280_000, 1)
    path = tmp_path / "flood.yaml"
    path.write_text(text, encoding="utf-8")
    code = (
        "import resource, sys\n"
        "from game.scenario.loader import ScenarioError, load_scenario\n"
        "try:\n    load_scenario(sys.argv[1])\nexcept ScenarioError as e:\n    print(str(e))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 2, out.stdout[:500]
    assert "more than 100000 YAML nodes" in lines[0]
    assert int(lines[1]) < 800_000, f"peak RSS {int(lines[1]) // 1024} MB"  # KiB on Linux; was 3 GB


def test_problems_are_capped_with_a_count_of_the_rest(tmp_path: Path) -> None:
    from wedge_testing import STANDARD

    text = STANDARD.read_text(encoding="utf-8").replace("\ncards:\n", "\ncards:\n" + "  - {}\n" * 300, 1)
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    lines = str(err.value).splitlines()
    assert len(err.value.problems) == 100 and len(lines) == 101
    assert lines[-1].startswith(f"{path}: ... and ") and lines[-1].endswith("more problems")
    assert err.value.more > 100
