"""Shared helpers for the numbered conformance suite (DATC style).

Scenarios are built from ``tests/fixtures/mini.yaml`` (two roles: us, prc) plus
overrides, dumped back to YAML and loaded through the real loader, so every test
scenario is validated exactly like a user's file. By default the shock deck is
replaced by one zero-weight shock so that no shock is ever drawn unless a test
asks for one.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from game import rng
from game.compiled import KIND_INDEX, Compiled, compile_scenario
from game.errors import IllegalCommand
from game.hashing import state_hash
from game.rules import apply, new_game
from game.scenario.loader import load_scenario, load_scenario_text
from game.state import GameState, LedgerEntry

ROOT = Path(__file__).resolve().parents[2]
MINI_PATH = ROOT / "tests" / "fixtures" / "mini.yaml"
STANDARD_PATH = ROOT / "scenarios" / "standard.yaml"

KIND = KIND_INDEX  # kind name -> index used in GameState.blocks
QUIET_SHOCK: dict[str, Any] = {
    "id": "quiet",
    "title": "Quiet",
    "weight": 0,
    "effects": [{"op": "shift", "track": "dependence", "amount": 0}],
    "text": "Never drawn.",
    "source": "test",
}


@cache
def _mini_text() -> str:
    return MINI_PATH.read_text()


def mini_dict() -> dict[str, Any]:
    return copy.deepcopy(yaml.safe_load(_mini_text()))


@cache
def mini() -> Compiled:
    """The mini fixture exactly as written (its own shock deck)."""
    return compile_scenario(load_scenario(MINI_PATH))


@cache
def standard() -> Compiled:
    return compile_scenario(load_scenario(STANDARD_PATH))


def compile_dict(d: dict[str, Any]) -> Compiled:
    return _compile_text(yaml.safe_dump(d, sort_keys=False))


@cache
def _compile_text(text: str) -> Compiled:
    return compile_scenario(load_scenario_text(text))


def _merge_by_id(items: list[dict[str, Any]], changes: dict[str, dict[str, Any]]) -> None:
    for item_id, upd in changes.items():
        (target,) = [x for x in items if x["id"] == item_id]
        target.update(upd)


def variant(
    *,
    rules: dict[str, Any] | None = None,
    tracks: dict[str, dict[str, Any]] | None = None,
    roles: dict[str, dict[str, Any]] | None = None,
    cards: dict[str, dict[str, Any]] | None = None,
    add_tracks: Iterable[dict[str, Any]] = (),
    add_roles: Iterable[dict[str, Any]] = (),
    add_cards: Iterable[dict[str, Any]] = (),
    shocks: list[dict[str, Any]] | None = None,
    keep_shocks: bool = False,
    pressures: Iterable[dict[str, Any]] = (),
) -> Compiled:
    """The mini scenario with overrides. ``shocks`` replaces the shock deck (default: one
    zero-weight shock) unless ``keep_shocks``; ``tracks/roles/cards`` merge fields by id."""
    d = mini_dict()
    d["rules"].update(rules or {})
    _merge_by_id(d["tracks"], tracks or {})
    _merge_by_id(d["roles"], roles or {})
    _merge_by_id(d["cards"], cards or {})
    d["tracks"].extend(add_tracks)
    d["roles"].extend(add_roles)
    d["cards"].extend(add_cards)
    if not keep_shocks:
        d["shocks"] = list(shocks) if shocks is not None else [QUIET_SHOCK]
    d["pressures"] = list(pressures)
    return compile_dict(d)


def card(cid: str, role: str, kind: str, *effects: dict[str, Any], cost: int = 0, **kw: Any) -> dict[str, Any]:
    return {"id": cid, "title": cid, "kind": kind, "role": role, "cost": cost, "effects": list(effects),
            "text": "test card", "source": "test", **kw}


def shock(sid: str, *effects: dict[str, Any], weight: int = 1, **kw: Any) -> dict[str, Any]:
    return {"id": sid, "title": sid, "weight": weight, "effects": list(effects), "text": "test shock",
            "source": "test", **kw}


def shift(track: str, amount: int) -> dict[str, Any]:
    return {"op": "shift", "track": track, "amount": amount}


#: A third role for offer/visibility cases: India, whose whole deck is its hand.
INDIA = {
    "id": "india",
    "name": "India",
    "capital": 4,
    "income": 1,
    "hand_size": 2,
    "objective": {"summary": "Hedge.", "terms": [{"label": "any", "when": {"test": "turn", "min": 1}}]},
}
INDIA_CARDS = [
    card("india-hedge", "india", "event", shift("dependence", -1), askable=True),
    card("india-buy", "india", "arms_sale", shift("dependence", 1), cost=1),
]


def trio(**kw: Any) -> Compiled:
    """mini + India (three roles, order us, prc, india)."""
    return variant(add_roles=[INDIA, *kw.pop("add_roles", [])], add_cards=[*INDIA_CARDS, *kw.pop("add_cards", [])],
                   **kw)


# ----------------------------------------------------------------------- driving


def start(sc: Compiled, seed: int = 1) -> GameState:
    return new_game(sc, seed)


def start_where(sc: Compiled, pred: Callable[[GameState], bool], seeds: Iterable[int] = range(1, 500)) -> GameState:
    """The first new game (by seed) whose starting state satisfies ``pred``."""
    for seed in seeds:
        s = new_game(sc, seed)
        if pred(s):
            return s
    raise AssertionError("no seed satisfies the predicate")


def run(s: GameState, *commands: str) -> GameState:
    for c in commands:
        s = apply(s, c)
    return s


def to_orders(s: GameState) -> GameState:
    """Every role finishes diplomacy."""
    assert s.phase == "diplomacy", s.phase
    for r, ready in zip(s.sc.role_ids, s.ready, strict=True):
        if not ready:
            s = apply(s, f"{r}:done")
    assert s.phase == "orders"
    return s


def seal_all(s: GameState) -> GameState:
    assert s.phase == "orders", s.phase
    for r, ready in zip(s.sc.role_ids, s.ready, strict=True):
        if not ready:
            s = apply(s, f"{r}:seal")
    return s


def next_turn(s: GameState) -> GameState:
    """Pass a whole turn with no offers and no plays."""
    return seal_all(to_orders(s))


def role_of(s: GameState, role: str) -> int:
    return s.sc.role_index[role]


def give(s: GameState, role: str, *card_ids: str) -> GameState:
    """Make ``card_ids`` exactly the role's hand; every other card of the role goes to its deck."""
    sc = s.sc
    r = sc.role_index[role]
    want = tuple(sc.card_index[c] for c in card_ids)
    assert all(sc.card_role[c] == r for c in want), "cards must belong to the role"
    rest = tuple(c for c in sc.cards_by_role[r] if c not in want)
    hands, decks, discards, removed = (list(x) for x in (s.hands, s.decks, s.discards, s.removed))
    hands[r], decks[r], discards[r], removed[r] = want, rest, (), ()
    return s._replace(hands=tuple(hands), decks=tuple(decks), discards=tuple(discards), removed=tuple(removed))


def set_tracks(s: GameState, **values: int) -> GameState:
    """Set track values, as turn-start values too (so every delta stays 0)."""
    tracks = list(s.tracks)
    for k, v in values.items():
        tracks[s.sc.track_index[k]] = v
    return s._replace(tracks=tuple(tracks), turn_start=tuple(tracks))


def set_capital(s: GameState, **values: int) -> GameState:
    cap = list(s.capital)
    for k, v in values.items():
        cap[s.sc.role_index[k]] = v
    return s._replace(capital=tuple(cap))


def track(s: GameState, tid: str) -> int:
    return s.track(tid)


def cap(s: GameState, role: str) -> int:
    return s.capital[s.sc.role_index[role]]


def names(s: GameState, idxs: Iterable[int]) -> list[str]:
    return [s.sc.card_ids[c] for c in idxs]


def hand(s: GameState, role: str) -> list[str]:
    return names(s, s.hands[s.sc.role_index[role]])


def deck(s: GameState, role: str) -> list[str]:
    return names(s, s.decks[s.sc.role_index[role]])


def discards(s: GameState, role: str) -> list[str]:
    return names(s, s.discards[s.sc.role_index[role]])


def removed(s: GameState, role: str) -> list[str]:
    return names(s, s.removed[s.sc.role_index[role]])


def shock_status(s: GameState, sid: str) -> int:
    return s.shock_status[s.sc.shock_index[sid]]


# ------------------------------------------------------------------------- ledger


def E(turn: int, phase: str, subject: str, before: int, after: int, cause: str, roll: str = "") -> LedgerEntry:  # noqa: N802
    return LedgerEntry(turn, phase, subject, before, after, cause, roll)


def new_entries(before: GameState, after: GameState) -> list[LedgerEntry]:
    assert after.ledger[: len(before.ledger)] == before.ledger, "the ledger is append-only"
    return list(after.ledger[len(before.ledger):])


def entries(s: GameState, *, phase: str | None = None, cause: str | None = None, subject: str | None = None,
            turn: int | None = None) -> list[LedgerEntry]:
    return [
        e for e in s.ledger
        if (phase is None or e.phase == phase) and (cause is None or e.cause == cause)
        and (subject is None or e.subject == subject) and (turn is None or e.turn == turn)
    ]


def die(s: GameState, sides: int, offset: int = 0) -> int:
    """The face the game's stream will give for the next (offset-th) die of ``sides`` sides."""
    return rng.below(s.seed, s.rng + offset, sides) + 1


# ------------------------------------------------------------------------ refusals


def refused(s: GameState, command: str, rule: str) -> IllegalCommand:
    """``command`` is refused naming ``rule``, and the state is unchanged."""
    before = state_hash(s)
    snapshot = tuple(s)
    with pytest.raises(IllegalCommand) as info:
        apply(s, command)
    assert info.value.rule == rule, f"refused under rule {info.value.rule} ({info.value.reason}), expected {rule}"
    assert state_hash(s) == before
    assert tuple(s) == snapshot
    return info.value
