"""Text from outside the UI's own code, shown exactly as written.

Commands, card titles, track and role names, ledger causes, players' messages, offer
texts, facilitator notes, custom shock titles, file paths and error messages come from
the engine, a scenario file or a player. Given to a widget as a ``str`` they would be
parsed: Rich markup and Textual content markup read ``[red]`` or ``[bold]…[/bold]`` as
styles (and drop them from the screen), and Rich turns ``:accept:`` into an emoji (a
DataTable cell showed the command ``india:accept:1`` as "india🉑1"). A
:class:`rich.text.Text` is never parsed for either, so every such text reaches a widget
through :func:`literal` (or is appended to a ``Text``, which is literal too).
Notifications take a string only: they are sent with ``markup=False``.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text


def literal(text: object, style: str | Style = "") -> Text:
    """`text` as a Rich ``Text``: shown character for character, no markup, no emoji."""
    return Text(str(text), style=style, end="")
