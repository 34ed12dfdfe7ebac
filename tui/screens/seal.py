"""What the seal confirmation says: the order, and what sealing it now will cost.

Sealing is final (rule 6.7), so the dialog lists what a player may not have noticed:

* accepted offers the order does not keep — the card the seat promised is not in it, so
  it breaks the offer and pays the penalty (rule 7.3);
* offers addressed to the seat that it has not answered: sealing declines them (rule 6.6);
* its own offers still waiting for an answer whose card is not in the order;
* capital and card slots left unused.

Built from the seat's own view only (it holds the seat's offers and pending order).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text

from tui.catalog import Catalog


def broken_promises(view: dict[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """Accepted offers of this turn whose card the seat promised is not in its order: (offer, card)."""
    me = view["role"]
    played = {o["card"] for o in view["my_order"]}
    out = []
    for o in view.get("offers", []):
        if o["status"] != "accepted" or o["turn"] != view["turn"]:
            continue
        mine = o["ask"] if o["to"] == me else o["give"] if o["from"] == me else None
        if mine is not None and mine not in played:
            out.append((o, mine))
    return out


def unanswered(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Offers addressed to the seat this turn that it has not answered (declined when it seals)."""
    me = view["role"]
    return [o for o in view.get("offers", []) if o["to"] == me and o["status"] == "pending"]


def seal_summary(c: Catalog, view: dict[str, Any]) -> Text:
    me = view["role"]
    order = view["my_order"]
    capital = view["roles"][me]["capital"]
    cost = sum(c.cards[o["card"]].cost for o in order)
    out = Text()
    if order:
        for o in order:
            out.append("• ")
            out.append(c.card_title(o["card"]))
            if o["target"]:
                out.append(f" → {c.role(o['target'])}")
            out.append("\n")
        out.append(f"Cost {cost} of {capital} capital.\n")
    else:
        out.append("Your order is empty: you play no card this turn.\n")

    penalty = c.scenario.rules.broken_offer_penalty
    broken = broken_promises(view)
    if broken:
        out.append("\nAccepted offers this order breaks", style="bold")
        out.append(f" (−{penalty} capital each, rule 7.3):\n")
        for o, card in broken:
            other = o["from"] if o["to"] == me else o["to"]
            out.append(f"  ✗ Offer {o['id']} with {c.short_role(other)}: you promised ")
            out.append(c.card_title(card), style="bold")
            out.append(", which is not in your order.\n")
    waiting = unanswered(view)
    if waiting:
        out.append("\nOffers you have not answered", style="bold")
        out.append(" (sealing declines them, rule 6.6):\n")
        for o in waiting:
            out.append(f"  • Offer {o['id']} from {c.short_role(o['from'])}: you play ")
            out.append(c.card_title(o["ask"]))
            out.append(", they play ")
            out.append(c.card_title(o["give"]))
            if o["ask"] not in view.get("hand", []):
                out.append(" (not in your hand: you could only decline it)", style="dim")
            out.append("\n")
    played = {o["card"] for o in order}
    pending_mine = [
        o for o in view.get("offers", []) if o["from"] == me and o["status"] == "pending" and o["give"] not in played
    ]
    for o in pending_mine:
        out.append(f"\nYour offer {o['id']} to {c.short_role(o['to'])} is not answered yet: if they accept, ")
        out.append(c.card_title(o["give"]))
        out.append(" is not in your order and you break it.\n")

    left = capital - cost
    slots = c.scenario.rules.max_cards_per_turn - len(order)
    if left > 0 or slots > 0:
        out.append("\n")
        role = next((r for r in c.scenario.roles if r.id == me), None)
        if left > 0:
            out.append(f"{left} capital left unspent", style="bold")
            if role is not None:
                out.append(f" (kept; income {role.income} stops at the maximum, {role.max_capital})")
            out.append(". ")
        if slots > 0:
            out.append(f"{slots} card slot{'s' if slots != 1 else ''} unused.")
        out.append("\n")
    out.append("\nOnce sealed, nothing can be added or taken back.", style="bold")
    return out
