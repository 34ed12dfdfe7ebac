"""Summaries of a playtest directory, rebuilt from ``games.jsonl`` alone.

Everything here is recomputed from what is on disk, so a summary after Ctrl-C, after
a resume or with ``wedge playtest --summarize DIR`` is the same as one written at the
end of an uninterrupted run. Rows are streamed: only a few integers per game are
kept (for medians, quantiles and the CSV), never whole rows or states. Integer
totals are order-independent and per-game arrays are sorted by index before any
float arithmetic, so the summary does not depend on the order games finished in.
"""

from __future__ import annotations

import csv
import json
import os
from array import array
from collections import Counter
from pathlib import Path
from typing import Any

from game.compiled import Compiled
from game.playtest.directory import CSV, SUMMARY, Meta, PlaytestDir
from game.playtest.stats import mean_ci, quantiles, wilson
from game.playtest.usage import Usage


class _Acc:
    """Integer accumulators over streamed rows."""

    def __init__(self, sc: Compiled) -> None:
        self.sc = sc
        self.roles = sc.role_ids
        self.tracks = sc.track_ids
        self.cards = sc.card_ids
        self.n = 0
        self.wins = dict.fromkeys(self.roles, 0)
        self.terms = {r: [0] * len(t) for r, t in zip(self.roles, sc.objectives)}
        self.end_reasons: Counter[str] = Counter()
        self.games_with = dict.fromkeys(self.cards, 0)
        self.plays = dict.fromkeys(self.cards, 0)
        self.impact: dict[str, dict[str, int]] = {c: dict.fromkeys(self.tracks, 0) for c in self.cards}
        # (index, values) per game, sorted before use.
        self.flat: list[tuple[Any, ...]] = []
        self.order = array("q")
        self.scores = {r: array("i") for r in self.roles}
        self.finals = {t: array("i") for t in self.tracks}
        self.turns = array("i")
        # trajectory values per (track, turn) and the game index each came from
        self.traj: dict[tuple[str, int], array[int]] = {}
        self.traj_index: dict[tuple[str, int], array[int]] = {}
        self.llm = Usage()
        self.llm_rows = 0

    def add(self, row: dict[str, Any]) -> None:
        self.n += 1
        index = int(row["index"])
        self.order.append(index)
        winners = set(row["winners"])
        for r in self.roles:
            self.wins[r] += r in winners
            self.scores[r].append(int(row["scores"][r]))
            for k, met in enumerate(row["terms"][r]):
                self.terms[r][k] += bool(met)
        for t in self.tracks:
            self.finals[t].append(int(row["final_tracks"][t]))
        self.turns.append(int(row["turns"]))
        self.end_reasons[row["end_reason"]] += 1
        self.llm_rows += self.llm.add_row(row)
        for card, count in row["card_counts"].items():
            if card in self.plays:
                self.plays[card] += int(count)
                self.games_with[card] += 1
        for card, per in row["card_impact"].items():
            if card in self.impact:
                for t, d in per.items():
                    if t in self.impact[card]:
                        self.impact[card][t] += int(d)
        for t, values in row["trajectory"].items():
            for turn, v in enumerate(values, 1):
                key = (t, turn)
                if key not in self.traj:
                    self.traj[key] = array("i")
                    self.traj_index[key] = array("q")
                self.traj[key].append(int(v))
                self.traj_index[key].append(index)
        self.flat.append(
            (
                index,
                row["seed"],
                row["turns"],
                row["end_reason"],
                *(row["scores"][r] for r in self.roles),
                *(int(r in winners) for r in self.roles),
                *(row["final_tracks"][t] for t in self.tracks),
            )
        )


def _sorted(values: array[int], order: array[int]) -> list[int]:
    return [v for _, v in sorted(zip(order, values))]


def summarize_dir(pdir: PlaytestDir, meta: Meta | None = None) -> dict[str, Any]:
    """Write games.csv and summary.json for the directory and return the summary."""
    meta = meta or pdir.read_meta()
    sc = pdir.compiled(meta)
    pdir.repair_tail()  # cut a torn last line before reading
    acc = _Acc(sc)
    for row in pdir.rows():
        acc.add(row)
    _write_csv(pdir.path / CSV, acc)
    summary = _summary(meta, sc, acc)
    tmp = pdir.path / (SUMMARY + ".tmp")
    tmp.write_text(json.dumps(summary, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, pdir.path / SUMMARY)
    return summary


def _write_csv(path: Path, acc: _Acc) -> None:
    header = [
        "index",
        "seed",
        "turns",
        "end_reason",
        *(f"score_{r}" for r in acc.roles),
        *(f"won_{r}" for r in acc.roles),
        *(f"final_{t}" for t in acc.tracks),
    ]
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for flat in sorted(acc.flat, key=lambda x: x[0]):
            w.writerow(flat)
    os.replace(tmp, path)


def _summary(meta: Meta, sc: Compiled, acc: _Acc) -> dict[str, Any]:
    n = acc.n
    roles: dict[str, Any] = {}
    for r, terms in zip(acc.roles, sc.objectives):
        lo, hi = wilson(acc.wins[r], n)
        scores = _sorted(acc.scores[r], acc.order)
        mean, slo, shi = mean_ci([float(s) for s in scores])
        roles[r] = {
            "wins": acc.wins[r],
            "win_rate": acc.wins[r] / n if n else 0.0,
            "win_ci95": [lo, hi],
            "mean_score": mean,
            "score_ci95": [slo, shi],
            "max_score": sum(t.points for t in terms),
            "terms": [
                {
                    "label": t.label,
                    "required": t.required,
                    "points": t.points,
                    "rate": acc.terms[r][k] / n if n else 0.0,
                }
                for k, t in enumerate(terms)
            ],
        }
    tracks = {t: quantiles([float(v) for v in _sorted(acc.finals[t], acc.order)]) for t in acc.tracks}
    trajectory: dict[str, Any] = {}
    last_turn = max((turn for _, turn in acc.traj), default=0)
    for t in acc.tracks:
        rows: dict[str, list[Any]] = {"turn": [], "n": [], "median": [], "q1": [], "q3": [], "mean": []}
        for turn in range(1, last_turn + 1):
            key = (t, turn)
            values = _sorted(acc.traj[key], acc.traj_index[key]) if key in acc.traj else []
            q = quantiles([float(v) for v in values])
            rows["turn"].append(turn)
            rows["n"].append(len(values))
            for k in ("median", "q1", "q3", "mean"):
                rows[k].append(q[k])
        trajectory[t] = {"start": sc.track_start[sc.track_index[t]], **rows}
    cards: dict[str, Any] = {}
    for i, c in enumerate(acc.cards):
        plays = acc.plays[c]
        lo, hi = wilson(acc.games_with[c], n)
        cards[c] = {
            "role": sc.role_ids[sc.card_role[i]],
            "kind": sc.model.cards[i].kind,
            "games_played": acc.games_with[c],
            "pick_rate": acc.games_with[c] / n if n else 0.0,
            "pick_rate_ci95": [lo, hi],
            "plays": plays,
            "plays_per_game": plays / n if n else 0.0,
            "impact_per_play": {t: (acc.impact[c][t] / plays if plays else 0.0) for t in acc.tracks},
            "impact_total": dict(acc.impact[c]),
        }
    crisis = acc.end_reasons.get("crisis", 0)
    clo, chi = wilson(crisis, n)
    turns = _sorted(acc.turns, acc.order)
    return {
        "games": n,
        "scenario": sc.model.scenario.id,
        "scenario_path": meta.scenario_path,
        "scenario_hash": meta.scenario_hash,
        "seed": meta.seed,
        "agents": meta.agents,
        "games_requested": meta.games,
        "complete": n >= meta.games,
        "roles": roles,
        "tracks": tracks,
        "trajectory": trajectory,
        "cards": cards,
        "crisis_rate": crisis / n if n else 0.0,
        "crisis_ci95": [clo, chi],
        "end_reasons": dict(sorted(acc.end_reasons.items())),
        "mean_turns": (sum(turns) / n) if n else 0.0,
    } | ({"llm": acc.llm.to_json()} if acc.llm_rows else {})
