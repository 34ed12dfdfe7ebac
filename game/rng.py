"""The game's own random stream.

A counter-based generator (SplitMix64 over seed and draw index): the whole RNG
state is two integers kept inside the immutable game state, so applying a command
stays a pure function and a state can be copied, hashed or rolled back for free.
It does not depend on Python's hash seed, process, or platform.
"""

from __future__ import annotations

MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def mix(x: int) -> int:
    """SplitMix64 finaliser: a bijective scramble of a 64-bit integer."""
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & MASK
    return x ^ (x >> 31)


def draw(seed: int, index: int) -> int:
    """The index-th 64-bit output of the stream for `seed` (``mix`` inlined: hot path)."""
    x = (seed * _GOLDEN + (index + 1) * 0xD1B54A32D192ED03) & MASK
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9 & MASK
    x = (x ^ (x >> 27)) * 0x94D049BB133111EB & MASK
    return x ^ (x >> 31)


def below(seed: int, index: int, n: int) -> int:
    """A value in [0, n) from draw `index` (n is tiny, so modulo bias is ~2**-58)."""
    return draw(seed, index) % n


def derive(seed: int, *labels: int | str) -> int:
    """An independent 63-bit seed for a sub-stream (a game in a batch, an agent's seat).

    Strings are folded byte by byte, never with ``hash()``, so results are the same
    under every PYTHONHASHSEED.
    """
    x = mix(seed & MASK)
    for label in labels:
        data = label.encode() if isinstance(label, str) else (label & MASK).to_bytes(8, "little")
        for b in data:
            x = mix((x ^ b) * _GOLDEN & MASK)
        x = mix(x ^ len(data))
    return x >> 1


class Stream:
    """A mutable cursor over the stream, for code that draws many values in one step."""

    __slots__ = ("seed", "index")

    def __init__(self, seed: int, index: int = 0) -> None:
        self.seed = seed
        self.index = index

    def below(self, n: int) -> int:
        v = draw(self.seed, self.index) % n
        self.index += 1
        return v

    def shuffle(self, items: list[int]) -> None:
        """Fisher–Yates in place."""
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]
