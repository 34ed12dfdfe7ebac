"""The after-action report: a game's debrief, built from its record alone.

:func:`build_report` replays a :class:`~game.record.GameRecord` (a save file or a live
server game) into a plain :class:`~game.report.model.Report`; the renderers turn that
into a self-contained HTML file with charts (:func:`render_html`) or Markdown for a
terminal and the TUI (:func:`render_markdown`). Only public information goes in: the
revealed orders, offers, shocks and the ledger, plus the facilitator's own commands —
never a hand, a sealed order that was never revealed, or a private message.
"""

from __future__ import annotations

from game.report.model import LEVERS, Report, build_report


def render_markdown(report: Report, compact: bool = False, width: int = 100) -> str:
    """Markdown for a file, or with `compact` the TUI's form (tables as text `width` wide)."""
    from game.report.markdown import render

    return render(report, compact=compact, width=width)


def render_html(report: Report) -> str:
    from game.report.html import render

    return render(report)


__all__ = ["LEVERS", "Report", "build_report", "render_html", "render_markdown"]
