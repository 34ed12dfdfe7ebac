"""One finished game -> one tidy, JSON-ready row.

A row holds everything the summaries, plots and experiments need, so nothing ever
has to keep game states around: outcome (scores, winners, objective terms, end
reason, final tracks), what happened (cards in play order, counts, the ledger
impact of each card per track, the track trajectory at the end of each turn), the
agents' own event logs, and the command list plus the final state hash so the game
can be replayed and verified (``wedge replay --playtest DIR --game N``).

Rows must be identical however the batch is run, so they contain nothing that
depends on timing, process or host.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Sequence
from typing import Any

from game.agents.base import Agent
from game.agents.registry import SeatSpec, build_agents
from game.causes import CARD, parse_cause
from game.compiled import Compiled
from game.hashing import state_hash
from game.playtest.errors import PlaytestError
from game.playtest.seeds import game_seed
from game.simulate import play
from game.state import GameState
from game.victory import evaluate


def trajectory(s: GameState) -> dict[str, list[int]]:
    """Each track's value at the end of every turn played, rebuilt from the ledger.

    The ledger records every track change with its turn, so replaying the ``after``
    values turn by turn gives the end-of-turn values without keeping any state.
    A game ended by a crisis has fewer entries than the scenario has turns.
    """
    sc = s.sc
    values = list(sc.track_start)
    index = sc.track_index
    by_turn: dict[int, list[tuple[int, int]]] = {}
    for e in s.ledger:
        i = index.get(e.subject)
        if i is not None:
            by_turn.setdefault(e.turn, []).append((i, e.after))
    out: list[list[int]] = [[] for _ in sc.track_ids]
    for turn in range(1, s.turn + 1):
        for i, after in by_turn.get(turn, ()):
            values[i] = after
        for i, v in enumerate(values):
            out[i].append(v)
    return dict(zip(sc.track_ids, out))


def cards_in_play_order(s: GameState) -> list[str]:
    """Cards revealed, turn by turn, roles in scenario order, each role's cards in the order added."""
    ids = s.sc.card_ids
    return [ids[card] for rec in s.history for order in rec.orders for card, _ in order]


def card_impact(s: GameState) -> dict[str, dict[str, int]]:
    """Per card: the sum of track changes its effects caused (ledger cause ``card:<id>``).

    Capital changes and zero sums are left out to keep rows small; a card that was
    played but moved no track simply has no entry.
    """
    tracks = s.sc.track_index
    out: dict[str, dict[str, int]] = {}
    for e in s.ledger:
        cause = parse_cause(e.cause)
        if cause.kind == CARD and e.subject in tracks and e.after != e.before:
            per = out.setdefault(cause.ref, {})
            per[e.subject] = per.get(e.subject, 0) + e.after - e.before
    return {card: {t: d for t, d in per.items() if d} for card, per in out.items() if any(per.values())}


def _jsonable(value: Any) -> Any:
    """Agent events are the agents' business; make sure whatever they hold can be written."""
    return json.loads(json.dumps(value, default=str))


def game_row(
    index: int,
    seed: int,
    agents: str,
    s: GameState,
    commands: Sequence[str],
    events: dict[str, list[Any]],
    reasons: Sequence[dict[str, Any]] = (),
    usage: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One game's row. `reasons` (agents that explain themselves) and `usage` (language-model
    seats' calls and tokens, per role) are added only when there are any, so rows of batches
    without such seats keep their shape."""
    sc = s.sc
    results = evaluate(s)
    played = cards_in_play_order(s)
    counts: dict[str, int] = {}
    for card in played:
        counts[card] = counts.get(card, 0) + 1
    return {
        "index": index,
        "seed": seed,
        "agents": agents,
        "end_reason": s.end_reason,
        "turns": s.turn,
        "scores": {r: x["score"] for r, x in results.items()},
        "winners": [r for r, x in results.items() if x["won"]],
        "terms": {r: [t["met"] for t in x["terms"]] for r, x in results.items()},
        "final_tracks": dict(zip(sc.track_ids, s.tracks)),
        "cards_played": played,
        "card_counts": counts,
        "card_impact": card_impact(s),
        "trajectory": trajectory(s),
        "events": {role: _jsonable(ev) for role, ev in events.items() if ev},
        "state_hash": state_hash(s),
        "commands": list(commands),
    } | ({"rationales": [dict(x) for x in reasons]} if reasons else {}) | ({"llm": usage} if usage else {})


def _close(agent: Agent, results: dict[str, Any] | None) -> None:
    """Call ``close`` if the agent has one (external agents run a program per game).

    Agents that take the game's results (to send an ``end`` message) get them.
    """
    close = getattr(agent, "close", None)
    if not callable(close):
        return
    try:
        takes_results = bool(inspect.signature(close).parameters)
    except (TypeError, ValueError):
        takes_results = False
    if takes_results:
        close(results)
    else:
        close()


def play_game(sc: Compiled, seats: dict[str, SeatSpec], agents: str, master: int, index: int) -> dict[str, Any]:
    """Play game `index` of a batch and return its row; agents are always closed."""
    seed = game_seed(master, index)
    try:
        players = build_agents(sc, seats, seed)
    except Exception as exc:
        raise PlaytestError(f"game {index} (seed {seed}): cannot build the agents: {exc}") from None
    results: dict[str, Any] | None = None
    reasons: list[dict[str, Any]] = []
    try:
        try:
            played = play(sc, seed, players, reasons=reasons)
        except Exception as exc:  # an agent or engine failure: name the game so it can be reproduced
            raise PlaytestError(f"game {index} (seed {seed}) failed: {type(exc).__name__}: {exc}") from None
        results = evaluate(played.state)
    finally:
        for agent in players:
            _close(agent, results)
    events = {role: list(getattr(agent, "events", None) or []) for role, agent in zip(sc.role_ids, players)}
    usage = {
        role: _jsonable(dict(stats))
        for role, agent in zip(sc.role_ids, players)
        if isinstance(stats := getattr(agent, "stats", None), dict)
    }
    return game_row(index, seed, agents, played.state, played.commands, events, reasons, usage)


def row_line(row: dict[str, Any]) -> str:
    """The row as one compact JSON line (key order fixed by :func:`game_row`)."""
    return json.dumps(row, separators=(",", ":"), ensure_ascii=False) + "\n"
