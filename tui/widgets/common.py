"""Cheap redraws: touch a widget only when what it shows changes.

The views are re-read after every session change (each AI move), but most of what a
panel shows stays the same from one move to the next. Updating a ``Static`` always
costs a layout pass and rebuilding a ``DataTable`` a full repaint, and the time goes
to the UI thread that answers keys; so both are skipped when the content is equal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Static

#: (label, key, fixed width or None for "as wide as the widest cell shown now")
Column = tuple[str, str, int | None]
Cell = str | Text
Row = tuple[str, tuple[Cell, ...]]


def update_static(widget: Static, content: str | Text) -> bool:
    """``widget.update(content)`` unless it already shows exactly that; True if it changed."""
    old = widget.content
    if type(old) is type(content) and old == content:
        return False
    widget.update(content)
    return True


class Table(DataTable[Any]):
    """A DataTable filled all at once from rows, and only when they change.

    Column widths follow the rows shown *now*: DataTable's own automatic widths only ever
    grow, so a long value shown once (say while an AI seat was "thinking…") would keep a
    column wide and what the screen looks like would depend on its history and timing.
    The highlighted row stays on the same key when it is still there (else the first row).
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._shown: tuple[tuple[Column, ...], tuple[Row, ...]] | None = None

    @property
    def highlighted_key(self) -> str | None:
        if not self.row_count or not 0 <= self.cursor_row < self.row_count:
            return None
        key = self.coordinate_to_cell_key(Coordinate(self.cursor_row, 0)).row_key.value
        return None if key is None else str(key)

    def fill(self, columns: Sequence[Column], rows: Sequence[Row]) -> bool:
        """Show exactly `rows` (key, cells) under `columns`; False (nothing done) if unchanged."""
        content = (tuple(columns), tuple(rows))
        if content == self._shown:
            return False
        keep = self.highlighted_key
        self.clear(columns=True)
        for label, key, width in columns:
            self.add_column(label, key=key, width=width)
        for key, cells in rows:
            self.add_row(*cells, key=key)
        self._shown = content
        keys = [k for k, _ in rows]
        if keep in keys and keys.index(keep):
            self.move_cursor(row=keys.index(keep), animate=False)
        return True
