"""Per-game seeds and how game indices are cut into chunks.

Game ``i`` of a batch with master seed ``S`` is played with seed
``rng.derive(S, "game", i)`` (SplitMix64 folding, independent of PYTHONHASHSEED and
platform). Because a game's seed depends only on ``S`` and ``i``, the batch is the
same whether it runs on one worker or many, locally or on Ray, in one go or resumed
after an interruption; and an A/B experiment can pair game ``i`` of A with game
``i`` of B. Chunking only decides which worker plays which games, never what they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from game import rng


def game_seed(master: int, index: int) -> int:
    """The seed of game `index` in a batch whose master seed is `master`."""
    return rng.derive(master, "game", index)


def chunk_size(remaining: int, workers: int, largest: int = 50) -> int:
    """Chunks small enough to keep every worker busy to the end (~8 per worker) and
    the progress bar lively, large enough that dispatch overhead stays negligible."""
    if remaining <= 0:
        return 1
    return max(1, min(largest, -(-remaining // (max(1, workers) * 8))))


def chunks(indices: Iterable[int], size: int) -> Iterator[list[int]]:
    """Consecutive runs of `size` indices (the last one may be shorter)."""
    batch: list[int] = []
    for i in indices:
        batch.append(i)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
