"""The report as Markdown: for a file (readable as plain text in a terminal) and for the TUI.

No charts here (they need the HTML file): each track gets its values per turn in a table
and its labelled moves as a list, which carries the same information in words.

``compact=True`` is the TUI's form of the same content. Textual's Markdown widget builds
a widget per table cell and per list item, which made the whole report take seconds to
lay out, while a paragraph or a code block is one widget. So in compact form tables are
fixed-width text (wrapped to fit) inside code fences and list items are paragraphs;
the words and numbers are identical.
"""

from __future__ import annotations

import textwrap

from game.report import tables as tb
from game.report.model import Report

TEXT_WIDTH = 100  # fixed-width tables are wrapped to this many columns
GAP = "  "
MIN_COLUMN = 6


def _cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _pipe_table(t: tb.Table) -> list[str]:
    align = ["---:" if i in t.numeric else "---" for i in range(len(t.headers))]
    lines = ["| " + " | ".join(_cell(h) for h in t.headers) + " |", "|" + "|".join(align) + "|"]
    lines.extend("| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows)
    return lines


def _widths(t: tb.Table, width: int) -> list[int]:
    """Natural column widths, then the widest columns shrunk until the table fits."""
    cols = len(t.headers)
    natural = [max(len(r[i]) for r in (t.headers, *t.rows)) for i in range(cols)]
    widths = list(natural)
    budget = width - len(GAP) * (cols - 1)
    while sum(widths) > budget:
        i = max(range(cols), key=lambda k: widths[k])
        if widths[i] <= MIN_COLUMN:
            break  # narrower than this is unreadable: let the block scroll sideways instead
        widths[i] -= 1
    return widths


def text_table(t: tb.Table, width: int = TEXT_WIDTH) -> list[str]:
    widths = _widths(t, width)
    out = []
    for n, row in enumerate((t.headers, *t.rows)):
        cells = [textwrap.wrap(c, w) or [""] for c, w in zip(row, widths)]
        for k in range(max(len(c) for c in cells)):
            parts = []
            for i, (c, w) in enumerate(zip(cells, widths)):
                piece = c[k] if k < len(c) else ""
                parts.append(piece.rjust(w) if i in t.numeric else piece.ljust(w))
            out.append(GAP.join(parts).rstrip())
        if n == 0:
            out.append(GAP.join("─" * w for w in widths))
    return ["```text", *out, "```"]


class _Doc:
    def __init__(self, compact: bool, width: int) -> None:
        self.compact = compact
        self.width = width
        self.lines: list[str] = []

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, t: tb.Table) -> None:
        self.lines += text_table(t, self.width) if self.compact else _pipe_table(t)
        self.lines.append("")

    def items(self, items: list[str]) -> None:
        for item in items:
            self.lines += [f"• {item}", ""] if self.compact else [f"- {item}"]
        if not self.compact:
            self.lines.append("")


def _timeline(doc: _Doc, r: Report) -> None:
    doc.table(tb.turn_summary(r))
    for role in r.roles:
        doc.add(f"### {role.name}", "")
        items = []
        for turn, played, made, got in tb.timeline(r, role.role).rows:
            text = f"**Turn {turn}** — {played}."
            if made != "—":
                text += f" Offer made: {made}."
            if got != "—":
                text += f" Offer received: {got}."
            items.append(text)
        doc.items(items)
        why = tb.reasoning(r, role.role)
        if why.rows:
            doc.add(f"#### Why {role.name} chose what it did", "", "In the seat's own words, at each decision.", "")
            doc.table(why)


def render(r: Report, compact: bool = False, width: int = TEXT_WIDTH) -> str:
    """Markdown of `r`; `width` is the width fixed-width tables are wrapped to (compact form)."""
    doc = _Doc(compact, width)
    doc.add(f"# After-action report: {r.title}", "", tb.subtitle(r), "")
    doc.add("## 1. Outcome", "")
    doc.table(tb.outcome(r))
    doc.items([f"**{name}**: " + "; ".join(items) for name, items in tb.terms(r)])
    doc.add("### Tracks at the end of each turn", "")
    doc.table(tb.tracks(r))

    doc.add("## 2. Tracks over time", "")
    doc.add("The biggest causes of each turn's significant moves (the HTML report charts them).", "")
    for t in r.tracks:
        doc.add(f"### {t.name}: {t.start} → {t.end} ({t.net:+d})", "")
        doc.items(tb.moves(r, t) or ["No significant move."])

    doc.add("## 3. Decision timeline", "")
    _timeline(doc, r)

    doc.add("## 4. Facilitator actions", "")
    fac = tb.facilitator(r)
    doc.table(fac) if fac.rows else doc.add("The facilitator did not intervene.", "")
    if r.setup:
        doc.add(tb.setup_seats(r), "")

    doc.add("## 5. Offers", "")
    offers = tb.offers(r)
    doc.table(offers) if offers.rows else doc.add("No offers were made.", "")

    doc.add("## 6. Lever scorecard", "", r.lever_rule, "")
    doc.table(tb.lever_summary(r))
    for s in r.levers:
        doc.add(f"### {s.lever.name}", "", f"*{s.lever.essay}*", "")
        cards = tb.lever_cards(r, s)
        if cards:
            doc.items(cards)
        doc.table(tb.lever_detail(r, s))

    doc.add("## 7. Debrief", "")
    for stage, items in tb.prompts(r):
        doc.add(f"### {stage}", "")
        doc.items(items)

    doc.add("## 8. Ledger", "", "Every change in the engine's ledger, in order; ⚑ marks the facilitator's actions.", "")
    rows = tuple(
        (
            str(e.n),
            str(e.turn),
            tb.phase(e.phase),
            e.subject_name,
            str(e.before),
            str(e.after),
            f"{e.delta:+d}",
            ("⚑ " if e.facilitator else "") + e.cause_text,
            e.roll,
        )
        for e in r.ledger
    )
    doc.table(tb.Table(tb.LEDGER_HEADERS, rows, tb.LEDGER_NUMERIC))
    return "\n".join(doc.lines).rstrip() + "\n"
