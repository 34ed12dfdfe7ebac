"""Same seed, same game: across processes, hash seeds and repeated runs."""

from __future__ import annotations

import json

import pytest

from game.compiled import Compiled
from game.hashing import state_hash
from game.rules import apply, new_game
from game.simulate import play_random

SEEDS = (1, 42, 2**40 + 3)
HASH_SEEDS = ("0", "1", "12345", "random")
KEYS = {"seed", "turns", "final_tracks", "scores", "winners", "state_hash"}


def _simulate(wedge, standard_path, seed: int, hash_seed: str) -> str:
    proc = wedge("simulate", standard_path, "--seed", str(seed), "--json", env={"PYTHONHASHSEED": hash_seed})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return proc.stdout


@pytest.fixture(scope="module")
def outputs(wedge, standard_path) -> dict[int, dict[str, str]]:
    return {seed: {h: _simulate(wedge, standard_path, seed, h) for h in HASH_SEEDS} for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_simulate_is_byte_identical_under_every_hash_seed(outputs: dict[int, dict[str, str]], seed: int) -> None:
    runs = outputs[seed]
    first = runs[HASH_SEEDS[0]]
    for h, out in runs.items():
        assert out == first, f"PYTHONHASHSEED={h} changed the output of seed {seed}"


@pytest.mark.parametrize("seed", SEEDS)
def test_simulate_json_shape(outputs: dict[int, dict[str, str]], standard_sc: Compiled, seed: int) -> None:
    out = outputs[seed]["0"]
    assert out.count("\n") == 1 and out.endswith("\n"), "one JSON object on one line"
    data = json.loads(out)
    assert set(data) >= KEYS
    assert data["seed"] == seed
    assert 1 <= data["turns"] <= standard_sc.rules.turns
    assert set(data["final_tracks"]) == set(standard_sc.track_ids)
    for i, t in enumerate(standard_sc.track_ids):
        assert standard_sc.track_min[i] <= data["final_tracks"][t] <= standard_sc.track_max[i]
    assert set(data["scores"]) == set(standard_sc.role_ids)
    assert set(data["winners"]) <= set(standard_sc.role_ids)
    assert isinstance(data["state_hash"], str) and len(data["state_hash"]) == 32
    # The subprocess and this process agree on the game.
    assert data["state_hash"] == state_hash(play_random(standard_sc, seed).state)


def test_different_seeds_give_different_games(outputs: dict[int, dict[str, str]]) -> None:
    hashes = {json.loads(outputs[seed]["0"])["state_hash"] for seed in SEEDS}
    assert len(hashes) == len(SEEDS)


@pytest.mark.parametrize("seed", [0, 7, 2**63 - 1])
def test_play_random_twice_is_identical(standard_sc: Compiled, seed: int) -> None:
    a = play_random(standard_sc, seed)
    b = play_random(standard_sc, seed)
    assert a.commands == b.commands
    assert a.commands, "a game has commands"
    assert state_hash(a.state) == state_hash(b.state)
    assert a.state.ledger == b.state.ledger
    assert a.state.history == b.state.history


def test_play_random_commands_replay_to_the_same_state(standard_sc: Compiled) -> None:
    played = play_random(standard_sc, 9)
    s = new_game(standard_sc, 9)
    for c in played.commands:
        s = apply(s, c)
    assert state_hash(s) == state_hash(played.state)


def test_mini_play_random_is_deterministic(mini_sc: Compiled) -> None:
    runs = [play_random(mini_sc, 5) for _ in range(2)]
    assert runs[0].commands == runs[1].commands
    assert state_hash(runs[0].state) == state_hash(runs[1].state)


def test_new_game_depends_on_the_seed(standard_sc: Compiled) -> None:
    assert state_hash(new_game(standard_sc, 1)) == state_hash(new_game(standard_sc, 1))
    hashes = {state_hash(new_game(standard_sc, seed)) for seed in range(20)}
    assert len(hashes) == 20
