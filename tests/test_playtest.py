"""Batch self-play (`wedge playtest`): determinism across workers and backends, resume,
Ctrl-C, outputs, replay of a recorded game, and per-game seeds."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from wedge_testing import ROOT, STANDARD, wedge_command

from game import rng
from game.agents.registry import canonical_agents, parse_agents
from game.compiled import compile_scenario
from game.playtest.directory import BatchSpec, PlaytestDir
from game.playtest.errors import PlaytestError
from game.playtest.rows import play_game
from game.playtest.runner import run_playtest
from game.playtest.seeds import chunk_size, chunks, game_seed
from game.playtest.stats import wilson
from game.scenario.loader import load_scenario

SEED = 11
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    return load_scenario(STANDARD)


@pytest.fixture(scope="module")
def spec(model) -> BatchSpec:  # type: ignore[no-untyped-def]
    sc = compile_scenario(model)
    return BatchSpec(str(STANDARD), model, SEED, canonical_agents("random", sc))


def rows_by_index(directory: Path) -> list[str]:
    """games.jsonl lines sorted by game index (files are in completion order)."""
    lines = (directory / "games.jsonl").read_text(encoding="utf-8").splitlines()
    return sorted(lines, key=lambda line: json.loads(line)["index"])


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory, spec: BatchSpec) -> Path:  # type: ignore[no-untyped-def]
    """24 games on 2 local workers, with summary and plots (shared by several tests)."""
    out = tmp_path_factory.mktemp("pt") / "two"
    result = run_playtest(spec, 24, out, workers=2, progress=False)
    assert result.played == 24 and not result.interrupted
    return out


# ------------------------------------------------------------------------- seeds


def test_game_seeds_are_derived_distinct_and_fixed() -> None:
    seeds = [game_seed(SEED, i) for i in range(20_000)]
    assert len(set(seeds)) == len(seeds)
    assert all(0 <= s < 2**63 for s in seeds)
    assert seeds[5] == rng.derive(SEED, "game", 5)
    assert game_seed(SEED + 1, 5) != seeds[5]


def test_chunks_cover_every_index_once() -> None:
    todo = [i for i in range(1000) if i % 7]
    for workers in (1, 2, 8):
        got = [i for c in chunks(todo, chunk_size(len(todo), workers)) for i in c]
        assert got == todo


def test_seeds_in_rows_do_not_depend_on_workers(two_workers: Path, spec: BatchSpec, tmp_path: Path) -> None:
    one = run_playtest(spec, 24, tmp_path / "one", workers=1, summarize=False, progress=False)
    assert one.played == 24
    seeds_one = {json.loads(x)["index"]: json.loads(x)["seed"] for x in rows_by_index(tmp_path / "one")}
    seeds_two = {json.loads(x)["index"]: json.loads(x)["seed"] for x in rows_by_index(two_workers)}
    assert seeds_one == seeds_two == {i: game_seed(SEED, i) for i in range(24)}
    # 1 worker vs 2 workers: the very same rows.
    assert rows_by_index(tmp_path / "one") == rows_by_index(two_workers)


# -------------------------------------------------------------------------- rows


def test_row_contents_are_consistent(spec: BatchSpec) -> None:
    sc = compile_scenario(spec.model)
    row = play_game(sc, parse_agents("random", sc), spec.agents, SEED, 3)
    assert row["index"] == 3 and row["seed"] == game_seed(SEED, 3)
    traj = row["trajectory"]
    assert set(traj) == set(sc.track_ids)
    assert all(len(v) == row["turns"] for v in traj.values())
    assert {t: v[-1] for t, v in traj.items()} == row["final_tracks"]
    assert sum(row["card_counts"].values()) == len(row["cards_played"])
    assert set(row["card_impact"]) <= set(row["card_counts"])
    assert row["commands"] and len(row["state_hash"]) == 32
    assert row["events"] == {}
    json.dumps(row)


def test_agents_spec_shorthand(spec: BatchSpec) -> None:
    sc = compile_scenario(spec.model)
    full = ",".join(f"{r}=random" for r in sc.role_ids)
    assert canonical_agents("random", sc) == canonical_agents(full, sc) == canonical_agents("us=random", sc)


# ----------------------------------------------------------------------- backends


def test_local_and_ray_write_the_same_games(two_workers: Path, spec: BatchSpec, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray", reason="Ray is not installed (pip install 'wedge[ray]')")
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="ERROR")
    try:
        result = run_playtest(spec, 24, tmp_path / "ray", workers=2, backend="ray", summarize=False, progress=False)
    finally:
        ray.shutdown()
    assert result.played == 24
    assert rows_by_index(tmp_path / "ray") == rows_by_index(two_workers)


# ------------------------------------------------------------------------ resume


def test_resume_plays_only_the_missing_games(two_workers: Path, spec: BatchSpec, tmp_path: Path) -> None:
    out = tmp_path / "resume"
    first = run_playtest(spec, 10, out, workers=2, summarize=False, progress=False)
    assert (first.before, first.played) == (0, 10)
    second = run_playtest(spec, 24, out, workers=2, summarize=False, progress=False)
    assert (second.before, second.played) == (10, 14)
    runs = json.loads((out / "meta.json").read_text())["runs"]
    assert [(r["games_before"], r["played"]) for r in runs] == [(0, 10), (10, 14)]
    # Same result as a fresh 24-game run (here: the 2-worker fixture).
    assert rows_by_index(out) == rows_by_index(two_workers)
    third = run_playtest(spec, 24, out, workers=1, summarize=False, progress=False)
    assert third.played == 0


def test_resume_refuses_a_different_batch(spec: BatchSpec, tmp_path: Path) -> None:
    out = tmp_path / "mismatch"
    run_playtest(spec, 2, out, workers=1, summarize=False, progress=False)
    other_seed = BatchSpec(spec.scenario_path, spec.model, SEED + 1, spec.agents)
    with pytest.raises(PlaytestError, match="different seed"):
        run_playtest(other_seed, 4, out, workers=1, summarize=False, progress=False)
    other_agents = BatchSpec(spec.scenario_path, spec.model, SEED, spec.agents.replace("us=random", "us=heuristic"))
    with pytest.raises(PlaytestError, match="different agents spec"):
        run_playtest(other_agents, 4, out, workers=1, summarize=False, progress=False)
    changed = spec.model.model_copy(update={"rules": spec.model.rules.model_copy(update={"turns": 5})})
    with pytest.raises(PlaytestError, match="different scenario hash"):
        run_playtest(BatchSpec("x", changed, SEED, spec.agents), 4, out, workers=1, summarize=False, progress=False)
    assert len(rows_by_index(out)) == 2


def test_resume_refuses_a_batch_whose_doctrine_file_changed(model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A doctrine is strategy outside the scenario and the seat spec: a batch resumed after
    editing it would silently mix two strategies, so resuming is refused."""
    doctrine = tmp_path / "doctrine.yaml"
    doctrine.write_text((STANDARD.parent / "doctrine.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    sc = compile_scenario(model)
    spec = BatchSpec(str(STANDARD), model, SEED, canonical_agents(f"us=heuristic:doctrine={doctrine}", sc))
    out = tmp_path / "doctrine-batch"
    run_playtest(spec, 2, out, workers=1, summarize=False, progress=False)
    run_playtest(spec, 3, out, workers=1, summarize=False, progress=False)  # unchanged file: resumes
    doctrine.write_text(doctrine.read_text(encoding="utf-8").replace("play_above: 0.5", "play_above: 0.6", 1),
                        encoding="utf-8")
    with pytest.raises(PlaytestError, match="different doctrine"):
        run_playtest(spec, 4, out, workers=1, summarize=False, progress=False)
    assert len(rows_by_index(out)) == 3


def test_torn_last_line_is_cut_on_resume(spec: BatchSpec, tmp_path: Path) -> None:
    out = tmp_path / "torn"
    run_playtest(spec, 3, out, workers=1, summarize=False, progress=False)
    games = out / "games.jsonl"
    whole = games.read_text(encoding="utf-8")
    games.write_text(whole + whole.splitlines()[0][:40], encoding="utf-8")  # a crash mid-write
    result = run_playtest(spec, 4, out, workers=1, summarize=False, progress=False)
    assert result.played == 1
    assert [json.loads(x)["index"] for x in rows_by_index(out)] == [0, 1, 2, 3]


# ------------------------------------------------------------------------ Ctrl-C


def test_ctrl_c_keeps_finished_games_and_resume_finishes(tmp_path: Path) -> None:
    out = tmp_path / "interrupted"
    args = [*wedge_command(), "playtest", str(STANDARD), "--games", "800", "--seed", "3", "--workers", "2",
            "--out", str(out), "--no-plots"]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    games = out / "games.jsonl"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if games.exists() and games.stat().st_size > 0:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, (stdout, stderr)
    assert "Traceback" not in stderr
    assert "resume" in stderr and len(stderr.strip().splitlines()) == 1
    text = games.read_text(encoding="utf-8")
    assert text.endswith("\n")
    done = [json.loads(line)["index"] for line in text.splitlines()]  # every line is complete JSON
    assert 0 < len(done) < 800 and len(set(done)) == len(done)
    assert json.loads((out / "summary.json").read_text())["games"] == len(done)
    assert json.loads((out / "meta.json").read_text())["runs"][-1]["interrupted"] is True
    again = subprocess.run(args + ["--quiet"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    indices = sorted(json.loads(line)["index"] for line in games.read_text().splitlines())
    assert indices == list(range(800))
    assert json.loads((out / "meta.json").read_text())["runs"][-1]["played"] == 800 - len(done)


# ----------------------------------------------------------------------- outputs


def test_outputs_exist_and_parse(two_workers: Path, spec: BatchSpec) -> None:
    meta = json.loads((two_workers / "meta.json").read_text())
    assert meta["scenario_hash"] == spec.scenario_hash and meta["seed"] == SEED
    assert meta["agents"] == spec.agents and meta["scenario"]["scenario"]["id"] == "standard"
    assert meta["wedge_version"]

    with open(two_workers / "games.csv", newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames is not None
        assert reader.fieldnames[:4] == ["index", "seed", "turns", "end_reason"]
        for col in ("score_us", "won_india", "final_alignment", "final_stability"):
            assert col in reader.fieldnames
        csv_rows = list(reader)
    assert [int(r["index"]) for r in csv_rows] == list(range(24))

    summary = json.loads((two_workers / "summary.json").read_text())
    for key in ("games", "roles", "tracks", "trajectory", "cards", "crisis_rate", "crisis_ci95"):
        assert key in summary
    assert summary["games"] == 24
    intervals = [(r["win_rate"], r["win_ci95"]) for r in summary["roles"].values()]
    intervals += [(c["pick_rate"], c["pick_rate_ci95"]) for c in summary["cards"].values()]
    intervals.append((summary["crisis_rate"], summary["crisis_ci95"]))
    for p, (lo, hi) in intervals:
        assert 0.0 <= lo <= p <= hi <= 1.0
    a = summary["tracks"]["alignment"]
    assert a["min"] <= a["q1"] <= a["median"] <= a["q3"] <= a["max"]
    assert len(summary["trajectory"]["alignment"]["median"]) == max(int(r["turns"]) for r in csv_rows)
    us_cards = [c for c in summary["cards"].values() if c["role"] == "us"]
    assert us_cards and all("alignment" in c["impact_per_play"] for c in us_cards)

    for name in ("win_rates.png", "trajectories.png", "cards.png"):
        data = (two_workers / name).read_bytes()
        assert data[:8] == PNG_MAGIC, name
        assert len(data) > 10_000, name


def test_summarize_rebuilds_from_disk(two_workers: Path, wedge) -> None:  # type: ignore[no-untyped-def]
    before = json.loads((two_workers / "summary.json").read_text())
    (two_workers / "summary.json").unlink()
    proc = wedge("playtest", "--summarize", two_workers, "--no-plots")
    assert proc.returncode == 0, proc.stderr
    assert json.loads((two_workers / "summary.json").read_text()) == before


def test_wilson_contains_estimate_at_the_edges() -> None:
    for k, n in ((0, 10), (10, 10), (1, 1000), (500, 1000)):
        lo, hi = wilson(k, n)
        assert 0 <= lo <= k / n <= hi <= 1


# ------------------------------------------------------------------------ replay


def test_replay_a_playtest_game(two_workers: Path, wedge) -> None:  # type: ignore[no-untyped-def]
    proc = wedge("replay", "--playtest", two_workers, "--game", "17", "--verify")
    assert proc.returncode == 0, proc.stderr
    row = next(json.loads(x) for x in rows_by_index(two_workers) if json.loads(x)["index"] == 17)
    assert f"seed {row['seed']}" in proc.stdout
    assert "Final tracks:" in proc.stdout
    assert f"final state hash matches ({row['state_hash']})" in proc.stdout


def test_replay_detects_a_tampered_row(two_workers: Path, tmp_path: Path) -> None:
    from game.playtest.replay import replay_game

    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "meta.json").write_text((two_workers / "meta.json").read_text())
    lines = rows_by_index(two_workers)
    row = json.loads(lines[2])
    row["state_hash"] = "0" * 32
    (copy / "games.jsonl").write_text(json.dumps(row) + "\n")
    with pytest.raises(PlaytestError, match="state hash"):
        replay_game(str(copy), 2)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--game", "999"], "no game 999"),
        (["--game", "1", "--playtest-dir-missing"], "no such playtest directory"),
        ([], "needs --game"),
    ],
)
def test_replay_errors_are_one_line(two_workers: Path, tmp_path: Path, wedge, args, message) -> None:  # type: ignore[no-untyped-def]
    if "--playtest-dir-missing" in args:
        argv = ["replay", "--playtest", tmp_path / "nowhere", "--game", "1"]
    else:
        argv = ["replay", "--playtest", two_workers, *args]
    proc = wedge(*argv)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_playtest_cli_errors(tmp_path: Path, wedge) -> None:  # type: ignore[no-untyped-def]
    proc = wedge("playtest", "--games", "2", "--out", tmp_path / "x", "--agents", "us=nonesuch")
    assert proc.returncode == 1 and "unknown agent 'nonesuch'" in proc.stderr
    proc = wedge("playtest", "--games", "2", "--out", tmp_path / "y", "--backend", "carrier-pigeon")
    assert proc.returncode == 1 and "unknown backend" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_playtest_dir_is_a_directory_of_ours(tmp_path: Path, spec: BatchSpec) -> None:
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "notes.txt").write_text("mine")
    with pytest.raises(PlaytestError, match="not empty"):
        run_playtest(spec, 1, tmp_path / "busy", workers=1, summarize=False, progress=False)
    assert PlaytestDir(tmp_path / "busy").path.exists()
    assert os.listdir(tmp_path / "busy") == ["notes.txt"]
