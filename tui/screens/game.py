"""The player's screen: Board, Hand & Orders, Diplomacy and Ledger tabs for the seat at the keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header, Static, TabbedContent, TabPane

from game.errors import IllegalCommand
from tui.catalog import PHASE_LABELS, Catalog
from tui.screens.dialogs import ConfirmScreen, TargetScreen
from tui.widgets.board import BoardPanel
from tui.widgets.diplomacy import DiplomacyPanel
from tui.widgets.footer import KeyFooter
from tui.widgets.hand import HandPanel
from tui.widgets.ledger import LedgerPanel

if TYPE_CHECKING:
    from tui.app import WedgeApp


def refusal(exc: IllegalCommand) -> str:
    """The engine's reason, as shown inline next to the choice that was refused."""
    return f"✗ Refused (rule {exc.rule}): {exc.reason}"


class GameScreen(Screen[None]):
    BINDINGS = [
        Binding("1", "tab('board')", "Board"),
        Binding("2", "tab('hand')", "Hand"),
        Binding("3", "tab('diplomacy')", "Diplomacy"),
        Binding("4", "tab('ledger')", "Ledger"),
        Binding("a", "add", "Add card"),
        Binding("s", "seal", "Seal"),
        Binding("d", "done", "Done"),
        Binding("y", "answer(True)", "Accept offer", show=False),
        Binding("n", "answer(False)", "Decline offer", show=False),
        Binding("h", "app.next_seat", "Hand off", show=False),
        Binding("g", "app.facilitator", "GM"),
        Binding("p", "app.projector", "Projector"),
        Binding("f1,question_mark", "app.rules", "Rules"),
        Binding("ctrl+s", "app.save", "Save", show=False),
    ]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(id="game")
        self.catalog = catalog

    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    def compose(self) -> ComposeResult:
        c = self.catalog
        yield Header(icon="◆")
        yield Static(id="status", classes="status-line")
        with TabbedContent(initial="board", id="tabs"):
            with TabPane("Board", id="board"):
                yield BoardPanel(c, id="board-panel")
            with TabPane("Hand & Orders", id="hand"):
                yield HandPanel(c, id="hand-panel")
            with TabPane("Diplomacy", id="diplomacy"):
                yield DiplomacyPanel(c, id="diplomacy-panel")
            with TabPane("Ledger", id="ledger"):
                yield LedgerPanel(c, id="ledger-panel")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.refresh_game()

    # -- refresh from the session -----------------------------------------------------
    def refresh_game(self) -> None:
        app = self.wedge
        seat = app.seat
        session = app.session
        if seat is None or seat not in session.roles:
            view = session.view("public")
            self.query_one(HandPanel).clear()
            self.query_one(DiplomacyPanel).clear()
        else:
            view = session.view(seat)
            self.query_one(HandPanel).show(view, self._reasons(seat, view))
            self.query_one(DiplomacyPanel).show(view)
        self.query_one(BoardPanel).show(view, app.thinking)
        self.query_one(LedgerPanel).show(view)
        self.tick()

    def _reasons(self, seat: str, view: dict[str, Any]) -> dict[str, str]:
        out = {}
        for card in view["hand"]:
            targets = self.catalog.cards[card].targets
            command = f"{seat}:play:{card}" + (f":{targets[0]}" if targets else "")
            exc = self.wedge.session.explain(seat, command)
            out[card] = "" if exc is None else f"{exc.reason} (rule {exc.rule})"
        return out

    def tick(self) -> None:
        """Update the status line (also called every second for the timer)."""
        app = self.wedge
        view = app.session.view("public")
        c = self.catalog
        seat = app.seat
        out = Text()
        if seat in c.role_ids:
            out.append(f"You: {c.role(seat)}", style="bold")
        else:
            out.append("Hand-off…", style="bold")
        out.append(f" · Turn {view['turn']}/{view['turns']} {PHASE_LABELS.get(view['phase'], view['phase'])}")
        waiting = [
            c.short_role(r) + (" (thinking…)" if r == app.thinking else "")
            for r, v in view["roles"].items()
            if not v["ready"] and view["phase"] in ("diplomacy", "orders")
        ]
        if view["paused"]:
            out.append(" · PAUSED", style="bold reverse")
        elif waiting:
            out.append(" · waiting for " + ", ".join(waiting))
        if app.timer.running or app.timer.expired:
            out.append(f" · {app.timer.text()}", style="bold")
        if app.save_note:
            out.append(f" · {app.save_note}", style="dim")
        self.query_one("#status", Static).update(out)

    # -- actions ----------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        """Switch tab and move the focus to its main list in the same step (a focused widget
        left behind in a hidden pane would make TabbedContent switch back to that pane)."""
        tabs = self.query_one(TabbedContent)
        if tabs.active == tab:
            return
        tabs.active = tab
        target = {"board": ".trackbar", "hand": "#hand-table", "diplomacy": "#dip-offers", "ledger": "#ledger-table"}
        found = self.query(target[tab])
        if found:
            found.first().focus(scroll_visible=False)

    def _seat(self) -> str | None:
        seat = self.wedge.seat
        return seat if seat in self.catalog.role_ids else None

    def _submit(self, command: str, panel: HandPanel | DiplomacyPanel) -> bool:
        seat = self._seat()
        if seat is None:
            return False
        try:
            self.wedge.session.submit(seat, command)
        except IllegalCommand as exc:
            panel.show_error(refusal(exc))
            return False
        panel.show_error("")
        return True

    def action_add(self) -> None:
        tabs = self.query_one(TabbedContent)
        if tabs.active != "hand":
            self.action_tab("hand")
            return
        card = self.query_one(HandPanel).highlighted
        if card is not None:
            self._add(card)

    def on_hand_panel_add_card(self, event: HandPanel.AddCard) -> None:
        self._add(event.card)

    def _add(self, card: str) -> None:
        seat = self._seat()
        if seat is None:
            return
        targets = self.catalog.cards[card].targets
        hand = self.query_one(HandPanel)
        if len(targets) > 1:

            def chosen(target: str | None) -> None:
                if target:
                    self._submit(f"{seat}:play:{card}:{target}", hand)

            self.app.push_screen(TargetScreen(self.catalog, card, targets), chosen)
            return
        self._submit(f"{seat}:play:{card}" + (f":{targets[0]}" if targets else ""), hand)

    def action_seal(self) -> None:
        seat = self._seat()
        if seat is None:
            return
        view = self.wedge.session.view(seat)
        hand = self.query_one(HandPanel)
        if view["phase"] != "orders" or view["roles"][seat]["ready"]:
            # let the engine say why (wrong phase, already sealed, paused...)
            self.action_tab("hand")
            self._submit(f"{seat}:seal", hand)
            return
        c = self.catalog
        order = view["my_order"]
        cost = sum(c.cards[o["card"]].cost for o in order)
        body = Text()
        if order:
            for o in order:
                body.append(
                    f"• {c.card_title(o['card'])}" + (f" → {c.role(o['target'])}" if o["target"] else "") + "\n"
                )
            body.append(f"Cost {cost} of {view['roles'][seat]['capital']} capital.\n")
        else:
            body.append("Your order is empty: you play no card this turn.\n")
        body.append("Once sealed, nothing can be added.", style="bold")

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._submit(f"{seat}:seal", hand)

        self.app.push_screen(ConfirmScreen(f"Seal the order of {c.role(seat)}?", body, yes="Seal"), confirmed)

    def on_hand_panel_seal_requested(self, _: HandPanel.SealRequested) -> None:
        self.action_seal()

    def action_done(self) -> None:
        seat = self._seat()
        if seat is not None:
            dip = self.query_one(DiplomacyPanel)
            if not self._submit(f"{seat}:done", dip):
                self.action_tab("diplomacy")

    def on_diplomacy_panel_done(self, _: DiplomacyPanel.Done) -> None:
        self.action_done()

    def action_answer(self, accept: bool) -> None:
        tabs = self.query_one(TabbedContent)
        dip = self.query_one(DiplomacyPanel)
        if tabs.active != "diplomacy":
            self.action_tab("diplomacy")
            return
        oid = dip.highlighted_offer
        if oid is None:
            dip.show_error("No offer selected.")
            return
        self._answer(oid, accept)

    def _answer(self, oid: int, accept: bool) -> None:
        seat = self._seat()
        if seat is not None:
            self._submit(f"{seat}:{'accept' if accept else 'decline'}:{oid}", self.query_one(DiplomacyPanel))

    def on_diplomacy_panel_answer(self, event: DiplomacyPanel.Answer) -> None:
        self._answer(event.offer_id, event.accept)

    def on_diplomacy_panel_make_offer(self, event: DiplomacyPanel.MakeOffer) -> None:
        seat = self._seat()
        if seat is not None:
            self._submit(f"{seat}:offer:{event.to}:{event.ask}:{event.give}", self.query_one(DiplomacyPanel))

    def on_diplomacy_panel_say(self, event: DiplomacyPanel.Say) -> None:
        seat = self._seat()
        dip = self.query_one(DiplomacyPanel)
        text = " ".join(event.text.split())
        if seat is not None and self._submit(f"{seat}:say:{event.to}:{text}", dip):
            dip.message_sent()
