"""What every effect and condition kind must define, and the registries that hold them.

A kind is one pydantic class that carries everything the engine knows about it: its
schema (the class's fields), its reference check against the scenario, its compile
step to the closure the engine runs, its description in plain words, the parts of
the state it can change, and the rulebook's summary of it. The loader, the reference
checker, the compiler, the describer, determinization and the rulebook's §9 tables all
ask the kind, so adding one is one class in one module of :mod:`game.kinds`, and a kind
that forgets a part is refused when its module is imported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypeVar, get_args, get_origin

from game.scenario.fields import Strict

if TYPE_CHECKING:
    from game.compiled import Compiler, Cond, Eff
    from game.describe import Describer
    from game.scenario.references import Checker, Ctx, Loc

#: What an effect may change, as named in ``touches`` and the rulebook's §9.1 table.
STATE_PARTS: dict[str, str] = {
    "tracks": "track values",
    "capital": "capital",
    "flags": "flags",
    "windows": "windows",
    "blocks": "card-kind blocks",
    "shock_deck": "which shocks are in the deck",
    "shock_weights": "shock weights",
    "hands": "hands and discards",
}


class Kind(Strict):
    """The parts both effects and conditions share."""

    #: One line for the rulebook's §9 table: what the effect does / when the condition holds.
    summary: ClassVar[str] = ""
    #: A valid instance as written in YAML, naming the ids of the kinds test scenario
    #: (tracks ``a``, ``b``; flag ``f``; window ``w``; shock ``s``; roles ``r1``, ``r2``;
    #: cards ``c1`` of r1, ``c2`` of r2). The coverage tests load, check, compile, run and
    #: describe it.
    example: ClassVar[dict[str, Any]] = {}
    #: The discriminator field: ``op`` for effects, ``test`` for conditions.
    tag_field: ClassVar[str] = ""

    @classmethod
    def tag(cls) -> str:
        """The kind's name in scenario files (its ``op`` or ``test`` literal)."""
        field = cls.model_fields.get(cls.tag_field)
        args = get_args(field.annotation) if field is not None else ()
        if field is None or get_origin(field.annotation) is not Literal or len(args) != 1:
            raise TypeError(f"{cls.__name__} must declare `{cls.tag_field}: Literal[\"name\"]`")
        return str(args[0])

    def check(self, v: Checker, loc: Loc, ctx: Ctx) -> None:
        """Report every id this instance names that the scenario lacks (through `v`)."""
        raise NotImplementedError

    def describe(self, d: Describer) -> str:
        """This instance in plain words, for the rulebook, briefings and the UI."""
        raise NotImplementedError


class EffectKind(Kind):
    tag_field: ClassVar[str] = "op"
    #: The parts of the state (keys of :data:`STATE_PARTS`) this effect may change itself;
    #: empty for a kind that only applies nested effects (see :meth:`nested`).
    touches: ClassVar[frozenset[str]] = frozenset()

    def compile(self, c: Compiler) -> Eff:
        """The closure that applies this effect to a :class:`~game.work.Work`."""
        raise NotImplementedError

    def nested(self) -> Sequence[Sequence[EffectKind]]:
        """The effect lists inside this one (branches, dice outcomes); none by default."""
        return ()


class ConditionKind(Kind):
    tag_field: ClassVar[str] = "test"

    def compile(self, c: Compiler) -> Cond:
        """The predicate over a state-like reader (tracks, flags, windows, turn, …)."""
        raise NotImplementedError

    def parts(self) -> Sequence[ConditionKind]:
        """The conditions inside this one (all/any/not); none by default."""
        return ()

    def tracks_read(self) -> frozenset[str]:
        """The tracks this condition reads directly (not through its parts)."""
        return frozenset()


EFFECTS: dict[str, type[EffectKind]] = {}
CONDITIONS: dict[str, type[ConditionKind]] = {}

_REQUIRED = {
    EffectKind: ("check", "describe", "compile"),
    ConditionKind: ("check", "describe", "compile"),
}


def missing_parts(cls: type[Kind]) -> list[str]:
    """The parts `cls` leaves undefined (empty when the kind is complete)."""
    base = EffectKind if issubclass(cls, EffectKind) else ConditionKind
    missing = [name for name in _REQUIRED[base] if getattr(cls, name) is getattr(base, name)]
    if not cls.summary:
        missing.append("summary")
    if not cls.example:
        missing.append("example")
    if issubclass(cls, EffectKind) and (
        not any("touches" in vars(k) for k in cls.__mro__[: cls.__mro__.index(EffectKind)])
        or cls.touches - STATE_PARTS.keys()
    ):
        missing.append(f"touches (a set of {', '.join(STATE_PARTS)}; empty if it only applies nested effects)")
    try:
        cls.tag()
    except TypeError:
        missing.append(cls.tag_field)
    return missing


def _register(registry: dict[str, Any], cls: type[Kind]) -> None:
    missing = missing_parts(cls)
    if missing:
        raise TypeError(f"{cls.__module__}.{cls.__name__} lacks: {', '.join(missing)}")
    tag = cls.tag()
    if tag in registry and registry[tag] is not cls:
        raise TypeError(f"{cls.__name__}: {cls.tag_field} {tag!r} is already {registry[tag].__name__}")
    registry[tag] = cls


E = TypeVar("E", bound=type[EffectKind])
C = TypeVar("C", bound=type[ConditionKind])


def effect(cls: E) -> E:
    """Class decorator: register an effect kind (refused if it lacks a part)."""
    _register(EFFECTS, cls)
    return cls


def condition(cls: C) -> C:
    """Class decorator: register a condition kind (refused if it lacks a part)."""
    _register(CONDITIONS, cls)
    return cls


if TYPE_CHECKING:
    # Type checkers see the unions as their base classes; at run time :mod:`game.kinds`
    # builds the discriminated unions from the registries and binds these names in
    # every kind module, where pydantic resolves the forward references to them.
    Effect = EffectKind
    Condition = ConditionKind
