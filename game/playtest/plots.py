"""PNG plots of a playtest summary (matplotlib, Agg backend: no display needed).

Drawn from ``summary.json`` only, so they can be redrawn at any time and never need
the rows. Three figures:

* ``win_rates.png`` — each role's objective (win) rate with 95% Wilson error bars,
  and its mean score as a share of the maximum with a 95% t-interval;
* ``trajectories.png`` — per track, the median value at the end of each turn with
  the inter-quartile band (games still running at that turn);
* ``cards.png`` — per card, grouped by role: the share of games it was played in
  (Wilson error bars) and its mean impact on the alignment track per play.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

PLOTS = ("win_rates.png", "trajectories.png", "cards.png")
ROLE_COLOURS = ("#1f77b4", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f")


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _title(summary: dict[str, Any]) -> str:
    return f"{summary['scenario']} — {summary['games']} games — {summary['agents']}"


def plot_win_rates(summary: dict[str, Any], path: Path) -> None:
    plt = _pyplot()
    roles = list(summary["roles"])
    colours = [ROLE_COLOURS[i % len(ROLE_COLOURS)] for i in range(len(roles))]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4.2), layout="constrained")
    rates = [summary["roles"][r]["win_rate"] for r in roles]
    lo = [rates[i] - summary["roles"][r]["win_ci95"][0] for i, r in enumerate(roles)]
    hi = [summary["roles"][r]["win_ci95"][1] - rates[i] for i, r in enumerate(roles)]
    ax1.bar(roles, rates, yerr=[lo, hi], capsize=5, color=colours)
    ax1.set_ylim(0, 1)
    ax1.set_ylabel("objective met (share of games)")
    ax1.set_title("Win rate per role (95% Wilson)")
    share, elo, ehi = [], [], []
    for r in roles:
        x = summary["roles"][r]
        top = max(1, x["max_score"])
        share.append(x["mean_score"] / top)
        elo.append((x["mean_score"] - x["score_ci95"][0]) / top)
        ehi.append((x["score_ci95"][1] - x["mean_score"]) / top)
    ax2.bar(roles, share, yerr=[elo, ehi], capsize=5, color=colours)
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("mean score / max score")
    ax2.set_title("Mean score (95% t-interval)")
    fig.suptitle(_title(summary), fontsize=9)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_trajectories(summary: dict[str, Any], path: Path, names: dict[str, str]) -> None:
    plt = _pyplot()
    tracks = list(summary["trajectory"])
    cols = 3
    nrows = max(1, math.ceil(len(tracks) / cols))
    fig, axes = plt.subplots(nrows, cols, figsize=(12, 3.0 * nrows), squeeze=False, layout="constrained")
    for k, t in enumerate(tracks):
        ax = axes[k // cols][k % cols]
        tr = summary["trajectory"][t]
        start = tr.get("start")
        # Turn 0 is the scenario's start value, the same in every game.
        head = [] if start is None else [start]
        turns = ([0] if head else []) + tr["turn"]
        ax.fill_between(turns, head + tr["q1"], head + tr["q3"], alpha=0.3, color="#1f77b4", label="IQR")
        ax.plot(turns, head + tr["median"], marker="o", color="#1f77b4", label="median")
        ax.set_title(names.get(t, t), fontsize=9)
        ax.set_xlabel("end of turn (0 = start)", fontsize=8)
        ax.tick_params(labelsize=8)
        if turns:
            ax.set_xticks(turns)
        if k == 0:
            ax.legend(fontsize=7)
    for k in range(len(tracks), nrows * cols):
        axes[k // cols][k % cols].set_visible(False)
    fig.suptitle("Track trajectories: median and IQR — " + _title(summary), fontsize=9)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_cards(summary: dict[str, Any], path: Path, track: str = "alignment") -> None:
    plt = _pyplot()
    cards = summary["cards"]
    roles = list(summary["roles"])
    ordered = [c for r in roles for c in cards if cards[c]["role"] == r]
    colours = [ROLE_COLOURS[roles.index(cards[c]["role"]) % len(ROLE_COLOURS)] for c in ordered]
    y = list(range(len(ordered)))[::-1]
    height = 1.5 + 0.22 * max(1, len(ordered))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, height), sharey=True, layout="constrained")
    pick = [cards[c]["pick_rate"] for c in ordered]
    lo = [p - cards[c]["pick_rate_ci95"][0] for p, c in zip(pick, ordered)]
    hi = [cards[c]["pick_rate_ci95"][1] - p for p, c in zip(pick, ordered)]
    ax1.barh(y, pick, xerr=[lo, hi], color=colours, capsize=2)
    ax1.set_yticks(y)
    ax1.set_yticklabels(ordered, fontsize=7)
    ax1.set_xlim(0, 1)
    ax1.set_xlabel("share of games the card was played in")
    ax1.set_title("Card pick rate (95% Wilson)")
    impact = [cards[c]["impact_per_play"].get(track, 0.0) for c in ordered]
    ax2.barh(y, impact, color=colours)
    ax2.axvline(0, color="black", linewidth=0.8)
    ax2.set_xlabel(f"mean change in {track} per play (ledger)")
    ax2.set_title(f"Mean {track} impact per play")
    handles = [plt.Rectangle((0, 0), 1, 1, color=ROLE_COLOURS[i % len(ROLE_COLOURS)]) for i in range(len(roles))]
    ax2.legend(handles, roles, fontsize=8, loc="lower right")
    fig.suptitle(_title(summary), fontsize=9)
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write_plots(summary: dict[str, Any], out: Path, names: dict[str, str] | None = None) -> list[Path]:
    """Draw every figure into `out`; returns the paths written."""
    names = names or {}
    paths = [out / name for name in PLOTS]
    plot_win_rates(summary, paths[0])
    plot_trajectories(summary, paths[1], names)
    track = "alignment" if "alignment" in summary["tracks"] else next(iter(summary["tracks"]), "")
    plot_cards(summary, paths[2], track)
    return paths
