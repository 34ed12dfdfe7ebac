"""Rules help: the rulebook in a Markdown viewer."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import MarkdownViewer

from tui.widgets.footer import KeyFooter

RULEBOOK = Path(__file__).resolve().parent.parent.parent / "rulebook.md"


TABLES_NOTE = """## 12. Scenario tables

The generated tables of tracks, roles, cards and shocks are in `rulebook.md` §12. In the game,
the Board shows each track's bands and meaning, the Hand screen every card's effects in plain
words and its source, and the Facilitator console the shock deck.
"""


def rulebook_text(path: Path = RULEBOOK) -> str:
    """Sections 1–11 (the rules). The long generated tables of §12 would take seconds to lay out."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"# Rules\n\nThe rulebook could not be read from `{path}`: {exc.strerror or exc}."
    cut = text.find("\n## 12.")
    return text[:cut] + "\n" + TABLES_NOTE if cut >= 0 else text


class RulesScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,f1", "close", "Back")]

    def compose(self) -> ComposeResult:
        yield MarkdownViewer(rulebook_text(), show_table_of_contents=self.app.size.width >= 120, id="rules")
        yield KeyFooter()

    def action_close(self) -> None:
        self.app.pop_screen()
