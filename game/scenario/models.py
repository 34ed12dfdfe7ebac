"""Pydantic models for scenario files.

A scenario is pure data: tracks, roles, cards, shocks and rule options. Card and
shock behaviour is written in a small typed effect language (discriminated unions
on ``op`` for effects and ``test`` for conditions) so that content can be checked
before a game starts and never needs ``eval``.

These models are used at the boundary only (loading a file). The engine compiles
a validated :class:`Scenario` into flat tuples once and never touches pydantic on
the hot path.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from game.scenario.balance import Balance

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=48)]
CARD_KINDS = ("sanction", "tariff_carrot", "arms_sale", "framing", "event")
CardKind = Literal["sanction", "tariff_carrot", "arms_sale", "framing", "event"]
PHASES = ("shock", "diplomacy", "orders", "adjudication", "upkeep")
Phase = Literal["shock", "diplomacy", "orders", "adjudication", "upkeep"]
#: Role references inside effects may name a role id or one of these placeholders.
ROLE_PLACEHOLDERS = ("owner", "target")


class Strict(BaseModel):
    # defer_build: pydantic builds a model's validator on first use instead of at import.
    # Building all ~40 models eagerly cost ~130 ms at every start of the UI, for models that
    # are only ever validated as part of a Scenario (whose one build covers them all).
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# --------------------------------------------------------------------- conditions


class TrackCond(Strict):
    """True when a track's current value lies in [min, max]."""

    test: Literal["track"]
    track: Id
    min: int | None = None
    max: int | None = None


class DeltaCond(Strict):
    """True when a track's change since the start of this turn lies in [min, max]."""

    test: Literal["delta"]
    track: Id
    min: int | None = None
    max: int | None = None


class FlagCond(Strict):
    test: Literal["flag"]
    flag: Id
    is_: bool = Field(True, alias="is")


class WindowCond(Strict):
    test: Literal["window"]
    window: Id


class PlayedCond(Strict):
    """What a role revealed this turn: a given card, or any card of a kind."""

    test: Literal["played"]
    role: str
    card: Id | None = None
    kind: CardKind | None = None


class TargetCond(Strict):
    test: Literal["target"]
    role: Id


class TurnCond(Strict):
    test: Literal["turn"]
    min: int | None = None
    max: int | None = None


class AllCond(Strict):
    test: Literal["all"]
    of: list[Condition] = Field(min_length=1)


class AnyCond(Strict):
    test: Literal["any"]
    of: list[Condition] = Field(min_length=1)


class NotCond(Strict):
    test: Literal["not"]
    of: Condition


Condition = Annotated[
    TrackCond | DeltaCond | FlagCond | WindowCond | PlayedCond | TargetCond | TurnCond | AllCond | AnyCond | NotCond,
    Field(discriminator="test"),
]

# ------------------------------------------------------------------------ effects

DICE_RE = re.compile(r"^([1-9])d(4|6|8|10|12|20)$")


class ShiftEffect(Strict):
    op: Literal["shift"]
    track: Id
    amount: int = Field(ge=-100, le=100)


class SetEffect(Strict):
    op: Literal["set"]
    track: Id
    value: int


class CapitalEffect(Strict):
    op: Literal["capital"]
    role: str
    amount: int = Field(ge=-10, le=10)


class Modifier(Strict):
    """A dice modifier: a flat bonus when a condition holds, or +1 per `per` points of a track above `above`."""

    label: str = ""
    add: int = Field(0, ge=-20, le=20)
    when: Condition | None = None
    track: Id | None = None
    above: int = 0
    per: int = Field(1, ge=1)


class Outcome(Strict):
    min: int
    max: int
    label: str = ""
    effects: list[Effect] = Field(default_factory=list)


class RollEffect(Strict):
    op: Literal["roll"]
    label: str = ""
    dice: str
    modifiers: list[Modifier] = Field(default_factory=list)
    outcomes: list[Outcome] = Field(min_length=1)

    @field_validator("dice")
    @classmethod
    def _dice(cls, v: str) -> str:
        if not DICE_RE.match(v):
            raise ValueError("dice must look like 2d6 (1-9 dice of 4, 6, 8, 10, 12 or 20 sides)")
        return v

    @model_validator(mode="after")
    def _bands_cover(self) -> RollEffect:
        n, sides = (int(x) for x in self.dice.split("d"))
        ordered = sorted(self.outcomes, key=lambda o: o.min)
        for a, b in zip(ordered, ordered[1:]):
            if b.min <= a.max:
                raise ValueError(f"outcome bands {a.min}..{a.max} and {b.min}..{b.max} overlap")
        for o in ordered:
            if o.min > o.max:
                raise ValueError(f"outcome band {o.min}..{o.max} is empty")
        _ = n, sides
        return self


class IfEffect(Strict):
    op: Literal["if"]
    when: Condition
    then: list[Effect] = Field(default_factory=list)
    else_: list[Effect] = Field(default_factory=list, alias="else")


class FlagEffect(Strict):
    op: Literal["flag"]
    flag: Id
    value: bool = True


class OpenWindowEffect(Strict):
    op: Literal["open_window"]
    window: Id
    turns: int = Field(ge=1, le=20)


class CloseWindowEffect(Strict):
    op: Literal["close_window"]
    window: Id


class AddShockEffect(Strict):
    op: Literal["add_shock"]
    shock: Id


class RemoveShockEffect(Strict):
    op: Literal["remove_shock"]
    shock: Id


class ReweightShockEffect(Strict):
    op: Literal["reweight_shock"]
    shock: Id
    delta: int = Field(ge=-20, le=20)


class DrawEffect(Strict):
    op: Literal["draw"]
    role: str
    count: int = Field(ge=1, le=5)


class DiscardEffect(Strict):
    op: Literal["discard"]
    role: str
    count: int = Field(ge=1, le=5)


class BlockKindEffect(Strict):
    """Cards of `kind` (of one role, or every role) cannot be played for `turns` turns."""

    op: Literal["block_kind"]
    kind: CardKind
    role: str | None = None
    turns: int = Field(ge=1, le=20)


Effect = Annotated[
    ShiftEffect
    | SetEffect
    | CapitalEffect
    | RollEffect
    | IfEffect
    | FlagEffect
    | OpenWindowEffect
    | CloseWindowEffect
    | AddShockEffect
    | RemoveShockEffect
    | ReweightShockEffect
    | DrawEffect
    | DiscardEffect
    | BlockKindEffect,
    Field(discriminator="op"),
]

# ---------------------------------------------------------------------- content


class Band(Strict):
    min: int
    max: int
    label: str


class DriftTerm(Strict):
    """One track's pull on a drift baseline: value * num // den (num may be negative)."""

    track: Id
    num: int = Field(ge=-100, le=100)
    den: int = Field(1, ge=1, le=100)


class Drift(Strict):
    """Upkeep pull toward baseline = base + Σ value(track) * num // den, at most `rate` per turn.

    A baseline can read several tracks (``terms``) because the forces on a relationship
    rarely come from one place: the Russia–PRC alignment is held up by dependence and
    shared hostility to the US and worn down by accumulated suspicion. The single
    ``track``/``num``/``den`` form is the one-term shorthand.

    ``suspend`` says which moves an open window holds back: ``both`` (the track freezes),
    ``up`` (no recovery upward: cuts made in the window stick) or ``down``.
    """

    base: int
    track: Id | None = None
    num: int = 0
    den: int = Field(1, ge=1)
    terms: list[DriftTerm] = Field(default_factory=list)
    rate: int = Field(ge=1, le=50)
    suspended_by: list[Id] = Field(default_factory=list)
    suspend: Literal["both", "up", "down"] = "both"

    def all_terms(self) -> list[DriftTerm]:
        """The shorthand term (if any) followed by ``terms``."""
        first = [DriftTerm(track=self.track, num=self.num, den=self.den)] if self.track is not None else []
        return first + list(self.terms)


class Track(Strict):
    id: Id
    name: str
    min: int
    max: int
    start: int
    meaning: str
    source: str = ""  # what the starting value rests on
    bands: list[Band] = Field(min_length=1)
    drift: Drift | None = None

    @model_validator(mode="after")
    def _range(self) -> Track:
        if self.min >= self.max:
            raise ValueError(f"min {self.min} must be below max {self.max}")
        if not self.min <= self.start <= self.max:
            raise ValueError(f"start {self.start} is outside {self.min}..{self.max}")
        covered = sorted((b.min, b.max) for b in self.bands)
        expect = self.min
        for lo, hi in covered:
            if lo != expect or hi < lo:
                raise ValueError(
                    f"bands must tile {self.min}..{self.max} without gaps or overlaps (problem at {lo}..{hi})"
                )
            expect = hi + 1
        if expect != self.max + 1:
            raise ValueError(f"bands must reach max {self.max}")
        return self


class Term(Strict):
    label: str
    when: Condition
    points: int = Field(1, ge=0, le=10)
    required: bool = True


class Objective(Strict):
    summary: str
    terms: list[Term] = Field(min_length=1)


class Role(Strict):
    id: Id
    name: str
    capital: int = Field(ge=0, le=10)
    income: int = Field(ge=0, le=10)
    max_capital: int = Field(10, ge=1, le=20)
    hand_size: int = Field(ge=1, le=10)
    objective: Objective
    briefing: str = ""


class Card(Strict):
    id: Id
    title: str
    kind: CardKind
    role: Id
    cost: int = Field(ge=0, le=10)
    remove_after_use: bool = False
    coercive: bool = False
    askable: bool = False
    requires: Condition | None = None
    targets: list[Id] = Field(default_factory=list)
    effects: list[Effect] = Field(min_length=1)
    text: str
    source: str


class WeightMod(Strict):
    when: Condition
    add: int = Field(ge=-20, le=20)


class Shock(Strict):
    id: Id
    title: str
    weight: int = Field(ge=0, le=50)
    weight_mods: list[WeightMod] = Field(default_factory=list)
    in_deck: bool = True
    recurring: bool = False
    add_when: Condition | None = None
    remove_when: Condition | None = None
    effects: list[Effect] = Field(min_length=1)
    text: str
    source: str
    base_rate: str = ""  # how often such events happen, which the weight is set from


class Pressure(Strict):
    """A standing force applied at every upkeep while its condition holds (rulebook §8.1).

    Pressures model what no one plays but everyone feels turn after turn: dual-use
    flows feeding Russia's war economy, Russian arms for India straining Moscow's ties
    with Beijing while India and China distrust each other. Writing them as data keeps
    such causal links visible, sourced and testable instead of buried in drift numbers.
    """

    id: Id
    name: str
    when: Condition | None = None
    effects: list[Effect] = Field(min_length=1)
    text: str
    source: str


class Named(Strict):
    id: Id
    name: str
    meaning: str = ""


class Flag(Named):
    """A yes/no fact. ``start: true`` for what already holds when the game begins (an event
    before the scenario's start date is a starting condition, not a future shock)."""

    start: bool = False
    source: str = ""


def _default_phases() -> list[Phase]:
    return ["shock", "diplomacy", "orders", "adjudication", "upkeep"]


def _default_order() -> list[CardKind]:
    # Carrots last: they verify what the rest of the turn actually did.
    return ["framing", "sanction", "arms_sale", "event", "tariff_carrot"]


class Rules(Strict):
    turns: int = Field(ge=1, le=40)
    phases: list[Phase] = Field(default_factory=lambda: _default_phases())
    max_cards_per_turn: int = Field(2, ge=1, le=6)
    max_offers_per_role: int = Field(1, ge=0, le=3)
    broken_offer_penalty: int = Field(1, ge=0, le=5)
    shocks_per_turn: int = Field(1, ge=0, le=3)
    stability_track: Id = "stability"
    extra_shock_at_or_below: int = 2
    coercive_blocked_at_or_below: int = 2
    crisis_at_or_below: int = 1
    crisis_flag: Id = "crisis"
    resolution_order: list[CardKind] = Field(default_factory=lambda: _default_order())

    @field_validator("phases")
    @classmethod
    def _phases(cls, v: list[str]) -> list[str]:
        if sorted(v) != sorted(PHASES) or len(set(v)) != len(v):
            raise ValueError(f"phases must list each of {', '.join(PHASES)} exactly once")
        for a, b in (("diplomacy", "orders"), ("orders", "adjudication")):
            if v.index(a) > v.index(b):
                raise ValueError(f"phase {a} must come before {b}")
        if v[-1] != "upkeep":
            raise ValueError("upkeep must be the last phase")
        return v

    @field_validator("resolution_order")
    @classmethod
    def _order(cls, v: list[str]) -> list[str]:
        if sorted(v) != sorted(CARD_KINDS) or len(set(v)) != len(v):
            raise ValueError(f"resolution_order must list each of {', '.join(CARD_KINDS)} exactly once")
        return v


class Meta(Strict):
    id: Id
    title: str
    version: str = "1"
    description: str = ""


class Scenario(Strict):
    scenario: Meta
    rules: Rules
    tracks: list[Track] = Field(min_length=1)
    flags: list[Flag] = Field(default_factory=list)
    windows: list[Named] = Field(default_factory=list)
    roles: list[Role] = Field(min_length=1, max_length=8)
    cards: list[Card] = Field(min_length=1)
    shocks: list[Shock] = Field(default_factory=list)
    pressures: list[Pressure] = Field(default_factory=list)
    balance: Balance | None = Field(None, exclude=True)  # not game content: see game/scenario/balance.py


#: Models whose fields name types defined further down (Condition, Effect). With deferred
#: building their forward references are resolved when a validator is first needed; code
#: that reads ``model_fields`` directly calls :func:`resolve_fields` first.
FORWARD = (AllCond, AnyCond, NotCond, Outcome, RollEffect, IfEffect, Modifier, WeightMod, Term, Card, Shock, Pressure)


def resolve_fields() -> None:
    """Resolve the forward references in ``model_fields`` (builds those models' validators)."""
    for model in FORWARD:
        if not model.__pydantic_complete__:
            model.model_rebuild()
