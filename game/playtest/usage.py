"""Language-model usage summed over playtest rows: calls, cache hits and tokens.

Each game's row carries its model seats' usage under ``llm`` (per role, see
:func:`game.playtest.rows.play_game`); a batch's cost is the sum of those. The progress
bar, the summary and the experiment report all sum it the same way, here, so the number a
person watches grow is the number the batch reports at the end.

``calls`` are HTTP requests made; ``cache_hits`` are answers found in recorded calls
instead (no request, no tokens), so the two are counted side by side, never one inside the
other. Tokens are what the endpoint reported for the calls it answered.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

#: The integer fields of a seat's usage that add up across games.
COUNTS = ("calls", "cache_hits", "prompt_tokens", "completion_tokens", "defaults")


def _count(value: Any) -> int:
    """A usage field as a count; rows are read back from disk, so anything else counts 0."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


@dataclass
class Usage:
    calls: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    defaults: int = 0

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __bool__(self) -> bool:
        return any(getattr(self, key) for key in COUNTS)

    def add_seat(self, stats: Mapping[str, Any]) -> None:
        for key in COUNTS:
            setattr(self, key, getattr(self, key) + _count(stats.get(key)))

    def add_row(self, row: Mapping[str, Any]) -> bool:
        """Add a row's model seats; whether the row had any (rows of batches without them
        have no ``llm`` key at all)."""
        seats = row.get("llm")
        if not isinstance(seats, dict):
            return False
        for stats in seats.values():
            if isinstance(stats, dict):
                self.add_seat(stats)
        return True

    def add_lines(self, lines: Iterable[str]) -> None:
        """Add rows as the workers send them (one JSON line each)."""
        for line in lines:
            self.add_row(json.loads(line))

    def to_json(self) -> dict[str, int]:
        return asdict(self) | {"tokens": self.tokens}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Usage:
        usage = cls()
        usage.add_seat(data)
        return usage

    def compact(self) -> str:
        """For the progress bar, where width is scarce: ``312 calls + 40 cached · 1.2M tokens``."""
        return f"{_plural(self.calls, 'call')} + {self.cache_hits} cached · {_short(self.tokens)} tokens"

    def exact(self) -> str:
        """For the end of a batch, where the numbers are for accounting:
        ``312 calls + 40 cached · 1,234,567 tokens (1,200,000 prompt + 34,567 completion)``."""
        return (
            f"{_plural(self.calls, 'call')} + {self.cache_hits:,} cached · {self.tokens:,} tokens "
            f"({self.prompt_tokens:,} prompt + {self.completion_tokens:,} completion)"
            + (f" · {_plural(self.defaults, 'default')} taken" if self.defaults else "")
        )


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _short(n: int) -> str:
    if n < 1000:
        return str(n)
    if n < 999_950:  # rounds to at most 999.9k
        return f"{n / 1000:.1f}k"
    return f"{n / 1_000_000:.1f}M"
