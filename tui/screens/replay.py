"""Replay viewer: step through a saved or playtest game by command and by turn."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static, TabbedContent, TabPane

from tui.catalog import PHASE_LABELS, Catalog
from tui.literal import literal
from tui.seats import HUMAN
from tui.session import GM, PUBLIC, ReplaySession
from tui.widgets.board import BoardPanel
from tui.widgets.footer import KeyFooter
from tui.widgets.ledger import LedgerPanel

if TYPE_CHECKING:
    from tui.app import WedgeApp

#: a command the seat viewed as may not read (yet): an offer, a played card, a message...
HIDDEN = "(private: not in this seat's view)"


class ReplayScreen(Screen[None]):
    BINDINGS = [
        # priority: the tabs and tables would otherwise take the arrow keys
        Binding("right,full_stop", "step(1)", "Next cmd", priority=True),
        Binding("left,comma", "step(-1)", "Prev cmd", priority=True),
        Binding("right_square_bracket,pagedown", "turn(1)", "Next turn", priority=True),
        Binding("left_square_bracket,pageup", "turn(-1)", "Prev turn", priority=True),
        Binding("home", "seek(0)", "Start", show=False, priority=True),
        Binding("end", "seek(-1)", "End", show=False, priority=True),
        Binding("v", "view_as", "View as"),
        Binding("1", "tab('board')", "Board", show=False),
        Binding("2", "tab('ledger')", "Ledger", show=False),
        Binding("3", "tab('log')", "Log", show=False),
        Binding("f1,question_mark", "app.rules", "Rules"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, catalog: Catalog, session: ReplaySession) -> None:
        super().__init__(id="replay")
        self.catalog = catalog
        self.replay = session
        self.seats = [GM, PUBLIC, *catalog.role_ids]
        self.seat = GM
        self._visible: list[bool] = []
        self._agents: dict[str, str] = {}

    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(id="replay-status", classes="status-line")
        with TabbedContent(initial="board", id="replay-tabs"):
            with TabPane("Board", id="board"):
                yield BoardPanel(self.catalog, id="replay-board")
            with TabPane("Ledger", id="ledger"):
                yield LedgerPanel(self.catalog, id="replay-ledger")
            with TabPane("Log", id="log"):
                yield DataTable(id="replay-log", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.catalog.learn(self.replay.history)
        self._agents = self._meta_agents()
        log = self.query_one("#replay-log", DataTable)
        log.add_column("#", key="n")
        log.add_column("Turn", key="turn")
        log.add_column("Command", key="command")
        self._visible = self._visibility()
        for i, command in enumerate(self.replay.history):
            # the turn the command was sent in (the state before it: the seal that ends turn 1
            # is a turn-1 command although the game is in turn 2 after it)
            # a str cell would be parsed as markup and emoji (india:accept:1 showed as india🉑1)
            log.add_row(str(i + 1), str(self.replay.turn_at(i)), self._cell(i, command), key=str(i + 1))
        self.refresh_game()

    # -- what the seat viewed as may read ------------------------------------------------
    def _visibility(self) -> list[bool]:
        r = self.replay
        return [r.command_visible(i, self.seat) for i in range(r.length)]

    def _cell(self, index: int, command: str) -> Text:
        if self._visible[index]:
            return literal(command)
        return literal(HIDDEN, style="dim")

    def _update_log(self) -> None:
        """Hide what the seat viewed as may not read at this position (only cells that change)."""
        visible = self._visibility()
        if visible == self._visible:
            return
        old, self._visible = self._visible, visible
        log = self.query_one("#replay-log", DataTable)
        for i, command in enumerate(self.replay.history):
            if old[i] != visible[i]:
                log.update_cell(str(i + 1), "command", self._cell(i, command))

    # -- controllers of games recorded without seat commands ------------------------------
    def _meta_agents(self) -> dict[str, str]:
        """A simulated or playtest game records no ``gm:seat`` commands (every seat reads
        "human" in its state) but its meta names the agents: ``random``, or a per-role spec."""
        text = self.replay.meta.get("agents")
        if not isinstance(text, str) or not text.strip():
            return {}
        from game.agents.registry import parse_agents
        from game.errors import WedgeError

        try:
            return {role: spec.text for role, spec in parse_agents(text, self.replay.compiled).items()}
        except (WedgeError, ValueError):
            return {}

    def _with_agents(self, view: dict[str, Any]) -> dict[str, Any]:
        """The view with the meta's agents as controllers of the seats no seat command set so
        far (display only: the view is a fresh copy; the game and its hashes are untouched)."""
        if not self._agents:
            return view
        r = self.replay
        seated = {c.split(":", 3)[2] for c in r.history[: r.position] if c.startswith("gm:seat:")}
        roles = dict(view["roles"])
        for role, agent in self._agents.items():
            if role in roles and role not in seated and roles[role]["controller"] == HUMAN:
                roles[role] = {**roles[role], "controller": agent}
        return {**view, "roles": roles}

    def refresh_game(self) -> None:
        r = self.replay
        view = self._with_agents(r.view(self.seat))
        self.query_one(BoardPanel).show(view)
        self.query_one(LedgerPanel).show(view)
        self._update_log()
        log = self.query_one("#replay-log", DataTable)
        if r.position > 0 and log.row_count:
            log.move_cursor(row=r.position - 1)
        status = Text(f"Replay {r.title}", style="bold")
        status.append(
            f" · command {r.position}/{r.length} · turn {view['turn']} "
            f"{PHASE_LABELS.get(view['phase'], view['phase'])} · viewing as {self._seat_name()}\n"
        )
        status.append("Last command: ", style="bold")
        if not r.position:
            status.append("(start of game)")
        elif self._visible[r.position - 1]:
            status.append(r.history[r.position - 1])
        else:
            status.append(HIDDEN)
        self.query_one("#replay-status", Static).update(status)

    def _seat_name(self) -> str:
        if self.seat == GM:
            return "facilitator (everything)"
        if self.seat == PUBLIC:
            return "public"
        return self.catalog.role(self.seat)

    def tick(self) -> None:
        pass

    def action_step(self, delta: int) -> None:
        self.replay.step(delta)

    def action_turn(self, delta: int) -> None:
        self.replay.step_turn(delta)

    def action_seek(self, position: int) -> None:
        self.replay.seek(self.replay.length if position < 0 else position)

    def action_view_as(self) -> None:
        self.seat = self.seats[(self.seats.index(self.seat) + 1) % len(self.seats)]
        self.refresh_game()

    def action_tab(self, tab: str) -> None:
        self.set_focus(None)
        self.query_one(TabbedContent).active = tab

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "replay-log" and event.row_key.value:
            self.replay.seek(int(event.row_key.value))
