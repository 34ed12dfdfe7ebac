"""The closures the built-in kinds compile to, built here so they are compiled too.

A kind's ``compile`` step (in :mod:`game.kinds.conditions` and :mod:`game.kinds.effects`)
decides *what* to run; the closure it returns runs on every card, shock, requirement and
objective check, which is the engine's hot path. Kind classes are pydantic models and stay
plain Python, but this module is in the mypyc build (:data:`game.accel.MODULES`), so the
closures made here run compiled. A new kind may return a closure of its own (it works, a
little slower) or add a factory here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from game.work import Work

Cond = Callable[[Any], bool]
Eff = Callable[["Work"], None]
OWNER, TARGET = -2, -3  # as game.compiled


def resolve(r: Any, role: int) -> int:
    """A compiled role reference (an index, OWNER or TARGET) read off a reader."""
    if role == OWNER:
        return int(getattr(r, "owner", -1))
    if role == TARGET:
        return int(getattr(r, "target", -1))
    return role


# ----------------------------------------------------------------------- conditions


def track_between(i: int, lo: int, hi: int) -> Cond:
    return lambda r: lo <= r.tracks[i] <= hi


def delta_between(i: int, lo: int, hi: int) -> Cond:
    return lambda r: lo <= r.tracks[i] - r.turn_start[i] <= hi


def flag_is(bit: int, want: bool) -> Cond:
    return lambda r: bool(r.flags & bit) is want


def window_open(w: int) -> Cond:
    return lambda r: r.windows[w] >= r.turn


def played(role: int, card: int, kind: int, card_kind: list[int]) -> Cond:
    def test(r: Any) -> bool:
        who = resolve(r, role)
        if who < 0:
            return False
        for idx in r.revealed[who]:  # noqa: SIM110 - a plain loop, as in all_of
            if (card < 0 or idx == card) and (kind < 0 or card_kind[idx] == kind):
                return True
        return False

    return test


def target_is(want: int) -> Cond:
    return lambda r: getattr(r, "target", -1) == want


def turn_between(lo: int, hi: int) -> Cond:
    return lambda r: lo <= r.turn <= hi


# Plain loops: all(genexpr) would build a generator on every test.
def all_of(parts: tuple[Cond, ...]) -> Cond:
    def test(r: Any) -> bool:
        for p in parts:  # noqa: SIM110 - see above
            if not p(r):
                return False
        return True

    return test


def any_of(parts: tuple[Cond, ...]) -> Cond:
    def test(r: Any) -> bool:
        for p in parts:  # noqa: SIM110 - see above
            if p(r):
                return True
        return False

    return test


def not_of(inner: Cond) -> Cond:
    return lambda r: not inner(r)


# -------------------------------------------------------------------------- effects


def set_track(i: int, value: int) -> Eff:
    return lambda w: w.shift(i, value - w.tracks[i])


def capital(role: int, amount: int) -> Eff:
    return lambda w: w.gain_capital(w.resolve(role), amount)


def roll(
    dice: str,
    n: int,
    sides: int,
    mods: tuple[tuple[int, Any, int, int, int], ...],
    outcomes: tuple[tuple[int, int, tuple[Any, ...]], ...],
) -> Eff:
    return lambda w: w.roll(dice, n, sides, mods, outcomes)


def branch(cond: Cond, then: tuple[Eff, ...], other: tuple[Eff, ...]) -> Eff:
    def run(w: Work) -> None:
        for f in then if cond(w) else other:
            f(w)

    return run


def set_flag(bit: int, on: bool) -> Eff:
    return lambda w: w.set_flag(bit, on)


def open_window(win: int, turns: int) -> Eff:
    return lambda w: w.open_window(win, turns)


def close_window(win: int) -> Eff:
    return lambda w: w.close_window(win)


def add_shock(sh: int) -> Eff:
    return lambda w: w.add_shock(sh)


def remove_shock(sh: int) -> Eff:
    return lambda w: w.remove_shock(sh)


def reweight_shock(sh: int, delta: int) -> Eff:
    return lambda w: w.reweight_shock(sh, delta)


def draw(role: int, count: int) -> Eff:
    return lambda w: w.draw(w.resolve(role), count)


def discard(role: int, count: int) -> Eff:
    return lambda w: w.discard_random(w.resolve(role), count)


def block(kind: int, role: int, turns: int) -> Eff:
    return lambda w: w.block(kind, w.resolve(role) if role != -1 else -1, turns)


def shift_run(shifts: tuple[tuple[int, int, int, int, str], ...]) -> Eff:
    """One Work.shift_all call for a run of consecutive shifts."""
    return lambda w: w.shift_all(shifts)
