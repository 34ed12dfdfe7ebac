"""Small modal dialogs: confirm, pick a target, ask for a path or a passphrase, show an error or
the results."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.catalog import Catalog
from tui.literal import literal
from tui.widgets.footer import KeyFooter


class ConfirmScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter,y", "answer(True)", "Yes", priority=True),
        Binding("escape,n", "answer(False)", "No", priority=True),
    ]

    def __init__(self, title: str, body: str | Text, yes: str = "Yes", no: str = "Cancel") -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._body, self._yes, self._no = title, body, yes, no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self._title), classes="dialog-title")
            # a long body scrolls; the buttons stay on screen (the seal dialog at 80×24)
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(literal(self._body) if isinstance(self._body, str) else self._body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(literal(f"{self._yes} [Enter]"), id="yes", variant="primary", compact=True)
                yield Button(literal(f"{self._no} [Esc]"), id="no", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class DangerConfirmScreen(ModalScreen[bool]):
    """Confirm an act that changes the game for everyone (roll back, override, force, seat).

    Typing cannot confirm it: the focus starts on *Cancel*, no letter is bound, and Enter
    presses the focused button — so keys meant for a text field cancel rather than act.
    The act's button must be chosen (Tab, arrows or the mouse) and pressed.
    """

    BINDINGS = [
        Binding("escape", "answer(False)", "Cancel", priority=True),
        Binding("left,right", "app.focus_next", "Switch button", show=False),
    ]

    def __init__(self, title: str, body: str | Text, yes: str) -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._body, self._yes = title, body, yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-error"):
            yield Static(literal(self._title), classes="dialog-title")
            with VerticalScroll(classes="dialog-scroll"):
                yield Static(literal(self._body) if isinstance(self._body, str) else self._body, classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(literal("Cancel [Esc]"), id="no", compact=True)
                yield Button(literal(self._yes), id="yes", variant="error", compact=True)
            yield Static("Tab to the button and press Enter (or click it) to go ahead.", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "yes")

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)


class PassphraseScreen(ModalScreen[str | None]):
    """Ask for the facilitator's passphrase (not echoed); `confirm` asks for it twice (to set it)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, confirm: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._hint, self._confirm = title, hint, confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self._title), classes="dialog-title")
            yield Input(password=True, placeholder="passphrase", id="passphrase")
            if self._confirm:
                yield Input(password=True, placeholder="the same again", id="passphrase-again")
            yield Static(id="passphrase-error", classes="inline-error")
            yield Static(literal(self._hint), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#passphrase", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        first = self.query_one("#passphrase", Input).value
        if not self._confirm:
            self.dismiss(first or None)
            return
        again = self.query_one("#passphrase-again", Input)
        error = self.query_one("#passphrase-error", Static)
        if not first:
            error.update("The passphrase cannot be empty.")
            self.query_one("#passphrase", Input).focus()
        elif event.input.id == "passphrase" and not again.value:
            again.focus()
        elif again.value != first:
            error.update("The two do not match: type it again.")
            again.value = ""
            again.focus()
        else:
            self.dismiss(first)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TargetScreen(ModalScreen[str | None]):
    """Choose the target role of a card."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, catalog: Catalog, card: str, targets: tuple[str, ...]) -> None:
        super().__init__(classes="dialog-screen")
        self.catalog, self.card, self.targets = catalog, card, targets

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(f"Target of {self.catalog.card_title(self.card)}"), classes="dialog-title")
            yield OptionList(*[Option(literal(self.catalog.role(t)), id=t) for t in self.targets], id="targets")
            yield Static("↑/↓ and Enter to choose, Esc to cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (a file path, a reason...)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._placeholder, self._value = title, placeholder, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self._title), classes="dialog-title")
            yield Input(value=self._value, placeholder=self._placeholder, id="prompt")
            yield Static("Enter to confirm, Esc to cancel", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ErrorModal(ModalScreen[None]):
    """An error over the current screen: the engine's one-line reason, nothing else."""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", priority=True)]

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(classes="dialog-screen")
        self._title, self._reason = title, reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-error"):
            yield Static(literal(self._title), classes="dialog-title")
            yield Static(literal(self._reason), id="error-reason", classes="dialog-body")
            yield Static("Enter or Esc to close", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ErrorScreen(Screen[None]):
    """Shown instead of the game when it cannot be opened: the precise reason, no traceback."""

    BINDINGS = [Binding("q,escape,enter", "app.quit", "Quit")]

    def __init__(self, title: str, reason: str) -> None:
        super().__init__(classes="error-screen")
        self._title, self._reason = title, reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-error"):
            yield Static(literal(self._title), classes="dialog-title")
            yield Static(literal(self._reason), id="error-reason", classes="dialog-body")
            yield Static("Press q to quit.", classes="dialog-hint")
        yield KeyFooter()


class ResultsScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "close", "Close")]

    def __init__(self, catalog: Catalog, view: dict[str, Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.catalog, self.view = catalog, view

    def compose(self) -> ComposeResult:
        c = self.catalog
        results = self.view.get("results") or {}
        body = Text()
        for role, r in results.items():
            body.append(f"{c.role(role)}: {r['score']}/{r['max_score']}", style="bold")
            body.append("  WINS\n" if r["won"] else "  does not win\n", style="bold" if r["won"] else "")
            for t in r["terms"]:
                mark = "✓" if t["met"] else "✗"
                req = " (required)" if t["required"] else ""
                body.append(f"   {mark} {t['label']}{req}\n")
        with Vertical(classes="dialog dialog-wide"):
            yield Static(literal(f"Game over — {self.view['end_reason']}"), classes="dialog-title")
            with VerticalScroll(id="results-scroll"):
                yield Static(body, classes="dialog-body", id="results-body")
            yield Static("Enter to close; the ledger and board stay open for the debrief.", classes="dialog-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class HandoffScreen(Screen[str]):
    """Hot-seat hand-off: hides everything of the previous player until the next one confirms."""

    BINDINGS = [Binding("enter", "ready", "I am ready", priority=True)]

    def __init__(self, catalog: Catalog, role: str, phase: str) -> None:
        super().__init__(classes="handoff-screen")
        self.catalog, self.role, self.phase = catalog, role, phase

    def compose(self) -> ComposeResult:
        name = self.catalog.role(self.role)
        with Vertical(classes="dialog handoff"):
            yield Static("Hot seat", classes="dialog-title")
            yield Static(
                Text.assemble(
                    "Pass the keyboard to ",
                    (name, "bold"),
                    f".\nIt is their turn to act in the {self.phase} phase.\n\n",
                    "Everything of the previous player is hidden.\n",
                    (f"{name}: press Enter when you are at the keyboard.", "bold"),
                ),
                id="handoff-body",
                classes="dialog-body",
            )
            yield Button(literal(f"I am {name} — show my hand"), id="ready", variant="primary")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(self.role)

    def action_ready(self) -> None:
        self.dismiss(self.role)
