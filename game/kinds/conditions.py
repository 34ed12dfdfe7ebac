"""The condition kinds (``test:``): what cards, shocks, pressures and objectives ask of a state.

A compiled condition takes a *reader*: any object with ``tracks``, ``turn_start``,
``flags``, ``windows``, ``turn`` and ``revealed`` (a game state, a work copy, or the
search agent's projection), plus ``owner``/``target`` while a card resolves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydantic import Field

from game.kinds import ops
from game.kinds.base import ConditionKind, condition
from game.scenario.fields import CardKind, Id

if TYPE_CHECKING:
    from game.compiled import Compiler, Cond
    from game.describe import Describer
    from game.kinds.base import Condition
    from game.scenario.references import Checker, Ctx, Loc

_NONE_LO, _NONE_HI = -(10**9), 10**9


def _bounds(lo: int | None, hi: int | None) -> tuple[int, int]:
    return (_NONE_LO if lo is None else lo), (_NONE_HI if hi is None else hi)


def _check_order(v: Checker, loc: Loc, lo: int | None, hi: int | None) -> None:
    if lo is not None and hi is not None and lo > hi:
        v.add(loc + ("min",), f"min {lo} is above max {hi}; the condition can never hold")


@condition
class TrackCond(ConditionKind):
    """True when a track's current value lies in [min, max]."""

    summary: ClassVar[str] = "the track's value is within [min, max] (either bound may be omitted)"
    example: ClassVar[dict[str, Any]] = {"test": "track", "track": "a", "min": 3}

    test: Literal["track"]
    track: Id
    min: int | None = None
    max: int | None = None

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        _check_order(v, loc, self.min, self.max)
        track = v.track(loc + ("track",), self.track)
        v.in_range(loc + ("min",), track, "min", self.min)
        v.in_range(loc + ("max",), track, "max", self.max)

    def compile(self, c: Compiler) -> Cond:
        return ops.track_between(c.track[self.track], *_bounds(self.min, self.max))

    def describe(self, d: Describer) -> str:
        name = d.track.get(self.track, self.track)
        if self.min is not None and self.max is not None:
            return f"{name} is {self.min}–{self.max}"
        if self.min is not None:
            return f"{name} ≥ {self.min}"
        if self.max is not None:
            return f"{name} ≤ {self.max}"
        return "always"

    def tracks_read(self) -> frozenset[str]:
        return frozenset((self.track,))


@condition
class DeltaCond(ConditionKind):
    """True when a track's change since the start of this turn lies in [min, max]."""

    summary: ClassVar[str] = "the track's change since the turn-start value (§3.1) is within [min, max]"
    example: ClassVar[dict[str, Any]] = {"test": "delta", "track": "a", "max": -1}

    test: Literal["delta"]
    track: Id
    min: int | None = None
    max: int | None = None

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        _check_order(v, loc, self.min, self.max)
        v.track(loc + ("track",), self.track)

    def compile(self, c: Compiler) -> Cond:
        return ops.delta_between(c.track[self.track], *_bounds(self.min, self.max))

    def describe(self, d: Describer) -> str:
        name = f"the change in {d.track.get(self.track, self.track)} this turn"
        if self.min is not None and self.max is not None:
            return f"{name} is {self.min}–{self.max}"
        if self.min is not None:
            return f"{name} is {self.min:+d} or more"
        if self.max is not None:
            return f"{name} is {self.max:+d} or less"
        return "always"

    def tracks_read(self) -> frozenset[str]:
        return frozenset((self.track,))


@condition
class FlagCond(ConditionKind):
    summary: ClassVar[str] = "the flag has the given value (`is`, default yes)"
    example: ClassVar[dict[str, Any]] = {"test": "flag", "flag": "f", "is": False}

    test: Literal["flag"]
    flag: Id
    is_: bool = Field(True, alias="is")

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.flag(loc + ("flag",), self.flag)

    def compile(self, c: Compiler) -> Cond:
        return ops.flag_is(1 << c.flag[self.flag], self.is_)

    def describe(self, d: Describer) -> str:
        name = d.flag.get(self.flag, self.flag)
        return name if self.is_ else f"not {name}"


@condition
class WindowCond(ConditionKind):
    summary: ClassVar[str] = "the window is open"
    example: ClassVar[dict[str, Any]] = {"test": "window", "window": "w"}

    test: Literal["window"]
    window: Id

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.window(loc + ("window",), self.window)

    def compile(self, c: Compiler) -> Cond:
        return ops.window_open(c.window[self.window])

    def describe(self, d: Describer) -> str:
        return f"the {d.window.get(self.window, self.window)} window is open"


@condition
class PlayedCond(ConditionKind):
    """What a role revealed this turn: a given card, or any card of a kind."""

    summary: ClassVar[str] = (
        "the role revealed that card, or any card of that kind, this turn (false before the reveal)"
    )
    example: ClassVar[dict[str, Any]] = {"test": "played", "role": "r2", "card": "c2"}

    test: Literal["played"]
    role: str
    card: Id | None = None
    kind: CardKind | None = None

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.role(loc + ("role",), self.role, ctx)
        if self.card is None:
            return
        owner = v.card_roles.get(self.card)
        if owner is None:
            v.add(loc + ("card",), f"unknown card {self.card!r} {v.listing('known', list(v.card_roles), self.card)}")
            return
        role = ctx.card_role if self.role == "owner" else self.role
        if role in v.roles and owner != role:
            v.add(loc + ("card",), f"card {self.card!r} belongs to role {owner!r}, not {role!r}")

    def compile(self, c: Compiler) -> Cond:
        card = c.card[self.card] if self.card else -1
        kind = c.kind_index[self.kind] if self.kind else -1
        card_kind = [c.kind_index[x.kind] for x in c.s.cards]
        return ops.played(c.role_ref(self.role), card, kind, card_kind)

    def describe(self, d: Describer) -> str:
        if self.card:
            what = d.card.get(self.card, self.card)
        else:
            what = f"a {self.kind.replace('_', ' ')} card" if self.kind else "a card"
        return f"{d.who(self.role)} played {what} this turn"


@condition
class TargetCond(ConditionKind):
    summary: ClassVar[str] = "the card being resolved targets that role"
    example: ClassVar[dict[str, Any]] = {"test": "target", "role": "r2"}

    test: Literal["target"]
    role: Id

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.role(loc + ("role",), self.role, ctx)

    def compile(self, c: Compiler) -> Cond:
        return ops.target_is(c.role[self.role])

    def describe(self, d: Describer) -> str:
        return f"the target is {d.who(self.role)}"


@condition
class TurnCond(ConditionKind):
    summary: ClassVar[str] = "the turn number is within [min, max]"
    example: ClassVar[dict[str, Any]] = {"test": "turn", "min": 2, "max": 3}

    test: Literal["turn"]
    min: int | None = None
    max: int | None = None

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        _check_order(v, loc, self.min, self.max)

    def compile(self, c: Compiler) -> Cond:
        return ops.turn_between(*_bounds(self.min, self.max))

    def describe(self, d: Describer) -> str:
        if self.min is not None and self.max is not None:
            return f"turn {self.min}–{self.max}"
        if self.min is not None:
            return f"turn ≥ {self.min}"
        return f"turn ≤ {self.max}" if self.max is not None else "always"


@condition
class AllCond(ConditionKind):
    summary: ClassVar[str] = "all of the inner conditions (`of`) hold"
    example: ClassVar[dict[str, Any]] = {
        "test": "all",
        "of": [{"test": "turn", "min": 1}, {"test": "flag", "flag": "f"}],
    }

    test: Literal["all"]
    of: list[Condition] = Field(min_length=1)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        for i, sub in enumerate(self.of):
            v.cond(loc + ("of", i), sub, ctx)

    def compile(self, c: Compiler) -> Cond:
        return ops.all_of(tuple(c.cond(x) for x in self.of))

    def describe(self, d: Describer) -> str:
        return " and ".join(d.cond(x) for x in self.of)

    def parts(self) -> Sequence[ConditionKind]:
        return self.of


@condition
class AnyCond(ConditionKind):
    summary: ClassVar[str] = "any of the inner conditions (`of`) holds"
    example: ClassVar[dict[str, Any]] = {
        "test": "any",
        "of": [{"test": "turn", "max": 1}, {"test": "window", "window": "w"}],
    }

    test: Literal["any"]
    of: list[Condition] = Field(min_length=1)

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        for i, sub in enumerate(self.of):
            v.cond(loc + ("of", i), sub, ctx)

    def compile(self, c: Compiler) -> Cond:
        return ops.any_of(tuple(c.cond(x) for x in self.of))

    def describe(self, d: Describer) -> str:
        return "(" + " or ".join(d.cond(x) for x in self.of) + ")"

    def parts(self) -> Sequence[ConditionKind]:
        return self.of


@condition
class NotCond(ConditionKind):
    summary: ClassVar[str] = "the inner condition (`of`) does not hold"
    example: ClassVar[dict[str, Any]] = {"test": "not", "of": {"test": "flag", "flag": "f"}}

    test: Literal["not"]
    of: Condition

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        v.cond(loc + ("of",), self.of, ctx)

    def compile(self, c: Compiler) -> Cond:
        return ops.not_of(c.cond(self.of))

    def describe(self, d: Describer) -> str:
        return f"not ({d.cond(self.of)})"

    def parts(self) -> Sequence[ConditionKind]:
        return (self.of,)
