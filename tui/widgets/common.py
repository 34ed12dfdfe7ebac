"""Cheap redraws: touch a widget only when what it shows changes.

The views are re-read after every session change (each AI move), but most of what a
panel shows stays the same from one move to the next. Updating a ``Static`` always
costs a layout pass and refilling a table a repaint, and the time goes to the UI
thread that answers keys; so both are skipped when the content is equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static, TabbedContent

from tui.names import Names, fit_names, fit_text


class Col(NamedTuple):
    """A table column. Only `label`, `key` and `width` are needed; the rest says how the
    column gives way when the table is wider than the space it has (and takes space when
    it is narrower): see :func:`fit_widths`."""

    label: str
    key: str
    #: a fixed width, or None: as wide as the widest cell shown now
    width: int | None = None
    #: shrink down to this many cells when the table does not fit (0: never shrink); its
    #: cells are then shortened deliberately (:class:`Names`, or at a word with "…")
    min: int = 0
    #: takes whatever width the table leaves unused (one such column per table)
    grow: bool = False
    #: may be left out when even the shrunk table does not fit: the highest first (0: never)
    drop: int = 0
    #: the header when the column is narrower than `label`
    short: str = ""
    #: gives way before the other shrinkable columns do (its cells have a short form)
    first: bool = False


#: a column: a :class:`Col`, or just (label, key, fixed width or None)
Column = Col | tuple[str, str, int | None]
Cell = str | Text | Names
Row = tuple[str, tuple[Cell, ...]]


def fit_widths(columns: Sequence[Col], natural: Sequence[int], available: int) -> list[int]:
    """Column widths (0: the column is left out) for a table that has `available` cells
    across, each column taking two more for its padding.

    Too wide: the shrinkable columns (``min``) give way, the widest first, down to their
    minimum; then the droppable columns (``drop``) are left out, the highest first. Too
    narrow: the ``grow`` column takes what is left. With no room known (0) every column
    keeps its natural width."""
    if available <= 0:
        return list(natural)
    # the droppable columns, the first to go first
    droppable = sorted((i for i, c in enumerate(columns) if c.drop > 0), key=lambda i: -columns[i].drop)
    dropped: set[int] = set()
    while True:
        widths = [0 if i in dropped else w for i, w in enumerate(natural)]
        over = sum(w + 2 for w in widths if w > 0) - available
        while over > 0:
            # one cell from the column that is furthest above its minimum (the `first` ones first)
            shrinkable = [i for i, c in enumerate(columns) if c.min and widths[i] > c.min]
            if not shrinkable:
                break
            i = max(shrinkable, key=lambda j: (columns[j].first, widths[j] - columns[j].min, widths[j]))
            widths[i] -= 1
            over -= 1
        if over <= 0 or not droppable:
            break
        dropped.add(droppable.pop(0))

    spare = available - sum(w + 2 for w in widths if w > 0)
    grow = next((i for i, c in enumerate(columns) if c.grow and widths[i] > 0), None)
    if spare > 0 and grow is not None:
        widths[grow] += spare
    return widths


class WedgeTabs(TabbedContent):
    """TabbedContent that does not repaint its own (empty) background on every switch.

    Switching tabs already re-lays out and repaints the tab bar and the pane shown; the
    extra full repaint of the container was pure cost on each key.
    """

    active: reactive[str] = reactive("", init=False, repaint=False)


def update_static(widget: Static, content: str | Text) -> bool:
    """``widget.update(content)`` unless it already shows exactly that; True if it changed."""
    old = widget.content
    if type(old) is type(content) and old == content:
        return False
    widget.update(content)
    return True


class _RowMessage(Message):
    """A row of a :class:`RowTable`: its index and key."""

    def __init__(self, table: RowTable, cursor_row: int, key: str | None) -> None:
        self.table, self.cursor_row, self.key = table, cursor_row, key
        super().__init__()

    @property
    def control(self) -> RowTable:
        return self.table


class RowTable(ScrollView, can_focus=True):
    """A light read-and-pick table: a header, rows of cells, an optional row cursor.

    Textual's DataTable re-renders every cell whenever it gains or loses the focus (its
    render caches are keyed on the focus state) and rebuilds its rows and column metrics
    on every change; with a table on each tab, that was most of the cost of a tab switch
    and of the repaint after each AI move. Here each row is rendered once into a strip
    and kept until the rows or the styles change: moving the cursor or the focus
    restyles one line.

    Column widths follow the rows shown *now* (a long value shown once, say while an AI
    seat was "thinking…", does not keep a column wide), so what the screen looks like
    never depends on its history or on timing — and then fit the table's width
    (:func:`fit_widths`): the columns that may give way do, the least needed go, and the
    widest stretches to use the room; nothing falls off the right edge. The highlighted row stays on the same
    key when it is still there after a :meth:`fill` (else the first row).
    """

    COMPONENT_CLASSES = {"rowtable--header", "rowtable--even-row", "rowtable--cursor"}
    DEFAULT_CSS = """
    RowTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        & > .rowtable--header { text-style: bold; background: $panel; color: $foreground; }
        & > .rowtable--even-row { background: $surface-lighten-1 50%; }
        &:dark > .rowtable--even-row { background: $surface-darken-1 40%; }
        & > .rowtable--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .rowtable--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """
    BINDINGS = [
        Binding("enter", "select", "Select", show=False),
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("left", "scroll_left", "Scroll left", show=False),
        Binding("right", "scroll_right", "Scroll right", show=False),
    ]

    class RowHighlighted(_RowMessage):
        """The cursor moved to another row (by a key, a click or a fill)."""

    class RowSelected(_RowMessage):
        """Enter, or a click on the highlighted row."""

    def __init__(
        self, *, cursor: bool = True, zebra_stripes: bool = True, id: str | None = None, classes: str | None = None
    ) -> None:
        """`cursor`: False for a table that is only read (no cursor, never focused)."""
        super().__init__(id=id, classes=classes)
        self.show_cursor = cursor
        self.can_focus = cursor
        self.zebra_stripes = zebra_stripes
        self.cursor_row = 0
        self._columns: tuple[Col, ...] = ()
        self._rows: tuple[Row, ...] = ()
        #: each column's width as wide as its widest cell, and as fitted to the table's width
        self._natural: list[int] = []
        self._widths: list[int] = []
        self._fitted_for = -1
        self._table_width = 0
        #: (row index or -1 for the header, style) -> the row rendered at full table width
        self._strips: dict[tuple[int, Style], Strip] = {}
        self._row_styles = (Style(), Style(), Style(), Style())

    # -- data -----------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def keys(self) -> list[str]:
        """The rows' keys, top to bottom."""
        return [k for k, _ in self._rows]

    @property
    def highlighted_key(self) -> str | None:
        if not self.show_cursor or not 0 <= self.cursor_row < len(self._rows):
            return None
        return self._rows[self.cursor_row][0]

    def cell(self, row: int, column: int) -> str:
        """The plain text of one cell."""
        value = self._rows[row][1][column]
        return value if isinstance(value, str) else value.plain

    def fill(self, columns: Sequence[Column], rows: Sequence[Row]) -> bool:
        """Show exactly `rows` (key, cells) under `columns`; False (nothing done) if unchanged."""
        new_columns = tuple(c if isinstance(c, Col) else Col(*c) for c in columns)
        new_rows = tuple(rows)
        if (new_columns, new_rows) == (self._columns, self._rows):
            return False
        keep = self.highlighted_key
        old_row = self.cursor_row
        self._columns, self._rows = new_columns, new_rows
        self._natural = [
            width if width is not None else max([cell_len(label), *(_cell_width(r[1][i]) for r in new_rows)])
            for i, (label, _, width, *_) in enumerate(new_columns)
        ]
        self._strips.clear()  # the rows changed: every line is rendered again
        self._fitted_for = -1
        self._fit()
        keys = [k for k, _ in new_rows]
        self.cursor_row = keys.index(keep) if keep in keys else 0
        self.refresh()
        self._scroll_to_cursor()
        if self.show_cursor and (self.cursor_row != old_row or self.highlighted_key != keep):
            self.post_message(self.RowHighlighted(self, self.cursor_row, self.highlighted_key))
        return True

    def _available(self) -> int:
        """The cells across that the rows may take (0 before the first layout)."""
        width, height = self.size
        if width <= 0:
            return 0
        if len(self._rows) + 1 > height and self.styles.overflow_y in ("auto", "scroll"):
            width -= self.styles.scrollbar_size_vertical  # the vertical scrollbar's gutter
        return max(0, width)

    def _fit(self) -> None:
        """Fit the columns to the width the table has now (see :func:`fit_widths`)."""
        available = self._available()
        if available != self._fitted_for:
            self._fitted_for = available
            widths = fit_widths(self._columns, self._natural, available)
            if widths != self._widths:
                self._widths = widths
                self._table_width = sum(w + 2 for w in widths if w > 0)
                self._strips.clear()
        size = Size(self._table_width, len(self._rows) + 1)
        if size != self.virtual_size:
            self.virtual_size = size  # a layout only when the table grows or shrinks
        self.refresh()

    def on_resize(self) -> None:
        if self._columns:
            self._fit()

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns shown at this width (a narrow table leaves some out)."""
        return [c.key for c, w in zip(self._columns, self._widths) if w > 0]

    # -- cursor ---------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        if not self._rows or not self.show_cursor:
            return
        row = max(0, min(row, len(self._rows) - 1))
        if row == self.cursor_row:
            return
        old, self.cursor_row = self.cursor_row, row
        self.refresh_line(old + 1)
        self.refresh_line(row + 1)
        self._scroll_to_cursor()
        self.post_message(self.RowHighlighted(self, row, self.highlighted_key))

    def _scroll_to_cursor(self) -> None:
        shown = max(1, self.scrollable_content_region.height - 1)  # rows under the header
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + shown:
            self.scroll_to(y=self.cursor_row - shown + 1, animate=False, immediate=True)

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_select(self) -> None:
        if self.highlighted_key is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, self.highlighted_key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = offset.y - 1 + round(self.scroll_y)
        if self.show_cursor and 0 <= row < len(self._rows):
            # The first click on a row highlights it (a card's details show); a click on
            # the highlighted row selects it, like enter: reading a card never plays it.
            event.stop()
            if row == self.cursor_row:
                self.action_select()
            else:
                self.move_cursor(row)

    # -- rendering ------------------------------------------------------------------
    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # the row styles, looked up once per repaint (each lookup builds a styles object)
        get = self.get_component_styles
        self._row_styles = (
            self.rich_style,
            get("rowtable--header").rich_style,
            get("rowtable--even-row").rich_style,
            get("rowtable--cursor").rich_style,
        )
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        scroll_x, scroll_y = self.scroll_offset
        base, header, even, cursor = self._row_styles
        if y == 0:
            index, style = -1, header
        else:
            index = y - 1 + scroll_y
            if index >= len(self._rows):
                return Strip.blank(width, base)
            if self.show_cursor and index == self.cursor_row:
                style = cursor
            elif self.zebra_stripes and index % 2 == 0:
                style = even
            else:
                style = base
        key = (index, style)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_row(index, style)
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _render_row(self, index: int, style: Style) -> Strip:
        header = index < 0
        cells: Sequence[Cell] = [c.label for c in self._columns] if header else self._rows[index][1]
        line = Text(style=style, no_wrap=True, end="")
        for column, value, width in zip(self._columns, cells, self._widths):
            if width <= 0:
                continue
            if header and isinstance(value, str) and cell_len(value) > width and column.short:
                value = column.short
            text = _fit_cell(value, width)
            text.truncate(width, overflow="ellipsis", pad=True)
            line.append(" ")
            line.append_text(text)
            line.append(" ")
        segments = [seg if seg.style is not None else Segment(seg.text, style) for seg in line.render(self.app.console)]
        return Strip(segments, self._table_width)


def _fit_cell(value: Cell, width: int) -> Text:
    """A cell shortened to `width` deliberately: a :class:`Names` cell by its short form,
    words cut at a word boundary with "…" (the style of a Text kept)."""
    if isinstance(value, Names):
        return Text(fit_names(value, width), style=value.style)
    if isinstance(value, str):
        return Text(fit_text(value, width))
    if value.cell_len <= width:
        return value.copy()
    fitted = fit_text(value.plain, width)
    out = value[: len(fitted) - 1]
    out.append("…")
    return out


def _cell_width(value: Cell) -> int:
    if isinstance(value, Names):
        return cell_len(value.full)
    return value.cell_len if isinstance(value, Text) else cell_len(value)
