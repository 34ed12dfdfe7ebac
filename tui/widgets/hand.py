"""Hand & Orders: the seat's cards in plain words, and the sealed order being composed."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import Button, Select, Static

from tui.catalog import KIND_LABELS, Catalog
from tui.names import Names
from tui.widgets.common import Cell, Col, Row, RowTable, update_static

ALL = "all"
#: on a narrow table the card titles give way first (the highlighted card is shown in full
#: under the table), then the reasons a card cannot be played (also shown in full there)
COLUMNS: tuple[Col, ...] = (
    Col("Card", "card", min=18, grow=True),
    Col("Kind", "kind", min=8),
    Col("Cost", "cost"),
    Col("Playable", "ok", min=11, first=True),
)


class HandPanel(Vertical):
    """Shows a seat's hand and order; asks the screen (by message) to add cards or seal."""

    class AddCard(Message):
        def __init__(self, card: str) -> None:
            self.card = card
            super().__init__()

    class UnplayCard(Message):
        """Take a card back out of the order (rule 6.9)."""

        def __init__(self, card: str) -> None:
            self.card = card
            super().__init__()

    class SealRequested(Message):
        pass

    def __init__(self, catalog: Catalog, id: str | None = None) -> None:
        super().__init__(id=id, classes="hand")
        self.catalog = catalog
        self.kind_filter = ALL
        self._view: dict[str, Any] | None = None
        self._reasons: dict[str, str] = {}
        self._cards: list[str] = []
        self._composed = False

    def compose(self) -> ComposeResult:
        yield Static(id="hand-budget", classes="hand-budget")
        with Horizontal(classes="hand-top"):
            options = [("All kinds", ALL)] + [(label, kind) for kind, label in KIND_LABELS.items()]
            yield Select(options, value=ALL, allow_blank=False, id="hand-filter", compact=True)
            yield Button("Add \\[a]", id="hand-add", variant="primary", compact=True)
            yield Button("Take back \\[u]", id="hand-unplay", compact=True)
            yield Button("Seal \\[s]", id="hand-seal", variant="warning", compact=True)
        yield Static(id="hand-error", classes="inline-error")
        yield RowTable(id="hand-table")
        with VerticalScroll(id="hand-detail-scroll"):
            yield Static(id="hand-detail", classes="card-detail")

    def on_mount(self) -> None:
        self._composed = True
        self._redraw()

    # -- data in --------------------------------------------------------------------
    def show(self, view: dict[str, Any] | None, reasons: dict[str, str]) -> None:
        """`reasons`: card -> "" if it may be added now, else the engine's refusal."""
        self._view, self._reasons = view, reasons
        if self._composed:
            self._redraw()

    def show_error(self, text: str) -> None:
        if self._composed:
            update_static(self.query_one("#hand-error", Static), Text(text, style="bold") if text else "")

    def clear(self) -> None:
        """Forget everything (hot-seat hand-off: the next player must not see this hand)."""
        self.show(None, {})
        self.show_error("")

    def in_order(self, card: str) -> bool:
        view = self._view
        return view is not None and any(o["card"] == card for o in view.get("my_order", []))

    @property
    def highlighted(self) -> str | None:
        if not self._composed:
            return None
        table = self.query_one("#hand-table", RowTable)
        if not self._cards or table.cursor_row < 0 or table.cursor_row >= len(self._cards):
            return None
        return self._cards[table.cursor_row]

    def _redraw(self) -> None:
        view = self._view
        table = self.query_one("#hand-table", RowTable)
        budget = self.query_one("#hand-budget", Static)
        self._cards = []
        rows: list[Row] = []
        if view is None or "hand" not in view:
            table.fill(COLUMNS, rows)
            update_static(budget, "")
            update_static(self.query_one("#hand-detail", Static), "")
            return
        c = self.catalog
        for card in view["hand"]:
            info = c.cards[card]
            if self.kind_filter != ALL and info.kind != self.kind_filter:
                continue
            reason = self._reasons.get(card, "")
            ok: Cell
            if self.in_order(card):
                ok = Names("in order (u: take back)", "in order", style="bold reverse")
            elif not reason:
                ok = Text("yes", style="bold")
            else:
                ok = Text(f"no ({reason.rpartition('(')[2]}", style="dim")
            rows.append((card, (info.title, KIND_LABELS[info.kind], str(info.cost), ok)))
            self._cards.append(card)
        table.fill(COLUMNS, rows)  # keeps the highlighted card
        update_static(budget, self._budget(view))
        self._detail()

    def _budget(self, view: dict[str, Any]) -> Text:
        c = self.catalog
        role = view["role"]
        capital = view["roles"][role]["capital"]
        order = view["my_order"]
        cost = sum(c.cards[o["card"]].cost for o in order)
        limit = c.scenario.rules.max_cards_per_turn
        sealed = view["roles"][role]["ready"] and view["phase"] == "orders"
        out = Text()
        out.append(f"{c.role(role)} — capital {capital}", style="bold")
        out.append(f" · order {len(order)}/{limit} cards, cost {cost}, {capital - cost} left")
        if sealed:
            out.append(" · SEALED", style="bold reverse")
        if order:
            out.append("\nOrder: ", style="bold")
            out.append(
                "; ".join(
                    c.card_title(o["card"]) + (f" → {c.short_role(o['target'])}" if o["target"] else "") for o in order
                )
            )
        return out

    def _detail(self) -> None:
        card = self.highlighted
        detail = self.query_one("#hand-detail", Static)
        if card is None:
            update_static(detail, "No cards." if self._view is not None else "")
            return
        info = self.catalog.cards[card]
        out = Text()
        out.append(info.title, style="bold")
        out.append(f"  ({KIND_LABELS[info.kind]}, cost {info.cost}")
        out.append(f", {info.tags})" if info.tags else ")")
        if info.targets:
            out.append("\nTarget: " + " or ".join(self.catalog.role(t) for t in info.targets))
        if info.requires:
            out.append(f"\nRequires: {info.requires}")
        out.append("\nEffects: ", style="bold")
        out.append(info.effects)
        reason = self._reasons.get(card, "")
        if self.in_order(card):
            out.append("\nIn your order: ", style="bold")
            out.append("press u (or Take back) to take it out again before you seal (rule 6.9).")
        elif reason:
            out.append("\nCannot play now: ", style="bold")
            out.append(reason)
        out.append(f"\n{info.text}", style="italic")
        out.append(f"\nSource: {info.source}", style="dim")
        update_static(detail, out)

    def request_unplay(self) -> None:
        """Ask to take the highlighted card back out of the order (or say why not)."""
        card = self.highlighted
        order = [] if self._view is None else self._view.get("my_order", [])
        if card is not None and self.in_order(card):
            self.post_message(self.UnplayCard(card))
        elif not order:
            self.show_error("Your order is empty: nothing to take back.")
        else:
            self.show_error("Highlight a card marked “in order” (↑/↓ in the list), then press u.")

    # -- events ---------------------------------------------------------------------
    def on_row_table_row_highlighted(self, event: RowTable.RowHighlighted) -> None:
        event.stop()
        self._detail()

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        event.stop()
        if event.key:
            self.post_message(self.AddCard(event.key))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "hand-filter":
            event.stop()
            self.kind_filter = str(event.value) if event.value != Select.NULL else ALL
            self._redraw()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "hand-add":
            card = self.highlighted
            if card:
                self.post_message(self.AddCard(card))
            else:
                self.show_error("Pick a card first (↑/↓ in the list).")
        elif event.button.id == "hand-unplay":
            self.request_unplay()
        elif event.button.id == "hand-seal":
            self.post_message(self.SealRequested())
