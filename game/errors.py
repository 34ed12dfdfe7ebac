"""Typed rejections.

Every refused command raises :class:`IllegalCommand` naming the rulebook section it
breaks and the command as the sender wrote it. Messages never mention another
role's hidden cards or orders, so they are safe to send back to any client.
"""

from __future__ import annotations


class WedgeError(Exception):
    """Base class for every error Wedge reports to a user."""


class IllegalCommand(WedgeError, ValueError):
    def __init__(self, rule: str, command: str, reason: str) -> None:
        self.rule = rule
        self.command = command
        self.reason = reason
        super().__init__(f"{command}: {reason} (rule {rule})")


class CommandSyntaxError(IllegalCommand):
    """The text does not parse as a command at all."""

    def __init__(self, command: str, reason: str) -> None:
        super().__init__("syntax", command, reason)
