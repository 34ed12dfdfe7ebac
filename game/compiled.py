"""A validated scenario compiled to flat tuples and closures.

The pydantic models are convenient at the boundary but slow to walk on every
card play. Compiling once turns ids into indices and every condition/effect into
a plain closure, so adjudication is a sequence of direct calls.

Conditions take a *reader*: any object exposing ``tracks``, ``turn_start``,
``flags`` (bitmask), ``windows`` (last open turn per window), ``turn`` and
``revealed`` (cards each role revealed this turn). Both the frozen
:class:`~game.state.GameState` and the mutable :class:`~game.work.Work` qualify.
Effects take a ``Work``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from game import causes
from game.kinds import ConditionKind, EffectKind
from game.kinds.effects import ShiftEffect
from game.kinds.ops import OWNER, TARGET, shift_run
from game.scenario import models as m

if TYPE_CHECKING:
    from game.work import Work

Cond = Callable[[Any], bool]
Eff = Callable[["Work"], None]

KINDS = m.CARD_KINDS
KIND_INDEX = {k: i for i, k in enumerate(KINDS)}


@dataclass(frozen=True, slots=True)
class Term:
    label: str
    cond: Cond
    points: int
    required: bool


@dataclass(frozen=True, slots=True)
class DriftRule:
    track: int
    base: int
    terms: tuple[tuple[int, int, int], ...]  # (track, num, den): baseline += value * num // den
    rate: int
    suspended_by: tuple[int, ...]
    suspend: int  # which moves an open window holds back: SUSPEND_BOTH, SUSPEND_UP or SUSPEND_DOWN


SUSPEND_BOTH, SUSPEND_UP, SUSPEND_DOWN = 0, 1, 2
_SUSPEND = {"both": SUSPEND_BOTH, "up": SUSPEND_UP, "down": SUSPEND_DOWN}


@dataclass(frozen=True, slots=True)
class PressureRule:
    when: Cond | None
    effects: tuple[Eff, ...]
    cause: str  # ledger cause "pressure:<id>"


@dataclass(frozen=True, slots=True)
class Compiled:
    """Everything the engine needs from a scenario, by index."""

    model: m.Scenario
    content_hash: str
    rules: m.Rules
    phases: tuple[str, ...]
    track_ids: tuple[str, ...]
    track_index: dict[str, int]
    track_min: tuple[int, ...]
    track_max: tuple[int, ...]
    track_start: tuple[int, ...]
    stability: int
    crisis_flag: int
    flag_ids: tuple[str, ...]
    flag_index: dict[str, int]
    flag_start: int  # bitmask of the flags that hold at the start
    window_ids: tuple[str, ...]
    window_index: dict[str, int]
    role_ids: tuple[str, ...]
    capital_ids: tuple[str, ...]  # ledger subjects "capital:<role>"
    role_index: dict[str, int]
    role_capital: tuple[int, ...]
    role_income: tuple[int, ...]
    role_max_capital: tuple[int, ...]
    role_hand_size: tuple[int, ...]
    objectives: tuple[tuple[Term, ...], ...]
    card_ids: tuple[str, ...]
    card_index: dict[str, int]
    card_role: tuple[int, ...]
    card_kind: tuple[int, ...]
    card_cost: tuple[int, ...]
    card_remove: tuple[bool, ...]
    card_coercive: tuple[bool, ...]
    card_requires: tuple[Cond | None, ...]
    card_targets: tuple[tuple[int, ...], ...]
    card_effects: tuple[tuple[Eff, ...], ...]
    card_cause: tuple[str, ...]  # ledger causes "card:<id>", built once
    cost_cause: tuple[str, ...]  # "cost:<id>"
    cards_by_role: tuple[tuple[int, ...], ...]
    askable_by_role: tuple[tuple[int, ...], ...]
    shock_ids: tuple[str, ...]
    shock_index: dict[str, int]
    shock_weight: tuple[int, ...]
    shock_mods: tuple[tuple[tuple[Cond, int], ...], ...]
    shock_in_deck: tuple[bool, ...]
    shock_recurring: tuple[bool, ...]
    shock_effects: tuple[tuple[Eff, ...], ...]
    shock_cause: tuple[str, ...]  # "shock:<id>"
    shock_triggers: tuple[tuple[int, Cond | None, Cond | None], ...]  # shocks with add_when/remove_when
    drift: tuple[DriftRule, ...]
    pressures: tuple[PressureRule, ...]
    resolution_rank: tuple[int, ...]  # per kind index: its position in resolution order

    def __hash__(self) -> int:  # identity: compiled scenarios are shared, never compared
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


#: Top-level sections added after the first save format, dropped from the canonical form
#: while they hold their default, so a scenario that does not use them keeps the hash
#: its saves, playtest directories and server games were recorded with.
_LATER_SECTIONS: dict[str, Any] = {"pressures": []}
_LATER_DRIFT_FIELDS: dict[str, Any] = {"terms": [], "suspend": "both"}
_LATER_ITEM_FIELDS: dict[str, dict[str, Any]] = {
    "tracks": {"source": "", "short": ""},
    "flags": {"start": False, "source": ""},
    "shocks": {"base_rate": ""},
}


def canonical(model: m.Scenario) -> dict[str, Any]:
    """The scenario as the JSON-ready dict its content hash is taken over."""
    data: dict[str, Any] = model.model_dump(mode="json", by_alias=True)
    for key, default in _LATER_SECTIONS.items():
        if key in data and data[key] == default:
            del data[key]
    for section, fields in _LATER_ITEM_FIELDS.items():
        for item in data.get(section, ()):
            for key, default in fields.items():
                if key in item and item[key] == default:
                    del item[key]
    for track in data["tracks"]:
        drift = track.get("drift")
        if drift:
            for key, default in _LATER_DRIFT_FIELDS.items():
                if key in drift and drift[key] == default:
                    del drift[key]
    return data


def content_hash(model: m.Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: formatting and comments don't matter."""
    blob = json.dumps(canonical(model), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class Compiler:
    """Turns scenario models into the flat tuples and closures the engine runs."""

    def __init__(self, s: m.Scenario) -> None:
        self.s = s
        self.track = {t.id: i for i, t in enumerate(s.tracks)}
        self.flag = {f.id: i for i, f in enumerate(s.flags)}
        self.window = {w.id: i for i, w in enumerate(s.windows)}
        self.role = {r.id: i for i, r in enumerate(s.roles)}
        self.card = {c.id: i for i, c in enumerate(s.cards)}
        self.shock = {x.id: i for i, x in enumerate(s.shocks)}

    def role_ref(self, name: str) -> int:
        if name == "owner":
            return OWNER
        if name == "target":
            return TARGET
        return self.role[name]

    # -- conditions and effects: each kind compiles itself (game.kinds) --------------
    def cond(self, c: ConditionKind) -> Cond:
        return c.compile(self)

    def effects(self, effs: Sequence[EffectKind]) -> tuple[Eff, ...]:
        """Effects in order. Most effects are shifts, usually several in a row: each
        such run becomes one call to :meth:`Work.shift_all` (the same ledger entries
        as one shift after another, for a fraction of the calls)."""
        out: list[Eff] = []
        run: list[tuple[int, int, int, int, str]] = []
        for e in effs:
            if isinstance(e, ShiftEffect):
                if e.amount:  # shifting by 0 changes nothing and writes no ledger entry
                    run.append(e.shift_part(self))
                continue
            if run:
                out.append(shift_run(tuple(run)))
                run = []
            out.append(e.compile(self))
        if run:
            out.append(shift_run(tuple(run)))
        return tuple(out)

    # What kinds compile with, besides the id tables above (see game.kinds.ops).
    kind_index = KIND_INDEX

    def build(self) -> Compiled:
        s = self.s
        roles = s.roles
        nroles = len(roles)
        card_role = tuple(self.role[c.role] for c in s.cards)
        drift = tuple(
            DriftRule(
                track=i,
                base=t.drift.base,
                terms=tuple((self.track[x.track], x.num, x.den) for x in t.drift.all_terms()),
                rate=t.drift.rate,
                suspended_by=tuple(self.window[x] for x in t.drift.suspended_by),
                suspend=_SUSPEND[t.drift.suspend],
            )
            for i, t in enumerate(s.tracks)
            if t.drift is not None
        )
        rank = [0] * len(KINDS)
        for pos, kind in enumerate(s.rules.resolution_order):
            rank[KIND_INDEX[kind]] = pos
        return Compiled(
            model=s,
            content_hash=content_hash(s),
            rules=s.rules,
            phases=tuple(s.rules.phases),
            track_ids=tuple(t.id for t in s.tracks),
            track_index=dict(self.track),
            track_min=tuple(t.min for t in s.tracks),
            track_max=tuple(t.max for t in s.tracks),
            track_start=tuple(t.start for t in s.tracks),
            stability=self.track[s.rules.stability_track],
            crisis_flag=1 << self.flag[s.rules.crisis_flag],
            flag_ids=tuple(f.id for f in s.flags),
            flag_start=sum(1 << i for i, f in enumerate(s.flags) if f.start),
            flag_index=dict(self.flag),
            window_ids=tuple(w.id for w in s.windows),
            window_index=dict(self.window),
            role_ids=tuple(r.id for r in roles),
            capital_ids=tuple("capital:" + r.id for r in roles),
            role_index=dict(self.role),
            role_capital=tuple(r.capital for r in roles),
            role_income=tuple(r.income for r in roles),
            role_max_capital=tuple(r.max_capital for r in roles),
            role_hand_size=tuple(r.hand_size for r in roles),
            objectives=tuple(
                tuple(Term(t.label, self.cond(t.when), t.points, t.required) for t in r.objective.terms) for r in roles
            ),
            card_ids=tuple(c.id for c in s.cards),
            card_index=dict(self.card),
            card_role=card_role,
            card_kind=tuple(KIND_INDEX[c.kind] for c in s.cards),
            card_cost=tuple(c.cost for c in s.cards),
            card_remove=tuple(c.remove_after_use for c in s.cards),
            card_coercive=tuple(c.coercive for c in s.cards),
            card_requires=tuple(self.cond(c.requires) if c.requires else None for c in s.cards),
            card_targets=tuple(tuple(self.role[t] for t in c.targets) for c in s.cards),
            card_effects=tuple(self.effects(c.effects) for c in s.cards),
            card_cause=tuple(causes.card_cause(c.id) for c in s.cards),
            cost_cause=tuple(causes.cost_cause(c.id) for c in s.cards),
            cards_by_role=tuple(tuple(i for i, r in enumerate(card_role) if r == ri) for ri in range(nroles)),
            askable_by_role=tuple(
                tuple(i for i, c in enumerate(s.cards) if c.askable and card_role[i] == ri) for ri in range(nroles)
            ),
            shock_ids=tuple(x.id for x in s.shocks),
            shock_index=dict(self.shock),
            shock_weight=tuple(x.weight for x in s.shocks),
            shock_mods=tuple(tuple((self.cond(wm.when), wm.add) for wm in x.weight_mods) for x in s.shocks),
            shock_in_deck=tuple(x.in_deck for x in s.shocks),
            shock_recurring=tuple(x.recurring for x in s.shocks),
            shock_effects=tuple(self.effects(x.effects) for x in s.shocks),
            shock_cause=tuple(causes.shock_cause(x.id) for x in s.shocks),
            shock_triggers=tuple(
                (i, self.cond(x.add_when) if x.add_when else None, self.cond(x.remove_when) if x.remove_when else None)
                for i, x in enumerate(s.shocks)
                if x.add_when or x.remove_when
            ),
            drift=drift,
            pressures=tuple(
                PressureRule(
                    self.cond(p.when) if p.when is not None else None,
                    self.effects(p.effects),
                    causes.pressure_cause(p.id),
                )
                for p in s.pressures
            ),
            resolution_rank=tuple(rank),
        )



def compile_scenario(s: m.Scenario) -> Compiled:
    return Compiler(s).build()


def compile_effects(s: m.Scenario, effects: list[Any]) -> tuple[Eff, ...]:
    """Compile effects written on the spot (a facilitator's custom shock) against a scenario."""
    return Compiler(s).effects(effects)
