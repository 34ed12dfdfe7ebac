"""The one error type playtests report to users."""

from __future__ import annotations

from game.errors import WedgeError


class PlaytestError(WedgeError):
    """A playtest or experiment that cannot run or be read; ``str()`` is one line for the user.

    It derives from :class:`WedgeError` so the CLI prints it as ``wedge: <message>``
    with no traceback, and it takes a single string so it pickles across processes
    (a worker's failure is re-raised in the parent unchanged).
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
