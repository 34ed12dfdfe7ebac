"""Every effect and condition kind is complete: schema, reference check, compile step,
description, declared state, rulebook row — and adding one is one module.

Each kind's ``example`` is written against tests/fixtures/kinds.yaml.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import TypeAdapter, ValidationError

from game.compiled import Compiler, compile_scenario
from game.describe import Describer
from game.kinds import CONDITIONS, EFFECTS, Condition, Effect, missing_parts
from game.kinds.base import STATE_PARTS, EffectKind
from game.rulebook import render
from game.rules import new_game
from game.scenario.loader import load_scenario
from game.scenario.references import Checker, Ctx
from game.state import IN_DECK
from game.work import Work

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "kinds.yaml"
MODEL = load_scenario(FIXTURE)
SC = compile_scenario(MODEL)
IN_CARD = Ctx(card_role="r1", has_targets=True)
EFFECT = TypeAdapter(Effect)
CONDITION = TypeAdapter(Condition)

#: How to read each state part off a work copy, to check `touches`.
PARTS = {
    "tracks": lambda w: list(w.tracks),
    "capital": lambda w: list(w.capital),
    "flags": lambda w: w.flags,
    "windows": lambda w: list(w.windows),
    "blocks": lambda w: list(w.blocks),
    "shock_deck": lambda w: list(w.shock_status),
    "shock_weights": lambda w: list(w.shock_delta),
    "hands": lambda w: (list(w.hands), list(w.decks), list(w.discards), list(w.removed)),
}


def _members(union: Any) -> set[type]:
    return set(get_args(get_args(union)[0]))


def test_the_unions_are_exactly_the_registries() -> None:
    assert _members(Effect) == set(EFFECTS.values())
    assert _members(Condition) == set(CONDITIONS.values())
    assert set(PARTS) == set(STATE_PARTS)


@pytest.mark.parametrize("kind", [*EFFECTS.values(), *CONDITIONS.values()], ids=lambda k: k.tag())
def test_every_kind_has_every_part(kind: type) -> None:
    assert missing_parts(kind) == []


def test_a_kind_lacking_a_part_is_refused_at_import() -> None:
    """The registry refuses an incomplete kind with the parts it lacks, by name."""
    code = textwrap.dedent(
        """
        from typing import Literal
        from game.kinds.base import EffectKind, effect
        try:
            @effect
            class Half(EffectKind):
                op: Literal["half"]
                def compile(self, c): return lambda w: None
        except TypeError as e:
            print(e)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    for part in ("check", "describe", "summary", "example", "touches"):
        assert part in out, out
    assert "compile" not in out.split("lacks:")[1]


def _work(seed: int, primed: bool = False) -> Work:
    """A new game's work copy during a card's resolution; `primed`: with the window
    open, the shock in the deck and the flag set, so closing, removing and clearing act."""
    w = Work(new_game(SC, seed))
    w.owner, w.target = 0, 1
    if primed:
        w.windows[0] = w.turn + 2
        w.shock_status[0] = IN_DECK
        w.flags |= 1 << SC.flag_index["f"]
    return w


def _state_parts(w: Work) -> dict[str, Any]:
    return {name: read(w) for name, read in PARTS.items()}


@pytest.mark.parametrize("kind", list(EFFECTS.values()), ids=lambda k: k.tag())
def test_effect_example_loads_checks_compiles_runs_and_describes(kind: type[EffectKind]) -> None:
    e = EFFECT.validate_python(kind.example)
    assert type(e) is kind
    refs = Checker(MODEL)
    refs.effect(("effects", 0), e, IN_CARD)
    assert refs.found == []
    run = Compiler(MODEL).effects([e])
    assert run and all(callable(f) for f in run)
    changed: set[str] = set()
    for seed in range(12):  # several seeds, so a roll's outcomes are reached
        for primed in (False, True):
            w = _work(seed, primed)
            before = _state_parts(w)
            for f in run:
                f(w)
            after = _state_parts(w)
            changed |= {name for name in PARTS if before[name] != after[name]}
    declared = set(kind.touches)
    for inner in _nested_kinds(e):
        declared |= inner.touches
    assert changed <= declared, f"{kind.tag()} changed {changed - declared} but declares only {declared}"
    assert changed, f"{kind.tag()}'s example changed nothing in 12 games: make it one that acts"
    words = Describer(MODEL).effect(e)
    assert words and kind.__name__ not in words and "op=" not in words


def _nested_kinds(e: EffectKind) -> list[EffectKind]:
    out = []
    for effects in e.nested():
        for inner in effects:
            out.append(inner)
            out.extend(_nested_kinds(inner))
    return out


@pytest.mark.parametrize("kind", list(CONDITIONS.values()), ids=lambda k: k.tag())
def test_condition_example_loads_checks_compiles_and_describes(kind: type) -> None:
    c = CONDITION.validate_python(kind.example)
    assert type(c) is kind
    refs = Checker(MODEL)
    refs.cond(("when",), c, IN_CARD)
    assert refs.found == []
    test = Compiler(MODEL).cond(c)
    assert {test(_work(1)), test(_work(1, primed=True))} <= {True, False}
    words = Describer(MODEL).cond(c)
    assert words and kind.__name__ not in words and "test=" not in words


REF_FIELDS = ("track", "flag", "window", "shock", "role", "card")


@pytest.mark.parametrize(
    ("kind", "field"),
    [(k, f) for k in [*EFFECTS.values(), *CONDITIONS.values()] for f in REF_FIELDS if f in k.example],
    ids=lambda x: x if isinstance(x, str) else x.tag(),
)
def test_a_dangling_id_in_any_kind_is_reported_at_its_field(kind: type, field: str) -> None:
    broken = {**kind.example, field: "nope"}
    adapter = EFFECT if issubclass(kind, EffectKind) else CONDITION
    item = adapter.validate_python(broken)
    refs = Checker(MODEL)
    if issubclass(kind, EffectKind):
        refs.effect(("x",), item, IN_CARD)
    else:
        refs.cond(("x",), item, IN_CARD)
    assert [loc for loc, _ in refs.found] == [("x", field)], refs.found
    assert "'nope'" in refs.found[0][1]


def test_a_bad_field_value_names_the_kind_and_field() -> None:
    with pytest.raises(ValidationError) as err:
        EFFECT.validate_python({"op": "open_window", "window": "w", "turns": 0})
    assert "open_window.turns" in str(err.value)


def test_the_rulebook_tables_list_every_kind() -> None:
    tables = render(MODEL)
    for tag, kind in EFFECTS.items():
        assert f"| `{tag}` |" in tables["effects"] and kind.summary in tables["effects"].replace("\\|", "|")
    for tag in CONDITIONS:
        assert f"| `{tag}` |" in tables["conditions"]


TOY_KIND = '''
"""A toy effect kind: move capital from one role to another."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from game.kinds.base import EffectKind, effect


@effect
class TransferCapital(EffectKind):
    summary: ClassVar[str] = "move `amount` capital from role `frm` to role `to`"
    example: ClassVar[dict[str, Any]] = {"op": "transfer_capital", "frm": "r2", "to": "r1", "amount": 1}
    touches: ClassVar[frozenset[str]] = frozenset({"capital"})

    op: Literal["transfer_capital"]
    frm: str
    to: str
    amount: int = Field(ge=1, le=5)

    def check(self, v, loc, ctx):
        v.role(loc + ("frm",), self.frm, ctx)
        v.role(loc + ("to",), self.to, ctx)

    def compile(self, c):
        frm, to, amount = c.role_ref(self.frm), c.role_ref(self.to), self.amount

        def transfer(w):
            giver = w.resolve(frm)
            moved = min(amount, w.capital[giver])
            w.gain_capital(giver, -moved)
            w.gain_capital(w.resolve(to), moved)

        return transfer

    def describe(self, d):
        return f"{d.who(self.frm)} pays {d.who(self.to)} {self.amount} capital"
'''

def test_adding_an_effect_kind_is_one_module(tmp_path: Path) -> None:
    """README's "add an effect kind": a copy of the engine with one new module in
    game/kinds/ loads a scenario using it, checks its references, compiles it, plays
    it and words it in the rulebook — nothing else edited."""
    shutil.copytree(ROOT / "game", tmp_path / "game", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "game" / "kinds" / "transfer.py").write_text(TOY_KIND, encoding="utf-8")
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "id: c1b, title: Card one b, kind: framing, role: r1, cost: 1, text: A card., source: test, "
        "effects: [{op: shift, track: a, amount: 1}]",
        "id: c1b, title: Card one b, kind: framing, role: r1, cost: 1, text: A card., source: test, "
        "effects: [{op: transfer_capital, frm: r2, to: owner, amount: 2}]",
    )
    good = tmp_path / "toy.yaml"
    good.write_text(text, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("frm: r2", "frm: r9"), encoding="utf-8")
    script = tmp_path / "play.py"
    script.write_text(TOY_PLAY, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "WEDGE_PURE": "1"}
    proc = subprocess.run(
        [sys.executable, str(script), str(good), str(bad)], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "describe: Role Two pays you 2 capital" in out
    assert "rulebook: True" in out
    assert "capital moved: r1 +2, r2 -2" in out, out
    assert "game over: over" in out
    assert "bad.yaml:" in out and "frm: unknown role 'r9'" in out, out


TOY_PLAY = """
import sys
from game.compiled import compile_scenario
from game.describe import Describer
from game.rulebook import render
from game.scenario.loader import ScenarioError, load_scenario
from game.rules import new_game
from game.state import IN_DECK
from game.work import Work

model = load_scenario(sys.argv[1])
print("describe:", Describer(model).effects(model.cards[1].effects))
print("rulebook:", "transfer_capital" in render(model)["effects"])
sc = compile_scenario(model)
w = Work(new_game(sc, 3))
w.owner = 0
before = list(w.capital)
for f in sc.card_effects[1]:
    f(w)
print(f"capital moved: r1 {w.capital[0] - before[0]:+d}, r2 {w.capital[1] - before[1]:+d}")
from game.agents.registry import build_agents
from game.agents.registry import parse_agents
from game.simulate import play

played = play(sc, 5, build_agents(sc, parse_agents("random", sc), 5), record=False).state
print("game over:", played.phase, played.end_reason)
try:
    load_scenario(sys.argv[2])
except ScenarioError as e:
    print("error:", e)
"""
