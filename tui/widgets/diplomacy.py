"""Diplomacy: offers (make / accept / decline) and private messages."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static

from tui.catalog import Catalog
from tui.literal import literal
from tui.widgets.common import Col, Row, RowTable, update_static

#: The offers table. On a narrow terminal the card titles give way first (the line under the
#: table gives the highlighted offer in full), then the turn column goes: the answer and
#: outcome always stay on screen.
COLUMNS: tuple[Col, ...] = (
    Col("#", "id"),
    Col("Turn", "turn", drop=1),
    Col("From", "from"),
    Col("To", "to"),
    Col("If you play", "ask", min=10, short="Ask"),
    Col("I play", "give", min=10, short="Give"),
    Col("Answer, outcome", "status", min=15, grow=True, short="Outcome"),
)


class DiplomacyPanel(VerticalScroll):
    """Offers and messages of the seat at the keyboard.

    The two forms (make an offer, write a message) are built when the player first opens
    them (``o`` / ``m`` or their buttons) and can be folded away again (``escape``): each
    widget on a tab is layout, restyling and events on every switch to it, and the forms'
    selects and inputs were most of this tab's widgets while most turns use neither.
    """

    BINDINGS = [
        Binding("o", "open_form('offer')", "Make an offer", show=False),
        Binding("m", "open_form('say')", "Write a message", show=False),
        Binding("escape", "close_forms", "Fold the forms", show=False),
    ]

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

    DEFAULT_CSS = """
    DiplomacyPanel #dip-answer { height: auto; padding: 0 1; }
    """

    def __init__(self, catalog: Catalog, id: str | None = None) -> None:
        super().__init__(id=id, classes="diplomacy")
        self.catalog = catalog
        self._view: dict[str, Any] | None = None
        #: offer id -> "" if the seat may accept it now, else the engine's refusal (pending offers to the seat)
        self._answers: dict[int, str] = {}
        self._offer_ids: list[int] = []
        self._offers: dict[int, dict[str, Any]] = {}
        #: offers listed before (a new one takes the cursor)
        self._known: set[int] | None = None
        self._give_options: list[tuple[Text, str]] | None = None
        self._composed = False
        #: the forms, once built (None until the player first opens them)
        self._forms: dict[str, Widget] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="dip-status")
        yield Static(id="dip-error", classes="inline-error")
        yield RowTable(id="dip-offers")
        yield Static(id="dip-answer", classes="dip-answer")
        with Horizontal(classes="form-row", id="dip-actions"):
            yield Button("Accept \\[y]", id="dip-accept", variant="success", compact=True)
            yield Button("Decline \\[n]", id="dip-decline", variant="error", compact=True)
            yield Button("Done with diplomacy \\[d]", id="dip-done", variant="warning", compact=True)
        with Horizontal(classes="form-row", id="dip-openers"):
            yield Button("Make an offer… \\[o]", id="dip-open-offer", variant="primary", compact=True)
            yield Button("Write a message… \\[m]", id="dip-open-say", compact=True)
        yield Static("Messages (private, ≤ 500 characters)", classes="form-label")
        yield Static(id="dip-messages", classes="messages")

    def on_mount(self) -> None:
        self._composed = True
        self._redraw()

    def show(self, view: dict[str, Any] | None, answers: dict[int, str] | None = None) -> None:
        """`answers`: for each pending offer addressed to the seat, "" if it may accept it now,
        else the engine's refusal (shown instead of the Accept button)."""
        old_role = self._view.get("role") if self._view else None
        self._view = view
        self._answers = dict(answers or {})
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
        table = self.query_one("#dip-offers", RowTable)
        if not self._offer_ids or not 0 <= table.cursor_row < len(self._offer_ids):
            return None
        return self._offer_ids[table.cursor_row]

    # -- the forms -----------------------------------------------------------------
    def form_open(self, name: str) -> bool:
        form = self._forms.get(name)
        return form is not None and form.display

    async def action_open_form(self, name: str) -> None:
        """Show the form (building it the first time) and put the cursor in its first field."""
        if not self._composed:
            return
        form = self._forms.get(name)
        if form is None:
            form = self._build_offer_form() if name == "offer" else self._build_say_form()
            self._forms[name] = form
            anchor = self.query_one("#dip-openers") if name == "offer" else self.query_one("#dip-messages")
            await self.mount(form, after=anchor)
            self._fill_form(name, self._view)
        form.display = True
        first = form.query_one("#dip-to" if name == "offer" else "#dip-say-to", Select)
        first.focus()
        self.call_after_refresh(form.scroll_visible, animate=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "close_forms":  # escape does what it does elsewhere when no form is open
            return any(form.display for form in self._forms.values())
        return True

    def action_close_forms(self) -> None:
        focused = self.screen.focused
        for form in self._forms.values():
            if form.display:
                form.display = False
                if focused is not None and form in focused.ancestors:
                    self.query_one("#dip-offers", RowTable).focus()

    def _build_offer_form(self) -> Widget:
        return Vertical(
            Static("Make an offer: to ROLE — if you play ASK, I play GIVE", classes="form-label"),
            Horizontal(
                Select([], prompt="to role", id="dip-to", compact=True),
                Select([], prompt="ask them to play", id="dip-ask", compact=True),
                classes="form-row",
            ),
            Horizontal(
                Select([], prompt="I play (from my hand)", id="dip-give", compact=True),
                Button("Make offer", id="dip-offer", variant="primary", compact=True),
                classes="form-row",
            ),
            id="dip-offer-form",
            classes="dip-form",
        )

    def _build_say_form(self) -> Widget:
        return Horizontal(
            Select([], prompt="to role", id="dip-say-to", compact=True),
            Input(placeholder="message", id="dip-say-text", max_length=500, compact=True),
            Button("Send", id="dip-send", compact=True),
            id="dip-say-form",
            classes="form-row dip-form",
        )

    def _fill_form(self, name: str, view: dict[str, Any] | None) -> None:
        """Empty the form `name` (if built) for the seat of `view`."""
        if name not in self._forms:
            return
        c = self.catalog
        others = [] if view is None else [(literal(c.role(r)), r) for r in c.role_ids if r != view.get("role")]
        if name == "offer":
            self.query_one("#dip-to", Select).set_options(others)
            self.query_one("#dip-ask", Select).set_options([])
            hand = [] if view is None else [(literal(c.card_title(card)), card) for card in view.get("hand", [])]
            self.query_one("#dip-give", Select).set_options(hand)
            self._give_options = hand
        else:
            self.query_one("#dip-say-to", Select).set_options(others)
            self.query_one("#dip-say-text", Input).value = ""

    def _reset_forms(self, view: dict[str, Any] | None) -> None:
        """Another seat at the keyboard (or none): fold the forms and forget what was in them."""
        self.action_close_forms()
        for name in self._forms:
            self._fill_form(name, view)

    def _redraw(self) -> None:
        view = self._view
        c = self.catalog
        table = self.query_one("#dip-offers", RowTable)
        self._offer_ids = []
        rows: list[Row] = []
        status = self.query_one("#dip-status", Static)
        messages = self.query_one("#dip-messages", Static)
        if view is None or "role" not in view:
            table.fill(COLUMNS, rows)
            self._offers, self._known = {}, None
            update_static(status, "")
            update_static(messages, "")
            self._answer_line()
            return
        me = view["role"]
        done = view["roles"][me]["ready"] and view["phase"] == "diplomacy"
        line = Text(f"{c.role(me)} · phase: {view['phase']}", style="bold")
        if done:
            line.append(" · you are done with diplomacy", style="bold")
        if view["diplomacy_locked"]:
            line.append(" · LOCKED by the facilitator", style="bold reverse")
        update_static(status, line)
        live = view["phase"] != "over"  # once the game is over the tab is a record: nothing to press
        self.query_one("#dip-actions").display = live
        self.query_one("#dip-openers").display = live
        if not live:
            self.action_close_forms()
        offers = list(view.get("offers", []))
        shown = {o["id"] for o in offers}
        for rec in view["history"]:  # earlier turns' offers this role was party to
            for o in rec["offers"]:
                if me in (o["from"], o["to"]) and o["id"] not in shown:
                    offers.append(o)
        # unanswered offers first, then the newest: what needs an answer is on top
        offers.sort(key=lambda o: (o["status"] != "pending", -o["turn"], -o["id"]))
        self._offers = {o["id"]: o for o in offers}
        for o in offers:
            cells = (
                str(o["id"]),
                str(o["turn"]),
                c.short_role(o["from"]),
                c.short_role(o["to"]),
                c.card_title(o["ask"]),
                c.card_title(o["give"]),
                c.offer_result(o["status"], o["outcome"]),
            )
            rows.append((str(o["id"]), cells))
            self._offer_ids.append(o["id"])
        table.fill(COLUMNS, rows)
        known = self._known
        self._known = set(self._offers)
        if known is not None and self._known - known:
            table.move_cursor(0)  # a new offer: the cursor goes to it, not to an old one
        self._answer_line()
        hand = [(literal(c.card_title(card)), card) for card in view.get("hand", [])]
        if "offer" in self._forms and hand != self._give_options:
            # rebuilding a Select's list is costly: only when the hand changes
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

    def _answer_line(self) -> None:
        """Under the table: what the seat can do with the highlighted offer. An offer it cannot
        accept (rule 6.6: the asked card is not in its hand) shows the engine's reason instead
        of an Accept button."""
        line = self.query_one("#dip-answer", Static)
        accept = self.query_one("#dip-accept", Button)
        decline = self.query_one("#dip-decline", Button)
        view = self._view
        oid = self.highlighted_offer
        o = self._offers.get(oid) if oid is not None else None
        can_accept = can_decline = False
        out = Text()
        if view is not None and o is not None:
            c = self.catalog
            me = view.get("role")
            to = "you" if o["to"] == me else c.short_role(o["to"])
            frm = "you" if o["from"] == me else c.short_role(o["from"])
            out.append(f"Offer {oid} ({frm} → {to}, turn {o['turn']}): ", style="bold")
            out.append(f"{to} play{'s' if to != 'you' else ''} {c.card_title(o['ask'])}, ")
            out.append(f"{frm} play{'s' if frm != 'you' else ''} {c.card_title(o['give'])} — ")
            if o["to"] == me and o["status"] == "pending" and oid in self._answers:
                refused = self._answers[oid]
                can_decline = True
                if refused:
                    out.append(refused, style="bold")
                    out.append(". Decline it [n] (sealing declines it too).")
                else:
                    can_accept = True
                    out.append("accept [y] (then play the card this turn) or decline [n].")
            elif o["status"] == "pending":
                out.append("waiting for an answer.")
            elif o["status"] == "accepted" and not o["outcome"]:
                promised = o["ask"] if o["to"] == me else o["give"]
                out.append("accepted: ")
                out.append(f"you promised to play {c.card_title(promised)} this turn.", style="bold")
            else:
                out.append(c.offer_result(o["status"], o["outcome"]) + ".")
        update_static(line, out)
        line.display = bool(out)
        accept.disabled = not can_accept
        decline.disabled = not can_decline

    # -- events ---------------------------------------------------------------------
    def on_row_table_row_highlighted(self, event: RowTable.RowHighlighted) -> None:
        if event.table.id == "dip-offers":
            event.stop()
            self._answer_line()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "dip-to":
            return
        event.stop()
        ask = self.query_one("#dip-ask", Select)
        if event.value == Select.NULL:
            ask.set_options([])
            return
        cards = [
            (literal(info.title), cid)
            for cid, info in self.catalog.cards.items()
            if info.role == event.value and info.askable
        ]
        ask.set_options(cards)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
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
        elif bid in ("dip-open-offer", "dip-open-say"):
            name = "offer" if bid == "dip-open-offer" else "say"
            if self.form_open(name):
                self._forms[name].display = False
            else:
                await self.action_open_form(name)

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
