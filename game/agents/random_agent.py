"""Uniform choice over the legal commands, from the agent's own seeded stream."""

from __future__ import annotations

from typing import ClassVar

from mypy_extensions import mypyc_attr

from game import rng
from game.agents.base import Capabilities
from game.commands import Command
from game.rules import trailing_unplays


@mypyc_attr(allow_interpreted_subclasses=True)  # agents of one's own may build on it
class RandomAgent:
    """Uniform over legal commands (never ``unplay``); a whole order is built from such choices, then sealed."""

    needs_view = False
    # ClassVar: the registry reads it from the class (a compiled build would otherwise
    # make it a per-instance attribute and leave a descriptor on the class)
    PARAMS: ClassVar[dict[str, str]] = {}
    CAPABILITIES: ClassVar[Capabilities] = Capabilities(network=True)

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.index = 0

    @classmethod
    def from_spec(cls, sc: object, role: str, seed: int, arg: str, params: dict[str, str]) -> RandomAgent:
        return cls(seed)

    def act(self, view: object, legal: list[Command]) -> Command:  # the view is never read
        # Taking a card back (the unplays, listed just before seal) is never chosen: at
        # random it would only undo random plays and make games longer, never different
        # in kind. The candidates are the commands before them, then seal.
        n = len(legal)
        # (Unplays exist only in orders with cards chosen: most lists have none, found
        # by one look at the command before the last.)
        k = trailing_unplays(legal) if n > 1 and legal[n - 2].verb == "unplay" else 0
        m = n - k
        # A lone command (often just "done" or "seal") needs no draw: any draw % 1 is 0.
        # The draw is still used up, so every later choice is the one it always was.
        i = 0 if m == 1 else rng.draw(self.seed, self.index) % m
        self.index += 1
        return legal[n - 1] if k and i == m - 1 else legal[i]
