"""The effect kinds (``op:``): what cards, shocks and pressures do to the game.

A compiled effect takes a :class:`~game.work.Work` and changes it through the work
copy's own operations (``shift``, ``gain_capital``, ``roll``, …), which clamp values and
write the ledger, so no kind can leave the state inconsistent or unexplained.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field, field_validator, model_validator

from game.kinds import ops
from game.kinds.base import EffectKind, effect
from game.scenario.fields import DICE_RE, CardKind, Id, Strict

if TYPE_CHECKING:
    from game.compiled import Compiler, Eff
    from game.describe import Describer
    from game.kinds.base import Condition, Effect
    from game.scenario.references import Checker, Ctx, Loc


@effect
class ShiftEffect(EffectKind):
    summary: ClassVar[str] = "add `amount` to a track, clamped to its range"
    example: ClassVar[dict[str, Any]] = {"op": "shift", "track": "a", "amount": -2}
    touches: ClassVar[frozenset[str]] = frozenset({"tracks"})

    op: Literal["shift"]
    track: Id
    amount: int = Field(ge=-100, le=100)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.track(loc + ("track",), self.track)

    def compile(self, c: Compiler) -> Eff:
        # Runs of shifts are merged into one Work.shift_all call by Compiler.effects.
        return ops.shift_run((self.shift_part(c),))

    def shift_part(self, c: Compiler) -> tuple[int, int, int, int, str]:
        """(track index, amount, min, max, id): this shift as one step of a run."""
        i = c.track[self.track]
        t = c.s.tracks[i]
        return (i, self.amount, t.min, t.max, t.id)

    def describe(self, d: Describer) -> str:
        return f"{d.track.get(self.track, self.track)} {self.amount:+d}"


@effect
class SetEffect(EffectKind):
    summary: ClassVar[str] = "set a track to `value` (clamped)"
    example: ClassVar[dict[str, Any]] = {"op": "set", "track": "a", "value": 4}
    touches: ClassVar[frozenset[str]] = frozenset({"tracks"})

    op: Literal["set"]
    track: Id
    value: int

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.in_range(loc + ("value",), v.track(loc + ("track",), self.track), "value", self.value)

    def compile(self, c: Compiler) -> Eff:
        return ops.set_track(c.track[self.track], self.value)

    def describe(self, d: Describer) -> str:
        return f"{d.track.get(self.track, self.track)} set to {self.value}"


@effect
class CapitalEffect(EffectKind):
    summary: ClassVar[str] = "add `amount` to a role's capital, clamped to 0..maximum"
    example: ClassVar[dict[str, Any]] = {"op": "capital", "role": "owner", "amount": 1}
    touches: ClassVar[frozenset[str]] = frozenset({"capital"})

    op: Literal["capital"]
    role: str
    amount: int = Field(ge=-10, le=10)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.role(loc + ("role",), self.role, ctx)

    def compile(self, c: Compiler) -> Eff:
        return ops.capital(c.role_ref(self.role), self.amount)

    def describe(self, d: Describer) -> str:
        return f"{d.whose(self.role)} capital {self.amount:+d}"


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


@effect
class RollEffect(EffectKind):
    summary: ClassVar[str] = "roll dice and apply the outcome band the total falls in (§9.2)"
    example: ClassVar[dict[str, Any]] = {
        "op": "roll",
        "dice": "1d6",
        "modifiers": [{"add": 1, "when": {"test": "flag", "flag": "f"}}, {"track": "b", "above": 2, "per": 2}],
        "outcomes": [{"min": 4, "max": 9, "label": "success", "effects": [{"op": "shift", "track": "a", "amount": 1}]}],
    }
    touches: ClassVar[frozenset[str]] = frozenset()  # only what its outcomes touch

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
        ordered = sorted(self.outcomes, key=lambda o: o.min)
        for a, b in zip(ordered, ordered[1:]):
            if b.min <= a.max:
                raise ValueError(f"outcome bands {a.min}..{a.max} and {b.min}..{b.max} overlap")
        for o in ordered:
            if o.min > o.max:
                raise ValueError(f"outcome band {o.min}..{o.max} is empty")
        return self

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        for j, md in enumerate(self.modifiers):
            if md.when is not None:
                v.cond(loc + ("modifiers", j, "when"), md.when, ctx)
            if md.track is not None:
                v.track(loc + ("modifiers", j, "track"), md.track)
        for j, o in enumerate(self.outcomes):
            v.effects(loc + ("outcomes", j, "effects"), o.effects, ctx)

    def compile(self, c: Compiler) -> Eff:
        n, sides = (int(x) for x in self.dice.split("d"))
        mods = tuple(
            (
                md.add,
                c.cond(md.when) if md.when is not None else None,
                c.track[md.track] if md.track else -1,
                md.above,
                md.per,
            )
            for md in self.modifiers
        )
        outcomes = tuple((o.min, o.max, c.effects(o.effects)) for o in self.outcomes)
        return ops.roll(self.dice, n, sides, mods, outcomes)

    def describe(self, d: Describer) -> str:
        mods = []
        for md in self.modifiers:
            if md.add:
                mods.append(f"{md.add:+d}" + (f" if {d.cond(md.when)}" if md.when else ""))
            if md.track:
                per = "" if md.per == 1 else f"/{md.per}"
                mods.append(f"+({d.track.get(md.track, md.track)} − {md.above}){per}")
        bands = ", ".join(
            f"{o.min}–{o.max}{' ' + o.label if o.label else ''}: {d.effects(o.effects)}" for o in self.outcomes
        )
        head = f"roll {self.dice}" + (" " + " ".join(mods) if mods else "")
        return f"{head} → [{bands}]"

    def nested(self) -> Sequence[Sequence[EffectKind]]:
        return [o.effects for o in self.outcomes]


@effect
class IfEffect(EffectKind):
    summary: ClassVar[str] = "apply `then` if the condition `when` holds, otherwise `else`"
    example: ClassVar[dict[str, Any]] = {
        "op": "if",
        "when": {"test": "track", "track": "a", "min": 5},
        "then": [{"op": "shift", "track": "b", "amount": 1}],
        "else": [{"op": "flag", "flag": "f"}],
    }
    touches: ClassVar[frozenset[str]] = frozenset()  # only what its branches touch

    op: Literal["if"]
    when: Condition
    then: list[Effect] = Field(default_factory=list)
    else_: list[Effect] = Field(default_factory=list, alias="else")

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.cond(loc + ("when",), self.when, ctx)
        v.effects(loc + ("then",), self.then, ctx)
        v.effects(loc + ("else",), self.else_, ctx)

    def compile(self, c: Compiler) -> Eff:
        return ops.branch(c.cond(self.when), c.effects(self.then), c.effects(self.else_))

    def describe(self, d: Describer) -> str:
        text = f"if {d.cond(self.when)}: {d.effects(self.then)}"
        return text + (f", otherwise {d.effects(self.else_)}" if self.else_ else "")

    def nested(self) -> Sequence[Sequence[EffectKind]]:
        return (self.then, self.else_)


@effect
class FlagEffect(EffectKind):
    summary: ClassVar[str] = "set a flag to yes or no (`value`, default yes)"
    example: ClassVar[dict[str, Any]] = {"op": "flag", "flag": "f"}
    touches: ClassVar[frozenset[str]] = frozenset({"flags"})

    op: Literal["flag"]
    flag: Id
    value: bool = True

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.flag(loc + ("flag",), self.flag)

    def compile(self, c: Compiler) -> Eff:
        return ops.set_flag(1 << c.flag[self.flag], self.value)

    def describe(self, d: Describer) -> str:
        name = d.flag.get(self.flag, self.flag)
        return f"set {name}" if self.value else f"clear {name}"


@effect
class OpenWindowEffect(EffectKind):
    summary: ClassVar[str] = "open a window for `turns` turns (§9.4)"
    example: ClassVar[dict[str, Any]] = {"op": "open_window", "window": "w", "turns": 2}
    touches: ClassVar[frozenset[str]] = frozenset({"windows"})

    op: Literal["open_window"]
    window: Id
    turns: int = Field(ge=1, le=20)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.window(loc + ("window",), self.window)

    def compile(self, c: Compiler) -> Eff:
        return ops.open_window(c.window[self.window], self.turns)

    def describe(self, d: Describer) -> str:
        return f"open the {d.window.get(self.window, self.window)} window for {self.turns} turn(s)"


@effect
class CloseWindowEffect(EffectKind):
    summary: ClassVar[str] = "close a window"
    example: ClassVar[dict[str, Any]] = {"op": "close_window", "window": "w"}
    touches: ClassVar[frozenset[str]] = frozenset({"windows"})

    op: Literal["close_window"]
    window: Id

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.window(loc + ("window",), self.window)

    def compile(self, c: Compiler) -> Eff:
        return ops.close_window(c.window[self.window])

    def describe(self, d: Describer) -> str:
        return f"close the {d.window.get(self.window, self.window)} window"


@effect
class AddShockEffect(EffectKind):
    summary: ClassVar[str] = "put a shock into the shock deck (never one already used up, §8.3)"
    example: ClassVar[dict[str, Any]] = {"op": "add_shock", "shock": "s"}
    touches: ClassVar[frozenset[str]] = frozenset({"shock_deck"})

    op: Literal["add_shock"]
    shock: Id

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.shock(loc + ("shock",), self.shock)

    def compile(self, c: Compiler) -> Eff:
        return ops.add_shock(c.shock[self.shock])

    def describe(self, d: Describer) -> str:
        return f"add '{d.shock.get(self.shock, self.shock)}' to the shock deck"


@effect
class RemoveShockEffect(EffectKind):
    summary: ClassVar[str] = "take a shock out of the shock deck"
    example: ClassVar[dict[str, Any]] = {"op": "remove_shock", "shock": "s"}
    touches: ClassVar[frozenset[str]] = frozenset({"shock_deck"})

    op: Literal["remove_shock"]
    shock: Id

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.shock(loc + ("shock",), self.shock)

    def compile(self, c: Compiler) -> Eff:
        return ops.remove_shock(c.shock[self.shock])

    def describe(self, d: Describer) -> str:
        return f"remove '{d.shock.get(self.shock, self.shock)}' from the shock deck"


@effect
class ReweightShockEffect(EffectKind):
    summary: ClassVar[str] = "add `delta` to a shock's weight for the rest of the game"
    example: ClassVar[dict[str, Any]] = {"op": "reweight_shock", "shock": "s", "delta": 2}
    touches: ClassVar[frozenset[str]] = frozenset({"shock_weights"})

    op: Literal["reweight_shock"]
    shock: Id
    delta: int = Field(ge=-20, le=20)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.shock(loc + ("shock",), self.shock)

    def compile(self, c: Compiler) -> Eff:
        return ops.reweight_shock(c.shock[self.shock], self.delta)

    def describe(self, d: Describer) -> str:
        return f"'{d.shock.get(self.shock, self.shock)}' weight {self.delta:+d}"


@effect
class DrawEffect(EffectKind):
    summary: ClassVar[str] = "a role draws `count` cards (§8.6)"
    example: ClassVar[dict[str, Any]] = {"op": "draw", "role": "r1", "count": 1}
    touches: ClassVar[frozenset[str]] = frozenset({"hands"})

    op: Literal["draw"]
    role: str
    count: int = Field(ge=1, le=5)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.role(loc + ("role",), self.role, ctx)

    def compile(self, c: Compiler) -> Eff:
        return ops.draw(c.role_ref(self.role), self.count)

    def describe(self, d: Describer) -> str:
        return f"{d.who(self.role)} draw {self.count}"


@effect
class DiscardEffect(EffectKind):
    summary: ClassVar[str] = "a role discards `count` random cards from its hand, never one in its current order"
    example: ClassVar[dict[str, Any]] = {"op": "discard", "role": "r2", "count": 1}
    touches: ClassVar[frozenset[str]] = frozenset({"hands"})

    op: Literal["discard"]
    role: str
    count: int = Field(ge=1, le=5)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.role(loc + ("role",), self.role, ctx)

    def compile(self, c: Compiler) -> Eff:
        return ops.discard(c.role_ref(self.role), self.count)

    def describe(self, d: Describer) -> str:
        return f"{d.who(self.role)} discard {self.count} at random"


@effect
class BlockKindEffect(EffectKind):
    """Cards of `kind` (of one role, or every role) cannot be played for `turns` turns."""

    summary: ClassVar[str] = "cards of a kind (of one role, or of every role) cannot be played for `turns` turns (§9.4)"
    example: ClassVar[dict[str, Any]] = {"op": "block_kind", "kind": "sanction", "role": "r1", "turns": 1}
    touches: ClassVar[frozenset[str]] = frozenset({"blocks"})

    op: Literal["block_kind"]
    kind: CardKind
    role: str | None = None
    turns: int = Field(ge=1, le=20)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        if self.role is not None:
            v.role(loc + ("role",), self.role, ctx)

    def compile(self, c: Compiler) -> Eff:
        return ops.block(c.kind_index[self.kind], c.role_ref(self.role) if self.role else -1, self.turns)

    def describe(self, d: Describer) -> str:
        whose = f"{d.who(self.role)}'s " if self.role else ""
        return f"block {whose}{self.kind.replace('_', ' ')} cards for {self.turns} turn(s)"
