"""The compiled engine (mypyc) plays exactly the games the pure-Python engine plays.

``make test`` builds it first (``wedge accel build``); where no build exists the
comparisons are skipped, unless ``WEDGE_REQUIRE_ACCEL=1`` (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import sysconfig
from pathlib import Path

import pytest

import game.rules
from game import accel

ROOT = Path(__file__).resolve().parent.parent
PURE = {"WEDGE_PURE": "1"}


@pytest.fixture(scope="module")
def compiled() -> None:
    if not accel.active():
        if os.environ.get("WEDGE_REQUIRE_ACCEL", "") not in ("", "0"):
            pytest.fail(f"no compiled engine, but WEDGE_REQUIRE_ACCEL is set: {accel.status()}")
        pytest.skip(f"no compiled engine: {accel.status()}")


def test_the_hot_path_runs_compiled_in_this_process(compiled: None) -> None:
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    for name in accel.MODULES:
        module = __import__(name, fromlist=["_"])
        assert module.__file__ is not None and module.__file__.endswith(suffix), name
    assert "compiled engine (mypyc) in use" in accel.status()


@pytest.mark.parametrize("scenario", ["standard", "classroom"])
@pytest.mark.parametrize("seed", [1, 7, 2**40 + 3])
def test_compiled_and_pure_engines_play_identical_games(compiled: None, wedge, scenario: str, seed: int) -> None:
    path = str(ROOT / "scenarios" / f"{scenario}.yaml")
    fast = wedge("simulate", path, "--seed", str(seed), "--json")
    pure = wedge("simulate", path, "--seed", str(seed), "--json", env=PURE)
    assert fast.returncode == 0 and pure.returncode == 0, fast.stderr + pure.stderr
    assert fast.stdout == pure.stdout
    assert json.loads(fast.stdout)["seed"] == seed


def test_search_and_heuristic_agents_decide_alike_on_both_engines(compiled: None, wedge, tmp_path: Path) -> None:
    """Views and determinization are compiled too: agents that read views and sample
    hidden states (ISMCTS, heuristic) must make the same decisions on both engines."""
    agents = "us=ismcts:iterations=20,russia=heuristic,prc=heuristic,india=random"
    rows = []
    for name, env in (("compiled", None), ("pure", PURE)):
        out = tmp_path / name
        run = wedge(
            "playtest", str(ROOT / "scenarios" / "standard.yaml"), "--agents", agents, "--games", "3",
            "--workers", "1", "--no-plots", "--quiet", "--out", str(out), env=env,
        )
        assert run.returncode == 0, run.stderr
        rows.append((out / "games.jsonl").read_text())
    assert rows[0] == rows[1]
    assert rows[0].count("\n") == 3


def test_a_game_saved_by_one_engine_replays_hash_for_hash_on_the_other(compiled: None, wedge, tmp_path: Path) -> None:
    standard = str(ROOT / "scenarios" / "standard.yaml")
    compiled_save, pure_save = tmp_path / "compiled.json", tmp_path / "pure.json"
    assert wedge("simulate", standard, "--seed", "11", "--save", str(compiled_save)).returncode == 0
    assert wedge("simulate", standard, "--seed", "11", "--save", str(pure_save), env=PURE).returncode == 0
    assert json.loads(compiled_save.read_text()) == json.loads(pure_save.read_text())
    verify = wedge("replay", str(compiled_save), "--verify", env=PURE)
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_the_pure_engine_runs_when_there_is_no_build(wedge, tmp_path: Path) -> None:
    env = {"WEDGE_ACCEL_DIR": str(tmp_path)}
    status = wedge("accel", "status", env=env)
    assert status.returncode == 0
    assert "pure-Python engine: no compiled build of these sources" in status.stdout
    assert str(tmp_path) in status.stdout


def test_an_incomplete_build_is_never_loaded(wedge, tmp_path: Path) -> None:
    """A build missing a module (say, interrupted while copying) must not half-load."""
    build = tmp_path / accel.source_key()
    build.mkdir()
    (build / "manifest.json").write_text(json.dumps({"key": build.name, "files": {"game.rules": "game/rules.so"}}))
    status = wedge("accel", "status", env={"WEDGE_ACCEL_DIR": str(tmp_path)})
    assert "no compiled build of these sources" in status.stdout


def test_wedge_pure_forces_the_pure_engine(wedge) -> None:
    status = wedge("accel", "status", env=PURE)
    assert status.stdout.strip() == "pure-Python engine (WEDGE_PURE is set)"


def test_the_build_key_follows_the_sources() -> None:
    """A build is filed under a hash of every compiled module's source: an edited
    module can never be shadowed by a stale build."""
    key = accel.source_key()
    assert key == accel.source_key() and len(key) == 24
    assert {accel.source_path(m).name for m in accel.MODULES} >= {"rules.py", "state.py", "phases.py"}
    assert all(accel.source_path(m).is_file() for m in accel.MODULES)
    assert Path(game.rules.__file__ or "").stem.split(".")[0] == "rules"


def test_a_build_that_cannot_be_written_is_one_clear_error(wedge, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    run = wedge("accel", "build", env={"WEDGE_ACCEL_DIR": str(blocker / "builds")})
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    assert f"cannot write the compiled engine under {blocker / 'builds'}" in run.stderr
    assert "the pure-Python engine will be used" in run.stderr


def test_version_names_the_engine(wedge) -> None:
    pure = wedge("--version", env=PURE)
    assert pure.returncode == 0
    assert pure.stdout.startswith("wedge 0.") and pure.stdout.strip().endswith("· pure-Python engine")
    if accel.active():
        assert wedge("--version").stdout.strip().endswith("· compiled engine")


@pytest.mark.parametrize("kind", ["random", "heuristic", "ismcts", "external"])
def test_agent_classes_keep_their_class_attributes(kind: str) -> None:
    """The registry reads PARAMS from the class. In a compiled class an attribute
    declared without ClassVar becomes a per-instance slot, and the class then holds a
    descriptor (which made ``random:foo=1`` a TypeError instead of a clear error)."""
    from game.agents.registry import AgentSpecError, agent_class, parse_seat

    cls = agent_class(kind)
    assert isinstance(cls.PARAMS, dict) and all(isinstance(v, str) for v in cls.PARAMS.values())
    with pytest.raises(AgentSpecError, match="has no parameter 'no-such-thing'"):
        parse_seat(f"{kind}:no-such-thing=1")



def test_agents_can_be_subclassed_in_python(standard_sc) -> None:
    """Agents are an extension point: a user's Python subclass of a compiled agent works
    (and plays exactly like the agent it extends)."""
    from game.agents.heuristic import HeuristicAgent, doctrine_for, plan_for
    from game.agents.ismcts import ISMCTSAgent
    from game.agents.random_agent import RandomAgent
    from game.simulate import play

    calls: list[str] = []

    def counting(cls: type) -> type:
        def act(self, view, legal):  # type: ignore[no-untyped-def]
            calls.append(cls.__name__)
            return super(sub, self).act(view, legal)

        sub = type(f"Counting{cls.__name__}", (cls,), {"act": act})
        return sub

    sc = standard_sc

    def agents(wrap: bool) -> list:  # type: ignore[type-arg]
        h, i, r = (counting(c) if wrap else c for c in (HeuristicAgent, ISMCTSAgent, RandomAgent))
        return [h(sc, plan_for(sc, "us", doctrine_for(sc)), 11), i(sc, 1, 12, iterations=5), r(13), r(14)]

    assert play(sc, 4, agents(True)).commands == play(sc, 4, agents(False)).commands
    assert {"HeuristicAgent", "ISMCTSAgent", "RandomAgent"} <= set(calls)
