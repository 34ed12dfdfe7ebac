"""Diplomacy: offers (make / accept / decline) and private messages."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Input, Select, Static

from tui.catalog import Catalog
from tui.widgets.common import Column, Row, Table, update_static

COLUMNS: tuple[Column, ...] = (
    ("#", "id", None),
    ("From", "from", None),
    ("To", "to", None),
    ("If you play", "ask", None),
    ("I play", "give", None),
    ("Status", "status", None),
    ("Outcome", "outcome", None),
)


class DiplomacyPanel(VerticalScroll):
    class MakeOffer(Message):
        def __init__(self, to: str, ask: str, give: str) -> None:
            self.to, self.ask, self.give = to, ask, give
            super().__init__()

    class Answer(Message):
        def __init__(self, offer_id: int, accept: bool) -> None:
            self.offer_id, self.accept = offer_id, accept
            super().__init__()

    class Say(Message):
        def __init__(self, to: str, text: str) -> None:
            self.to, self.text = to, text
            super().__init__()

    class Done(Message):
        pass

    def __init__(self, catalog: Catalog, id: str | None = None) -> None:
        super().__init__(id=id, classes="diplomacy")
        self.catalog = catalog
        self._view: dict[str, Any] | None = None
        self._offer_ids: list[int] = []
        self._give_options: list[tuple[str, str]] | None = None
        self._composed = False

    def compose(self) -> ComposeResult:
        yield Static(id="dip-status")
        yield Static(id="dip-error", classes="inline-error")
        yield Table(id="dip-offers", cursor_type="row", zebra_stripes=True)
        with Horizontal(classes="form-row"):
            yield Button("Accept [y]", id="dip-accept", variant="success", compact=True)
            yield Button("Decline [n]", id="dip-decline", variant="error", compact=True)
            yield Button("Done with diplomacy [d]", id="dip-done", variant="warning", compact=True)
        yield Static("Make an offer: to ROLE — if you play ASK, I play GIVE", classes="form-label")
        with Horizontal(classes="form-row"):
            yield Select([], prompt="to role", id="dip-to", compact=True)
            yield Select([], prompt="ask them to play", id="dip-ask", compact=True)
        with Horizontal(classes="form-row"):
            yield Select([], prompt="I play (from my hand)", id="dip-give", compact=True)
            yield Button("Make offer", id="dip-offer", variant="primary", compact=True)
        yield Static("Messages (private, ≤ 500 characters)", classes="form-label")
        yield Static(id="dip-messages", classes="messages")
        with Horizontal(classes="form-row"):
            yield Select([], prompt="to role", id="dip-say-to", compact=True)
            yield Input(placeholder="message", id="dip-say-text", max_length=500, compact=True)
            yield Button("Send", id="dip-send", compact=True)

    def on_mount(self) -> None:
        self._composed = True
        if self._view is not None:
            self._reset_forms(self._view)
        self._redraw()

    def show(self, view: dict[str, Any] | None) -> None:
        old_role = self._view.get("role") if self._view else None
        self._view = view
        if self._composed:
            if view is None or view.get("role") != old_role:
                self._reset_forms(view)
            self._redraw()

    def show_error(self, text: str) -> None:
        if self._composed:
            update_static(self.query_one("#dip-error", Static), Text(text, style="bold") if text else "")

    def clear(self) -> None:
        self.show(None)
        self.show_error("")

    @property
    def highlighted_offer(self) -> int | None:
        if not self._composed:
            return None
        table = self.query_one("#dip-offers", Table)
        if not self._offer_ids or not 0 <= table.cursor_row < len(self._offer_ids):
            return None
        return self._offer_ids[table.cursor_row]

    def _reset_forms(self, view: dict[str, Any] | None) -> None:
        c = self.catalog
        others = [] if view is None else [(c.role(r), r) for r in c.role_ids if r != view.get("role")]
        for sid in ("#dip-to", "#dip-say-to"):
            self.query_one(sid, Select).set_options(others)
        self.query_one("#dip-ask", Select).set_options([])
        self.query_one("#dip-give", Select).set_options([])
        self._give_options = []
        self.query_one("#dip-say-text", Input).value = ""

    def _redraw(self) -> None:
        view = self._view
        c = self.catalog
        table = self.query_one("#dip-offers", Table)
        self._offer_ids = []
        rows: list[Row] = []
        status = self.query_one("#dip-status", Static)
        messages = self.query_one("#dip-messages", Static)
        if view is None or "role" not in view:
            table.fill(COLUMNS, rows)
            update_static(status, "")
            update_static(messages, "")
            return
        me = view["role"]
        done = view["roles"][me]["ready"] and view["phase"] == "diplomacy"
        line = Text(f"{c.role(me)} · phase: {view['phase']}", style="bold")
        if done:
            line.append(" · you are done with diplomacy", style="bold")
        if view["diplomacy_locked"]:
            line.append(" · LOCKED by the facilitator", style="bold reverse")
        update_static(status, line)
        offers = list(view.get("offers", []))
        shown = {o["id"] for o in offers}
        for rec in view["history"]:  # earlier turns' offers this role was party to
            for o in rec["offers"]:
                if me in (o["from"], o["to"]) and o["id"] not in shown:
                    offers.append(o)
        for o in sorted(offers, key=lambda o: -o["id"]):
            cells = (
                str(o["id"]),
                c.short_role(o["from"]),
                c.short_role(o["to"]),
                c.card_title(o["ask"]),
                c.card_title(o["give"]),
                o["status"],
                o["outcome"],
            )
            rows.append((str(o["id"]), cells))
            self._offer_ids.append(o["id"])
        table.fill(COLUMNS, rows)
        hand = [(c.card_title(card), card) for card in view.get("hand", [])]
        if hand != self._give_options:  # rebuilding a Select's list is costly: only when the hand changes
            give = self.query_one("#dip-give", Select)
            current = give.value
            give.set_options(hand)
            self._give_options = hand
            if current != Select.NULL and any(v == current for _, v in hand):
                give.value = current
        msgs = view.get("messages", [])
        if not msgs:
            update_static(messages, Text("No messages yet.", style="dim"))
        else:
            out = Text()
            for m in msgs[-12:]:
                who = "you" if m["from"] == me else c.short_role(m["from"])
                to = "you" if m["to"] == me else c.short_role(m["to"])
                out.append(f"T{m['turn']} {who} → {to}: ", style="bold")
                out.append(m["text"] + "\n")
            update_static(messages, out)

    # -- events ---------------------------------------------------------------------
    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "dip-to":
            return
        event.stop()
        ask = self.query_one("#dip-ask", Select)
        if event.value == Select.NULL:
            ask.set_options([])
            return
        cards = [
            (info.title, cid) for cid, info in self.catalog.cards.items() if info.role == event.value and info.askable
        ]
        ask.set_options(cards)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        bid = event.button.id
        if bid in ("dip-accept", "dip-decline"):
            oid = self.highlighted_offer
            if oid is None:
                self.show_error("Pick an offer in the list first.")
                return
            self.post_message(self.Answer(oid, bid == "dip-accept"))
        elif bid == "dip-done":
            self.post_message(self.Done())
        elif bid == "dip-offer":
            to = self.query_one("#dip-to", Select).value
            ask = self.query_one("#dip-ask", Select).value
            give = self.query_one("#dip-give", Select).value
            if Select.NULL in (to, ask, give):
                self.show_error("Choose the role, the card you ask for and the card you give.")
                return
            self.post_message(self.MakeOffer(str(to), str(ask), str(give)))
        elif bid == "dip-send":
            self._send()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "dip-say-text":
            event.stop()
            self._send()

    def _send(self) -> None:
        to = self.query_one("#dip-say-to", Select).value
        text_input = self.query_one("#dip-say-text", Input)
        if to == Select.NULL:
            self.show_error("Choose who the message is for.")
            return
        if not text_input.value.strip():
            self.show_error("Write a message first.")
            return
        self.post_message(self.Say(str(to), text_input.value))

    def message_sent(self) -> None:
        self.query_one("#dip-say-text", Input).value = ""
