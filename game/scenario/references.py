"""Cross-reference checks that pydantic cannot express field by field.

A scenario that passes the schema can still name a track that does not exist,
play a card that belongs to someone else, or open a window nobody declared. The
engine would only discover this mid-game; here it is found at load time.

:func:`check_references` returns ``(loc, message)`` pairs. A loc is a path of
YAML keys and list indexes (aliases such as ``else``, never union tags), so the
loader can place it on a line exactly like a pydantic error location.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from game.scenario.balance import check_balance
from game.scenario.models import (
    ROLE_PLACEHOLDERS,
    Condition,
    Effect,
    Named,
    Role,
    Scenario,
    Shock,
    Track,
)

Loc = tuple[str | int, ...]
Found = list[tuple[Loc, str]]

__all__ = ["NOT_A_CARD", "Checker", "Ctx", "Found", "Loc", "check_references"]


def check_references(s: Scenario) -> Found:
    """All dangling or inconsistent references in ``s``, in no particular order."""
    checker = Checker(s)
    checker.run()
    return checker.found + check_balance(s)


@dataclass(frozen=True)
class Ctx:
    """Where effects/conditions live: inside a card (placeholders allowed) or not."""

    card_role: str | None = None
    has_targets: bool = False


NOT_A_CARD = Ctx()


def _listing(label: str, names: Sequence[str], value: str) -> str:
    """'(known: a, b, c)' — or, for long lists, the close matches and a count."""
    if not names:
        return "(none declared)"
    if len(names) <= 10:
        return f"({label}: {', '.join(names)})"
    close = difflib.get_close_matches(value, names, n=3)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
    return f"({hint}{len(names)} {label})"


def _ids(items: Iterable[Role | Named | Shock]) -> list[str]:
    return list(dict.fromkeys(x.id for x in items))


class Checker:
    """One pass over the scenario; the id lists are kept in file order for messages.

    Effect and condition kinds check themselves (:meth:`game.kinds.base.Kind.check`)
    through the reference methods below."""

    def __init__(self, s: Scenario) -> None:
        self.s = s
        self.found: Found = []
        self.tracks: dict[str, Track] = {}
        for t in s.tracks:
            self.tracks.setdefault(t.id, t)
        self.roles = _ids(s.roles)
        self.flags = _ids(s.flags)
        self.windows = _ids(s.windows)
        self.shocks = _ids(s.shocks)
        self.card_roles: dict[str, str] = {}
        for c in s.cards:
            self.card_roles.setdefault(c.id, c.role)

    def add(self, loc: Loc, message: str) -> None:
        self.found.append((loc, message))

    # ------------------------------------------------------------------ top level

    def run(self) -> None:  # noqa: C901 - one pass over every section
        s = self.s
        for section, items in (
            ("tracks", s.tracks), ("roles", s.roles), ("cards", s.cards),
            ("shocks", s.shocks), ("flags", s.flags), ("windows", s.windows),
        ):
            self._unique(section, [x.id for x in items])
        self._rules()
        for i, t in enumerate(s.tracks):
            if t.drift is not None:
                loc: Loc = ("tracks", i, "drift")
                if t.drift.track is not None:
                    self.track(loc + ("track",), t.drift.track)
                for j, dterm in enumerate(t.drift.terms):
                    self.track(loc + ("terms", j, "track"), dterm.track)
                for j, w in enumerate(t.drift.suspended_by):
                    self.window(loc + ("suspended_by", j), w)
        owners = {c.role for c in s.cards}
        for i, r in enumerate(s.roles):
            if r.id in ROLE_PLACEHOLDERS:
                self.add(("roles", i, "id"), f"role id {r.id!r} is reserved (it is a placeholder inside cards)")
            if r.id == "gm":
                self.add(("roles", i, "id"), "role id 'gm' is reserved (it names the facilitator in commands)")
            if r.id not in owners:
                self.add(("roles", i, "id"), f"role {r.id!r} owns no cards")
            for j, term in enumerate(r.objective.terms):
                self.cond(("roles", i, "objective", "terms", j, "when"), term.when, NOT_A_CARD)
        for i in range(len(s.cards)):
            self._card(i)
        for i, x in enumerate(s.shocks):
            loc = ("shocks", i)
            for j, wm in enumerate(x.weight_mods):
                self.cond(loc + ("weight_mods", j, "when"), wm.when, NOT_A_CARD)
            if x.add_when is not None:
                self.cond(loc + ("add_when",), x.add_when, NOT_A_CARD)
            if x.remove_when is not None:
                self.cond(loc + ("remove_when",), x.remove_when, NOT_A_CARD)
            self.effects(loc + ("effects",), x.effects, NOT_A_CARD)
        self._unique("pressures", [p.id for p in s.pressures])
        for i, p in enumerate(s.pressures):
            if p.when is not None:
                self.cond(("pressures", i, "when"), p.when, NOT_A_CARD)
            self.effects(("pressures", i, "effects"), p.effects, NOT_A_CARD)

    def _unique(self, section: str, ids: list[str]) -> None:
        first: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in first:
                self.add((section, i, "id"), f"duplicate id {ident!r} (first at {section}[{first[ident]}])")
            else:
                first[ident] = i

    def _rules(self) -> None:
        r = self.s.rules
        if r.stability_track not in self.tracks:
            default = "" if "stability_track" in r.model_fields_set else " (the default)"
            known = _listing("known", list(self.tracks), r.stability_track)
            self.add(("rules", "stability_track"), f"unknown track {r.stability_track!r}{default} {known}")
        if r.crisis_flag not in self.flags:
            default = "" if "crisis_flag" in r.model_fields_set else " (the default)"
            self.add(("rules", "crisis_flag"),
                     f"flag {r.crisis_flag!r}{default} is not declared in flags "
                     f"{_listing('declared', self.flags, r.crisis_flag)}")

    def _card(self, i: int) -> None:
        c = self.s.cards[i]
        loc: Loc = ("cards", i)
        if c.role not in self.roles:
            self.add(loc + ("role",), f"unknown role {c.role!r} {_listing('known', self.roles, c.role)}")
        for j, t in enumerate(c.targets):
            if t not in self.roles:
                self.add(loc + ("targets", j), f"unknown role {t!r} {_listing('known', self.roles, t)}")
            elif t == c.role:
                self.add(loc + ("targets", j), f"a card cannot target its own role {t!r}")
        ctx = Ctx(card_role=c.role, has_targets=bool(c.targets))
        if c.requires is not None:
            self.cond(loc + ("requires",), c.requires, ctx)
        self.effects(loc + ("effects",), c.effects, ctx)

    # ---------------------------------------------------------------- references

    def track(self, loc: Loc, track_id: str) -> Track | None:
        found = self.tracks.get(track_id)
        if found is None:
            self.add(loc, f"unknown track {track_id!r} {_listing('known', list(self.tracks), track_id)}")
        return found

    def in_range(self, loc: Loc, track: Track | None, what: str, value: int | None) -> None:
        if track is not None and value is not None and not track.min <= value <= track.max:
            self.add(loc, f"{what} {value} is outside track {track.id!r} range {track.min}..{track.max}")

    def flag(self, loc: Loc, name: str) -> None:
        if name not in self.flags:
            self.add(loc, f"flag {name!r} is not declared in flags {_listing('declared', self.flags, name)}")

    def window(self, loc: Loc, name: str) -> None:
        if name not in self.windows:
            self.add(loc, f"window {name!r} is not declared in windows {_listing('declared', self.windows, name)}")

    def shock(self, loc: Loc, name: str) -> None:
        if name not in self.shocks:
            self.add(loc, f"unknown shock {name!r} {_listing('known', self.shocks, name)}")

    def role(self, loc: Loc, name: str, ctx: Ctx) -> None:
        if name in self.roles:
            return
        if name in ROLE_PLACEHOLDERS:
            if ctx.card_role is None:
                self.add(loc, f"{name!r} can only be used inside a card")
            elif name == "target" and not ctx.has_targets:
                self.add(loc, "'target' used in a card that has no targets")
            return
        known = _listing("known", self.roles, name)
        self.add(loc, f"unknown role {name!r} {known}; inside a card also 'owner' or 'target'")

    # ------------------------------------------------------- effects / conditions

    def effects(self, loc: Loc, effects: Iterable[Effect], ctx: Ctx) -> None:
        for i, e in enumerate(effects):
            self.effect(loc + (i,), e, ctx)

    def effect(self, loc: Loc, e: Effect, ctx: Ctx) -> None:
        e.check(self, loc, ctx)

    def cond(self, loc: Loc, c: Condition, ctx: Ctx) -> None:
        c.check(self, loc, ctx)

    @staticmethod
    def listing(label: str, names: Sequence[str], value: str) -> str:
        return _listing(label, names, value)
