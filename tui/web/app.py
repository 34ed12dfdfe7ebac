"""The game's UI as a browser tab runs it: ``wedge join``'s app, started focused.

Textual's web driver starts every app *blurred* (it posts ``AppBlur`` as it starts,
because a web page may not have the keyboard yet), and the Footer does not redraw while
the app is blurred. Wedge's :class:`~tui.widgets.footer.KeyFooter`, which redraws only
when the keys it shows change, records the keys while blurred without drawing them, so
the key bar stayed an empty grey bar for the life of the tab — even after the browser
gave the terminal the focus. Here the app starts focused (the page gives the terminal
the keyboard as soon as it draws: :mod:`tui.web.pages`), and every time the browser
focuses the app its footers are redrawn from the keys bound now.
"""

from __future__ import annotations

import inspect
from pathlib import Path

from textual import events
from textual.widgets import Footer

from tui.app import WedgeApp
from tui.remote import RemoteApp


class BrowserApp(RemoteApp):
    """:class:`~tui.remote.RemoteApp` for one tab of ``wedge web``."""

    # Textual reads a relative CSS_PATH from the directory of the app's own class: keep the UI's.
    CSS_PATH = str(Path(inspect.getfile(WedgeApp)).parent / WedgeApp.CSS_PATH)

    def on_mount(self) -> None:
        # After the driver's own start-up callback (which posts AppBlur): the app ends its
        # start focused, whatever the timing of the browser's first "focus".
        self.call_later(self.post_message, events.AppFocus())

    def on_app_focus(self, event: events.AppFocus) -> None:
        for screen in self.screen_stack:
            for footer in screen.query(Footer):
                # From the footer's own message queue: its key widgets bind to its reactives.
                footer.call_later(footer.recompose)
