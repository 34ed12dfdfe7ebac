"""The facilitator (white cell) console: clock, pause, shocks, overrides, rollback, seats.

Every act is an ordinary ``gm:`` command, so it is logged, saved and replayed like any
order. With ``--as gm`` the console shows the facilitator view (every hand and pending
order); opened by a player (key ``g``) it shows only the public board.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static, Switch

from game.errors import IllegalCommand
from tui.catalog import Catalog
from tui.literal import literal
from tui.seats import HUMAN, ai_kinds, check_controller
from tui.widgets.board import BoardPanel
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import WedgeApp


class FacilitatorScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("space", "toggle_pause", "Pause/resume"),
        Binding("t", "toggle_timer", "Timer"),
        Binding("f", "force", "Force waiting"),
        Binding("p", "app.projector", "Projector"),
        Binding("f1,question_mark", "app.rules", "Rules"),
    ]

    def __init__(self, catalog: Catalog, full_view: bool) -> None:
        super().__init__(id="facilitator")
        self.catalog = catalog
        self.full_view = full_view

    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    def compose(self) -> ComposeResult:
        c = self.catalog
        yield Header(icon="◆")
        yield Static(id="gm-status", classes="status-line")
        with Horizontal(id="gm-body"):
            yield BoardPanel(c, id="gm-board", spread=False)
            with VerticalScroll(id="gm-controls"):
                yield Static(id="gm-error", classes="inline-error")
                yield Label("Phase timer", classes="form-label")
                with Horizontal(classes="form-row"):
                    yield Static(id="gm-clock", classes="clock")
                    yield Input(value="5", placeholder="minutes", id="gm-minutes", type="integer", compact=True)
                    yield Button("Start/stop \\[t]", id="gm-timer", compact=True)
                    yield Button("Reset", id="gm-timer-reset", compact=True)
                with Horizontal(classes="form-row"):
                    yield Switch(value=False, id="gm-autoforce")
                    yield Label("at time-up, waiting seats get the default order")
                yield Label("Game", classes="form-label")
                with Horizontal(classes="form-row"):
                    yield Button("Pause/resume \\[space]", id="gm-pause", variant="warning", compact=True)
                    yield Button("Lock/unlock diplomacy", id="gm-lock", compact=True)
                    yield Button("Force waiting \\[f]", id="gm-force", compact=True)
                yield Label("Inject a shock", classes="form-label")
                shocks = [(literal(x.title), x.id) for x in c.scenario.shocks]
                with Horizontal(classes="form-row"):
                    yield Select(shocks, prompt="shock from the deck", id="gm-shock", compact=True)
                    yield Button("Inject", id="gm-inject", compact=True)
                with Horizontal(classes="form-row"):
                    yield Input(
                        placeholder='custom shock JSON {"id":..., "title":..., ...}', id="gm-custom", compact=True
                    )
                    yield Button("Inject custom", id="gm-inject-custom", compact=True)
                yield Label("Override a track or capital (reason required)", classes="form-label")
                subjects = [(literal(t.name), t.id) for t in c.scenario.tracks] + [
                    (literal(f"{c.short_role(r)} capital"), f"capital.{r}") for r in c.role_ids
                ]
                with Horizontal(classes="form-row"):
                    yield Select(subjects, prompt="track", id="gm-subject", compact=True)
                    yield Input(placeholder="value", id="gm-value", type="integer", compact=True)
                with Horizontal(classes="form-row"):
                    yield Input(placeholder="reason (required, logged)", id="gm-reason", compact=True)
                    yield Button("Override", id="gm-override", variant="error", compact=True)
                yield Label("Roll back to the start of a turn", classes="form-label")
                with Horizontal(classes="form-row"):
                    yield Input(placeholder="turn", id="gm-rollback-turn", type="integer", compact=True)
                    yield Button("Roll back", id="gm-rollback", variant="error", compact=True)
                yield Label("Seats: human or AI", classes="form-label")
                kinds = [(literal(HUMAN), HUMAN)] + [(literal(k), k) for k in ai_kinds()]
                with Horizontal(classes="form-row"):
                    roles = [(literal(c.role(r)), r) for r in c.role_ids]
                    yield Select(roles, prompt="role", id="gm-seat-role", compact=True)
                    yield Select(kinds, prompt="controller", id="gm-seat-kind", compact=True)
                    yield Button("Switch", id="gm-seat", compact=True)
                yield Static(id="gm-secret", classes="gm-secret")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_game()
        bars = self.query(".trackbar")
        if bars:  # start on the board, not in a text field
            bars.first().focus(scroll_visible=False)

    def refresh_game(self) -> None:
        session = self.wedge.session
        view = session.view("gm" if self.full_view else "public")
        self.query_one(BoardPanel).show(view, self.wedge.thinking)
        self.query_one("#gm-secret", Static).update(self._secret(view) if self.full_view else "")
        self.tick()

    def _secret(self, view: dict[str, Any]) -> Text:
        c = self.catalog
        out = Text("Hands and pending orders (facilitator only)\n", style="bold")
        for role in c.role_ids:
            hand = ", ".join(c.card_title(x) for x in view["hands"][role])
            order = ", ".join(
                c.card_title(o["card"]) + (f" → {c.short_role(o['target'])}" if o["target"] else "")
                for o in view["pending_orders"][role]
            )
            out.append(f"{c.short_role(role)}: ", style="bold")
            out.append(f"hand: {hand or '—'}; order: {order or '—'}\n")
        return out

    def tick(self) -> None:
        app = self.wedge
        view = app.session.view("public")
        self.query_one("#gm-clock", Static).update(Text(app.timer.text(), style="bold"))
        waiting = [r for r, v in view["roles"].items() if not v["ready"] and view["phase"] in ("diplomacy", "orders")]
        out = Text("Facilitator", style="bold")
        out.append(f" · turn {view['turn']}/{view['turns']} {view['phase']}")
        if view["paused"]:
            out.append(" · PAUSED", style="bold reverse")
        if waiting:
            out.append(" · waiting for " + ", ".join(self.catalog.short_role(r) for r in waiting))
        self.query_one("#gm-status", Static).update(out)

    # -- commands -------------------------------------------------------------------
    def _gm(self, command: str) -> bool:
        error = self.query_one("#gm-error", Static)
        try:
            self.wedge.session.submit("gm", command)
        except IllegalCommand as exc:
            error.update(Text(f"✗ Refused (rule {exc.rule}): {exc.reason}", style="bold"))
            return False
        error.update(Text(f"✓ {command}", style="dim"))
        return True

    def _fail(self, text: str) -> None:
        self.query_one("#gm-error", Static).update(Text(f"✗ {text}", style="bold"))

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_toggle_pause(self) -> None:
        paused = self.wedge.session.view("public")["paused"]
        self._gm("gm:resume" if paused else "gm:pause")

    def action_toggle_timer(self) -> None:
        timer = self.wedge.timer
        if timer.running:
            timer.stop()
        else:
            if timer.expired:
                timer.reset()
            timer.start()
        self.tick()

    def action_force(self) -> None:
        view = self.wedge.session.view("public")
        waiting = [r for r, v in view["roles"].items() if not v["ready"]]
        if view["phase"] not in ("diplomacy", "orders") or not waiting:
            self._fail("no seat is being waited for")
            return
        for role in waiting:
            if not self._gm(f"gm:force:{role}"):
                return

    def on_switch_changed(self, event: Switch.Changed) -> None:
        if event.switch.id == "gm-autoforce":
            self.wedge.timer.auto_force = event.value

    def on_button_pressed(self, event: Button.Pressed) -> None:  # noqa: C901 - one branch per button
        event.stop()
        bid = event.button.id
        if bid == "gm-timer":
            self.action_toggle_timer()
        elif bid == "gm-timer-reset":
            minutes = self.query_one("#gm-minutes", Input).value.strip()
            self.wedge.timer.reset(int(float(minutes) * 60) if minutes else None)
            self.tick()
        elif bid == "gm-pause":
            self.action_toggle_pause()
        elif bid == "gm-lock":
            locked = self.wedge.session.view("public")["diplomacy_locked"]
            self._gm("gm:unlock" if locked else "gm:lock")
        elif bid == "gm-force":
            self.action_force()
        elif bid == "gm-inject":
            shock = self.query_one("#gm-shock", Select).value
            if shock == Select.NULL:
                self._fail("choose a shock first")
            else:
                self._gm(f"gm:inject:{shock}")
        elif bid == "gm-inject-custom":
            text = self.query_one("#gm-custom", Input).value.strip()
            if not text:
                self._fail("write the shock as JSON first")
            else:
                self._gm(f"gm:inject-custom:{text}")
        elif bid == "gm-override":
            self._override()
        elif bid == "gm-rollback":
            turn = self.query_one("#gm-rollback-turn", Input).value.strip()
            if not turn:
                self._fail("which turn? (1 = the start of the game)")
            else:
                self._gm(f"gm:rollback:{turn}")
        elif bid == "gm-seat":
            self._switch_seat()

    def _override(self) -> None:
        subject = self.query_one("#gm-subject", Select).value
        value = self.query_one("#gm-value", Input).value.strip()
        reason = " ".join(self.query_one("#gm-reason", Input).value.split())
        if subject == Select.NULL:
            self._fail("choose the track to override")
        elif not value:
            self._fail("give the new value")
        elif not reason:
            self._fail("a reason is required: it is written to the ledger and the log")
        elif self._gm(f"gm:set:{subject}:{value}:{reason}"):
            self.query_one("#gm-reason", Input).value = ""

    def _switch_seat(self) -> None:
        role = self.query_one("#gm-seat-role", Select).value
        kind = self.query_one("#gm-seat-kind", Select).value
        if role == Select.NULL or kind == Select.NULL:
            self._fail("choose the role and who plays it")
            return
        try:
            controller = check_controller(str(kind))
        except ValueError as exc:
            self._fail(str(exc))
            return
        self._gm(f"gm:seat:{role}:{controller}")
