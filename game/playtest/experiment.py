"""Paired A/B experiments: the same seeds under two configurations.

An experiment file (YAML) names a base scenario and two configurations ``a`` and
``b``, each an agent spec and/or a scenario overlay (:mod:`game.playtest.overlay`)::

    name: lever1-economic-pain
    description: ...
    scenario: ../scenarios/standard.yaml   # relative to this file; default: the standard scenario
    agents: random                          # default for both sides
    games: 2000
    seed: 1
    track: alignment                        # the headline track (default alignment)
    a: {label: with the lever}
    b:
      label: without the lever
      overlay: {remove_cards: [us-tariff-carrot]}
      # agents: heuristic                   # a side may override the agents

Each side is an ordinary playtest directory (``OUT/a``, ``OUT/b``: resumable, with
its own summary and plots). Game ``i`` has the same seed on both sides, so the
comparison is paired: differences are taken game by game, which removes the
variance both sides share (shock draws, dice) and tightens the intervals.

Reported (stdout table and ``OUT/experiment.json``): the mean final value of the
headline track on each side with the paired difference and its 95% t-interval;
each role's objective (win) rate on each side (Wilson) and the paired difference
(Newcombe's hybrid score interval); each role's mean score difference
(t-interval); the crisis rate; and the mean final value of every other track.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from game.agents.registry import AgentSpecError, SeatSpec, parse_agents, parse_named_seats, seats_text
from game.engine import compiled
from game.playtest.adapt import adapt_seats
from game.playtest.directory import BatchSpec, PlaytestDir
from game.playtest.errors import PlaytestError
from game.playtest.overlay import Overlay, apply_overlay
from game.playtest.runner import RunResult, StopFlag, interruptible, run_playtest
from game.playtest.stats import paired_means, paired_rates
from game.playtest.usage import Usage
from game.scenario.loader import load_scenario
from game.scenario.models import Scenario

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent.parent / "scenarios" / "standard.yaml"
SIDES = ("a", "b")


class Side(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = ""
    agents: str | None = None
    overlay: Overlay = Field(default_factory=Overlay)


class ExperimentFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str = ""
    scenario: str | None = None
    agents: str = "random"
    games: int = Field(1000, ge=1)
    seed: int = Field(1, ge=0, lt=2**63)
    track: str = "alignment"
    a: Side
    b: Side


@dataclass(frozen=True)
class Prepared:
    """An experiment file checked end to end: both sides' scenarios and seat specs."""

    path: Path
    file: ExperimentFile
    name: str
    scenario_path: str
    models: dict[str, Scenario]
    seats: dict[str, dict[str, SeatSpec]]

    def doctrine(self) -> Path | None:
        """The doctrine a plain ``heuristic`` seat plays on this scenario: a scenario with its own
        deck (``classroom``) ships its own, and deriving from the standard one would name cards
        that deck does not have. None when the heuristic agent is not installed."""
        try:
            from game.agents.heuristic import doctrine_for
        except ImportError:  # pragma: no cover - the heuristic agent ships with wedge
            return None
        return Path(doctrine_for(compiled(self.models["a"])))

    def specs(self, out: Path) -> dict[str, BatchSpec]:
        """The batch of each side. Heuristic seats on a side with cards removed get the
        scenario's doctrine minus its rules about those cards, written to OUT/doctrine-SIDE.yaml."""
        specs = {}
        doctrine = self.doctrine()
        for side in SIDES:
            removed = {c.id for c in self.models["a"].cards} | {c.id for c in self.models["b"].cards}
            removed -= {c.id for c in self.models[side].cards}
            seats = adapt_seats(self.seats[side], removed, out / f"doctrine-{side}.yaml", doctrine)
            specs[side] = BatchSpec(self.scenario_path, self.models[side], self.file.seed, seats_text(seats))
        return specs


def load_experiment(path: str | os.PathLike[str], seed: int | None = None, seats: str = "") -> Prepared:
    """Read and check an experiment file; every error names the file. `seats` (``ROLE=AGENT,...``,
    the command line's ``--seats``) replaces those roles' seats on both sides: the same
    question asked of another model, or another agent, without editing the file."""
    p = Path(path)
    name = str(path)
    try:
        raw = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlaytestError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlaytestError(f"{name}{where}: not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise PlaytestError(f"{name}: an experiment file is a mapping with a: and b: (and optional scenario, agents)")
    try:
        exp = ExperimentFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(x) for x in err["loc"])
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
        raise PlaytestError(f"{name}: {where}: {msg}") from None
    if seed is not None:
        exp = exp.model_copy(update={"seed": seed})
    scenario_path = str((p.parent / exp.scenario) if exp.scenario else DEFAULT_SCENARIO)
    base = load_scenario(scenario_path)  # ScenarioError names the scenario file and line
    if exp.track not in {t.id for t in base.tracks}:
        raise PlaytestError(f"{name}: track: unknown track {exp.track!r} in {scenario_path}")
    models: dict[str, Scenario] = {}
    sides: dict[str, dict[str, SeatSpec]] = {}
    for side_id in SIDES:
        side: Side = getattr(exp, side_id)
        models[side_id] = apply_overlay(base, side.overlay, f"{name}: {side_id}.overlay")
        sc = compiled(models[side_id])
        agents_text = side.agents if side.agents is not None else exp.agents
        try:
            sides[side_id] = parse_agents(agents_text, sc)
        except AgentSpecError as exc:
            raise PlaytestError(f"{name}: {side_id}.agents: {exc}") from None
        try:
            sides[side_id].update(parse_named_seats(seats, sc.role_ids))
        except AgentSpecError as exc:
            raise PlaytestError(f"--seats: {exc}") from None
    return Prepared(p, exp, exp.name or p.stem, scenario_path, models, sides)


@dataclass
class ExperimentResult:
    prepared: Prepared
    out: Path
    runs: dict[str, RunResult]
    report: dict[str, Any] | None

    @property
    def interrupted(self) -> bool:
        return any(r.interrupted for r in self.runs.values()) or len(self.runs) < len(SIDES)


def run_experiment(
    prepared: Prepared,
    out: str | Path,
    games: int | None = None,
    *,
    workers: int = 1,
    backend: str = "local",
    address: str | None = None,
    progress: bool | None = None,
    plots: bool = True,
) -> ExperimentResult:
    """Play both sides into OUT/a and OUT/b (resuming), then compare them game by game."""
    n = games or prepared.file.games
    out = Path(out)
    specs = prepared.specs(out)
    runs: dict[str, RunResult] = {}
    with interruptible(StopFlag()) as flag:
        for side_id in SIDES:
            side: Side = getattr(prepared.file, side_id)
            label = f"{side_id.upper()}: {side.label or side_id}"
            runs[side_id] = run_playtest(
                specs[side_id],
                n,
                out / side_id,
                workers=workers,
                backend=backend,
                address=address,
                progress=progress,
                label=label,
                plots=plots,
                stop=flag,
            )
            if runs[side_id].interrupted:
                break
    result = ExperimentResult(prepared, out, runs, None)
    if not result.interrupted:
        result.report = compare(prepared, specs, out, n)
        tmp = out / "experiment.json.tmp"
        tmp.write_text(json.dumps(result.report, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, out / "experiment.json")
    return result


#: One game as compared: headline track, winners, scores, end reason, final tracks.
_Game = tuple[float, set[str], dict[str, int], str, dict[str, int]]


def _load_side(pdir: PlaytestDir, games: int, track: str, usage: Usage) -> dict[int, _Game]:
    """The compared values of each game below `games`, and their model seats' usage added to `usage`."""
    out = {}
    for row in pdir.rows():
        i = int(row["index"])
        if i < games:
            usage.add_row(row)
            out[i] = (
                float(row["final_tracks"][track]),
                set(row["winners"]),
                dict(row["scores"]),
                row["end_reason"],
                dict(row["final_tracks"]),
            )
    return out


def compare(prepared: Prepared, specs: dict[str, BatchSpec], out: Path, games: int) -> dict[str, Any]:
    """The paired comparison of OUT/a and OUT/b over games 0..games-1 present on both sides."""
    track = prepared.file.track
    usage = {s: Usage() for s in SIDES}
    sides = {s: _load_side(PlaytestDir(out / s), games, track, usage[s]) for s in SIDES}
    pairs = sorted(set(sides["a"]) & set(sides["b"]))
    if not pairs:
        raise PlaytestError(f"{out}: no game was played on both sides")
    a = [sides["a"][i] for i in pairs]
    b = [sides["b"][i] for i in pairs]
    role_ids = [r.id for r in prepared.models["a"].roles]
    b_tracks = {t.id for t in prepared.models["b"].tracks}
    tracks = [t.id for t in prepared.models["a"].tracks if t.id in b_tracks]
    metrics: dict[str, Any] = {
        f"final_{track}": paired_means([x[0] for x in a], [x[0] for x in b]),
        "win_rate": {r: paired_rates([r in x[1] for x in a], [r in x[1] for x in b]) for r in role_ids},
        "mean_score": {r: paired_means([float(x[2][r]) for x in a], [float(x[2][r]) for x in b]) for r in role_ids},
        "crisis_rate": paired_rates([x[3] == "crisis" for x in a], [x[3] == "crisis" for x in b]),
        "final_tracks": {t: paired_means([float(x[4][t]) for x in a], [float(x[4][t]) for x in b]) for t in tracks},
    }
    file = prepared.file
    return {
        "experiment": prepared.name,
        "description": file.description,
        "file": str(prepared.path),
        "scenario": prepared.scenario_path,
        "seed": file.seed,
        "games": games,
        "pairs": len(pairs),
        "track": track,
        "sides": {
            s: {
                "label": getattr(file, s).label or s,
                "agents": specs[s].agents,
                "scenario_hash": specs[s].scenario_hash,
                "overlay": getattr(file, s).overlay.model_dump(),
                "dir": str(out / s),
            }
            | ({"llm": usage[s].to_json()} if usage[s] else {})
            for s in SIDES
        },
        "metrics": metrics,
        "method": (
            "paired by game index (same seed on both sides); means with 95% t-intervals on paired differences; "
            "rates with 95% Wilson intervals and Newcombe's hybrid score interval (method 10) for paired differences"
        ),
    }


def _fmt(x: float, signed: bool = False, digits: int = 3) -> str:
    if math.isnan(x):
        return "nan"
    return f"{x:+.{digits}f}" if signed else f"{x:.{digits}f}"


def format_report(report: dict[str, Any]) -> str:
    """The stdout table: one line per metric, A, B, A−B and the 95% CI of A−B."""
    m = report["metrics"]
    track = report["track"]
    lines = [
        f"{report['experiment']} — {report['pairs']} paired games, seed {report['seed']}",
        f"  A: {report['sides']['a']['label']}  [{report['sides']['a']['agents']}]",
        f"  B: {report['sides']['b']['label']}  [{report['sides']['b']['agents']}]",
        "",
        f"{'metric':<28}{'A':>9}{'B':>9}{'A−B':>9}   95% CI of A−B",
    ]

    def row(name: str, x: dict[str, Any], digits: int) -> None:
        lo, hi = x["diff_ci95"]
        lines.append(
            f"{name:<28}{_fmt(x['a'], digits=digits):>9}{_fmt(x['b'], digits=digits):>9}"
            f"{_fmt(x['diff'], True, digits):>9}   [{_fmt(lo, True, digits)}, {_fmt(hi, True, digits)}]"
        )

    row(f"final {track} (mean)", m[f"final_{track}"], 2)
    for r, x in m["win_rate"].items():
        row(f"{r} objective rate", x, 3)
    for r, x in m["mean_score"].items():
        row(f"{r} mean score", x, 2)
    row("crisis rate", m["crisis_rate"], 3)
    costs = [(s, Usage.from_json(report["sides"][s].get("llm") or {})) for s in SIDES]
    if any(usage for _, usage in costs):
        lines.append("")
        lines += [f"  model seats, {s.upper()}: {usage.exact()}" for s, usage in costs if usage]
    return "\n".join(lines)
