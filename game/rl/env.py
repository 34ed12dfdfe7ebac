"""Wedge as a PettingZoo AEC environment.

The diplomacy and orders phases are simultaneous, but offers, answers and card
plays only take effect at the reveal, so the environment serialises them without
changing the game: ``agent_selection`` cycles, in role order, over the roles the
game is waiting for (:func:`game.rules.pending_roles`), one command per step.

Agents are the scenario's role ids. Every agent has the same ``Discrete(N)``
action space over the scenario's :class:`~game.rl.encoding.ActionTable` and the
same observation space: ``{"observation": Box(float32), "action_mask": Box(int8)}``.
Observations carry only what the role's view (:class:`game.views.RoleView`) shows. The
reward is 0 until the game ends; then every role receives its final score
(:func:`game.victory.evaluate`), divided by its maximum score when
``normalize_rewards`` is set.

Use :func:`env` for the wrapped environment with PettingZoo's classic-game
conventions (an illegal action ends the game with ``illegal_reward`` for the
offender); :class:`WedgeEnv` itself raises :class:`IllegalActionError` instead.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import gymnasium
import numpy as np
from gymnasium import spaces
from gymnasium.utils import EzPickle, seeding

from game.commands import Command
from game.compiled import Compiled
from game.engine import open_scenario
from game.rl.encoding import ActionTable, IllegalActionError, Mask, ObservationEncoder, Vector
from game.rules import apply_fast, new_game, pending_roles
from game.state import OVER, GameState
from game.victory import evaluate
from game.views import public_record, public_view, role_record

try:
    from pettingzoo import AECEnv  # type: ignore[import-untyped]
    from pettingzoo.utils import wrappers  # type: ignore[import-untyped]
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise ImportError("game.rl needs PettingZoo: pip install 'wedge[rl]'") from exc

__all__ = ["STANDARD_SCENARIO", "IllegalActionError", "WedgeEnv", "env", "load_compiled", "raw_env"]

STANDARD_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "standard.yaml"

def load_compiled(path: str | os.PathLike[str]) -> Compiled:
    """Load and compile a scenario file (the engine's shared cache: game.engine.open_scenario)."""
    return open_scenario(path)


_TABLES: dict[int, tuple[Compiled, ActionTable, ObservationEncoder]] = {}


def _tables(sc: Compiled) -> tuple[ActionTable, ObservationEncoder]:
    hit = _TABLES.get(id(sc))
    if hit is None or hit[0] is not sc:
        if len(_TABLES) > 16:
            _TABLES.clear()
        actions = ActionTable(sc)
        hit = _TABLES[id(sc)] = (sc, actions, ObservationEncoder(sc, actions))
    return hit[1], hit[2]


class WedgeEnv(AECEnv, EzPickle):
    """The raw AEC environment (see the module docstring and docs/rl.md)."""

    metadata: dict[str, Any] = {
        "name": "wedge_v0",
        "render_modes": ["ansi", "human"],
        "is_parallelizable": False,
    }

    def __init__(
        self,
        scenario_path: str | os.PathLike[str] = STANDARD_SCENARIO,
        render_mode: str | None = None,
        *,
        scenario: Compiled | None = None,
        normalize_rewards: bool = False,
    ) -> None:
        EzPickle.__init__(self, scenario_path, render_mode, scenario=scenario, normalize_rewards=normalize_rewards)
        super().__init__()
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None, not {render_mode!r}")
        self.render_mode = render_mode
        self.sc: Compiled = scenario if scenario is not None else load_compiled(scenario_path)
        self.actions, self.encoder = _tables(self.sc)
        self.normalize_rewards = normalize_rewards
        self.possible_agents: list[str] = list(self.sc.role_ids)
        self.agent_name_mapping = {a: i for i, a in enumerate(self.possible_agents)}
        enc = self.encoder
        self.observation_spaces = {
            a: spaces.Dict(
                {
                    "observation": spaces.Box(enc.low, enc.high, dtype=np.float32),
                    "action_mask": spaces.Box(0, 1, shape=(self.actions.size,), dtype=np.int8),
                }
            )
            for a in self.possible_agents
        }
        self.action_spaces = {a: spaces.Discrete(self.actions.size) for a in self.possible_agents}
        pub = enc.public_size
        self.state_space = spaces.Box(enc.low[:pub], enc.high[:pub], dtype=np.float32)
        self._max_score = tuple(max(1, sum(t.points for t in terms)) for terms in self.sc.objectives)
        self._np_random: np.random.Generator | None = None
        self._np_random_seed: int | None = None
        self.game: GameState | None = None
        # The last (state, role) asked about, its legal actions and mask: observe() then step() share them.
        self._legal_key: tuple[GameState | None, int] = (None, -1)
        self._legal: dict[int, Command] = {}
        self._mask: Mask = np.zeros(self.actions.size, np.int8)

    # -- spaces -----------------------------------------------------------------------
    def observation_space(self, agent: str) -> spaces.Space[Any]:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> spaces.Space[Any]:
        return self.action_spaces[agent]

    @property
    def np_random(self) -> np.random.Generator:
        """The environment's own generator; seeds games when reset() is given no seed."""
        if self._np_random is None:
            self._np_random, self._np_random_seed = seeding.np_random()
        return self._np_random

    @np_random.setter
    def np_random(self, value: np.random.Generator) -> None:
        self._np_random = value

    # -- the AEC API ------------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict[str, Any] | None = None) -> None:
        """A new game: ``reset(seed=N)`` plays ``new_game(scenario, seed=N)``; without a seed the
        game seed is drawn from the environment's own ``np_random``."""
        if seed is not None:
            self._np_random, self._np_random_seed = seeding.np_random(seed)
            game_seed = int(seed)
        else:
            game_seed = int(self.np_random.integers(0, 2**63 - 1))
        self.game = new_game(self.sc, game_seed)
        self.agents = self.possible_agents[:]
        self.rewards = dict.fromkeys(self.agents, 0.0)
        self._cumulative_rewards = dict.fromkeys(self.agents, 0.0)
        self.terminations = dict.fromkeys(self.agents, False)
        self.truncations = dict.fromkeys(self.agents, False)
        self.infos: dict[str, dict[str, Any]] = {a: {} for a in self.agents}
        self._legal_key = (None, -1)
        self._skip_agent_selection = None
        pending = pending_roles(self.game)
        self.agent_selection = self.possible_agents[pending[0] if pending else 0]
        if self.game.phase == OVER:  # only a scenario that starts in crisis gets here
            self._finish()

    def observe(self, agent: str) -> dict[str, Vector | np.ndarray]:
        s = self._game()
        role = self.agent_name_mapping[agent]
        self._legal_for(s, role)
        return {"observation": self.encoder.encode(role_record(s, role)), "action_mask": self._mask.copy()}

    def step(self, action: int | np.integer[Any] | None) -> None:
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        s = self._game()
        role = self.agent_name_mapping[agent]
        if action is None:
            raise IllegalActionError(f"{agent}: step(None) is only for agents that have terminated")
        a = int(action)
        cmd = self._legal_for(s, role).get(a)
        if cmd is None:
            raise self.actions.illegal(s, role, a)
        self._cumulative_rewards[agent] = 0.0
        for k in self.rewards:
            self.rewards[k] = 0.0
        new = self.game = apply_fast(s, cmd)
        if new.phase == OVER:
            self._finish()
        else:
            same_phase = new.phase == s.phase and new.turn == s.turn
            self.agent_selection = self.possible_agents[self._next_role(new, role if same_phase else -1)]
            self._accumulate_rewards()
        if self.render_mode == "human":
            self.render()

    def state(self) -> Vector:
        """A global state vector holding public information only (the observation's public segments)."""
        return self.encoder.encode_public(public_record(self._game()))

    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn("WedgeEnv.render() called without a render_mode (use 'ansi' or 'human')")
            return None
        text = board_text(self._game())
        if self.render_mode == "human":
            print(text)
            return None
        return text

    def close(self) -> None:
        pass

    # -- helpers ----------------------------------------------------------------------
    def legal_commands(self, agent: str | None = None) -> dict[int, str]:
        """Legal actions of `agent` (default: the selected agent) -> command text, for inspection."""
        role = self.agent_name_mapping[agent or self.agent_selection]
        return {a: cmd.text for a, cmd in sorted(self._legal_for(self._game(), role).items())}

    def _game(self) -> GameState:
        if self.game is None:
            raise RuntimeError("call reset() before using the environment")
        return self.game

    def _legal_for(self, s: GameState, role: int) -> dict[int, Command]:
        if self._legal_key[0] is not s or self._legal_key[1] != role:
            legal = self.actions.legal(s, role)
            mask = np.zeros(self.actions.size, np.int8)
            if legal:
                mask[list(legal)] = 1
            self._legal, self._mask, self._legal_key = legal, mask, (s, role)
        return self._legal

    @staticmethod
    def _next_role(s: GameState, role: int) -> int:
        """The first pending role after `role` in cyclic role order (``role=-1``: the first pending role)."""
        pending = pending_roles(s)
        for r in pending:
            if r > role:
                return r
        return pending[0]

    def _finish(self) -> None:
        s = self._game()
        results = evaluate(s)
        for agent in self.agents:
            r = results[agent]
            score = float(r["score"])
            if self.normalize_rewards:
                score /= self._max_score[self.agent_name_mapping[agent]]
            self.rewards[agent] = score
            self.terminations[agent] = True
            self.infos[agent] = {
                "score": r["score"],
                "max_score": r["max_score"],
                "won": r["won"],
                "end_reason": s.end_reason,
            }
        self._accumulate_rewards()
        self._deads_step_first()


def board_text(s: GameState) -> str:
    """A short text of the public board (what a projector may show)."""
    sc = s.sc
    v = public_view(s)
    model = {t.id: t for t in sc.model.tracks}
    lines = [f"{sc.model.scenario.title} — turn {s.turn}/{sc.rules.turns}, {s.phase}"]
    for tid, value in v["tracks"].items():
        t = model[tid]
        band = next((b.label for b in t.bands if b.min <= value <= b.max), "")
        delta = value - v["turn_start"][tid]
        lines.append(f"  {t.name:<40} {value:>4} {f'({delta:+d})' if delta else '':<6} {band}")
    roles = "  ".join(
        f"{r}: capital {x['capital']}, hand {x['hand_size']}{' ✓' if x['ready'] else ''}" for r, x in v["roles"].items()
    )
    lines.append("  " + roles)
    if v["flags"]:
        lines.append("  flags: " + ", ".join(v["flags"]))
    if v["windows"]:
        lines.append("  windows: " + ", ".join(f"{w} (to turn {last})" for w, last in v["windows"].items()))
    lines.append(f"  shock deck: {len(v['shock_deck'])}; this turn: {', '.join(v['shocks_this_turn']) or '(none)'}")
    if v["history"]:
        last = v["history"][-1]
        plays = "; ".join(
            f"{r}: " + (", ".join(p["card"] + (f"→{p['target']}" if p["target"] else "") for p in o) or "-")
            for r, o in last["orders"].items()
        )
        lines.append(f"  turn {last['turn']} orders: {plays}")
    if v["results"]:
        lines.append(
            f"  game over ({s.end_reason}): "
            + ", ".join(
                f"{r} {x['score']}/{x['max_score']}{' wins' if x['won'] else ''}" for r, x in v["results"].items()
            )
        )
    return "\n".join(lines)


raw_env = WedgeEnv


def env(illegal_reward: float | None = -1.0, **kwargs: Any) -> AECEnv:
    """The wrapped environment, as PettingZoo classic games build it.

    An illegal action ends the game: the offender gets `illegal_reward` and every other
    role 0 (``TerminateIllegalWrapper``). With ``illegal_reward=None`` the raw
    environment's :class:`IllegalActionError` propagates instead. Keyword arguments go
    to :class:`WedgeEnv`.
    """
    e: AECEnv = WedgeEnv(**kwargs)
    if illegal_reward is not None:
        e = wrappers.TerminateIllegalWrapper(e, illegal_reward=illegal_reward)
    e = wrappers.AssertOutOfBoundsWrapper(e)
    return wrappers.OrderEnforcingWrapper(e)
