"""The key bar: the keys that matter most on each screen, in the width there is.

Textual's Footer lays every key out in a row and lets the ones that do not fit fall off
the right edge, quit included (ctrl+q was the first to go at 80 columns). This one fits
them: first in Textual's spaced style, then compact, then with shorter descriptions
("Dipl." for "Diplomacy"), and then it leaves out the keys that matter least on that
screen. A screen ranks its keys in ``FOOTER_KEEP`` (actions, most important first; those
it does not name come after them, the command palette last); quit is always kept. The
keys shown keep the order of the screen's bindings.

It also recomposes only when the keys it shows change: Textual's Footer rebuilds all its
key widgets on every focus change, and with a dozen keys that restyling dominated the cost
of a tab switch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # the key widget Textual's Footer is made of

#: the quit key's action: always shown
QUIT = "quit"
PALETTE = "command_palette"
#: shorter descriptions, used when the keys do not fit with the full ones
SHORT = {
    "Diplomacy": "Dipl.",
    "Add card": "Add",
    "Projector": "Proj.",
    "Pause/resume": "Pause",
    "AI: one phase": "Step",
    "AI: run/hold": "Run/hold",
    "Force waiting": "Force",
    "Earlier turn": "Earlier",
    "Later turn": "Later",
    "After-action report": "Report",
    "Scorecard": "Levers",
    "palette": "more",
}


@dataclass(frozen=True, slots=True)
class _Key:
    binding: Binding
    display: str
    enabled: bool
    tooltip: str

    @property
    def action(self) -> str:
        return self.binding.action.removeprefix("app.")

    def width(self, compact: bool, short: bool) -> int:
        """Cells the key takes in the bar (Textual's FooterKey padding and margins)."""
        desc = self.description(short)
        if self.action == PALETTE:  # docked right, after a one-cell border
            return cell_len(self.display) + cell_len(desc) + (3 if compact else 4)
        return cell_len(self.display) + cell_len(desc) + (2 if compact else 3)

    def description(self, short: bool) -> str:
        desc = self.binding.description
        return SHORT.get(desc, desc) if short else desc


def plan_keys(keys: Sequence[_Key], width: int, keep: Sequence[str]) -> tuple[bool, bool, list[_Key]]:
    """(compact, short descriptions, the keys shown) for a bar `width` cells wide."""
    room = width - 1
    for compact, short in ((False, False), (True, False), (True, True)):
        if sum(k.width(compact, short) for k in keys) <= room:
            return compact, short, list(keys)

    def rank(k: _Key) -> tuple[int, int]:
        if k.action == QUIT:
            return (-1, 0)
        if k.action in keep:
            return (0, keep.index(k.action))
        return (2, 0) if k.action == PALETTE else (1, keys.index(k))

    chosen: set[int] = set()
    used = 0
    for k in sorted(keys, key=rank):
        w = k.width(True, True)
        if used + w <= room or k.action == QUIT:
            chosen.add(id(k))
            used += w
    return True, True, [k for k in keys if id(k) in chosen]


class KeyFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[tuple[str, str, bool], ...] | None = None
        self._plan: tuple[bool, bool, tuple[str, ...]] | None = None

    def _keys(self) -> list[_Key]:
        """The screen's keys to show (one per action, as Textual's Footer does), palette last."""
        active = self.screen.active_bindings
        seen: set[str] = set()
        keys: list[_Key] = []
        for _, binding, enabled, tooltip in active.values():
            action = binding.action.removeprefix("app.")
            if not binding.show or action in seen:
                continue
            seen.add(action)
            keys.append(_Key(binding, self.app.get_key_display(binding), enabled, tooltip))
        if self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette = active.get(self.app.COMMAND_PALETTE_BINDING)
            if palette is not None:
                _, binding, enabled, tooltip = palette
                keys.append(_Key(binding, self.app.get_key_display(binding), enabled, tooltip or binding.tooltip))
        return keys

    def _fit(self) -> tuple[bool, bool, list[_Key]]:
        width = self.size.width or self.app.size.width
        keep = tuple(getattr(self.screen, "FOOTER_KEEP", ()))
        return plan_keys(self._keys(), width, keep)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        compact, short, keys = self._fit()
        self._plan = (compact, short, tuple(k.binding.action for k in keys))
        self.set_reactive(Footer.compact, compact)
        self.set_class(compact, "-compact")
        for k in keys:
            palette = k.action == PALETTE
            yield FooterKey(
                k.binding.key,
                k.display,
                k.description(short),
                k.binding.action,
                disabled=not k.enabled,
                tooltip=k.tooltip or (k.binding.description if palette else ""),
                classes="-command-palette" if palette else "",
            ).data_bind(compact=Footer.compact)

    def on_resize(self) -> None:
        if not self._bindings_ready or self._plan is None:
            return
        compact, short, keys = self._fit()
        if (compact, short, tuple(k.binding.action for k in keys)) != self._plan:
            self.call_after_refresh(self.recompose)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        shown = tuple(
            (binding.key, binding.description, enabled)
            for (_, binding, enabled, _tooltip) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown and self._bindings_ready:
            return
        # Textual's Footer skips its redraw while the app is unfocused (a browser tab starts
        # that way): remember the keys only once they are really drawn, or the comparison
        # above would skip every later redraw and leave the bar empty.
        if screen.app.app_focus:
            self._shown = shown
        super().bindings_changed(screen)
