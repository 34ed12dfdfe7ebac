"""Paired A/B experiments (`wedge experiment`): overlays, statistics and the shipped lever files."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from wedge_testing import ROOT, STANDARD

from game.playtest.errors import PlaytestError
from game.playtest.experiment import format_report, load_experiment, run_experiment
from game.playtest.overlay import Overlay, OverlayError, apply_overlay
from game.playtest.stats import mean_ci, paired_proportion_ci, t_ppf, wilson
from game.scenario.loader import load_scenario

LEVERS = sorted((ROOT / "experiments").glob("lever*.yaml"))


@pytest.fixture(scope="module")
def base():  # type: ignore[no-untyped-def]
    return load_scenario(STANDARD)


def write(tmp_path: Path, text: str, name: str = "exp.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text.replace("STANDARD", str(STANDARD)), encoding="utf-8")
    return path


# ------------------------------------------------------------------------ stats


@pytest.mark.parametrize(
    ("df", "expected"), [(1, 12.7062047), (2, 4.3026527), (5, 2.5705818), (10, 2.2281389), (30, 2.0422725),
                         (120, 1.9799304)]
)
def test_t_quantiles(df: int, expected: float) -> None:
    assert t_ppf(0.975, df) == pytest.approx(expected, abs=1e-6)
    assert t_ppf(0.025, df) == pytest.approx(-expected, abs=1e-6)


def test_mean_ci_contains_mean() -> None:
    m, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    assert m == 3.0 and lo == pytest.approx(3 - 2.7764451 * (2.5 / 5) ** 0.5) and hi > m


def test_paired_proportion_interval() -> None:
    a = [True] * 30 + [False] * 70
    b = [True] * 20 + [False] * 80
    d, lo, hi = paired_proportion_ci(a, b)
    assert d == pytest.approx(0.10) and -1 <= lo < 0.10 < hi <= 1
    assert lo > 0  # 10 discordant pairs all one way: clearly positive
    d, lo, hi = paired_proportion_ci([False] * 50, [False] * 50)
    assert d == 0 and lo <= 0 <= hi
    d, lo, hi = paired_proportion_ci([True, False] * 20, [False, True] * 20)
    assert d == 0 and lo < 0 < hi
    lo1, hi1 = wilson(3, 10)
    assert lo1 < 0.3 < hi1


# ---------------------------------------------------------------------- overlays


def test_overlay_removes_and_sets_by_id(base) -> None:  # type: ignore[no-untyped-def]
    ov = Overlay(remove_cards=["us-tariff-carrot"], set={"rules.turns": 6, "tracks.alignment.start": 80,
                                                          "cards.us-arctic-framing.cost": 2})
    model = apply_overlay(base, ov, "x.yaml")
    assert "us-tariff-carrot" not in {c.id for c in model.cards}
    assert len(model.cards) == len(base.cards) - 1
    assert model.rules.turns == 6
    assert next(t for t in model.tracks if t.id == "alignment").start == 80
    assert next(c for c in model.cards if c.id == "us-arctic-framing").cost == 2
    assert apply_overlay(base, Overlay(), "x.yaml") is base


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({"remove_cards": ["us-tarif-carrot"]}, "unknown card 'us-tarif-carrot'; did you mean 'us-tariff-carrot'?"),
        ({"remove_shocks": ["nope"]}, "unknown shock 'nope'"),
        ({"set": {"rules.turnz": 6}}, "unknown key 'turnz' in rules; did you mean 'turns'?"),
        ({"set": {"tracks.alignmen.start": 6}}, "no 'alignmen' in tracks; did you mean 'alignment'?"),
        ({"set": {"tracks.alignment.start": 600}}, "tracks[alignment]: start 600 is outside 0..100"),
        ({"set": {"rules.turns": "six"}}, "rules.turns: Input should be a valid integer"),
        ({"remove_cards": ["us-tariff-escalation"]}, "a removed card or shock is still referenced"),
    ],
)
def test_bad_overlays_name_the_file(tmp_path: Path, overlay: dict, message: str) -> None:  # type: ignore[type-arg]
    path = write(tmp_path, "scenario: STANDARD\na: {}\nb:\n  overlay: " + json.dumps(overlay) + "\n")
    with pytest.raises(OverlayError) as info:
        load_experiment(path)
    text = str(info.value)
    assert text.startswith(f"{path}: b.overlay")
    assert message in text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("a: {}\nb:\n  overlay: {sett: 1}\n", "b.overlay.sett: unknown key"),
        ("a: {}\n", "b: Field required"),
        ("a: {agents: 'us=nonesuch'}\nb: {}\n", "a.agents: unknown agent 'nonesuch'"),
        ("a: {}\nb: {}\ntrack: nowhere\n", "unknown track 'nowhere'"),
        ("a: [\n", "not valid YAML"),
    ],
)
def test_bad_experiment_files(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(PlaytestError) as info:
        load_experiment(path)
    assert str(info.value).startswith(str(path)) and message in str(info.value)


def test_bad_overlay_on_the_command_line(tmp_path: Path, wedge) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "a: {}\nb:\n  overlay: {remove_cards: [no-such-card]}\n", "bad.yaml")
    proc = wedge("experiment", path, "--games", "2", "--out", tmp_path / "out")
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    line = proc.stderr.strip()
    assert line.startswith(f"wedge: {path}: b.overlay: remove_cards: unknown card 'no-such-card'; expected one of: ")
    assert "\n" not in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("path", LEVERS, ids=[p.stem for p in LEVERS])
def test_shipped_lever_files_load(path: Path) -> None:
    prepared = load_experiment(path)
    a, b = prepared.models["a"], prepared.models["b"]
    assert prepared.file.games == 2000
    removed = {c.id for c in a.cards} - {c.id for c in b.cards}
    assert removed and removed == set(prepared.file.b.overlay.remove_cards)


def test_three_levers_are_shipped() -> None:
    assert [p.stem for p in LEVERS] == ["lever1-economic-pain", "lever2-multipolarity", "lever3-framing"]


# ------------------------------------------------------------------------ runs


def test_small_overlay_experiment(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "name: small\nscenario: STANDARD\ngames: 30\nseed: 4\n"
        "a: {label: standard}\n"
        "b:\n  label: shorter and without the carrot\n  overlay:\n"
        "    remove_cards: [us-tariff-carrot]\n    set: {rules.turns: 6}\n",
    )
    prepared = load_experiment(path)
    result = run_experiment(prepared, tmp_path / "out", workers=2, progress=False, plots=False)
    assert not result.interrupted and result.report is not None
    report = json.loads((tmp_path / "out" / "experiment.json").read_text())
    assert report == json.loads(json.dumps(result.report))
    assert report["pairs"] == 30 and report["games"] == 30
    m = report["metrics"]
    checks = [m["final_alignment"], m["crisis_rate"], *m["win_rate"].values(), *m["mean_score"].values()]
    checks += list(m["final_tracks"].values())
    for x in checks:
        lo, hi = x["diff_ci95"]
        assert lo <= x["diff"] <= hi
        assert x["diff"] == pytest.approx(x["a"] - x["b"])
    for x in m["win_rate"].values():
        assert x["diff_ci95"][0] >= -1 and x["diff_ci95"][1] <= 1
    # Paired: game i has the same seed on both sides; B's games are 6 turns long.
    rows = {s: {json.loads(x)["index"]: json.loads(x) for x in (tmp_path / "out" / s / "games.jsonl").open()}
            for s in "ab"}
    assert all(rows["a"][i]["seed"] == rows["b"][i]["seed"] for i in range(30))
    assert max(r["turns"] for r in rows["b"].values()) == 6
    assert all("us-tariff-carrot" not in r["card_counts"] for r in rows["b"].values())
    table = format_report(report)
    assert "final alignment (mean)" in table and "us objective rate" in table and "95% CI" in table
    # Re-running resumes: nothing new to play, same report.
    again = run_experiment(prepared, tmp_path / "out", workers=1, progress=False, plots=False)
    assert sum(r.played for r in again.runs.values()) == 0
    assert again.report == result.report


def test_experiment_cli(tmp_path: Path, wedge) -> None:  # type: ignore[no-untyped-def]
    path = write(tmp_path, "name: cli\nscenario: STANDARD\na: {}\nb:\n  overlay: {remove_cards: [us-leaders-summit]}\n")
    proc = wedge("experiment", path, "--games", "8", "--seed", "2", "--workers", "1", "--out", tmp_path / "o",
                 "--no-plots")
    assert proc.returncode == 0, proc.stderr
    assert "cli — 8 paired games, seed 2" in proc.stdout
    assert "final alignment (mean)" in proc.stdout
    assert json.loads((tmp_path / "o" / "experiment.json").read_text())["seed"] == 2


# ------------------------------------------------------- heuristic doctrines


def _heuristic_available() -> bool:
    try:
        from game.agents.registry import agent_class

        agent_class("heuristic")
    except Exception:  # noqa: BLE001 - another team's agent; skip if it does not load
        return False
    return True


def test_derived_doctrine_drops_only_rules_about_removed_cards(tmp_path: Path) -> None:
    import yaml

    from game.playtest.adapt import derive

    base = tmp_path / "base.yaml"
    base.write_text(
        "scenario: standard\nroles:\n  us:\n    cards:\n"
        "      - {card: us-tariff-carrot, score: 6}\n"
        "      - {card: us-chip-licence-relief, with: us-tariff-carrot, score: 4}\n"
        "      - {card: us-arctic-framing, score: 1}\n"
        "    offers:\n      - {to: prc, ask: prc-curb-dual-use-exports, give: us-tariff-carrot, score: 5}\n"
        "    accept: []\n",
        encoding="utf-8",
    )
    out = derive(base, {"us-tariff-carrot"}, tmp_path / "derived.yaml")
    data = yaml.safe_load(out.read_text())
    assert data["roles"]["us"]["cards"] == [{"card": "us-arctic-framing", "score": 1}]
    assert data["roles"]["us"]["offers"] == []
    base.write_text(
        "roles:\n  us:\n    cards:\n"
        "      - {card: us-arctic-framing, score: 1, when: {test: played, role: us, card: us-tariff-carrot}}\n",
        encoding="utf-8",
    )
    with pytest.raises(PlaytestError, match="inside a condition"):
        derive(base, {"us-tariff-carrot"}, tmp_path / "derived2.yaml")


@pytest.mark.skipif(not _heuristic_available(), reason="the heuristic agent is not available")
def test_heuristic_experiment_with_removed_cards(tmp_path: Path) -> None:
    path = write(tmp_path, "scenario: STANDARD\nagents: heuristic\na: {}\nb:\n  overlay:\n"
                           "    remove_cards: [us-tariff-carrot, us-secondary-sanctions-banks]\n")
    result = run_experiment(load_experiment(path), tmp_path / "out", 4, workers=1, progress=False, plots=False)
    assert result.report is not None and result.report["pairs"] == 4
    b_agents = result.report["sides"]["b"]["agents"]
    assert f"heuristic:doctrine={tmp_path / 'out' / 'doctrine-b.yaml'}" in b_agents
    assert result.report["sides"]["a"]["agents"] == "us=heuristic,russia=heuristic,prc=heuristic,india=heuristic"


# ------------------------------------------------------- the example experiments

EXAMPLES = sorted((ROOT / "examples" / "experiments").glob("*.yaml"))


def test_the_framing_examples_are_shipped_in_pairs() -> None:
    assert [p.stem for p in EXAMPLES] == ["heuristic-russia-framing", "llm-russia-framing"]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_experiment_files_load(path: Path, tmp_path: Path) -> None:
    """Both examples differ only in Russia's seat: the same scenario, seed, games and lever,
    so their two A−B intervals compare like with like. Loading needs no model."""
    prepared = load_experiment(path)
    assert Path(prepared.scenario_path).resolve() == ROOT / "scenarios" / "classroom.yaml"
    a, b = prepared.models["a"], prepared.models["b"]
    framing = {c.id for c in a.cards if c.role == "us" and c.kind == "framing"}
    assert framing == {"us-far-east-framing", "us-arms-control-contact"}
    assert {c.id for c in a.cards} - {c.id for c in b.cards} == framing
    assert len(b.cards) == len(a.cards) - 2
    seats = {side: {role: spec.kind for role, spec in prepared.seats[side].items()} for side in "ab"}
    russia = "llm" if path.stem.startswith("llm") else "heuristic"
    assert seats["a"] == seats["b"] == {"us": "heuristic", "russia": russia, "prc": "heuristic", "india": "heuristic"}
    specs = prepared.specs(tmp_path)  # B's heuristic seats get the classroom doctrine minus the removed cards
    assert f"heuristic:doctrine={tmp_path / 'doctrine-b.yaml'}" in specs["b"].agents
    assert "us-far-east-framing" in (ROOT / "scenarios" / "doctrine-classroom.yaml").read_text()
    derived = yaml.safe_load((tmp_path / "doctrine-b.yaml").read_text())
    assert derived["scenario"] == "classroom" and not framing & set(re.findall(r"[\w-]+", json.dumps(derived)))
    other = "heuristic" if russia == "llm" else "llm"
    twin = load_experiment(path.with_name(f"{other}-russia-framing.yaml")).file
    same = ("scenario", "games", "seed", "track", "a", "b")
    assert {k: getattr(prepared.file, k) for k in same} == {k: getattr(twin, k) for k in same}


def test_seats_from_the_command_line_replace_the_files_on_both_sides(tmp_path: Path) -> None:
    path = ROOT / "examples" / "experiments" / "llm-russia-framing.yaml"
    prepared = load_experiment(path, seats="russia=ismcts:iterations=20")
    for side in ("a", "b"):
        seats = prepared.seats[side]
        assert seats["russia"].text == "ismcts:iterations=20"
        assert seats["us"].text == "heuristic"  # the file's other seats stay
    # the side without the framing cards still gets its trimmed doctrine for the heuristic seats
    specs = prepared.specs(tmp_path)
    assert "russia=ismcts:iterations=20" in specs["b"].agents and "doctrine-b.yaml" in specs["b"].agents
    with pytest.raises(PlaytestError, match=r"--seats: unknown role 'rusia'"):
        load_experiment(path, seats="rusia=random")
