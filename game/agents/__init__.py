"""Agents: programs that choose commands for a seat from that seat's view."""

from game.agents.base import Agent
from game.agents.random_agent import RandomAgent

__all__ = ["Agent", "RandomAgent"]
