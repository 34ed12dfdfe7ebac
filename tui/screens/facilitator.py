"""The facilitator (white cell) console: pause, AI pace, clock, shocks, overrides, rollback, seats.

Every act on the game is an ordinary ``gm:`` command, so it is logged, saved and replayed
like any order; the AI seats' pace and the phase timer are UI-side and never enter the
game. With ``--as gm`` the console shows the facilitator view (every hand and pending
order); opened at a shared keyboard (``g`` and the facilitator's passphrase) it shows only
the public board.

Acts that change the game for everyone — force, override, roll back, seat switch — ask
first, in a dialog that typing cannot confirm. Single-key actions do nothing while a text
field has the focus, nor for a moment after keys were typed outside any field (someone
typing into a field they have not clicked): stray keys never pause, force or step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Header, Input, Label, Select, Static, Switch

from game.errors import IllegalCommand
from tui.catalog import PHASE_LABELS, Catalog
from tui.literal import literal
from tui.seats import HUMAN, ai_kinds, check_controller, is_human
from tui.timer import PhaseTimer
from tui.widgets.board import BoardPanel
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import WedgeApp

#: Actions bound to a printable key: never while a text field has the focus.
KEY_ACTIONS = frozenset({"toggle_pause", "toggle_timer", "force", "step", "ai_run_hold", "reveal"})
#: After a key typed outside any text field, printable keys do nothing for this long (s).
TYPING_GRACE = 1.5
AI_LABELS = {"run": "AI pace: run", "step": "AI pace: one phase", "hold": "AI pace: hold"}


class FacilitatorScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("space", "toggle_pause", "Pause/resume"),
        Binding("n", "step", "AI: one phase"),
        Binding("a", "ai_run_hold", "AI: run/hold"),
        Binding("t", "toggle_timer", "Timer"),
        Binding("f", "force", "Force waiting"),
        Binding("v", "reveal", "Reveal"),
        Binding("p", "app.projector", "Projector"),
        Binding("f1,question_mark", "app.rules", "Rules"),
        Binding("r", "app.report", "Report", show=False),
    ]
    #: the keys the footer keeps when it is short of room, most important first (quit always)
    FOOTER_KEEP = ("close", "toggle_pause", "step", "force", "toggle_timer", "ai_run_hold", "rules", "command_palette")

    def __init__(self, catalog: Catalog, full_view: bool) -> None:
        super().__init__(id="facilitator")
        self.catalog = catalog
        self.full_view = full_view
        self._typing_until = 0.0
        self._message: Text | None = None
        self._stepping = False
        #: the clock the typing guard reads (tests replace it)
        self.clock: Callable[[], float] = time.monotonic

    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    @property
    def timer(self) -> PhaseTimer:
        """The facilitator's own phase timer (a terminal with the console always has one)."""
        timer = self.wedge.timer
        assert isinstance(timer, PhaseTimer)
        return timer

    @property
    def local_ai(self) -> bool:
        """Whether this terminal runs the AI seats (local play); a server plays its own."""
        return self.wedge.ai is not None

    def compose(self) -> ComposeResult:
        c = self.catalog
        yield Header(icon="◆")
        # Fixed heights: what the status says never moves the controls under the pointer.
        yield Static(id="gm-status", classes="status-line")
        yield Static(id="gm-error", classes="gm-message")
        with Horizontal(id="gm-body"):
            yield BoardPanel(c, id="gm-board", spread=False)
            with VerticalScroll(id="gm-controls"):
                yield Label("Game", classes="form-label")
                with Horizontal(classes="form-row"):
                    yield Button("Pause/resume \\[space]", id="gm-pause", variant="warning", compact=True)
                    yield Button("Force waiting \\[f]", id="gm-force", compact=True)
                with Horizontal(classes="form-row"):
                    yield Button("Lock/unlock diplomacy", id="gm-lock", compact=True)
                yield Label("Computer seats (this screen only: not part of the game)", classes="form-label gm-ai")
                with Horizontal(classes="form-row gm-ai"):
                    yield Button("One phase \\[n]", id="gm-step", variant="primary", compact=True)
                    yield Button("Run", id="gm-run", compact=True)
                    yield Button("Hold", id="gm-hold", compact=True)
                    yield Static(id="gm-ai-pace", classes="gm-ai-pace")
                yield Label("Phase timer", classes="form-label")
                with Horizontal(classes="form-row"):
                    yield Static(id="gm-clock", classes="clock")
                    yield Input(value="5", placeholder="minutes", id="gm-minutes", type="integer", compact=True)
                    yield Button("Start/stop \\[t]", id="gm-timer", compact=True)
                    yield Button("Reset", id="gm-timer-reset", compact=True)
                with Horizontal(classes="form-row"):
                    yield Switch(value=False, id="gm-autoforce")
                    yield Label("at time-up, waiting seats get the default order")
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
                with Horizontal(classes="form-row"):  # a row of its own: the full track names fit
                    yield Select(subjects, prompt="track", id="gm-subject", compact=True)
                with Horizontal(classes="form-row"):
                    yield Input(placeholder="value", id="gm-value", type="integer", compact=True)
                    yield Input(placeholder="reason (required, logged)", id="gm-reason", compact=True)
                    yield Button("Override…", id="gm-override", variant="error", compact=True)
                yield Label("Roll back to the start of a turn", classes="form-label")
                with Horizontal(classes="form-row"):
                    yield Input(placeholder="turn", id="gm-rollback-turn", type="integer", compact=True)
                    yield Button("Roll back…", id="gm-rollback", variant="error", compact=True)
                yield Label("Seats: human or AI", classes="form-label")
                kinds = [(literal(HUMAN), HUMAN)] + [(literal(k), k) for k in ai_kinds()]
                with Horizontal(classes="form-row"):
                    roles = [(literal(c.role(r)), r) for r in c.role_ids]
                    yield Select(roles, prompt="role", id="gm-seat-role", compact=True)
                    yield Select(kinds, prompt="controller", id="gm-seat-kind", compact=True)
                    yield Button("Switch…", id="gm-seat", compact=True)
                yield Static(id="gm-secret", classes="gm-secret")
        yield KeyFooter()

    def on_mount(self) -> None:
        for widget in self.query(".gm-ai"):
            widget.display = self.local_ai
        self.refresh_game()
        bars = self.query(".trackbar")
        if bars:  # start on the board, not in a text field
            bars.first().focus(scroll_visible=False)

    def refresh_game(self) -> None:
        session = self.wedge.game
        if self._stepping and self.wedge.ai_pace != "step":
            self._stepping = False
            played = "✓ One phase played: the computer seats hold. n plays the next, a lets them run."
            over = session.view("public")["phase"] == "over"
            self._message = None if over else Text(played, style="dim")  # at the end, the hint says what now
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

    def _has_ai(self, view: dict[str, Any]) -> bool:
        return self.local_ai and any(not is_human(str(r["controller"])) for r in view["roles"].values())

    def tick(self) -> None:
        app = self.wedge
        view = app.game.view("public")
        self.query_one("#gm-clock", Static).update(Text(app.timer.text(), style="bold"))
        waiting = [r for r, v in view["roles"].items() if not v["ready"] and view["phase"] in ("diplomacy", "orders")]
        out = Text("Facilitator", style="bold")
        out.append(f" · turn {view['turn']}/{view['turns']} {PHASE_LABELS.get(view['phase'], view['phase'])}")
        if view["paused"]:
            out.append(" · PAUSED", style="bold reverse")
        if self._has_ai(view) and view["phase"] != "over":
            out.append(f" · {AI_LABELS[app.ai_pace]}", style="bold" if app.ai_pace != "run" else "")
        if waiting:
            out.append(" · waiting for " + ", ".join(self.catalog.short_role(r) for r in waiting))
        if app.timer.running or app.timer.expired:
            out.append(f" · timer {app.timer.text()}")
        server = getattr(app, "server_clock", None)
        if server is not None and server.running:
            out.append(f" · server {server.text()}", style="bold")
        self.query_one("#gm-status", Static).update(out)
        pace = self.query_one("#gm-ai-pace", Static)
        pace.update(Text(AI_LABELS[app.ai_pace], style="bold"))
        self.query_one("#gm-error", Static).update(self._message or self._hint(view))

    def _hint(self, view: dict[str, Any]) -> Text:
        """What to do next, when no act has been reported yet."""
        if view["phase"] == "over":
            text = "The game is over: r opens the after-action report; a roll back replays from a turn."
        elif view["paused"]:
            more = ", n plays one phase of the computer seats." if self._has_ai(view) else "."
            text = "Paused: space resumes" + more
        elif self._has_ai(view) and self.wedge.ai_pace == "hold":
            text = "Computer seats hold: n plays one phase, a lets them run."
        else:
            text = ""
        return Text(text, style="dim")

    # -- keys -------------------------------------------------------------------------
    def _typing(self) -> bool:
        """Whether the keys go to a text field or an open list (they are not commands then)."""
        focused = self.focused
        if focused is None:
            return False
        if isinstance(focused, Input):
            return True
        return any(isinstance(node, Select) and node.expanded for node in focused.ancestors_with_self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Single-key actions are off while a text field has the focus (its keys are typing);
        Back is shown only where there is a screen to go back to (not as ``--as gm``'s root),
        and the computer seats' pace only where this terminal runs them (not over the network)."""
        if action == "close":
            return len(self.app.screen_stack) > 1
        if action in ("step", "ai_run_hold") and not self.local_ai:
            return False
        return not (action in KEY_ACTIONS and self._typing())

    def on_descendant_focus(self, _: events.DescendantFocus) -> None:
        self.refresh_bindings()

    def on_key(self, event: events.Key) -> None:
        """Keys typed outside any text field (a field that was never clicked) are not commands:
        after one that is not a console key, printable keys do nothing for a moment."""
        if self._typing() or not event.is_printable:
            return
        now = self.clock()
        bound = event.key in self._printable_keys()
        if bound and now >= self._typing_until:
            return  # a console key, pressed on its own
        self._typing_until = now + TYPING_GRACE
        if bound:
            event.stop()
            event.prevent_default()
        self._report(
            Text(
                "Typing outside a text field: keys are ignored for a moment. Click the field (or Tab to it) first.",
                style="bold",
            )
        )

    def _printable_keys(self) -> set[str]:
        keys = set()
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            for key in binding.key.split(","):
                if key in ("space", "question_mark") or len(key) == 1:
                    keys.add(key)
        return keys

    # -- commands -------------------------------------------------------------------
    def _report(self, text: Text | None) -> None:
        self._message = text
        self.tick()

    def _gm(self, command: str) -> bool:
        try:
            self.wedge.game.submit("gm", command)
        except IllegalCommand as exc:
            self._report(Text(f"✗ Refused (rule {exc.rule}): {exc.reason}", style="bold"))
            return False
        self._report(Text(f"✓ {command}", style="dim"))
        return True

    def _fail(self, text: str) -> None:
        self._report(Text(f"✗ {text}", style="bold"))

    def _confirm(self, title: str, body: Text, yes: str, then: Callable[[], None]) -> None:
        from tui.screens.dialogs import DangerConfirmScreen

        def answered(ok: bool | None) -> None:
            if ok:
                then()
            else:
                self._report(Text(f"Cancelled: {title.rstrip('?')}", style="dim"))

        self.app.push_screen(DangerConfirmScreen(title, body, yes), answered)

    def _undo_note(self) -> str:
        turn = self.wedge.game.view("public")["turn"]
        return (
            f"To undo it, roll back to the start of turn {turn} (which also undoes everything "
            "else played since that turn began)."
        )

    def action_close(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

    def action_toggle_pause(self) -> None:
        paused = self.wedge.game.view("public")["paused"]
        self._gm("gm:resume" if paused else "gm:pause")

    def action_reveal(self) -> None:
        """The last turn's reveal (key v), with the computer seats' stated reasons under
        their cards: the facilitator sees every hand and order, so their reasons too."""
        view = self.wedge.game.view("gm" if self.full_view else "public")
        if not view["history"]:
            self.notify("Nothing has been revealed yet: orders are revealed after the orders phase.")
            return
        from tui.screens.reveal import RevealScreen

        self.app.push_screen(RevealScreen(self.catalog, view))

    def action_step(self) -> None:
        """Let the computer seats play until the phase changes, then hold them (resumes a pause)."""
        app = self.wedge
        if not self.local_ai:
            return
        view = app.game.view("public")
        if view["phase"] == "over":
            self._fail("the game is over")
            return
        if not self._has_ai(view):
            self._fail("no seat is played by the computer")
            return
        app.set_ai_pace("step")
        self._stepping = True
        if view["paused"] and not self._gm("gm:resume"):
            return
        self._report(Text("▶ The computer seats play until the phase changes, then hold.", style="dim"))

    def action_ai_run_hold(self) -> None:
        self._set_pace("run" if self.wedge.ai_pace != "run" else "hold")

    def _set_pace(self, pace: str) -> None:
        if not self.local_ai:
            return
        app = self.wedge
        app.set_ai_pace(pace)
        paused = app.game.view("public")["paused"]
        if pace == "run":
            note = "The computer seats play on" + (" once the game resumes (space)." if paused else ".")
        else:
            note = "The computer seats hold: n plays one phase, a lets them run."
        self._report(Text(note, style="dim"))

    def action_toggle_timer(self) -> None:
        timer = self.timer
        if timer.running:
            timer.stop()
        else:
            if timer.expired:
                timer.reset()
            timer.start()
        self.tick()

    def action_force(self) -> None:
        c = self.catalog
        view = self.wedge.game.view("public")
        waiting = [r for r, v in view["roles"].items() if not v["ready"]]
        if view["phase"] not in ("diplomacy", "orders") or not waiting:
            self._fail("no seat is being waited for")
            return
        one = len(waiting) == 1
        if view["phase"] == "orders":
            what = f"{'its order is' if one else 'their orders are'} sealed with the cards added so far"
        else:
            what = f"{'its' if one else 'their'} diplomacy is declared done"
        body = Text()
        body.append(", ".join(c.role(r) for r in waiting), style="bold")
        body.append(f": {what}.\n\n")
        body.append(self._undo_note())

        def force() -> None:
            for role in waiting:
                if not self._gm(f"gm:force:{role}"):
                    return

        self._confirm("Force the waiting seats?", body, "Force", force)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        if event.switch.id == "gm-autoforce":
            self.timer.auto_force = event.value

    def on_button_pressed(self, event: Button.Pressed) -> None:  # noqa: C901 - one branch per button
        event.stop()
        bid = event.button.id
        if bid == "gm-timer":
            self.action_toggle_timer()
        elif bid == "gm-timer-reset":
            minutes = self.query_one("#gm-minutes", Input).value.strip()
            self.timer.reset(int(float(minutes) * 60) if minutes else None)
            self.tick()
        elif bid == "gm-pause":
            self.action_toggle_pause()
        elif bid == "gm-step":
            self.action_step()
        elif bid in ("gm-run", "gm-hold"):
            self._set_pace("run" if bid == "gm-run" else "hold")
        elif bid == "gm-lock":
            locked = self.wedge.game.view("public")["diplomacy_locked"]
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
            self._rollback()
        elif bid == "gm-seat":
            self._switch_seat()

    def _override(self) -> None:
        subject = self.query_one("#gm-subject", Select).value
        value = self.query_one("#gm-value", Input).value.strip()
        reason = " ".join(self.query_one("#gm-reason", Input).value.split())
        if subject == Select.NULL:
            self._fail("choose the track to override")
            return
        if not value:
            self._fail("give the new value")
            return
        if not reason:
            self._fail("a reason is required: it is written to the ledger and the log")
            return
        command = f"gm:set:{subject}:{value}:{reason}"
        problem = self.wedge.game.explain("gm", command)
        if problem is not None:  # out of range, unknown track...: say so before asking
            self._report(Text(f"✗ Refused (rule {problem.rule}): {problem.reason}", style="bold"))
            return
        view = self.wedge.game.view("public")
        subject = str(subject)
        if subject.startswith("capital."):
            role = subject.removeprefix("capital.")
            name, now = f"{self.catalog.role(role)}'s capital", view["roles"][role]["capital"]
        else:
            track = next(t for t in self.catalog.scenario.tracks if t.id == subject)
            name, now = track.name, view["tracks"][subject]
        body = Text()
        body.append(f"{name}: {now} → {value}\n", style="bold")
        body.append(f"The ledger and the report show it as 'override: {reason}'.\n\n")
        body.append(self._undo_note())

        def override() -> None:
            if self._gm(command):
                self.query_one("#gm-reason", Input).value = ""

        self._confirm(f"Override {name}?", body, "Override", override)

    def _rollback(self) -> None:
        turn = self.query_one("#gm-rollback-turn", Input).value.strip()
        if not turn:
            self._fail("which turn? (1 = the start of the game)")
            return
        command = f"gm:rollback:{turn}"
        problem = self.wedge.game.explain("gm", command)
        if problem is not None:
            self._report(Text(f"✗ Refused (rule {problem.rule}): {problem.reason}", style="bold"))
            return
        view = self.wedge.game.view("public")
        body = Text()
        body.append(f"The game returns exactly to the start of turn {int(turn)}", style="bold")
        body.append(
            f" (it is now turn {view['turn']}, {PHASE_LABELS.get(view['phase'], view['phase']).lower()}): "
            "every shock, offer, order and override since then is undone. "
            "Who plays each seat, and a pause, stay as they are.\n\n"
        )
        body.append("A roll back cannot itself be undone: the turns after it are played again.")

        def rollback() -> None:
            self._gm(command)

        self._confirm(f"Roll back to turn {int(turn)}?", body, "Roll back", rollback)

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
        role = str(role)
        view = self.wedge.game.view("public")
        now = str(view["roles"][role]["controller"])
        if now == controller:
            self._fail(f"{self.catalog.role(role)} is already played by {controller}")
            return
        who = "a person at the keyboard" if is_human(controller) else f"the computer ({controller})"
        body = Text()
        body.append(f"{self.catalog.role(role)}: {now} → {controller}\n", style="bold")
        body.append(f"From now on {who} plays {self.catalog.role(role)}; its hand and its order so far stay.\n\n")
        body.append("To undo it, switch the seat back: a roll back keeps the seats as they are.")

        def switch() -> None:
            self._gm(f"gm:seat:{role}:{controller}")

        self._confirm(f"Hand {self.catalog.role(role)} to {controller}?", body, "Switch", switch)
