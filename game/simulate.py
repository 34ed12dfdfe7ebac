"""Run whole headless games with agents in every seat."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from game import rng
from game.agents.base import Agent, reason_for, reasons_given
from game.agents.random_agent import RandomAgent
from game.commands import Command
from game.compiled import Compiled
from game.rules import apply_fast, legal_actions, menus, new_game
from game.state import OVER, GameState
from game.views import role_record

#: What an agent that declares ``needs_view = False`` is passed instead of its view.
NO_VIEW: Any = None


@dataclass(frozen=True)
class Played:
    state: GameState
    commands: tuple[str, ...]


def agent_seed(game_seed: int, role: str) -> int:
    """Each seat's agent draws from its own stream, derived from the game seed and role id."""
    return rng.derive(game_seed, "agent", role)


def play(
    sc: Compiled, seed: int, agents: Sequence[Agent], record: bool = True, reasons: list[dict[str, Any]] | None = None
) -> Played:
    """Play one game to the end. Roles act in role order within each phase; since
    orders are sealed and simultaneous this order never changes what a role may do.

    With `reasons` (and `record`), the reasons agents that explain themselves give are
    appended to it as ``{"index", "role", "turn", "text", "source"}`` (a record's ``meta["rationales"]``)."""
    s = new_game(sc, seed)
    n = len(sc.role_ids)
    commands: list[Command] = []
    explains = [record and reasons is not None and hasattr(a, "rationales") for a in agents]
    explaining = any(explains)  # one local test per decision when no agent gives reasons
    while s.phase != OVER:
        progressed = False
        for role in range(n):
            agent = agents[role]
            needs_view = agent.needs_view
            phase = s.phase
            while not s.ready[role] and s.phase is phase:
                legal = legal_actions(s, role)
                if not legal:
                    break
                before = reasons_given(agent) if explaining and explains[role] else 0
                cmd: Command = agent.act(role_record(s, role) if needs_view else NO_VIEW, legal)
                if record:
                    commands.append(cmd)
                    if explaining and explains[role] and reasons is not None:
                        why = reason_for(agent, before, cmd)
                        if why:
                            note = {"index": len(commands) - 1, "role": sc.role_ids[role], "turn": s.turn, **why}
                            reasons.append(note)
                s = apply_fast(s, cmd)
                progressed = True
        if not progressed:
            raise RuntimeError(f"no role can act in turn {s.turn} phase {s.phase}")
    text = menus(sc).text  # the canonical texts of enumerable commands, precomputed
    try:
        texts = tuple(map(text.__getitem__, commands))
    except KeyError:  # a command no menu lists (an agent built its own): spell each out
        texts = tuple([text.get(c) or c.text for c in commands])
    return Played(s, texts)


def random_agents(sc: Compiled, seed: int) -> list[Agent]:
    return [RandomAgent(agent_seed(seed, r)) for r in sc.role_ids]


def play_random(sc: Compiled, seed: int, record: bool = True) -> Played:
    return play(sc, seed, random_agents(sc, seed), record)


AgentFactory = Callable[[Compiled, int], list[Agent]]
