"""Role briefing sheets, generated from a scenario: ``wedge briefing SCENARIO --role R``.

A briefing is what one player reads before the first turn: the situation, their
objectives, every card in their deck, what the other roles can do in general terms,
and what they cannot know. It is generated from the scenario file — the same data
the engine runs — so a facilitator who edits a card or a starting value reprints the
briefings and they cannot disagree with the game.

What a briefing shows about the *other* roles is deliberately limited to what the
game makes public anyway and what diplomacy needs:

* their objective summaries (public: the rulebook and the board show every score);
* how many cards of each kind their decks hold, which tracks those cards can push up
  or down, and how many of them can be aimed at you;
* their *askable* cards in full, because an offer (§5.1) names the card you ask for.

Their private role briefings, their other card titles, texts and sources stay out.
The "what you don't know" section is derived from the rules (hand sizes, sealed
orders, offers, the shock deck and dice), not written per role, so it stays true
when a scenario changes its rules.

The sheet is built once as a list of neutral blocks and then rendered to Markdown
or to a printable HTML page, so both formats always carry the same content.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from game.describe import Describer
from game.kinds import ConditionKind
from game.scenario import models as m
from game.scenario.loader import ScenarioError, load_scenario

FORMATS = ("md", "html")
#: kind -> (one card, several cards), for sentences such as "2 sanctions, 1 event".
KIND_WORDS = {
    "sanction": ("sanction", "sanctions"),
    "tariff_carrot": ("tariff carrot", "tariff carrots"),
    "arms_sale": ("arms sale", "arms sales"),
    "framing": ("diplomatic framing card", "diplomatic framing cards"),
    "event": ("event", "events"),
}
#: kind -> its name on a card's heading.
KIND_LABEL = {
    "sanction": "sanction",
    "tariff_carrot": "tariff carrot",
    "arms_sale": "arms sale",
    "framing": "diplomatic framing",
    "event": "event",
}

# ------------------------------------------------------------------ document blocks


@dataclass(frozen=True)
class Para:
    text: str
    lead: str = ""  # rendered bold before the text


@dataclass(frozen=True)
class Bullets:
    items: tuple[Para, ...]


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Sub:
    """A sub-heading inside a section (a card, another role)."""

    text: str


Block = Para | Bullets | Table | Sub


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)
    new_page: bool = False  # printable HTML starts this section on a fresh page


@dataclass
class Briefing:
    role: str
    title: str
    subtitle: str
    sections: list[Section]


# ------------------------------------------------------------------ plain words


class _Words(Describer):
    """The shared describer, worded for the reader of one role's sheet."""

    def whose(self, role: str) -> str:
        return {"owner": "your", "target": "the target's"}.get(role, f"{self.role.get(role, role)}'s")


def _iter_effects(effects: Iterable[Any]) -> Iterator[Any]:
    """Every effect, including those nested in ``if`` branches and dice outcomes."""
    for e in effects:
        yield e
        for inner in e.nested():
            yield from _iter_effects(inner)


def _has_roll(effects: Iterable[Any]) -> bool:
    return any(isinstance(e, m.RollEffect) for e in _iter_effects(effects))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _kinds(n: int, kind: str) -> str:
    one, many = KIND_WORDS[kind]
    return f"{n} {one if n == 1 else many}"


def _band(t: m.Track, value: int) -> str:
    return next((b.label for b in t.bands if b.min <= value <= b.max), "")


def _tracks_in(cond: ConditionKind) -> set[str]:
    return set(cond.tracks_read()).union(*(_tracks_in(c) for c in cond.parts()))


# ------------------------------------------------------------------ the sections


def _situation(s: m.Scenario, role: m.Role, w: _Words) -> Section:
    sec = Section("The situation")
    if s.scenario.description:
        sec.blocks.append(Para(" ".join(s.scenario.description.split())))
    watched = set().union(*(_tracks_in(t.when) for t in role.objective.terms))
    rows = []
    for t in s.tracks:
        name = t.name + (" ★" if t.id in watched else "")
        bands = "; ".join(f"{b.min}{'' if b.min == b.max else f'–{b.max}'} {b.label}" for b in t.bands)
        rows.append((name, f"{t.start} ({_band(t, t.start)})", f"{t.min}–{t.max}", bands, " ".join(t.meaning.split())))
    sec.blocks.append(Sub("The board at the start"))
    sec.blocks.append(Table(("Track", "Start", "Range", "Bands", "What it means"), tuple(rows)))
    sec.blocks.append(Para("★ marks the tracks your objectives are judged on."))
    drifting = [t for t in s.tracks if t.drift]
    if drifting:
        items = []
        for t in drifting:
            d = t.drift
            assert d is not None
            text = f"moves toward {w.baseline(d)} by up to {d.rate} a turn"
            if d.suspended_by:
                held = " or ".join(f"the {w.window[x]} window" for x in d.suspended_by)
                moves = {"both": "", "up": " it does not rise", "down": " it does not fall"}[d.suspend]
                text += f"; while {held} is open{moves}" if moves else f", except while {held} is open"
            items.append(Para(text + ".", lead=f"{t.name}: "))
        sec.blocks.append(Sub("Drift: what happens if nobody acts"))
        sec.blocks.append(Bullets(tuple(items)))
    if s.windows:
        sec.blocks.append(Sub("Windows"))
        sec.blocks.append(
            Bullets(tuple(Para(" ".join(x.meaning.split()) or "—", lead=f"{w.window[x.id]}: ") for x in s.windows))
        )
    return sec


def _term_now(s: m.Scenario, term: m.Term) -> str:
    """A term's label with where the board stands at the start, for the summary page."""
    c = term.when
    if isinstance(c, m.TrackCond):
        start = next(t.start for t in s.tracks if t.id == c.track)
        return f"{term.label} (now {start})"
    if isinstance(c, m.FlagCond):
        on = next((f.start for f in s.flags if f.id == c.flag), False)
        return f"{term.label} ({'holds' if on is c.is_ else 'does not hold'} now)"
    return term.label


def _at_a_glance(s: m.Scenario, role: m.Role, w: _Words) -> Section:
    """The first page: enough to sit down and play a first turn in five minutes (at most
    about 400 words, tested), the rest of the sheet being reference."""
    sec = Section("At a glance")
    if role.briefing:
        sec.blocks.append(Para(" ".join(role.briefing.split()), lead=f"Your role: {role.name}. "))
    required = [t for t in role.objective.terms if t.required]
    bonus = [t for t in role.objective.terms if not t.required]
    items = [Para("; ".join(_term_now(s, t) for t in required) + ".", lead="To win, at the end all of: ")]
    if bonus:
        items.append(Para("; ".join(t.label for t in bonus) + ".", lead="Bonus points: "))
    sec.blocks.append(Bullets(tuple(items)))
    deck = [c for c in s.cards if c.role == role.id]
    kinds = [k for k in m.CARD_KINDS if any(c.kind == k for c in deck)]
    sec.blocks.append(
        Bullets(
            tuple(
                Para(", ".join(c.title for c in deck if c.kind == k) + ".", lead=f"{KIND_LABEL[k].capitalize()}: ")
                for k in kinds
            )
        )
    )
    r = s.rules
    sec.blocks.append(
        Para(
            f"a shock is drawn; you make offers and send messages, then secretly choose up to "
            f"{r.max_cards_per_turn} cards within your capital ({role.capital} now, +{role.income} a turn) and "
            f"seal; everything is revealed and resolved at once; tracks drift. {r.turns} turns.",
            lead="Each turn: ",
        )
    )
    return sec


def _objectives(s: m.Scenario, role: m.Role, w: _Words) -> Section:
    sec = Section("Your objectives")
    sec.blocks.append(Para(role.objective.summary, lead="In one line: "))
    rows = tuple(
        (t.label, w.cond(t.when), str(t.points), "required" if t.required else "bonus") for t in role.objective.terms
    )
    sec.blocks.append(Table(("Objective", "Exactly", "Points", "Required?"), rows))
    top = sum(t.points for t in role.objective.terms)
    turns = s.rules.turns
    sec.blocks.append(
        Para(
            f"Objectives are judged once, when the game ends: after the upkeep of turn {turns}, or at once if "
            f"{w.track.get(s.rules.stability_track, s.rules.stability_track)} falls to "
            f"{s.rules.crisis_at_or_below} (a strategic crisis). You win if every required objective holds "
            f"then; your score is the sum of the points of every objective that holds (at most {top}). "
            "Several roles, or none, can win."
        )
    )
    return sec


def _resources(s: m.Scenario, role: m.Role) -> Section:
    r = s.rules
    deck = [c for c in s.cards if c.role == role.id]
    items = [
        Para(
            f"{role.capital} at the start, +{role.income} each turn in upkeep, at most {role.max_capital}. "
            "Every card costs capital, paid when orders are revealed.",
            lead="Political capital: ",
        ),
        Para(
            f"you hold {role.hand_size} of the {len(deck)} cards of your deck and draw back up to "
            f"{role.hand_size} at the end of each turn.",
            lead="Hand: ",
        ),
        Para(
            f"up to {r.max_cards_per_turn} cards a turn, within your capital; you can take a card back "
            "until you seal.",
            lead="Orders: ",
        ),
    ]
    if r.max_offers_per_role:
        items.append(
            Para(
                f"up to {_plural(r.max_offers_per_role, 'offer')} a turn, at most one to each role: "
                "“if you play card A this turn, I play card B”. A must be one of their askable cards. "
                "Answer the offers you get as soon as they arrive (accepting needs the asked card in your "
                f"hand). Offers are not binding, but whoever breaks an accepted offer loses "
                f"{r.broken_offer_penalty} capital.",
                lead="Offers: ",
            )
        )
    items.append(Para("free-text private messages to any one role, seen only by the two of you.", lead="Messages: "))
    return Section("What you have", [Bullets(tuple(items))])


def _card_notes(s: m.Scenario, c: m.Card, w: _Words) -> list[str]:
    notes = []
    if c.targets:
        notes.append("target: " + " or ".join(w.role.get(t, t) for t in c.targets))
    if c.requires:
        notes.append("playable only if " + w.cond(c.requires))
    if c.coercive:
        stability = w.track.get(s.rules.stability_track, s.rules.stability_track)
        notes.append(f"coercive: cannot be played while {stability} is {s.rules.coercive_blocked_at_or_below} or less")
    if c.askable:
        notes.append("askable (others may ask you for it in an offer)")
    if c.remove_after_use:
        notes.append("one use: removed from the game after it resolves")
    return notes


def _your_cards(s: m.Scenario, role: m.Role, w: _Words) -> Section:
    sec = Section("Your cards", new_page=True)
    deck = [c for c in s.cards if c.role == role.id]
    order = ", ".join(KIND_WORDS[k][1] for k in s.rules.resolution_order)
    sec.blocks.append(
        Para(
            f"Your deck holds {_plural(len(deck), 'card')}. When orders are revealed, cards resolve by kind in "
            f"this order: {order}; within a kind, roles resolve in the order "
            f"{', '.join(r.name for r in s.roles)}."
        )
    )
    for kind in m.CARD_KINDS:
        cards = [c for c in deck if c.kind == kind]
        if not cards:
            continue
        for c in cards:
            sec.blocks.append(Sub(f"{c.title} — {KIND_LABEL[kind]}, cost {c.cost}"))
            items = [Para(" ".join(c.text.split()), lead="What it does: ")]
            items.append(Para(w.effects(c.effects), lead="Exactly: "))
            notes = _card_notes(s, c, w)
            if notes:
                items.append(Para("; ".join(notes) + ".", lead="Rules: "))
            items.append(Para(c.source, lead="Source: "))
            sec.blocks.append(Bullets(tuple(items)))
    return sec


def _pushes(cards: list[m.Card], w: _Words) -> tuple[list[str], list[str]]:
    up: dict[str, None] = {}
    down: dict[str, None] = {}
    for c in cards:
        for e in _iter_effects(c.effects):
            if isinstance(e, m.ShiftEffect) and e.amount:
                (up if e.amount > 0 else down)[w.track.get(e.track, e.track)] = None
    return list(up), list(down)


def _others(s: m.Scenario, role: m.Role, w: _Words) -> Section:
    sec = Section("What the others can do", new_page=True)
    sec.blocks.append(
        Para(
            "Every role plays cards of the same four kinds as you. Below: what each is after (public — the "
            "board shows every role's score), what its deck can move, and the cards you may ask it for in an "
            "offer. Which of its cards it holds right now, and what it has ordered, you do not know."
        )
    )
    for other in s.roles:
        if other.id == role.id:
            continue
        deck = [c for c in s.cards if c.role == other.id]
        counts = ", ".join(
            _kinds(sum(1 for c in deck if c.kind == k), k) for k in m.CARD_KINDS if any(c.kind == k for c in deck)
        )
        up, down = _pushes(deck, w)
        aimed = [c for c in deck if role.id in c.targets]
        sec.blocks.append(Sub(other.name))
        items = [
            Para(other.objective.summary, lead="After: "),
            Para(
                f"{other.capital} capital (+{other.income} a turn), {other.hand_size} cards in hand from a deck of "
                f"{len(deck)}: {counts}.",
                lead="Means: ",
            ),
        ]
        if up:
            items.append(Para(", ".join(up) + ".", lead="Its cards can raise: "))
        if down:
            items.append(Para(", ".join(down) + ".", lead="Its cards can lower: "))
        if aimed:
            coercive = sum(1 for c in aimed if c.coercive)
            text = f"{_plural(len(aimed), 'card')} of its deck can be aimed at you"
            items.append(Para(text + (f" ({coercive} coercive)." if coercive else ".")))
        sec.blocks.append(Bullets(tuple(items)))
        askable = [c for c in deck if c.askable]
        if askable:
            rows = tuple(
                (c.title, KIND_LABEL[c.kind], str(c.cost), w.effects(c.effects)) for c in askable
            )
            sec.blocks.append(Para("", lead=f"Cards you can ask {other.name} for in an offer:"))
            sec.blocks.append(Table(("Card", "Kind", "Cost", "Effects"), rows))
    return sec


def _unknowns(s: m.Scenario, role: m.Role, w: _Words) -> Section:
    r = s.rules
    others = [x for x in s.roles if x.id != role.id]
    hands = "; ".join(
        f"{x.name} holds {x.hand_size} of {sum(1 for c in s.cards if c.role == x.id)}" for x in others
    )
    items = [
        Para(
            f"You see how many cards each role holds, never which ({hands}). Which cards they have played is "
            "public once revealed.",
            lead="Their hands. ",
        ),
        Para(
            "Every role writes its orders at the same time and seals them; nobody sees another role's order "
            "until all are revealed at the start of adjudication.",
            lead="Their orders. ",
        ),
    ]
    if r.max_offers_per_role:
        items.append(
            Para(
                "An offer is seen only by the two roles concerned until the reveal, and nobody knows whether an "
                "accepted offer will be kept until then. Messages between two other roles you never see.",
                lead="Other roles' deals. ",
            )
        )
    in_deck = [x for x in s.shocks if x.in_deck]
    joining = [x for x in s.shocks if not x.in_deck and x.add_when]
    per_turn = _plural(r.shocks_per_turn, "shock")
    stability = w.track.get(r.stability_track, r.stability_track)
    shock_text = (
        f"Each turn opens with {per_turn} drawn at random from the shock deck (one more while {stability} is "
        f"{r.extra_shock_at_or_below} or less); likelier shocks weigh more, and the weights move with the board. "
        f"You know which shocks are in the deck — {len(in_deck)} at the start"
    )
    shock_text += f", and {len(joining)} more can join when events trigger them" if joining else ""
    shock_text += " — but not which comes next. The facilitator can also inject a shock at any time."
    items.append(Para(shock_text, lead="The next shock. "))
    yours = [c for c in s.cards if c.role == role.id]
    dice = [c.title for c in yours if _has_roll(c.effects)]
    dice_text = "Contested outcomes are settled by dice at adjudication."
    if dice:
        dice_text += f" Of your cards, these roll: {', '.join(dice)}."
    items.append(Para(dice_text, lead="The dice. "))
    items.append(
        Para(
            f"Your deck is shuffled: which of your {len(yours)} cards you draw next is luck.",
            lead="Your own next draw. ",
        )
    )
    sec = Section("What you don't know", [Bullets(tuple(items))])
    if in_deck:
        sec.blocks.append(Sub("The shock deck at the start"))
        sec.blocks.append(Bullets(tuple(Para(" ".join(x.text.split()), lead=f"{x.title}: ") for x in in_deck)))
    if joining:
        sec.blocks.append(Sub("Shocks that can join the deck"))
        sec.blocks.append(
            Bullets(
                tuple(
                    Para(f"joins the deck once {w.cond(x.add_when)}.", lead=f"{x.title}: ")
                    for x in joining
                    if x.add_when is not None
                )
            )
        )
    return sec


def _turn(s: m.Scenario) -> Section:
    what = {
        "shock": "shocks are drawn and applied.",
        "diplomacy": "offers and private messages; say you are done.",
        "orders": "choose your cards secretly, then seal your order.",
        "adjudication": "orders are revealed, paid for and resolved; offers are checked.",
        "upkeep": "drift, windows close, the shock deck changes, income, draw.",
    }
    items = tuple(Para(what[p], lead=f"{p.capitalize()}: ") for p in s.rules.phases)
    turns = s.rules.turns
    return Section(f"A turn ({turns} turns of about six months)", [Bullets(items)])


def build(s: m.Scenario, role_id: str) -> Briefing:
    """The briefing sheet of one role; `role_id` must be a role of `s`."""
    role = next(r for r in s.roles if r.id == role_id)
    w = _Words(s)
    sections = [
        _at_a_glance(s, role, w),
        _situation(s, role, w),
        _objectives(s, role, w),
        _resources(s, role),
        _turn(s),
        _your_cards(s, role, w),
        _others(s, role, w),
        _unknowns(s, role, w),
    ]
    return Briefing(role.id, f"{role.name} — role briefing", s.scenario.title, sections)


# ------------------------------------------------------------------ rendering


def _md_cell(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip()


def _md_para(p: Para) -> str:
    return (f"**{p.lead.strip()}** " if p.lead else "") + p.text


def render_md(b: Briefing) -> str:
    out = [f"# {b.title}", "", f"*{b.subtitle}*", ""]
    for sec in b.sections:
        out += [f"## {sec.title}", ""]
        for block in sec.blocks:
            if isinstance(block, Sub):
                out += [f"### {block.text}", ""]
            elif isinstance(block, Para):
                out += [_md_para(block).strip(), ""]
            elif isinstance(block, Bullets):
                out += [f"- {_md_para(p)}" for p in block.items] + [""]
            else:
                out.append("| " + " | ".join(_md_cell(h) for h in block.headers) + " |")
                out.append("|" + "---|" * len(block.headers))
                out += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in block.rows]
                out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """
@page { size: A4; margin: 16mm 14mm; }
body { font: 10.5pt/1.4 Georgia, 'Times New Roman', serif; color: #111; max-width: 52em; margin: 1em auto;
       padding: 0 1em; }
h1 { font-size: 20pt; margin: 0 0 .1em; }
.subtitle { font-style: italic; margin: 0 0 1.2em; color: #333; }
h2 { font-size: 14pt; border-bottom: 2px solid #111; margin: 1.4em 0 .5em; }
h3 { font-size: 11.5pt; margin: 1em 0 .3em; break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .4em 0 .8em; font-size: 9.5pt; }
th, td { border: 1px solid #777; padding: 3px 5px; vertical-align: top; text-align: left; }
th { background: #e8e8e8; }
tr, li { break-inside: avoid; }
ul { margin: .2em 0 .6em; padding-left: 1.3em; }
section.new-page { break-before: page; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _html_para(p: Para) -> str:
    lead = f"<strong>{html.escape(p.lead.strip())}</strong> " if p.lead else ""
    return lead + html.escape(p.text)


def render_html(b: Briefing) -> str:
    e = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{e(b.title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{e(b.title)}</h1>",
        f'<p class="subtitle">{e(b.subtitle)}</p>',
    ]
    for sec in b.sections:
        out.append('<section class="new-page">' if sec.new_page else "<section>")
        out.append(f"<h2>{e(sec.title)}</h2>")
        for block in sec.blocks:
            if isinstance(block, Sub):
                out.append(f"<h3>{e(block.text)}</h3>")
            elif isinstance(block, Para):
                out.append(f"<p>{_html_para(block)}</p>")
            elif isinstance(block, Bullets):
                out.append("<ul>" + "".join(f"<li>{_html_para(p)}</li>" for p in block.items) + "</ul>")
            else:
                head = "".join(f"<th>{e(h)}</th>" for h in block.headers)
                body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in row) + "</tr>" for row in block.rows)
                out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        out.append("</section>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


def render(b: Briefing, fmt: str) -> str:
    return render_html(b) if fmt == "html" else render_md(b)


# ------------------------------------------------------------------ the command


def _fail(message: str, code: int) -> int:
    print(f"wedge: {message}", file=sys.stderr)
    return code


def _write(path: Path, text: str) -> None:
    """Write atomically, so an interrupted run never leaves half a briefing to print."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def cmd_briefing(args: argparse.Namespace) -> int:
    try:
        s = load_scenario(args.scenario)
    except ScenarioError as exc:
        # One line: the first problem, located; `wedge validate` lists every one.
        first = exc.problems[0] if exc.problems else None
        more = len(exc.problems) - 1
        line = str(first) if first else f"{args.scenario}: not a scenario"
        if more > 0:
            line += f" (and {_plural(more, 'more problem')}: wedge validate {args.scenario} lists them)"
        print(line, file=sys.stderr)
        return 1
    ids = [r.id for r in s.roles]
    if args.role != "all" and args.role not in ids:
        return _fail(f"no role {args.role!r} in {args.scenario}; roles are: {', '.join(ids)} (or all)", 2)
    ext = "html" if args.format == "html" else "md"
    try:
        if args.role != "all":
            text = render(build(s, args.role), args.format)
            if args.out:
                _write(Path(args.out), text)
                print(f"{args.out}: {args.role} briefing ({args.format})")
            else:
                sys.stdout.write(text)
            return 0
        folder = Path(args.out or ".")
        folder.mkdir(parents=True, exist_ok=True)
        for rid in ids:
            path = folder / f"{s.scenario.id}-{rid}.{ext}"
            _write(path, render(build(s, rid), args.format))
            print(f"{path}: {rid} briefing ({args.format})")
    except OSError as exc:
        where = exc.filename or args.out
        return _fail(f"cannot write {where}: {exc.strerror or exc}", 1)
    return 0

