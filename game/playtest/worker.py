"""What runs inside a worker process (a local pool worker or a Ray task).

A worker receives the batch configuration once — the scenario as canonical JSON,
not a path, so remote nodes need no copy of the YAML and a file edited mid-run
cannot split a batch — compiles it once, and then plays chunks of game indices.
Each finished game is returned as ``(index, json_line)``: serialising in the worker
spreads that cost over the workers and keeps the parent a thin writer.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass

from game.agents.registry import SeatSpec, parse_agents
from game.compiled import Compiled, content_hash
from game.engine import compiled
from game.playtest.errors import PlaytestError
from game.playtest.rows import play_game, row_line
from game.scenario.models import Scenario


@dataclass(frozen=True)
class BatchConfig:
    """Everything a worker needs besides the game indices; small and picklable."""

    scenario_json: str
    scenario_hash: str
    agents: str  # canonical seat spec
    seed: int


_SETUPS: dict[tuple[str, str], tuple[Compiled, dict[str, SeatSpec]]] = {}
_CONFIG: BatchConfig | None = None
_INIT_ERROR: str = ""


def setup(config: BatchConfig) -> tuple[Compiled, dict[str, SeatSpec]]:
    """Compile the scenario and parse seats once per process (cached by hash and seats)."""
    key = (config.scenario_hash, config.agents)
    found = _SETUPS.get(key)
    if found is None:
        model = Scenario.model_validate(json.loads(config.scenario_json))
        if content_hash(model) != config.scenario_hash:
            raise PlaytestError("the scenario sent to the worker does not match its hash")
        sc = compiled(model)
        found = (sc, parse_agents(config.agents, sc))
        _SETUPS[key] = found
    return found


def run_chunk(config: BatchConfig, indices: list[int]) -> list[tuple[int, str]]:
    """Play the games `indices` of the batch; one ``(index, row line)`` per game."""
    try:
        sc, seats = setup(config)
        return [(i, row_line(play_game(sc, seats, config.agents, config.seed, i))) for i in indices]
    except PlaytestError:
        raise
    except Exception as exc:
        # Only a plain-string error is sure to survive pickling back to the parent.
        raise PlaytestError(f"{type(exc).__name__}: {exc}") from None


def init_pool_worker(config: BatchConfig) -> None:
    """Pool initializer: ignore Ctrl-C (the parent decides when to stop) and compile now.

    A terminal's Ctrl-C goes to the whole process group; without this every worker
    would print its own KeyboardInterrupt traceback.
    """
    global _CONFIG, _INIT_ERROR
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _CONFIG = config
    try:
        setup(config)
    except Exception as exc:  # noqa: BLE001 - a failing initializer makes Pool respawn workers forever
        _INIT_ERROR = f"{type(exc).__name__}: {exc}" if not isinstance(exc, PlaytestError) else str(exc)


def run_pool_chunk(indices: list[int]) -> list[tuple[int, str]]:
    """Pool task: the configuration came with the initializer."""
    if _INIT_ERROR:
        raise PlaytestError(f"worker could not start: {_INIT_ERROR}")
    if _CONFIG is None:
        raise PlaytestError("worker used before it was initialised")
    return run_chunk(_CONFIG, indices)
