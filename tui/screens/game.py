"""The player's screen: Board, Hand & Orders, Diplomacy and Ledger tabs for the seat at the keyboard."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import MountError, Widget
from textual.widgets import Header, Static, TabbedContent, TabPane

from game.errors import IllegalCommand
from tui.catalog import PHASE_LABELS, Catalog
from tui.session import PUBLIC
from tui.widgets.board import BoardPanel
from tui.widgets.common import WedgeTabs, update_static
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import WedgeApp
    from tui.widgets.diplomacy import DiplomacyPanel
    from tui.widgets.hand import HandPanel

TABS = ("board", "hand", "diplomacy", "ledger")
#: The widget that takes the focus when a tab is shown.
FOCUS = {"board": ".trackbar", "hand": "#hand-table", "diplomacy": "#dip-offers", "ledger": "#ledger-table"}


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
        Binding("u", "unplay", "Take back", show=False),
        Binding("s", "seal", "Seal"),
        Binding("d", "done", "Done"),
        Binding("y", "answer(True)", "Accept offer", show=False),
        Binding("n", "answer(False)", "Decline offer", show=False),
        Binding("h", "app.next_seat", "Hand off", show=False),
        Binding("g", "app.facilitator", "GM"),
        Binding("p", "app.projector", "Projector"),
        Binding("f1,question_mark", "app.rules", "Rules"),
        Binding("v", "reveal", "Reveal", show=False),
        Binding("r", "app.report", "Report", show=False),
        Binding("ctrl+s", "app.save", "Save", show=False),
    ]
    #: the keys the footer keeps when it is short of room, most important first (quit always)
    FOOTER_KEEP = (
        "tab('board')",
        "tab('hand')",
        "tab('diplomacy')",
        "tab('ledger')",
        "seal",
        "done",
        "add",
        "rules",
        "command_palette",
        "facilitator",
        "projector",
    )

    #: Textual repaints the whole screen whenever the focus moves (each tab switch moves it);
    #: nothing drawn by the screen itself depends on the focus (focused widgets restyle
    #: themselves), so that repaint is skipped.
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(id="game")
        self.catalog = catalog
        #: False until the hidden tabs' panels are mounted (just after the first frame)
        self.ready = False
        #: tabs whose panel has not been shown the latest state yet
        self._stale: set[str] = set(TABS)
        self._view_key: tuple[int, str | None] | None = None
        self._view: dict[str, Any] = {}
        self._after_ready: list[Callable[[], None]] = []
        # Widgets looked up once: a DOM query walks every node of the screen (milliseconds
        # each, and a tab switch used to make several).
        self._panels: dict[str, Any] = {}
        self._focus: dict[str, Widget] = {}
        self._tabs: TabbedContent | None = None
        #: adjudicated turns each seat has been shown the reveal of (seats not yet seen start at
        #: the number when the screen opened: a loaded game does not replay its past reveals)
        self._reveals_seen: dict[str, int] = {}
        self._reveal_base = 0
        #: per seat: offers addressed to it and messages to it it has seen on the Diplomacy tab
        self._read: dict[str, tuple[frozenset[int], int]] = {}
        #: messages of the turns before the screen opened (a loaded game) are not new
        self._opened_in_turn = 1
        self._badge = ""

    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    def compose(self) -> ComposeResult:
        c = self.catalog
        yield Header(icon="◆")
        yield Static(id="status", classes="status-line")
        with WedgeTabs(initial="board", id="tabs"):
            with TabPane("Board", id="board"):
                yield BoardPanel(c, id="board-panel")
            # Filled just after the first frame (_mount_panels): they start hidden, and
            # composing their forms and tables before it delayed the board.
            yield TabPane("Hand & Orders", id="hand")
            yield TabPane("Diplomacy", id="diplomacy")
            yield TabPane("Ledger", id="ledger")
        yield KeyFooter()

    def on_mount(self) -> None:
        session = self.wedge.game
        self.catalog.learn(session.history)
        public = session.view(PUBLIC)  # a remote seat has only its own view and the public one
        self._reveal_base = len(public["history"])
        self._opened_in_turn = public["turn"]
        self._tabs = self.query_one(TabbedContent)
        board = self.query_one(BoardPanel)
        self._panels["board"] = board
        bars = board.query(".trackbar")
        if bars:
            self._focus["board"] = bars.first()
        self.refresh_game()
        self.call_after_refresh(self._mount_panels)

    @property
    def tabs(self) -> TabbedContent:
        if self._tabs is None:
            self._tabs = self.query_one(TabbedContent)
        return self._tabs

    async def _mount_panels(self) -> None:
        from tui.widgets.diplomacy import DiplomacyPanel  # imported here too: not needed for the first frame
        from tui.widgets.hand import HandPanel
        from tui.widgets.ledger import LedgerPanel

        c = self.catalog
        panels = {
            "hand": HandPanel(c, id="hand-panel"),
            "diplomacy": DiplomacyPanel(c, id="diplomacy-panel"),
            "ledger": LedgerPanel(c, id="ledger-panel"),
        }
        for tab, panel in panels.items():
            try:
                await self.query_one(f"#{tab}", TabPane).mount(panel)
            except MountError:  # the app is closing already (ctrl+q at once)
                return
            self._panels[tab] = panel
            self._focus[tab] = panel.query_one(FOCUS[tab])
        self.ready = True
        self._stale.update(panels)
        self.refresh_game()
        active = self.tabs.active
        if active != "board" and self.focused is None:
            self._focus_tab(active)
        queued, self._after_ready = self._after_ready, []
        for action in queued:
            action()

    def _panel(self, tab: str) -> Any:
        """The panel of `tab`, or None before the hidden tabs are mounted."""
        return self._panels.get(tab)

    # -- refresh from the session -----------------------------------------------------
    def refresh_game(self) -> None:
        """The session changed: redraw the visible tab and the board now, the others when
        they are shown (each redraw is time the UI thread cannot spend on keys).

        A hot-seat hand-off (no seat) clears the private panels at once, shown or not, so
        that no hidden tab keeps the previous player's hand.
        """
        self._stale.update(TABS)
        if self._seat() is None:
            for tab in ("hand", "diplomacy"):
                panel = self._panel(tab)
                if panel is not None:
                    panel.clear()
                    self._stale.discard(tab)
        self._refresh_tab(self.tabs.active)
        self._refresh_tab("board")  # the home tab, kept current (cheap: only changes are drawn)
        self.tick()
        if self._seat() is not None:
            view = self._current_view()
            self._update_badge(view)
            self._maybe_reveal(view)
        else:
            self._set_badge("")

    # -- the reveal and the unread badge ----------------------------------------------
    def _maybe_reveal(self, view: dict[str, Any]) -> None:
        """Show the seat the reveal of each turn adjudicated since it last looked (once per
        seat: in a hot-seat game each player sees it when they sit down)."""
        seat = self._seat()
        if seat is None:
            return
        done = len(view["history"])
        seen = self._reveals_seen.get(seat, self._reveal_base)
        self._reveals_seen[seat] = done
        if done <= seen:  # nothing new (or a roll-back / another game loaded)
            return
        from tui.screens.reveal import RevealScreen

        # After the results dialog that the app opens when this adjudication ended the game:
        # the last turn's reveal is read first, then the results.
        self.app.call_later(self.app.push_screen, RevealScreen(self.catalog, view))

    def action_reveal(self) -> None:
        """Show the last reveal again (key v)."""
        view = self._current_view()
        if self._seat() is None:
            return
        if not view["history"]:
            self.notify("Nothing has been revealed yet: orders are revealed after the orders phase.")
            return
        from tui.screens.reveal import RevealScreen

        self.app.push_screen(RevealScreen(self.catalog, view))

    def _update_badge(self, view: dict[str, Any]) -> None:
        """The unread badge, "Diplomacy (2 new)": offers and messages addressed to the seat that
        it has not seen on the Diplomacy tab yet (seen once that tab is shown to it)."""
        seat = self._seat()
        if seat is None:
            self._set_badge("")
            return
        offers = frozenset(o["id"] for o in view.get("offers", []) if o["to"] == seat)
        messages = sum(1 for m in view.get("messages", []) if m["to"] == seat)
        if seat in self._read:
            seen_offers, seen_messages = self._read[seat]
        else:  # first time at the keyboard
            opened = self._opened_in_turn
            seen_offers = frozenset()
            seen_messages = sum(1 for m in view.get("messages", []) if m["to"] == seat and m["turn"] < opened)
        if self.tabs.active == "diplomacy":
            seen_offers, seen_messages = seen_offers | offers, messages
        seen_messages = min(seen_messages, messages)  # a roll-back can take messages away
        self._read[seat] = (seen_offers, seen_messages)
        new = len(offers - seen_offers) + messages - seen_messages
        self._set_badge(f"{new} new" if new else "")

    def _set_badge(self, badge: str) -> None:
        if badge == self._badge:
            return
        self._badge = badge
        self.tabs.get_tab("diplomacy").label = f"Diplomacy ({badge})" if badge else "Diplomacy"

    @property
    def badge(self) -> str:
        """The Diplomacy tab's unread badge ("2 new"), "" when nothing is unread."""
        return self._badge

    def _current_view(self) -> dict[str, Any]:
        """The seat's view (the public one during a hand-off), read once per session change."""
        seat = self._seat()
        key = (self.wedge.game.version, seat)
        if key != self._view_key:
            self._view = self.wedge.game.view(seat or "public")
            self._view_key = key
        return self._view

    def _refresh_tab(self, tab: str) -> None:
        panel = self._panel(tab)
        if tab not in self._stale or panel is None:
            return
        view = self._current_view()
        seat = self._seat()
        if tab == "board":
            panel.show(view, self.wedge.thinking)
        elif tab == "ledger":
            panel.show(view)
        elif seat is None:
            panel.clear()
        elif tab == "hand":
            panel.show(view, self._reasons(seat, view))
        else:
            panel.show(view, self._answers(seat, view))
        self._stale.discard(tab)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        """A tab shown by the mouse (keys refresh before switching, in action_tab)."""
        if event.pane.id is not None:
            self._refresh_tab(event.pane.id)
            if event.pane.id == "diplomacy" and self._seat() is not None:
                self._update_badge(self._current_view())

    def _reasons(self, seat: str, view: dict[str, Any]) -> dict[str, str]:
        out = {}
        for card in view["hand"]:
            targets = self.catalog.cards[card].targets
            command = f"{seat}:play:{card}" + (f":{targets[0]}" if targets else "")
            exc = self.wedge.game.explain(seat, command)
            out[card] = "" if exc is None else f"{exc.reason} (rule {exc.rule})"
        return out

    def _answers(self, seat: str, view: dict[str, Any]) -> dict[int, str]:
        """Per offer addressed to the seat and not answered: "" if the engine would let it
        accept now, else the refusal (e.g. rule 6.6: the asked card is not in its hand)."""
        out = {}
        for o in view.get("offers", []):
            if o["to"] == seat and o["status"] == "pending":
                exc = self.wedge.game.explain(seat, f"{seat}:accept:{o['id']}")
                out[o["id"]] = "" if exc is None else refusal(exc)
        return out

    def tick(self) -> None:
        """Update the status line (also called every second for the timer)."""
        app = self.wedge
        view = app.game.view("public")
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
        update_static(self.query_one("#status", Static), out)

    # -- actions ----------------------------------------------------------------------
    def action_tab(self, tab: str) -> None:
        """Switch tab and move the focus to its main list in the same step (a focused widget
        left behind in a hidden pane would make TabbedContent switch back to that pane)."""
        tabs = self.tabs
        if tabs.active == tab:
            return
        self._refresh_tab(tab)  # before it is shown: its first frame is already current
        tabs.active = tab
        self._focus_tab(tab)
        if tab == "diplomacy" and self._seat() is not None:
            self._update_badge(self._current_view())

    def _focus_tab(self, tab: str) -> None:
        target = self._focus.get(tab)
        if target is not None:
            target.focus(scroll_visible=False)
        else:  # not mounted yet (_mount_panels focuses it): keep no focus in a hidden pane
            self.set_focus(None)

    def _seat(self) -> str | None:
        seat = self.wedge.seat
        return seat if seat in self.catalog.role_ids else None

    def _hand(self) -> HandPanel:
        return cast("HandPanel", self._panels["hand"])

    def _dip(self) -> DiplomacyPanel:
        return cast("DiplomacyPanel", self._panels["diplomacy"])

    def _defer(self, action: Callable[[], None]) -> bool:
        """Queue `action` until the panels are mounted (a key in the first instants); True if queued."""
        if self.ready:
            return False
        self._after_ready.append(action)
        return True

    def _submit(self, command: str, panel: HandPanel | DiplomacyPanel) -> bool:
        seat = self._seat()
        if seat is None:
            return False
        try:
            self.wedge.game.submit(seat, command)
        except IllegalCommand as exc:
            panel.show_error(refusal(exc))
            return False
        panel.show_error("")
        return True

    def action_add(self) -> None:
        if self._defer(self.action_add):
            return
        tabs = self.tabs
        if tabs.active != "hand":
            self.action_tab("hand")
            return
        card = self._hand().highlighted
        if card is not None:
            self._add(card)

    def on_hand_panel_add_card(self, event: HandPanel.AddCard) -> None:
        self._add(event.card)

    def _add(self, card: str) -> None:
        seat = self._seat()
        if seat is None:
            return
        targets = self.catalog.cards[card].targets
        hand = self._hand()
        if hand.in_order(card):
            hand.show_error("✗ Already in your order (rule 6.1): press u to take it back (rule 6.9).")
            return
        if len(targets) > 1:

            def chosen(target: str | None) -> None:
                if target:
                    self._submit(f"{seat}:play:{card}:{target}", hand)

            from tui.screens.dialogs import TargetScreen

            self.app.push_screen(TargetScreen(self.catalog, card, targets), chosen)
            return
        self._submit(f"{seat}:play:{card}" + (f":{targets[0]}" if targets else ""), hand)

    def action_unplay(self) -> None:
        if self._defer(self.action_unplay):
            return
        if self.tabs.active != "hand":
            self.action_tab("hand")
            return
        self._hand().request_unplay()

    def on_hand_panel_unplay_card(self, event: HandPanel.UnplayCard) -> None:
        seat = self._seat()
        if seat is not None:
            self._submit(f"{seat}:unplay:{event.card}", self._hand())

    def action_seal(self) -> None:
        if self._defer(self.action_seal):
            return
        seat = self._seat()
        if seat is None:
            return
        view = self.wedge.game.view(seat)
        hand = self._hand()
        if view["phase"] != "orders" or view["roles"][seat]["ready"]:
            # let the engine say why (wrong phase, already sealed, paused...)
            self.action_tab("hand")
            self._submit(f"{seat}:seal", hand)
            return
        from tui.screens.seal import seal_summary

        c = self.catalog
        body = seal_summary(c, view)

        def confirmed(yes: bool | None) -> None:
            if yes:
                self._submit(f"{seat}:seal", hand)

        from tui.screens.dialogs import ConfirmScreen

        self.app.push_screen(ConfirmScreen(f"Seal the order of {c.role(seat)}?", body, yes="Seal"), confirmed)

    def on_hand_panel_seal_requested(self, _: HandPanel.SealRequested) -> None:
        self.action_seal()

    def action_done(self) -> None:
        if self._defer(self.action_done):
            return
        seat = self._seat()
        if seat is not None:
            dip = self._dip()
            if not self._submit(f"{seat}:done", dip):
                self.action_tab("diplomacy")

    def on_diplomacy_panel_done(self, _: DiplomacyPanel.Done) -> None:
        self.action_done()

    def action_answer(self, accept: bool) -> None:
        if self._defer(lambda: self.action_answer(accept)):
            return
        tabs = self.tabs
        dip = self._dip()
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
            self._submit(f"{seat}:{'accept' if accept else 'decline'}:{oid}", self._dip())

    def on_diplomacy_panel_answer(self, event: DiplomacyPanel.Answer) -> None:
        self._answer(event.offer_id, event.accept)

    def on_diplomacy_panel_make_offer(self, event: DiplomacyPanel.MakeOffer) -> None:
        seat = self._seat()
        if seat is not None:
            self._submit(f"{seat}:offer:{event.to}:{event.ask}:{event.give}", self._dip())

    def on_diplomacy_panel_say(self, event: DiplomacyPanel.Say) -> None:
        seat = self._seat()
        dip = self._dip()
        text = " ".join(event.text.split())
        if seat is not None and self._submit(f"{seat}:say:{event.to}:{text}", dip):
            dip.message_sent()
