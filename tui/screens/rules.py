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


PLAYER_INTRO = """## How to play

You play one of four governments. Each turn:

1. **Shock** — a real-world event is drawn and applied (the Board, key `1`, lists it).
2. **Diplomacy** (key `3`) — make an offer ("if you play A, I play B"), answer the offers
   you get (`y` accept, `n` decline), send private messages; `d` when you are done.
3. **Orders** (key `2`) — add the cards you can pay for (standard: up to two) (`a`), take one back before
   sealing (`u`), then seal (`s`): the dialog lists promises your order breaks, offers you
   have not answered and capital left unspent.
4. **Reveal** — every order, each effect and its dice, the offers kept or broken and how
   each track moved (`v` shows it again; the Ledger, key `4`, lists every change).

Your objective is on the Board, term by term, as if the game ended now. The full rules follow.
"""


def rulebook_text(path: Path = RULEBOOK) -> str:
    """For players: how a turn goes, then sections 1–11 (the rules).

    The rulebook's own introduction speaks to developers (conformance tests, generated
    tables) and is left out; the long generated tables of §12 would take seconds to lay out.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        return f"# Rules\n\nThe rulebook could not be read from `{path}`: {exc.strerror or exc}."
    start = text.find("\n## 1.")
    cut = text.find("\n## 12.")
    if start < 0:
        return text
    head = [p for p in text[:start].split("\n\n") if p.strip() and not _for_developers(p)]
    body = text[start : cut if cut >= 0 else len(text)]
    return "\n\n".join(head) + "\n\n" + PLAYER_INTRO + body + ("\n" + TABLES_NOTE if cut >= 0 else "")


def _for_developers(paragraph: str) -> bool:
    lowered = paragraph.lower()
    return "test" in lowered or "engine implements" in lowered


class RulesScreen(Screen[None]):
    BINDINGS = [Binding("escape,q,f1", "close", "Back")]

    def compose(self) -> ComposeResult:
        yield MarkdownViewer(rulebook_text(), show_table_of_contents=self.app.size.width >= 120, id="rules")
        yield KeyFooter()

    def action_close(self) -> None:
        self.app.pop_screen()
