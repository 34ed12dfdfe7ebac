"""Ledger causes and offer outcomes as typed records.

The state keeps them as short strings — ``card:us-tariff-carrot``, ``offer:3:broken``,
``broken:us,prc`` — because they are written on every change in the hot path and are part
of saves and state hashes, so their spelling is a format. This module is that format: the
engine writes causes with the constructors below, and everything that reads them (the
report, charts, playtest rows, the RL encoding, the UI) parses them here instead of
splitting strings itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

#: Cause kinds: what moved a track or a role's capital.
CARD = "card"  # a card's effect; ref = card id
COST = "cost"  # a card's cost paid at the reveal; ref = card id
SHOCK = "shock"  # a drawn shock; ref = shock id
INJECT = "inject"  # a shock the facilitator injected; ref = shock id
PRESSURE = "pressure"  # a standing pressure in upkeep; ref = pressure id
OFFER = "offer"  # the penalty for breaking an offer; ref = offer number
OVERRIDE = "override"  # a facilitator override; ref = its reason
DRIFT = "drift"
INCOME = "income"
DRAW = "draw"
FACILITATOR_KINDS = frozenset({INJECT, OVERRIDE})


@dataclass(frozen=True, slots=True)
class Cause:
    kind: str
    ref: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.ref}" if self.ref or self.kind in _WITH_REF else self.kind

    @property
    def offer(self) -> int:
        """The offer number of an ``offer`` cause (-1 otherwise)."""
        number = self.ref.partition(":")[0]
        return int(number) if self.kind == OFFER and number.isdigit() else -1

    @property
    def by_facilitator(self) -> bool:
        return self.kind in FACILITATOR_KINDS


_WITH_REF = frozenset({CARD, COST, SHOCK, INJECT, PRESSURE, OFFER, OVERRIDE})


@lru_cache(maxsize=4096)
def parse_cause(text: str) -> Cause:
    """The cause a ledger entry's string spells (``offer:3:broken`` -> offer, ref ``3:broken``)."""
    kind, sep, rest = text.partition(":")
    return Cause(kind, rest) if sep else Cause(kind)


def card_cause(card: str) -> str:
    return f"{CARD}:{card}"


def cost_cause(card: str) -> str:
    return f"{COST}:{card}"


def shock_cause(shock: str) -> str:
    return f"{SHOCK}:{shock}"


def inject_cause(shock: str) -> str:
    return f"{INJECT}:{shock}"


def pressure_cause(pressure: str) -> str:
    return f"{PRESSURE}:{pressure}"


def broken_offer_cause(number: int) -> str:
    return f"{OFFER}:{number}:broken"


def override_cause(reason: str) -> str:
    return f"{OVERRIDE}:{reason}"


# --------------------------------------------------------------------- offer outcomes

KEPT = "kept"
DECLINED_OUTCOME = "declined"
_BROKEN = "broken:"


@dataclass(frozen=True, slots=True)
class OfferOutcome:
    """How an offer ended at the reveal (§7.3): not yet (``settled`` false), declined (or
    left unanswered), kept, or broken by the roles in ``breakers``."""

    settled: bool
    accepted: bool = False
    breakers: tuple[str, ...] = ()

    @property
    def kept(self) -> bool:
        return self.accepted and not self.breakers

    @property
    def declined(self) -> bool:
        return self.settled and not self.accepted

    @property
    def broken(self) -> bool:
        return bool(self.breakers)

    def __str__(self) -> str:
        if not self.settled:
            return ""
        if not self.accepted:
            return DECLINED_OUTCOME
        return _BROKEN + ",".join(self.breakers) if self.breakers else KEPT


@lru_cache(maxsize=1024)
def parse_outcome(text: str) -> OfferOutcome:
    if text.startswith(_BROKEN):
        return OfferOutcome(True, True, tuple(r for r in text[len(_BROKEN) :].split(",") if r))
    if text == KEPT:
        return OfferOutcome(True, True)
    return OfferOutcome(text == DECLINED_OUTCOME)


def accepted_outcome(breakers: list[str]) -> str:
    """The outcome string of an accepted offer settled at the reveal."""
    return str(OfferOutcome(True, True, tuple(breakers)))
