"""The board: every track as a labelled bar with its bands, the turn, shocks, windows and roles."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from tui.catalog import PHASE_LABELS, Catalog, sparkline
from tui.literal import literal
from tui.widgets.common import Column, Row, RowTable, update_static

FILLED = ("█", "▓")  # alternate per band so bands show without colour
EMPTY = ("░", "·")


def track_bar(
    catalog: Catalog, track: str, value: int, width: int, styles: tuple[Style, Style, Style] | None = None
) -> Text:
    """A bar of `width` cells over the track's range; the band a cell falls in sets its glyph."""
    t = catalog.tracks[track]
    span = t.max - t.min
    text = Text()
    width = max(4, width)
    band_of = []
    for i in range(width):
        cell_value = t.min + (span * (i + 0.5)) / width
        idx = 0
        for j, b in enumerate(t.bands):
            if b.min <= cell_value <= b.max + 0.999:
                idx = j
                break
        band_of.append(idx)
    filled = 0 if span <= 0 else round((value - t.min) * width / span)
    full, full2, empty = styles or (Style(), Style(), Style())
    for i in range(width):
        parity = band_of[i] % 2
        if i < filled:
            text.append(FILLED[parity], style=full if parity == 0 else full2)
        else:
            text.append(EMPTY[parity], style=empty)
    return text


class TrackBar(Widget, can_focus=True):
    """One track on one line: name, bar, value, band, change this turn, history."""

    BINDINGS = [
        Binding("down", "app.focus_next", "Next track", show=False),
        Binding("up", "app.focus_previous", "Previous track", show=False),
    ]

    DEFAULT_CSS = """
    TrackBar { height: 1; }
    TrackBar:focus { background: $boost; text-style: bold; }
    """

    class Selected(Message):
        def __init__(self, track: str) -> None:
            self.track = track
            super().__init__()

    def __init__(self, catalog: Catalog, track: str, styles: Widget | None = None) -> None:
        super().__init__(id=f"track-{track}", classes="trackbar")
        self.catalog = catalog
        # colours come from the board's component classes (one set for all bars: restyling is cheaper)
        self.styles_from = styles
        self.track = track
        self.value = catalog.tracks[track].start
        self.start = self.value
        self.history: list[int] = []

    def set(self, value: int, start: int, history: list[int]) -> None:
        if (value, start, history) != (self.value, self.start, self.history):
            self.value, self.start, self.history = value, start, history
            self.refresh()

    def render(self) -> Text:
        c = self.catalog
        t = c.tracks[self.track]
        width = self.size.width or 80
        wide = width >= 90
        name_w = 30 if wide else (24 if width >= 70 else 16)
        band_w = 22 if wide else 14
        band = c.band(self.track, self.value)[:band_w]
        delta = self.value - self.start
        delta_txt = f"{delta:+d}" if delta else ""
        spark = ""
        if wide and self.history:
            spark = " " + sparkline(self.history, t.min, t.max)
        tail_w = 4 + 1 + band_w + 5
        bar_w = max(6, width - name_w - tail_w - len(spark) - 1)
        out = Text(no_wrap=True, overflow="ellipsis")
        source = self.styles_from
        get = source.get_component_rich_style if source is not None else (lambda _: Style())
        styles = (get("trackbar--filled"), get("trackbar--filled2"), get("trackbar--empty"))
        out.append(f"{'▶' if self.has_focus else ' '}{t.name[: name_w - 2]:<{name_w - 1}}")
        out.append_text(track_bar(c, self.track, self.value, bar_w, styles))
        out.append(f" {self.value:>3}", style="bold")
        out.append(f" {band:<{band_w}}")
        out.append(f" {delta_txt:>4}", style=get("trackbar--up") if delta > 0 else get("trackbar--down"))
        if spark:
            out.append(spark, style="dim")
        return out

    def on_focus(self) -> None:
        self.post_message(self.Selected(self.track))
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self) -> None:
        self.focus()


class TrackChart(Static):
    """The selected track over the turns: one column per turn, scaled to its range, bands marked."""

    def show(self, catalog: Catalog, track: str, values: list[int], height: int = 6) -> None:
        shown = (track, tuple(values), height)
        if shown == getattr(self, "_shown", None):
            return
        self._shown = shown
        t = catalog.tracks[track]
        span = max(1, t.max - t.min)
        rows: list[Text] = []
        for row in range(height, 0, -1):
            top = t.min + span * row / height
            bottom = t.min + span * (row - 1) / height
            line = Text(f"{round(top):>4} ┤", style="dim")
            for v in values:
                if v >= top:
                    line.append(" ██")
                elif v > bottom:
                    line.append(" ▄▄")
                else:
                    line.append("   ")
            rows.append(line)
        axis = Text("     └" + "".join(f"{'S' if i == 0 else i:>3}" for i in range(len(values))), style="dim")
        rows.append(axis)
        bands = " · ".join(f"{b.min}–{b.max} {b.label}" for b in t.bands)
        head = Text(f"{t.name}: ", style="bold")
        head.append(" → ".join(str(v) for v in values))
        body = Text("\n").join([head, *rows, Text(f"Bands: {bands}", style="dim"), Text(t.meaning, style="italic")])
        update_static(self, body)


ROLE_COLUMNS: tuple[Column, ...] = (
    ("Role", "role", None),
    ("Cap", "capital", None),
    ("Hand", "hand", None),
    # Fixed width for the status column: it flips between "deciding" and "thinking…" as AI
    # seats move, and a column sized to its content would make the table jitter.
    ("Status", "status", 9),
    ("Seat", "seat", None),
    ("Objective", "objective", None),
)


class BoardPanel(VerticalScroll):
    """The whole public board for one view (a role's, the public's or the facilitator's)."""

    COMPONENT_CLASSES = {"trackbar--filled", "trackbar--filled2", "trackbar--empty", "trackbar--up", "trackbar--down"}
    DEFAULT_CSS = """
    BoardPanel > .trackbar--filled { color: $primary; }
    BoardPanel > .trackbar--filled2 { color: $secondary; }
    BoardPanel > .trackbar--empty { color: $foreground-muted; }
    BoardPanel > .trackbar--up { color: $success; }
    BoardPanel > .trackbar--down { color: $error; }
    BoardPanel .board-objective { height: auto; margin-top: 1; }
    """

    def __init__(self, catalog: Catalog, id: str | None = None, spread: bool = True) -> None:
        """`spread`: on a wide screen, put the tracks and the side panel next to each other."""
        super().__init__(id=id, classes="board -spread" if spread else "board")
        self.catalog = catalog
        self.selected = catalog.scenario.tracks[0].id
        self._view: dict[str, Any] | None = None
        self.thinking = ""
        self._bars: dict[str, TrackBar] = {}
        self._parts: dict[str, Any] = {}

    def compose(self) -> ComposeResult:
        c = self.catalog
        yield Static(id="board-turn", classes="board-turn")
        with Vertical(classes="board-tracks"):
            for t in c.scenario.tracks:
                self._bars[t.id] = TrackBar(c, t.id, self)
                yield self._bars[t.id]
        with Vertical(classes="board-side"):
            yield Static(id="board-objective", classes="board-objective")
            yield Static(id="board-events", classes="board-events")
            yield RowTable(id="board-roles", cursor=False)
            yield TrackChart(id="board-chart", classes="board-chart")

    def on_mount(self) -> None:
        for name in ("#board-turn", "#board-objective", "#board-events", "#board-roles", "#board-chart"):
            self._parts[name] = self.query_one(name)  # looked up once: queries walk the DOM
        if self._view is not None:
            self.show(self._view, self.thinking)

    def on_track_bar_selected(self, event: TrackBar.Selected) -> None:
        self.selected = event.track
        if self._view is not None and self._parts:
            self._chart(self._view)

    def show(self, view: dict[str, Any], thinking: str = "") -> None:
        self._view = view
        self.thinking = thinking
        if not self._parts:  # not composed yet: on_mount shows it
            return
        c = self.catalog
        for t in c.scenario.tracks:
            self._bars[t.id].set(view["tracks"][t.id], view["turn_start"][t.id], c.trajectory(view, t.id))
        update_static(self._parts["#board-turn"], self._turn_line(view))
        objective = self._parts["#board-objective"]
        tracker = self._objective(view)
        objective.display = tracker is not None
        update_static(objective, tracker or "")
        update_static(self._parts["#board-events"], self._events(view))
        self._roles(view)
        self._chart(view)

    def _turn_line(self, view: dict[str, Any]) -> Text:
        phase = PHASE_LABELS.get(view["phase"], view["phase"])
        line = Text()
        line.append(f"Turn {view['turn']}/{view['turns']}", style="bold")
        line.append(f" · {phase}")
        if view["paused"]:
            line.append(" · PAUSED by the facilitator", style="bold reverse")
        if view["diplomacy_locked"]:
            line.append(" · diplomacy locked", style="bold")
        if view["end_reason"]:
            line.append(f" · ended: {view['end_reason']}", style="bold")
        return line

    def _objective(self, view: dict[str, Any]) -> Text | None:
        """The seat's objective tracker: each term, met or not now, and its points (a role's view
        only: the public and facilitator boards show every role's score in the roles table)."""
        role = view.get("role")
        if not role:
            return None
        c = self.catalog
        terms = c.objective_terms(view, role)
        if not terms:
            return None
        score = sum(t["points"] for t in terms if t["met"])
        most = sum(t["points"] for t in terms)
        over = bool(view.get("results"))
        won = all(t["met"] for t in terms if t["required"])
        out = Text()
        out.append("Your objective", style="bold")
        out.append(" (final)" if over else " (if the game ended now)")
        out.append(f": {score}/{most} points · ")
        out.append(("WON" if over else "on track") if won else ("not won" if over else "short"), style="bold")
        for t in terms:
            out.append("\n ")
            out.append("✓" if t["met"] else "✗", style="bold" if t["met"] else "")
            out.append(" ")
            out.append_text(literal(t["label"]))
            details = [f"{t['points']} pt" + ("s" if t["points"] != 1 else "")]
            if t["required"]:
                details.append("required")
            if t["now"]:
                details.append(t["now"])
            out.append(f" ({', '.join(details)})", style="dim")
        return out

    def _events(self, view: dict[str, Any]) -> Text:
        c = self.catalog
        shocks = ", ".join(c.shock_title(s) for s in view["shocks_this_turn"]) or "none"
        windows = (
            ", ".join(f"{c.window_names.get(w, w)} (to turn {last})" for w, last in view["windows"].items()) or "none"
        )
        flags = ", ".join(c.flag_names.get(f, f) for f in view["flags"]) or "none"
        out = Text()
        out.append("Shocks this turn: ", style="bold")
        out.append(shocks + "\n")
        out.append("Open windows: ", style="bold")
        out.append(windows + "\n")
        out.append("Flags: ", style="bold")
        out.append(flags)
        if view["blocks"]:
            blocks = ", ".join(
                f"{b['kind']}{' of ' + b['role'] if b['role'] else ''} to turn {b['last_turn']}" for b in view["blocks"]
            )
            out.append("\nBlocked: ", style="bold")
            out.append(blocks)
        return out

    def _roles(self, view: dict[str, Any]) -> None:
        c = self.catalog
        status = c.objective_status(view)
        rows: list[Row] = []
        waiting = view["phase"] in ("diplomacy", "orders") and not view["paused"]
        for role, r in view["roles"].items():
            if not waiting:
                state = "—"
            elif r["ready"]:
                state = "sealed" if view["phase"] == "orders" else "done"
            elif role == self.thinking:
                state = "thinking…"
            else:
                state = "deciding"
            obj = status.get(role)
            if obj is None:
                objective = ""
            else:
                verdict = "WINS" if view.get("results") and obj["won"] else ("on track" if obj["won"] else "short")
                objective = f"{obj['score']}/{obj['max_score']} {verdict}"
            cells = (c.short_role(role), str(r["capital"]), str(r["hand_size"]), state, r["controller"], objective)
            rows.append((role, cells))
        self._parts["#board-roles"].fill(ROLE_COLUMNS, rows)

    def _chart(self, view: dict[str, Any]) -> None:
        values = self.catalog.trajectory(view, self.selected)
        self._parts["#board-chart"].show(self.catalog, self.selected, values)
