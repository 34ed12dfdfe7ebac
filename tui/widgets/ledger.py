"""Adjudication & ledger: the last reveal, and every change to a track with its cause and roll.

Pick a track and a turn and the panel answers "why did alignment drop 6?": the value
at the start and end of that turn and each change in between, with cause and dice.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Select, Static

from tui.catalog import PHASE_LABELS, Catalog
from tui.literal import literal
from tui.widgets.common import Col, Row, RowTable, update_static

ALL = "all"
CAPITAL = "capital"
#: On a narrow terminal the track names take their short form and the causes give way; then
#: the phase column goes (the turn's reveal under the table has the phases), then the roll.
COLUMNS: tuple[Col, ...] = (
    Col("Turn", "turn"),
    Col("Phase", "phase", drop=2),
    Col("What", "subject", min=16),
    Col("Change", "change"),
    Col("Δ", "delta"),
    Col("Cause", "cause", min=24, grow=True),
    Col("Roll", "roll", drop=1),
)


def entries_for(view: dict[str, Any], subject: str, turn: int | None) -> list[dict[str, Any]]:
    """Ledger entries for a track id (or every capital for ``capital``, every subject for ``all``)."""
    out = []
    for e in view["ledger"]:
        if turn is not None and e["turn"] != turn:
            continue
        s = e["subject"]
        if subject == ALL or s == subject or (subject == CAPITAL and s.startswith("capital:")):
            out.append(e)
    return out


class LedgerPanel(Vertical):
    def __init__(self, catalog: Catalog, id: str | None = None) -> None:
        super().__init__(id=id, classes="ledger")
        self.catalog = catalog
        self._view: dict[str, Any] | None = None
        self.subject = catalog.scenario.tracks[0].id
        self.turn: int | None = None  # None: follow the latest adjudicated turn
        self.follow = True
        self._turn_value: int | None = 0  # what the turn selector was last set to by code
        self._turn_options: list[tuple[str, int]] = []
        self._composed = False

    def compose(self) -> ComposeResult:
        c = self.catalog
        subjects = [(literal(t.name), t.id) for t in c.scenario.tracks] + [
            (literal("Capital (all roles)"), CAPITAL),
            (literal("Everything"), ALL),
        ]
        with Horizontal(classes="form-row"):
            yield Select(subjects, value=self.subject, allow_blank=False, id="ledger-subject", compact=True)
            yield Select([("All turns", 0)], value=0, allow_blank=False, id="ledger-turn", compact=True)
        yield Static(id="ledger-summary", classes="ledger-summary")
        yield RowTable(id="ledger-table")
        yield Static(id="ledger-reveal", classes="ledger-reveal")

    def on_mount(self) -> None:
        self._composed = True
        self._redraw()

    def show(self, view: dict[str, Any] | None) -> None:
        self._view = view
        if self._composed:
            self._redraw()

    def select(self, subject: str, turn: int | None) -> None:
        """Choose what to list (turn None = follow the latest adjudicated turn)."""
        self.subject, self.turn, self.follow = subject, turn, turn is None
        self.query_one("#ledger-subject", Select).value = subject
        self._redraw()

    def shown_turn(self, view: dict[str, Any]) -> int | None:
        if not self.follow:
            return self.turn
        if view["history"]:
            return int(view["history"][-1]["turn"])
        return int(view["turn"])

    def _redraw(self) -> None:
        view = self._view
        table = self.query_one("#ledger-table", RowTable)
        if view is None:
            table.fill(COLUMNS, [])
            return
        c = self.catalog
        turn = self.shown_turn(view)
        turn_select = self.query_one("#ledger-turn", Select)
        options = [(f"Turn {t}", t) for t in range(1, view["turn"] + 1)] + [("All turns", 0)]
        with turn_select.prevent(Select.Changed):
            if options != self._turn_options:  # rebuilding a Select's list is costly: only when it grows
                turn_select.set_options(options)
                self._turn_options = options
            if turn_select.value != (turn or 0):
                turn_select.value = turn or 0
        self._turn_value = turn or 0
        entries = entries_for(view, self.subject, turn or None)
        rows: list[Row] = []
        for i, e in enumerate(entries):
            d = e["after"] - e["before"]
            cells = (
                str(e["turn"]),
                PHASE_LABELS.get(e["phase"], e["phase"]),
                c.subject_names(e["subject"]),
                f"{e['before']} → {e['after']}",
                f"{d:+d}",
                c.cause(e["cause"]),
                e["roll"],
            )
            rows.append((str(i), cells))
        table.fill(COLUMNS, rows)
        update_static(self.query_one("#ledger-summary", Static), self._summary(view, entries, turn))
        update_static(self.query_one("#ledger-reveal", Static), self._reveal(view, turn))

    def _summary(self, view: dict[str, Any], rows: list[dict[str, Any]], turn: int | None) -> Text:
        c = self.catalog
        when = f"turn {turn}" if turn else "the whole game"
        out = Text()
        if self.subject in c.tracks and rows:
            first, last = rows[0]["before"], rows[-1]["after"]
            net = sum(e["after"] - e["before"] for e in rows)
            out.append(f"{c.track_name(self.subject)}, {when}: {first} → {last} ({net:+d})", style="bold")
            out.append(f" — {len(rows)} change(s); their sum is the net change.")
        elif self.subject in c.tracks:
            out.append(f"{c.track_name(self.subject)}: no change in {when}.", style="bold")
        else:
            out.append(f"{len(rows)} change(s) in {when}.", style="bold")
        return out

    def _reveal(self, view: dict[str, Any], turn: int | None) -> Text:
        c = self.catalog
        recs = [h for h in view["history"] if turn is None or turn == 0 or h["turn"] == turn]
        if not recs:
            return Text("Nothing revealed for this turn yet: orders are revealed at adjudication.", style="dim")
        rec = recs[-1]
        out = Text()
        out.append(f"Revealed in turn {rec['turn']}\n", style="bold")
        if rec["shocks"]:
            out.append("Shocks: " + ", ".join(c.shock_title(s) for s in rec["shocks"]) + "\n")
        for role, order in rec["orders"].items():
            played = "; ".join(
                c.card_title(o["card"]) + (f" → {c.short_role(o['target'])}" if o["target"] else "") for o in order
            )
            out.append(f"{c.short_role(role):>7}: ", style="bold")
            out.append((played or "(no cards)") + "\n")
        for o in rec["offers"]:
            result = c.offer_result(o["status"], o["outcome"])
            out.append(
                f"Offer {o['id']} {c.short_role(o['from'])} → {c.short_role(o['to'])}: "
                f"{c.card_title(o['ask'])} for {c.card_title(o['give'])} — {result}\n"
            )
        return out

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.select.id == "ledger-subject" and event.value != Select.NULL:
            self.subject = str(event.value)
        elif event.select.id == "ledger-turn" and event.value != Select.NULL:
            if event.value == self._turn_value:
                return  # our own update, not the user's choice
            self.turn = int(str(event.value))  # 0: all turns
            self.follow = False
        self._redraw()
