"""An agent that takes no part: done in diplomacy, declines offers, seals an empty order.

Why: a scenario's "no-play" baseline — what the tracks and objectives do when nobody
plays a card — separates what the game's own machinery (drift, income, shocks) does
from what the players do. A scenario whose roles win without playing, or whose tracks
run far from their start on their own, is unbalanced whatever the agents do. The agent
draws nothing from any random stream, so its games depend only on the game seed.
"""

from __future__ import annotations

from typing import ClassVar

from game.agents.base import Capabilities
from game.commands import Command

#: What the agent sends when it may, in this order of preference.
PREFERENCE = ("decline", "done", "seal")


class PassAgent:
    needs_view = False
    # ClassVar: the registry reads it from the class (as for the other agents)
    PARAMS: ClassVar[dict[str, str]] = {}
    CAPABILITIES: ClassVar[Capabilities] = Capabilities(network=True)

    def __init__(self, seed: int) -> None:
        self.seed = seed

    @classmethod
    def from_spec(cls, sc: object, role: str, seed: int, arg: str, params: dict[str, str]) -> PassAgent:
        return cls(seed)

    def act(self, view: object, legal: list[Command]) -> Command:  # the view is never read
        for verb in PREFERENCE:
            for c in legal:
                if c.verb == verb:
                    return c
        return legal[0]  # only when a phase offers neither done nor seal (never in the engine)
