"""A Footer that recomposes only when the keys it shows change.

Textual's Footer rebuilds all its key widgets on every focus change; with a dozen keys
that restyling dominated the cost of a tab switch. The keys shown rarely differ between
focus targets, so compare first.
"""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[tuple[str, str, bool], ...] | None = None

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
