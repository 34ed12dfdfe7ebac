"""The projector board: the public view only, for a classroom screen."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tui.catalog import Catalog
from tui.widgets.board import BoardPanel
from tui.widgets.footer import KeyFooter
from tui.widgets.ledger import LedgerPanel

if TYPE_CHECKING:
    from tui.app import WedgeApp


class ProjectorScreen(Screen[None]):
    BINDINGS = [
        Binding("escape,p", "close", "Back"),
        Binding("l", "toggle_ledger", "Ledger"),
    ]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(id="projector")
        self.catalog = catalog

    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    def compose(self) -> ComposeResult:
        yield Static(id="projector-title", classes="projector-title")
        yield BoardPanel(self.catalog, id="projector-board")
        yield LedgerPanel(self.catalog, id="projector-ledger")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(LedgerPanel).display = False
        self.refresh_game()

    def refresh_game(self) -> None:
        view = self.wedge.game.view("public")
        self.query_one(BoardPanel).show(view, self.wedge.thinking)
        self.query_one(LedgerPanel).show(view)
        self.tick()

    def tick(self) -> None:
        app = self.wedge
        out = Text(self.catalog.scenario.scenario.title, style="bold")
        if app.timer.running or app.timer.expired:
            out.append(f"   ⏱ {app.timer.text()}", style="bold reverse")
        # The app's one-second tick can come before this screen is composed or after it
        # is gone: then there is no title to update.
        for title in self.query("#projector-title").results(Static):
            title.update(out)

    def action_toggle_ledger(self) -> None:
        board, ledger = self.query_one(BoardPanel), self.query_one(LedgerPanel)
        ledger.display = not ledger.display
        board.display = not ledger.display

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Back is offered only over another screen (not on ``wedge watch``, where it is the root)."""
        if action == "close":
            return len(self.app.screen_stack) > 1
        return True

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
