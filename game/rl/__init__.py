"""Reinforcement-learning interfaces: a PettingZoo AEC environment and its encodings (docs/rl.md)."""

from game.rl.encoding import ActionTable, IllegalActionError, ObservationEncoder
from game.rl.env import WedgeEnv, env, raw_env

__all__ = ["ActionTable", "IllegalActionError", "ObservationEncoder", "WedgeEnv", "env", "raw_env"]
