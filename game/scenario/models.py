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

from typing import Literal

from pydantic import Field, field_validator, model_validator

from game.kinds import Condition, Effect
from game.kinds.conditions import (
    AllCond,
    AnyCond,
    DeltaCond,
    FlagCond,
    NotCond,
    PlayedCond,
    TargetCond,
    TrackCond,
    TurnCond,
    WindowCond,
)
from game.kinds.effects import (
    AddShockEffect,
    BlockKindEffect,
    CapitalEffect,
    CloseWindowEffect,
    DiscardEffect,
    DrawEffect,
    FlagEffect,
    IfEffect,
    Modifier,
    OpenWindowEffect,
    Outcome,
    RemoveShockEffect,
    ReweightShockEffect,
    RollEffect,
    SetEffect,
    ShiftEffect,
)
from game.scenario.balance import Balance
from game.scenario.fields import (
    CARD_KINDS,
    DICE_RE,
    PHASES,
    ROLE_PLACEHOLDERS,
    CardKind,
    Id,
    Phase,
    Strict,
)

#: The scenario language's kinds and shared field types, re-exported: scenario code
#: names them all from here.
__all__ = [
    "AddShockEffect",
    "AllCond",
    "AnyCond",
    "BlockKindEffect",
    "CARD_KINDS",
    "CapitalEffect",
    "CardKind",
    "CloseWindowEffect",
    "Condition",
    "DICE_RE",
    "DeltaCond",
    "DiscardEffect",
    "DrawEffect",
    "Effect",
    "FlagCond",
    "FlagEffect",
    "Id",
    "IfEffect",
    "Modifier",
    "NotCond",
    "OpenWindowEffect",
    "Outcome",
    "PHASES",
    "Phase",
    "PlayedCond",
    "ROLE_PLACEHOLDERS",
    "RemoveShockEffect",
    "ReweightShockEffect",
    "RollEffect",
    "SetEffect",
    "ShiftEffect",
    "Strict",
    "TargetCond",
    "TrackCond",
    "TurnCond",
    "WindowCond",
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
    #: A name of at most 16 characters for narrow tables (the UI falls back to `name`).
    short: str = Field("", max_length=16)
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
