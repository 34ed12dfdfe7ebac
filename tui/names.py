"""Names that fit: a track's full or short name, or any text cut at a word with "…".

Nothing here imports Textual: the catalog and the screens both use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len

__all__ = ["Names", "fit_names", "fit_text"]


@dataclass(frozen=True, slots=True)
class Names:
    """A cell with a full and a short form (a track's ``name`` and ``short``): the full
    one is shown where it fits, the short one where it does not."""

    full: str
    short: str
    #: a Rich style for either
    style: str = ""

    @property
    def plain(self) -> str:
        return self.full


def fit_text(text: str, width: int) -> str:
    """`text` in at most `width` cells: whole if it fits, else cut after the last word that
    fits (mid-word only when a single word is longer than the width), with an ellipsis."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:width]
    room = width - 1
    cut = text[:room]
    while cell_len(cut) > room:
        cut = cut[:-1]
    space = cut.rfind(" ")
    if space >= max(1, room // 2):  # a word boundary that keeps at least half of the room
        cut = cut[:space]
    return cut.rstrip(" ,;:–—-") + "…"


def fit_names(names: Names | str, width: int) -> str:
    """The full name if it fits in `width`, else the short one, else the short one cut with "…"."""
    if isinstance(names, str):
        return fit_text(names, width)
    if cell_len(names.full) <= width:
        return names.full
    return fit_text(names.short or names.full, width)
