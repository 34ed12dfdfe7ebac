"""Uniform choice over the legal commands, from the agent's own seeded stream."""

from __future__ import annotations

from typing import Any

from game import rng
from game.commands import Command


class RandomAgent:
    needs_view = False

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.index = 0

    def act(self, view: dict[str, Any], legal: list[Command]) -> Command:
        choice = legal[rng.draw(self.seed, self.index) % len(legal)]
        self.index += 1
        return choice
