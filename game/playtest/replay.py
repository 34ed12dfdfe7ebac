"""Replay one game of a playtest directory from its recorded commands.

The scenario comes from ``meta.json`` (embedded at the time of the run), the seed
and commands from the game's row, so a game replays even after the YAML changed.
Every command goes through the engine's *checked* apply (the batch used the fast
path), and the final state's hash must equal the row's ``state_hash``: this both
proves the row is the game it claims to be and cross-checks the two apply paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from game.hashing import state_hash
from game.playtest.directory import PlaytestDir
from game.playtest.errors import PlaytestError
from game.record import GameRecord, final_state, record_from_commands
from game.state import GameState


@dataclass(frozen=True)
class Replayed:
    record: GameRecord
    state: GameState
    row: dict[str, Any]


def replay_game(directory: str, index: int, verify: bool = True) -> Replayed:
    pdir = PlaytestDir(directory)
    meta = pdir.read_meta()
    sc = pdir.compiled(meta)
    row = pdir.find(index)
    rec = record_from_commands(
        sc, int(row["seed"]), list(row["commands"]), {"playtest": str(directory), "game": index, "agents": meta.agents}
    )
    state = final_state(rec, verify=verify)
    got = state_hash(state)
    if got != row.get("state_hash"):
        raise PlaytestError(
            f"{directory}: game {index} replays to state hash {got}, not the recorded {row.get('state_hash')}"
        )
    return Replayed(rec, state, row)
