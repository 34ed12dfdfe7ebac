"""The engine's public face (game.engine, reachable as game.*) and its one compiled-scenario cache."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from wedge_testing import ROOT, STANDARD

import game
from game.engine import compiled, compiled_json, open_scenario
from game.scenario.loader import load_scenario


def test_a_whole_game_through_the_facade() -> None:
    sc = game.open_scenario(STANDARD)
    s = game.new_game(sc, 7)
    while s.phase != "over":
        role = s.ready.index(False)
        s = game.apply(s, game.legal_actions(s, role)[-1])
    assert s.turn == sc.rules.turns
    assert "tracks" in game.public_view(s) and game.role_view(s, "us")["role"] == "us"


def test_one_compiled_scenario_per_content(tmp_path: Path) -> None:
    """A file opened twice, a copy of it elsewhere, its model validated again and its JSON
    with its hash all give the same Compiled object."""
    sc = open_scenario(STANDARD)
    assert open_scenario(STANDARD) is sc
    copy = tmp_path / "copy.yaml"
    shutil.copy(STANDARD, copy)
    assert open_scenario(copy) is sc
    assert compiled(load_scenario(STANDARD)) is sc
    assert compiled_json(sc.content_hash, "not even read when the hash is known") is sc


def test_an_edited_file_is_compiled_again(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = STANDARD.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    before = open_scenario(path)
    path.write_text(text.replace("turns: 8", "turns: 7", 1), encoding="utf-8")
    after = open_scenario(path)
    assert after is not before and after.rules.turns == 7


def test_importing_game_does_not_import_the_engine() -> None:
    code = "import sys, game; print('game.engine' in sys.modules, 'game.rules' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_the_lazy_names_are_the_engines_public_names() -> None:
    """game.__getattr__ keeps its own list (importing the engine to read it would make
    `import game` heavy): it must stay the engine's __all__."""
    from game import engine

    assert set(engine.__all__) == game._FACADE
