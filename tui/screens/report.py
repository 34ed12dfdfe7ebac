"""The after-action report in the TUI: the same Markdown that ``wedge report --format md`` writes.

The report is rebuilt from the session's public surface only — scenario, seed and the
command history — by replaying it, exactly as the CLI does from a save, so what the
table sees at the end of a game is what the facilitator prints afterwards. Tables are shown
as fixed-width text (see :mod:`game.report.markdown`) so the whole report lays out in a
fraction of a second; the charts are in the HTML file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import MarkdownViewer, Static

from game.compiled import compile_scenario
from game.errors import WedgeError
from game.record import GameRecord
from game.report import build_report, render_markdown
from game.report.model import Report, short_role
from tui.literal import literal
from tui.screens.dialogs import ErrorModal
from tui.session import LocalSession, ReplaySession
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import WedgeApp

#: Headings the keys jump to (GitHub-style slugs of the report's section titles).
ANCHORS = {"outcome": "1-outcome", "levers": "6-lever-scorecard", "debrief": "7-debrief"}


def report_of(session: LocalSession | ReplaySession) -> Report:
    """Build the report from the session's scenario, seed and whole command history."""
    sc = getattr(session, "compiled", None) or compile_scenario(session.scenario)
    meta = dict(getattr(session, "meta", None) or {})
    record = GameRecord(sc, session.seed, list(session.history), [], "", meta)
    return build_report(record, verify=False)


def headline(report: Report) -> Text:
    out = Text()
    out.append("After-action report", style="bold")
    out.append(f" · {report.status} · ")
    for i, role in enumerate(report.roles):
        if i:
            out.append("  ")
        out.append(f"{short_role(role.role)} {role.score}/{role.max_score}")
        if role.won:
            out.append(" WON", style="bold")
    return out


class ReportScreen(Screen[None]):
    DEFAULT_CSS = """
    ReportScreen #report-head { height: auto; padding: 0 1; background: $panel; }
    ReportScreen #report-hint { height: auto; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q", "close", "Back"),
        Binding("o", "jump('outcome')", "Outcome"),
        Binding("s", "jump('levers')", "Scorecard"),
        Binding("d", "jump('debrief')", "Debrief"),
    ]

    def __init__(self, report: Report, save_path: str = "") -> None:
        super().__init__(id="report-screen")
        self.report = report
        self.save_path = save_path

    def compose(self) -> ComposeResult:
        yield Static(headline(self.report), id="report-head")
        where = self.save_path or "SAVE"
        yield Static(literal(f"Charts: wedge report {where}  (writes the HTML next to the save)"), id="report-hint")
        # Text tables are wrapped to what the viewer shows: its padding, the code block's
        # padding and the scrollbar take about eight columns.
        width = max(60, self.app.size.width - 8)
        yield MarkdownViewer(
            render_markdown(self.report, compact=True, width=width), show_table_of_contents=False, id="report"
        )
        yield KeyFooter()

    def action_jump(self, section: str) -> None:
        self.query_one(MarkdownViewer).document.goto_anchor(ANCHORS[section])

    def action_close(self) -> None:
        self.app.pop_screen()


def open_report(app: WedgeApp) -> None:
    """Push the report screen; before the game ends only the facilitator and replays may see it."""
    session = app.session
    if session is None or isinstance(app.screen, ReportScreen):
        return
    if not isinstance(session, (LocalSession, ReplaySession)):
        # A server seat sees only its own commands and never the seed: it cannot replay the game.
        app.notify("This seat does not hold the whole game log: the report is made from the server's record.")
        return
    over = session.view("public")["phase"] == "over"
    if not over and app.mode == "play" and app.seat != "gm":
        app.notify("The after-action report opens when the game is over.")
        return
    try:
        report = report_of(session)
    except WedgeError as exc:
        app.push_screen(ErrorModal("Cannot build the report", str(exc)))
        return
    path = getattr(session, "save_path", None)
    app.push_screen(ReportScreen(report, str(path) if path else ""))
