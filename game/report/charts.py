"""Track charts for the HTML report: one PNG per track, annotated with what moved it.

matplotlib is imported here only (and this module only when HTML is rendered), so the
Markdown report and ``wedge --help`` never pay for it. Figures are built on
:class:`matplotlib.figure.Figure` with the Agg canvas directly — never through pyplot —
so no global backend or figure registry is touched and rendering is safe in a server
thread. PNG metadata is stripped so the same game gives the same bytes.
"""

from __future__ import annotations

import base64
import io
from typing import TYPE_CHECKING

from game.causes import SHOCK as SHOCK_CAUSE
from game.causes import parse_cause
from game.report.model import Contribution, Report, TrackSummary, signed

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH, HEIGHT, DPI = 8.6, 3.0, 100
LINE = "#1f4e79"
SHOCK = "#b03a2e"
GM = "#7d3c98"
LABELS_PER_TURN = 2


def labelled_moves(report: Report, track: TrackSummary) -> list[Contribution]:
    """The moves labelled on a track's chart: per turn, the (at most two) biggest causes
    that moved it at least the track's significance threshold."""
    out: list[Contribution] = []
    for info in report.turns:
        big = [c for c in info.contributions.get(track.id, ()) if abs(c.delta) >= track.threshold]
        out.extend(big[:LABELS_PER_TURN])
    return out


def _x(report: Report, turn: int, phase: str) -> float:
    phases = report.phases
    i = phases.index(phase) if phase in phases else len(phases) - 1
    return turn - 1 + (i + 1) / len(phases)


def _value_at(track: TrackSummary, x: float) -> int:
    value = track.start
    for p in track.points:
        if p.x <= x + 1e-9:
            value = p.value
    return value


def _limits(track: TrackSummary) -> tuple[float, float]:
    """Zoom on where the track went, but never to less than a quarter of its range, with
    head-room for the labels; never beyond the track's own range."""
    values = [p.value for p in track.points]
    lo, hi = min(values), max(values)
    span = max(hi - lo, (track.max - track.min) / 4, 2)
    mid = (lo + hi) / 2
    bottom = max(track.min - 0.5, mid - span * 1.5)
    top = min(track.max + 0.5, mid + span * 1.5)
    return bottom, top


def _bands(ax: Axes, track: TrackSummary, bottom: float, top: float, right: float) -> None:
    for i, band in enumerate(track.bands):
        lo, hi = band.min - 0.5, band.max + 0.5
        if hi < bottom or lo > top:
            continue
        ax.axhspan(lo, hi, color="#f2f2f2" if i % 2 else "#e6ecf2", zorder=0, linewidth=0)
        ax.text(
            right,
            (max(lo, bottom) + min(hi, top)) / 2,
            f" {band.label}",
            fontsize=7,
            color="#666666",
            va="center",
            ha="left",
            clip_on=False,
        )


def _shocks(ax: Axes, report: Report, top: float) -> None:
    for info in report.turns:
        for hit in info.shocks:
            x = _x(report, info.turn, "diplomacy" if hit.injected else "shock")
            ax.axvline(x, color=GM if hit.injected else SHOCK, linestyle=":", linewidth=0.9, zorder=1)
            ax.plot([x], [top], marker="v", color=GM if hit.injected else SHOCK, markersize=5, clip_on=False, zorder=3)


ROWS = (0.95, 0.86, 0.77)  # label rows (axes fraction) above the line; mirrored below
AXES = (0.06, 0.15, 0.78, 0.74)
CHAR_PX = 5.0  # average glyph width at the label font size, for the collision test


def _labels(ax: Axes, report: Report, track: TrackSummary, turns: int) -> None:
    """Each labelled move: a dot where it happened and its text in a row above the line
    (rises) or below it (falls). Rows are filled greedily left to right: a label takes the
    first row where it does not overlap an earlier label; one that fits nowhere is left
    off the picture (the caption under the chart lists every labelled move anyway)."""
    px_per_turn = AXES[2] * WIDTH * DPI / turns
    ends: dict[tuple[bool, int], float] = {}  # (above, row) -> right edge (px) of its last label
    for c in sorted(labelled_moves(report, track), key=lambda c: _x(report, c.turn, c.phase)):
        x = _x(report, c.turn, c.phase)
        y = _value_at(track, x)
        text = f"{c.label} {signed(c.delta)}"
        half = len(text) * CHAR_PX / 2 + 3
        centre = min(max(x * px_per_turn, half), turns * px_per_turn - half)
        above = c.delta > 0
        row = next((r for r in range(len(ROWS)) if ends.get((above, r), -1e9) < centre - half), None)
        cause = parse_cause(c.cause)
        color = SHOCK if cause.kind == SHOCK_CAUSE else GM if cause.by_facilitator else "#222222"
        ax.plot([x], [y], marker="o", color=color, markersize=3.5, zorder=4)
        if row is None:
            continue
        ends[(above, row)] = centre + half
        # A plain line and a text (not ax.annotate with an arrow patch): the same picture at a
        # fraction of the drawing cost.
        bottom, top = ax.get_ylim()
        tx = centre / px_per_turn
        ty = bottom + (ROWS[row] if above else 1 - ROWS[row]) * (top - bottom)
        ax.plot([x, tx], [y, ty], color="#999999", linewidth=0.6, zorder=2, clip_on=False)
        ax.text(
            tx,
            ty,
            text,
            ha="center",
            va="center",
            fontsize=6.8,
            color=color,
            bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            clip_on=False,
            zorder=5,
        )


def chart_png(report: Report, track: TrackSummary) -> bytes:
    from matplotlib.figure import Figure

    turns = max(1, report.final_turn)
    fig = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    ax = fig.add_axes(AXES)
    bottom, top = _limits(track)
    ax.set_xlim(0, turns)
    ax.set_ylim(bottom, top)
    _bands(ax, track, bottom, top, turns)
    for t in range(1, turns):
        ax.axvline(t, color="#cccccc", linewidth=0.6, zorder=1)
    _shocks(ax, report, top)
    xs = [p.x for p in track.points]
    ys = [p.value for p in track.points]
    ax.plot(xs, ys, color=LINE, linewidth=2, zorder=3)
    ends = [p for p in track.points if p.phase == report.phases[-1] or p.turn == 0]
    ax.plot([p.x for p in ends], [p.value for p in ends], "o", color=LINE, markersize=3, zorder=3)
    _labels(ax, report, track, turns)
    ax.set_xticks([t - 0.5 for t in range(1, turns + 1)])
    ax.set_xticklabels([f"turn {t}" for t in range(1, turns + 1)], fontsize=7.5)
    ax.tick_params(axis="x", length=0)
    ax.tick_params(axis="y", labelsize=7.5)
    ax.set_title(f"{track.name}: {track.start} → {track.end} ({signed(track.net)})", fontsize=9.5, loc="left", pad=14)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.text(
        0.06,
        0.02,
        "▼ dotted red: a shock · purple: facilitator · labels: the biggest causes of each turn's moves",
        fontsize=6.5,
        color="#666666",
    )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def chart_data_uri(report: Report, track: TrackSummary) -> str:
    return "data:image/png;base64," + base64.b64encode(chart_png(report, track)).decode("ascii")
