"""Per-game figures that need the game replayed: legal chances, plays, offers, card effects.

Why replay: a playtest row records what was played, not what *could* have been. A
card's pick rate is only meaningful against its chances — a card that is rarely in
hand, or rarely affordable or allowed, is not "unpopular" — and chances are a property
of the state when each orders phase begins. Replaying a game from its seed and its
recorded commands gives every such state exactly (about a millisecond per game).

Definitions (docs/playtests.md):

* a **legal chance** of a card is a (turn, role) at whose orders phase's start — when
  the phase has begun and no role has added anything — the card is in the role's hand
  and ``play:<card>`` (with any target) is among the role's legal commands;
* a **play** is a card in a role's revealed order (``TurnRecord.orders``);
* a play is **under an offer** when an accepted offer of that turn had ``give`` equal
  to the card;
* a play **changed** a track when the ledger has an entry of that turn, on that
  track, with cause ``card:<id>`` and ``after != before``.

Replays go through the engine's checked ``apply`` and must end at the row's
``state_hash``, so a figure can never come from a different game than the row's (an
engine changed since the games were played is an error, not a silent mismatch). The
figures are cached beside the games (``balance-figures.jsonl``), keyed by index and
state hash, so a rerun replays only new games.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from game.causes import CARD, parse_cause
from game.compiled import Compiled
from game.hashing import state_hash
from game.playtest.directory import Appender, PlaytestDir
from game.playtest.errors import PlaytestError
from game.rules import apply, legal_actions, new_game
from game.state import ACCEPTED, ORDERS, GameState

FIGURES = "balance-figures.jsonl"
VERSION = 1


@dataclass(frozen=True)
class Play:
    turn: int
    role: str
    card: str
    under_offer: bool
    changed: tuple[str, ...]  # tracks the card's resolution changed


@dataclass(frozen=True)
class Deal:
    turn: int
    frm: str
    to: str
    ask: str
    give: str
    status: str
    outcome: str


@dataclass(frozen=True)
class Figures:
    index: int
    chances: dict[str, int]  # card -> legal chances in the game
    plays: tuple[Play, ...]
    deals: tuple[Deal, ...]
    shocks: int  # shocks drawn

    def to_json(self, hash_: str) -> str:
        data = {
            "v": VERSION,
            "index": self.index,
            "state_hash": hash_,
            "chances": self.chances,
            "plays": [[p.turn, p.role, p.card, p.under_offer, list(p.changed)] for p in self.plays],
            "deals": [[d.turn, d.frm, d.to, d.ask, d.give, d.status, d.outcome] for d in self.deals],
            "shocks": self.shocks,
        }
        return json.dumps(data, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Figures:
        return cls(
            int(data["index"]),
            {str(k): int(v) for k, v in data["chances"].items()},
            tuple(Play(int(t), str(r), str(c), bool(u), tuple(ch)) for t, r, c, u, ch in data["plays"]),
            tuple(Deal(int(t), str(f), str(to), str(a), str(g), str(s), str(o))
                  for t, f, to, a, g, s, o in data["deals"]),
            int(data["shocks"]),
        )


def _chances(s: GameState, counts: dict[str, int]) -> None:
    sc = s.sc
    for role in range(len(sc.role_ids)):
        hand = {sc.card_ids[c] for c in s.hands[role]}
        legal = {c.args[0] for c in legal_actions(s, role) if c.verb == "play"}
        for card in legal & hand:
            counts[card] = counts.get(card, 0) + 1


def replay_figures(sc: Compiled, index: int, seed: int, commands: list[str]) -> tuple[Figures, str]:
    """The game's figures and its final state hash."""
    s = new_game(sc, seed)
    chances: dict[str, int] = {}
    shocks: dict[int, int] = {s.turn: len(s.shocks_this_turn)}
    counted: set[int] = set()
    if s.phase == ORDERS:
        _chances(s, chances)
        counted.add(s.turn)
    for text in commands:
        s = apply(s, text)
        shocks[s.turn] = len(s.shocks_this_turn)
        if s.phase == ORDERS and s.turn not in counted:
            _chances(s, chances)
            counted.add(s.turn)
    ids, roles = sc.card_ids, sc.role_ids
    changed: dict[tuple[int, str], set[str]] = {}
    for e in s.ledger:
        cause = parse_cause(e.cause)
        if cause.kind == CARD and e.subject in sc.track_index and e.after != e.before:
            changed.setdefault((e.turn, cause.ref), set()).add(e.subject)
    plays: list[Play] = []
    deals: list[Deal] = []
    for rec in s.history:
        given = {ids[o.give] for o in rec.offers if o.status == ACCEPTED}
        for role, order in enumerate(rec.orders):
            for card, _ in order:
                cid = ids[card]
                done = tuple(sorted(changed.get((rec.turn, cid), ())))
                plays.append(Play(rec.turn, roles[role], cid, cid in given, done))
        for o in rec.offers:
            deals.append(Deal(rec.turn, roles[o.frm], roles[o.to], ids[o.ask], ids[o.give], o.status, o.outcome))
    return Figures(index, chances, tuple(plays), tuple(deals), sum(shocks.values())), state_hash(s)


def batch_figures(directory: Path, n: int) -> list[Figures]:
    """Figures of games 0..n-1 of the playtest in `directory`, replaying only those not cached."""
    pdir = PlaytestDir(directory)
    cache_path = pdir.path / FIGURES
    cached: dict[int, tuple[str, dict[str, Any]]] = {}
    try:
        with open(cache_path, encoding="utf-8") as f:
            for line in f:
                try:
                    data = json.loads(line)
                    if data.get("v") == VERSION:
                        cached[int(data["index"])] = (str(data["state_hash"]), data)
                except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                    continue  # a torn line: that game is replayed again
    except FileNotFoundError:
        pass
    sc: Compiled | None = None
    out: dict[int, Figures] = {}
    new: list[str] = []
    for row in pdir.rows():
        i = int(row["index"])
        if i >= n:
            continue
        hit = cached.get(i)
        if hit is not None and hit[0] == row["state_hash"]:
            out[i] = Figures.from_json(hit[1])
            continue
        sc = sc or pdir.compiled()
        try:
            figures, got = replay_figures(sc, i, int(row["seed"]), list(row["commands"]))
        except Exception as exc:  # noqa: BLE001 - an engine that refuses the game's own commands
            raise PlaytestError(f"{directory}: game {i} does not replay ({type(exc).__name__}: {exc}); "
                                "the engine changed since it was played? use a new --out") from None
        if got != row["state_hash"]:
            raise PlaytestError(f"{directory}: game {i} replays to a different state than was played "
                                "(the engine changed since?); use a new --out")
        out[i] = figures
        new.append(figures.to_json(got))
    if new:
        appender = Appender(cache_path)
        try:
            appender.write(new)
        finally:
            appender.close()
    if len(out) < n:
        raise PlaytestError(f"{directory}: {len(out)} of the {n} games needed are on disk")
    return [out[i] for i in range(n)]
