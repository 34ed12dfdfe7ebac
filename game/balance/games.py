"""A batch's games as small records, read from its playtest directory.

Only what the checks read is kept (winners, scores, end reason, final tracks, the
end-of-turn trajectory), never the command logs, so even a few thousand games per
batch stay a few megabytes. Records are sorted by game index and cut at the first
``n``: a batch played with more games than a check asks for (shared with another
check) is read exactly as if it had been played with ``n``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from game.playtest.directory import PlaytestDir
from game.playtest.errors import PlaytestError


@dataclass(frozen=True)
class Game:
    index: int
    winners: frozenset[str]
    scores: dict[str, int]
    crisis: bool
    final: dict[str, int]
    trajectory: dict[str, list[int]]  # each track's value at the end of each turn played
    turns: int

    def at(self, track: str, turn: int, start: int) -> int:
        """The track at the end of `turn`; a game over before then keeps its last value."""
        values = self.trajectory.get(track) or []
        if not values:
            return start
        return values[min(turn, len(values)) - 1] if turn >= 1 else start


def load_games(directory: Path, n: int) -> list[Game]:
    """Games 0..n-1 of the playtest in `directory`, by index; all of them must be there."""
    pdir = PlaytestDir(directory)
    found: dict[int, Game] = {}
    for row in pdir.rows():
        i = int(row["index"])
        if i < n:
            found[i] = Game(
                i,
                frozenset(row["winners"]),
                {r: int(v) for r, v in row["scores"].items()},
                row["end_reason"] == "crisis",
                {t: int(v) for t, v in row["final_tracks"].items()},
                {t: [int(v) for v in vs] for t, vs in row["trajectory"].items()},
                int(row["turns"]),
            )
    if len(found) < n:
        raise PlaytestError(f"{directory}: {len(found)} of the {n} games needed are on disk")
    return [found[i] for i in range(n)]
