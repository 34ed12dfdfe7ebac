"""The board: every track as a labelled bar with its bands, the turn, shocks, windows and roles."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from game.scenario.models import Track
from tui.catalog import PHASE_LABELS, Catalog, sparkline
from tui.literal import literal
from tui.names import Names, fit_names, fit_text
from tui.widgets.common import Col, Row, RowTable, update_static

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


#: a bar is at least this many cells long (a shorter one no longer shows the bands)
MIN_BAR = 20
#: a terminal this wide or wider may give each track two lines (see TrackList)
TWO_LINE_MIN_WIDTH = 120
#: eighth blocks, for the chart's partial cells: 8 levels per row
EIGHTHS = " ▁▂▃▄▅▆▇█"


@dataclass(frozen=True, slots=True)
class TrackLayout:
    """How every track row of a board is laid out at one width (the same for all rows, so
    that the bars line up)."""

    #: the name on a line of its own, the bar under it (height 2)
    two_line: bool
    #: cells for the name column (one-line rows)
    name_w: int
    #: cells for the band label
    band_w: int
    #: cells for the bar
    bar_w: int
    #: room for the history sparkline
    spark: bool


@lru_cache(maxsize=64)  # every bar asks, on every repaint: the same few widths
def track_layout(catalog: Catalog, width: int, two_line: bool) -> TrackLayout:
    """The rows' layout at `width` cells: the full names where they fit beside a bar of at
    least :data:`MIN_BAR` cells, else (one line) each track's short name where its full one
    does not fit — or, with `two_line`, the full name on a line of its own."""
    tracks = catalog.scenario.tracks
    full_w = max(cell_len(t.name) for t in tracks)
    short_w = max(cell_len(t.short or t.name) for t in tracks)
    band_w = min(24, max((cell_len(b.label) for t in tracks for b in t.bands), default=8))
    tail = 4 + 1 + band_w + 5  # value, band, change this turn
    spark_w = catalog.scenario.rules.turns + 2
    if two_line:
        bar = max(4, width - 2 - tail)
        spark = bar - spark_w >= MIN_BAR
        return TrackLayout(True, width - 1, band_w, bar - spark_w if spark else bar, spark)
    name_w = min(full_w, max(short_w, width - 2 - MIN_BAR - tail))
    bar = width - 2 - name_w - tail
    if bar < 4:  # very narrow: the band label gives way before the bar does
        band_w = max(6, band_w - (4 - bar))
        bar = max(4, width - 2 - name_w - (10 + band_w))
    spark = bar - spark_w >= MIN_BAR + 10
    return TrackLayout(False, name_w, band_w, bar - spark_w if spark else bar, spark)


def fits_one_line(catalog: Catalog, width: int) -> bool:
    """Whether every track's full name fits on one line with its bar at `width`."""
    full_w = max(cell_len(t.name) for t in catalog.scenario.tracks)
    return track_layout(catalog, width, False).name_w >= full_w


def track_label(t: Track, width: int) -> str:
    """A track's name in `width` cells: the full name where it fits, else the short one (cut at
    a word with "…" only if even that is too long, or there is none)."""
    return fit_names(Names(t.name, t.short or t.name), width)


class TrackList(Vertical):
    """The track rows. Decides, for its width, whether each row takes one line or two (the full
    name over the bar): two when the full names do not fit beside the bars on a wide screen
    that is tall enough for two lines a track (120×30 and more)."""

    def on_resize(self) -> None:
        width = self.size.width
        if width <= 0:
            return
        # Two lines a track only beside the side panel (120 columns and more: below, the board
        # is one column and the objective would go below the fold) and when they fit the height.
        screen = self.app.size
        roomy = screen.width >= TWO_LINE_MIN_WIDTH and screen.height >= 2 * len(self.children) + 8
        two_line = roomy and not fits_one_line(self.app_catalog, width)
        self.set_class(two_line, "-two-line")
        board = self.parent
        if board is not None:  # two-line rows need less width: the side panel gets more
            board.set_class(two_line, "-two-line")

    @property
    def app_catalog(self) -> Catalog:
        board = self.parent
        assert isinstance(board, BoardPanel)
        return board.catalog


class TrackBar(Widget, can_focus=True):
    """One track: name, bar, value, band, change this turn, history (on one line, or the
    name on a line of its own when the board is narrow and the screen tall)."""

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

    @property
    def label(self) -> str:
        """The name as shown now (full, or short when the full one does not fit)."""
        layout = self._layout()
        t = self.catalog.tracks[self.track]
        return fit_text(t.name, layout.name_w) if layout.two_line else track_label(t, layout.name_w)

    def _layout(self) -> TrackLayout:
        two_line = self.size.height >= 2
        return track_layout(self.catalog, self.size.width or 80, two_line)

    def render(self) -> Text:
        c = self.catalog
        t = c.tracks[self.track]
        layout = self._layout()
        source = self.styles_from
        get = source.get_component_rich_style if source is not None else (lambda _: Style())
        styles = (get("trackbar--filled"), get("trackbar--filled2"), get("trackbar--empty"))
        delta = self.value - self.start
        out = Text(no_wrap=True, overflow="ellipsis")
        marker = "▶" if self.has_focus else " "
        if layout.two_line:
            out.append(f"{marker}{self.label}\n ")
        else:
            out.append(f"{marker}{self.label:<{layout.name_w}} ")
        out.append_text(track_bar(c, self.track, self.value, layout.bar_w, styles))
        out.append(f" {self.value:>3}", style="bold")
        out.append(f" {c.band(self.track, self.value):<{layout.band_w}}")
        change = f"{delta:+d}" if delta else ""
        out.append(f" {change:>4}", style=get("trackbar--up") if delta > 0 else get("trackbar--down"))
        if layout.spark and self.history:
            out.append(" " + sparkline(self.history, t.min, t.max), style="dim")
        return out

    def on_focus(self) -> None:
        self.post_message(self.Selected(self.track))
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self) -> None:
        self.focus()


class TrackChart(Static):
    """The selected track over the turns: one column per turn, scaled to its range (eighth
    blocks: eight levels a row), bands marked."""

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
                eighths = round(max(0.0, min(1.0, (v - bottom) / (top - bottom))) * 8)
                line.append(" " + EIGHTHS[eighths] * 2)
            rows.append(line)
        axis = Text(f"{t.min:>4} └" + "".join(f"{'S' if i == 0 else i:>3}" for i in range(len(values))), style="dim")
        rows.append(axis)
        bands = " · ".join(f"{b.min}–{b.max} {b.label}" for b in t.bands)
        head = Text(f"{t.name}: ", style="bold")
        head.append(" → ".join(str(v) for v in values))
        body = Text("\n").join([head, *rows, Text(f"Bands: {bands}", style="dim"), Text(t.meaning, style="italic")])
        update_static(self, body)


ROLE_COLUMNS: tuple[Col, ...] = (
    Col("Role", "role"),
    Col("Cap", "capital"),
    Col("Hand", "hand"),
    # Fixed width for the status column: it flips between "deciding" and "thinking…" as AI
    # seats move, and a column sized to its content would make the table jitter.
    Col("Status", "status", 9),
    Col("Seat", "seat", min=6, drop=1),
    Col("Objective", "objective", min=13, grow=True),
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
        self._tracks: TrackList | None = None

    def compose(self) -> ComposeResult:
        c = self.catalog
        yield Static(id="board-turn", classes="board-turn")
        self._tracks = TrackList(classes="board-tracks")
        with self._tracks:
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

    def on_resize(self) -> None:
        # the terminal's height decides between one and two lines a track: a taller terminal
        # leaves the tracks' width as it was, so they are told here
        if self._tracks is not None and self._tracks.is_mounted:
            self._tracks.on_resize()

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
        height = 8 if self.app.size.height >= 50 else 6
        self._parts["#board-chart"].show(self.catalog, self.selected, values, height)
