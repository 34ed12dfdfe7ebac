"""The reveal after each adjudication, and the game-over dialog.

When the last order of a turn is sealed the engine adjudicates, runs upkeep and draws the
next turn's shocks in one step, so without this screen a player went straight from
sealing to the next turn's diplomacy and never saw what happened. The reveal shows one
turn from the (public) history and ledger of the seat's view: the shocks drawn, every
role's revealed cards with each effect and its dice (a roll that changed nothing too:
the ledger's ``roll`` entries, §9.2), the offers kept or broken and by whom, the
facilitator's acts, and each track's net change over the turn.

Everything here is public after the reveal (§7.1): the same screen can be shown to every
seat. Engine and scenario text is appended to ``Text`` objects (never parsed as markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from rich.cells import cell_len
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from game.causes import parse_cause
from game.scenario.models import Track
from game.state import ROLL
from tui.catalog import Catalog
from tui.literal import literal
from tui.screens.dialogs import ResultsScreen
from tui.seats import GM
from tui.session import ReplaySession
from tui.widgets.common import update_static

if TYPE_CHECKING:
    from tui.app import WedgeApp

Entry = dict[str, Any]
#: ledger phases, grouped as a player reads a turn
PHASE_GROUPS = (("shock", "shocks"), ("adjudication", "orders"), ("upkeep", "upkeep"))


def _change(c: Catalog, e: Entry) -> str:
    """One change, with the dice roll that decided it: "alignment 76 → 74 (-2, 1d6=4)"."""
    d = e["after"] - e["before"]
    roll = f", {e['roll']}" if e["roll"] else ""
    return f"{c.subject(e['subject'])} {e['before']} → {e['after']} ({d:+d}{roll})"


def _effects(c: Catalog, entries: list[Entry]) -> Text:
    """What a card or shock did, in order: each change with the roll that decided it, and a
    roll that changed nothing (a miss: the ledger's ``roll`` entry) as such."""
    out = Text()
    for i, e in enumerate(entries):
        if i:
            out.append("; ")
        if e["subject"] == ROLL:
            out.append(f"rolled {e['roll'] or e['after']}: no change", style="bold")
        else:
            out.append(_change(c, e))
    if not entries:
        out.append("no track or capital changed", style="dim")
    return out


def _by_cause(entries: list[Entry]) -> dict[str, list[Entry]]:
    out: dict[str, list[Entry]] = {}
    for e in entries:
        out.setdefault(e["cause"], []).append(e)
    return out


def revealed_turns(view: dict[str, Any]) -> list[int]:
    """The turns whose orders have been revealed, oldest first."""
    return [int(h["turn"]) for h in view["history"]]


def _bullets(items: list[Text], indent: int = 2) -> Table:
    """Items under a bullet, each wrapped with a hanging indent."""
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=indent + 1, no_wrap=True)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(Text(" " * indent + "•"), item)
    return grid


def _heading(text: str, note: str = "") -> Text:
    out = Text("\n" + text, style="bold underline")
    if note:
        out.append(" " + note, style="dim")
    return out


def reveal_text(
    c: Catalog, view: dict[str, Any], turn: int, width: int = 0, reasons: dict[tuple[str, str], str] | None = None
) -> Group:
    """Everything that happened in `turn` (an adjudicated turn of `view`'s history), for a
    body `width` cells wide (0: any; the tracks' table then uses their full names).
    `reasons` ((role, card) -> the computer seat's stated reason) are shown under the cards."""
    rec = next((h for h in view["history"] if h["turn"] == turn), None)
    if rec is None:
        return Group(Text(f"Turn {turn} has not been adjudicated yet.", style="dim"))
    r = _Reveal(c, view, rec, width, reasons or {})
    parts: list[RenderableType] = []
    for section in (r.shocks, r.orders, r.offers, r.others, r.tracks, r.next_turn):
        parts.extend(section())
    if view.get("end_reason"):
        parts.append(Text(f"\nThe game is over: {view['end_reason']}.", style="bold"))
    return Group(*parts)


class _Reveal:
    """The sections of one turn's reveal; `used` keeps a cause from being listed twice."""

    def __init__(
        self,
        c: Catalog,
        view: dict[str, Any],
        rec: dict[str, Any],
        width: int = 0,
        reasons: dict[tuple[str, str], str] | None = None,
    ) -> None:
        self.c, self.view, self.rec = c, view, rec
        self.reasons = reasons or {}
        self.width = width
        self.turn = int(rec["turn"])
        self.entries = [e for e in view["ledger"] if e["turn"] == self.turn]
        self.causes = _by_cause(self.entries)
        self.used: set[str] = set()

    def shocks(self) -> list[RenderableType]:
        """The shocks drawn (or injected) this turn and what each did."""
        c, causes = self.c, self.causes
        items = []
        for shock in self.rec["shocks"]:
            drawn, injected = f"shock:{shock}", f"inject:{shock}"
            cause = drawn if drawn in causes or injected not in causes else injected
            self.used.add(cause)
            item = Text()
            item.append(c.shock_title(shock), style="bold")
            if cause == injected:
                item.append(" (injected by the facilitator)")
            item.append(": ")
            item.append_text(_effects(c, causes.get(cause, [])))
            items.append(item)
        heading = Text("Shocks drawn", style="bold underline")
        if not items:
            return [heading, Text("  none", style="dim")]
        return [heading, _bullets(items)]

    def orders(self) -> list[RenderableType]:
        """Every role's revealed order, card by card, with what each card did and its dice."""
        c = self.c
        out: list[RenderableType] = [_heading("Orders revealed")]
        for role, order in self.rec["orders"].items():
            paid = [e for e in self.entries if e["cause"].startswith("cost:") and e["subject"] == f"capital:{role}"]
            line = Text("  ")
            line.append(c.short_role(role), style="bold")
            if paid:
                line.append(f" — paid {sum(e['before'] - e['after'] for e in paid)} capital")
            if not order:
                line.append(": no cards", style="dim")
            out.append(line)
            items = []
            for o in order:
                cause = f"card:{o['card']}"
                self.used.add(cause)
                item = Text()
                item.append(c.card_title(o["card"]), style="bold")
                if o["target"]:
                    item.append(f" → {c.role(o['target'])}")
                item.append(": ")
                effects = [e for e in self.causes.get(cause, []) if e["phase"] == "adjudication"]
                item.append_text(_effects(c, effects))
                why = self.reasons.get((role, o["card"]))
                if why:
                    item.append(f"\n  why: {why}", style="italic dim")
                items.append(item)
            if items:
                out.append(_bullets(items, indent=4))
        return out

    def offers(self) -> list[RenderableType]:
        """The turn's offers: kept, broken (by whom, and the penalty) or declined."""
        c = self.c
        items = []
        for o in self.rec["offers"]:
            frm, to = c.short_role(o["from"]), c.short_role(o["to"])
            item = Text(f"Offer {o['id']} {frm} → {to}: {to} plays {c.card_title(o['ask'])}, ")
            item.append(f"{frm} plays {c.card_title(o['give'])} — ")
            result = c.offer_result(o["status"], o["outcome"])
            item.append(result, style="bold" if "broken" in result or "kept" in result else "")
            cause = f"offer:{o['id']}:broken"
            self.used.add(cause)
            penalty = self.causes.get(cause, [])
            if penalty:
                item.append(" (" + "; ".join(_change(c, e) for e in penalty) + ")")
            items.append(item)
        if not items:
            return [_heading("Offers"), Text("  none made", style="dim")]
        return [_heading("Offers"), _bullets(items)]

    def others(self) -> list[RenderableType]:
        """The facilitator's acts and the pressures (anything else with a cause of its own)."""
        kinds = ("inject", "override", "card", "shock", "pressure")
        items = []
        for cause, es in self.causes.items():
            if cause in self.used or parse_cause(cause).kind not in kinds:
                continue
            item = Text()
            item.append(self.c.cause(cause), style="bold")
            item.append(": ")
            item.append_text(_effects(self.c, es))
            items.append(item)
        return [_heading("Also this turn"), _bullets(items)] if items else []

    def tracks(self) -> list[RenderableType]:
        """Each track's net change over the turn, split into orders, shocks and upkeep."""
        c, entries = self.c, self.entries
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(width=1, no_wrap=True)
        grid.add_column(ratio=1)
        grid.add_column(no_wrap=True, justify="right")
        grid.add_column(no_wrap=True, justify="right")
        grid.add_column(no_wrap=True)
        rows: list[tuple[Track, str, str, str]] = []
        for t in c.scenario.tracks:
            changes = [e for e in entries if e["subject"] == t.id]
            net = sum(e["after"] - e["before"] for e in changes)
            parts = []
            for phase, label in PHASE_GROUPS:
                d = sum(e["after"] - e["before"] for e in changes if e["phase"] == phase)
                if d:
                    parts.append(f"{label} {d:+d}")
            if parts:
                rows.append((t, f"{changes[0]['before']} → {changes[-1]['after']}", f"{net:+d}", ", ".join(parts)))
        # the full names where they fit beside the numbers, else the short ones
        others = max((cell_len(a) + cell_len(b) + cell_len(d) for _, a, b, d in rows), default=0)
        room = self.width - others - 6 if self.width else 0
        for t, change, net_text, by_phase in rows:
            name = t.name if not room or cell_len(t.name) <= room else (t.short or t.name)
            grid.add_row(
                Text(""), literal(name), Text(change), Text(net_text, style="bold"), Text(by_phase, style="dim")
            )
        out: list[RenderableType] = [
            _heading(f"Tracks over turn {self.turn}", "(start → end, net; by orders, shocks and upkeep)")
        ]
        out.append(grid if grid.row_count else Text("  no track moved", style="dim"))
        capital = []
        for role in self.rec["orders"]:
            changes = [e for e in entries if e["subject"] == f"capital:{role}"]
            if changes:
                capital.append(f"{c.short_role(role)} {changes[0]['before']} → {changes[-1]['after']}")
        if capital:
            line = Text("  ")
            line.append("Capital:", style="bold")
            line.append(" " + ", ".join(capital))
            line.append(" (costs, offers broken, income)", style="dim")
            out.append(line)
        return out

    def next_turn(self) -> list[RenderableType]:
        """The next turn's shocks: already drawn when the reveal is shown."""
        c, view, turn = self.c, self.view, self.turn
        following = [e for e in view["ledger"] if e["turn"] == turn + 1 and e["phase"] == "shock"]
        nxt = next((h for h in view["history"] if h["turn"] == turn + 1), None)
        shocks = nxt["shocks"] if nxt is not None else (view["shocks_this_turn"] if view["turn"] == turn + 1 else [])
        items = []
        for shock in shocks:
            item = Text()
            item.append(c.shock_title(shock), style="bold")
            effects = [e for e in following if e["cause"] in (f"shock:{shock}", f"inject:{shock}")]
            if effects:
                item.append(": ")
                item.append_text(_effects(c, effects))
            items.append(item)
        return [_heading(f"Turn {turn + 1} began with"), _bullets(items)] if items else []


class RevealScreen(ModalScreen[None]):
    """What happened in a turn, shown after each adjudication (and on demand)."""

    DEFAULT_CSS = """
    RevealScreen { align: center middle; }
    RevealScreen #reveal-box {
        width: 112; max-width: 100%; height: 100%;
        border: thick $primary; background: $surface; padding: 0 1;
    }
    RevealScreen #reveal-title { height: auto; text-style: bold; }
    RevealScreen #reveal-scroll { height: 1fr; }
    RevealScreen #reveal-hint { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,enter,space", "close", "Close", priority=True),
        Binding("left,left_square_bracket", "turn(-1)", "Earlier turn"),
        Binding("right,right_square_bracket", "turn(1)", "Later turn"),
        Binding("up", "scroll(-1)", "Scroll up", show=False),
        Binding("down", "scroll(1)", "Scroll down", show=False),
    ]

    def __init__(self, catalog: Catalog, view: dict[str, Any], turn: int | None = None) -> None:
        super().__init__(id="reveal")
        self.catalog = catalog
        self.view = view
        turns = revealed_turns(view)
        self.turns = turns
        self.turn = turn if turn in turns else (turns[-1] if turns else 1)
        self._shown_width = 0

    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    def compose(self) -> ComposeResult:
        with Vertical(id="reveal-box"):
            yield Static(id="reveal-title")
            with VerticalScroll(id="reveal-scroll"):
                yield Static(id="reveal-body")
            yield Static(id="reveal-hint")

    def on_mount(self) -> None:
        self._show()
        self.query_one("#reveal-scroll").focus()

    def on_resize(self) -> None:
        if self._body_width() != self._shown_width:
            self._show(keep_scroll=True)

    def _body_width(self) -> int:
        """The body's width: the box's (at most 112 cells) less its border, padding and scrollbar."""
        return max(20, min(112, self.app.size.width) - 6)

    def _hint(self) -> str:
        from tui.screens.facilitator import FacilitatorScreen  # it opens this screen: imported on use

        # The ledger is a tab of the game screen; over the facilitator's console there is none.
        stack = self.app.screen_stack
        ledger = len(stack) < 2 or not isinstance(stack[-2], FacilitatorScreen)
        if self.app.size.width >= 100:
            tail = " · every change is in the Ledger tab (4)" if ledger else ""
            return "Enter/Esc: close · ←/→: earlier/later turn · ↑/↓: scroll" + tail
        return "Enter/Esc close · ←/→ turn · ↑/↓ scroll" + (" · Ledger: 4" if ledger else "")

    def _show(self, keep_scroll: bool = False) -> None:
        self._shown_width = width = self._body_width()
        update_static(self.query_one("#reveal-hint", Static), self._hint())
        title = Text(f"Revealed: turn {self.turn}", style="bold")
        if len(self.turns) > 1:
            title.append(f"  ({self.turns.index(self.turn) + 1} of {len(self.turns)} adjudicated turns)", style="dim")
        update_static(self.query_one("#reveal-title", Static), title)
        body = reveal_text(self.catalog, self.view, self.turn, width, self._reasons())
        self.query_one("#reveal-body", Static).update(body)
        if not keep_scroll:
            self.query_one("#reveal-scroll", VerticalScroll).scroll_home(animate=False)

    def _reasons(self) -> dict[tuple[str, str], str]:
        """The computer seats' stated reasons for the cards of this turn (``meta["rationales"]``),
        once the game is over, in a replay, and for the facilitator (who sees every hand and
        order anyway): during play they are each seat's private thinking (they may mention
        its hand), so other players never see them."""
        session = self.wedge.session
        shown = self.view.get("end_reason") or isinstance(session, ReplaySession) or self.wedge.seat == GM
        if session is None or not shown:
            return {}
        notes = getattr(session, "meta", {}).get("rationales")
        if not isinstance(notes, list):
            return {}
        history = session.history
        out: dict[tuple[str, str], str] = {}
        for note in notes:
            if not isinstance(note, dict) or note.get("turn") != self.turn or note.get("source") != "model":
                continue
            command = note.get("command")  # a networked game's notes carry their command
            if not isinstance(command, str):
                index = note.get("index")
                if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(history):
                    continue
                command = history[index]
            parts = command.split(":")
            if len(parts) >= 3 and parts[1] == "play":
                out[(parts[0], parts[2])] = str(note.get("text", ""))  # Text.append: never markup
        return out

    def action_turn(self, delta: int) -> None:
        if self.turn not in self.turns:
            return
        i = self.turns.index(self.turn) + delta
        if 0 <= i < len(self.turns):
            self.turn = self.turns[i]
            self._show()

    def action_scroll(self, delta: int) -> None:
        scroll = self.query_one("#reveal-scroll", VerticalScroll)
        scroll.scroll_relative(y=delta, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)


class GameOverScreen(ResultsScreen):
    """The results, with the way to the after-action report inside the dialog, under its
    title (a notification with that hint used to cover the dialog's lower part, and a long
    results list pushed the dialog's own hint off a 30-line screen)."""

    DEFAULT_CSS = """
    GameOverScreen #gameover-box {
        width: 100; max-width: 95%; height: 95%;
        border: thick $primary; background: $surface; padding: 0 2;
    }
    GameOverScreen #gameover-title { height: auto; text-style: bold; margin-top: 1; }
    GameOverScreen #gameover-hint { height: auto; color: $text-muted; margin-bottom: 1; }
    GameOverScreen #gameover-scroll { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape,enter", "close", "Close"),
        Binding("r", "report", "After-action report"),
    ]

    def compose(self) -> ComposeResult:
        c = self.catalog
        results = self.view.get("results") or {}
        body = Text()
        for role, r in results.items():
            body.append_text(literal(f"{c.role(role)}: {r['score']}/{r['max_score']}", style="bold"))
            body.append("  WINS\n" if r["won"] else "  does not win\n", style="bold" if r["won"] else "")
            for t in r["terms"]:
                mark = "✓" if t["met"] else "✗"
                req = " (required)" if t["required"] else ""
                body.append(f"   {mark} ")
                body.append_text(literal(t["label"]))
                body.append(f"{req}\n")
        with Vertical(id="gameover-box"):
            yield Static(literal(f"Game over — {self.view['end_reason']}"), id="gameover-title")
            yield Static(
                "Enter: close (board and ledger stay open) · r: after-action report (later: r or ctrl+p)",
                id="gameover-hint",
            )
            with VerticalScroll(id="gameover-scroll"):
                yield Static(body, id="results-body")

    def action_report(self) -> None:
        self.dismiss(None)
        self.app.call_later(self.app.run_action, "report")
