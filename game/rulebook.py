"""Regenerate the data tables in rulebook.md from a scenario.

The prose of the rulebook is written by hand; the effect and condition kinds' tables
(from :mod:`game.kinds`) and the track, role, card and shock tables live between
``<!-- BEGIN GENERATED name -->`` and ``<!-- END GENERATED name -->`` markers and are
rebuilt from the scenario, so the rules players read cannot drift from the data the
engine runs.
"""

from __future__ import annotations

import re

from game.describe import Describer
from game.kinds import CONDITIONS, EFFECTS
from game.kinds.base import STATE_PARTS, Kind
from game.scenario.models import Card, Scenario

SECTIONS = ("effects", "conditions", "tracks", "roles", "cards", "shocks")
_MARK = re.compile(r"(<!-- BEGIN GENERATED (\w+) -->\n)(.*?)(<!-- END GENERATED \2 -->)", re.S)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").strip()


def _row(*cells: object) -> str:
    return "| " + " | ".join(_cell(str(c)) for c in cells) + " |"


def _tracks(s: Scenario, d: Describer) -> list[str]:
    out = ["| Track | Range (start) | Bands | Drift | Meaning |", "|---|---|---|---|---|"]
    for t in s.tracks:
        bands = "; ".join(f"{b.min}–{b.max} {b.label}" for b in t.bands)
        drift = d.drift(t.drift) if t.drift else "—"
        meaning = t.meaning + (f" *Start: {t.source}*" if t.source else "")
        out.append(_row(f"{t.name} (`{t.id}`)", f"{t.min}–{t.max} ({t.start})", bands, drift, meaning))
    return out


def _flags(s: Scenario) -> list[str]:
    out = ["| Flag | At the start | Meaning |", "|---|---|---|"]
    for f in s.flags:
        start = "**yes**" + (f" — {f.source}" if f.source else "") if f.start else "no"
        out.append(_row(f"{f.name} (`{f.id}`)", start, f.meaning))
    return out


def _roles(s: Scenario, d: Describer) -> list[str]:
    out = ["| Role | Capital (income, max) | Hand | Objective | Terms |", "|---|---|---|---|---|"]
    for r in s.roles:
        terms = "; ".join(
            f"{t.label} — {d.cond(t.when)} ({t.points} pt{'s' if t.points != 1 else ''}"
            f"{', required' if t.required else ''})"
            for t in r.objective.terms
        )
        capital = f"{r.capital} (+{r.income}, {r.max_capital})"
        out.append(_row(f"{r.name} (`{r.id}`)", capital, r.hand_size, r.objective.summary, terms))
    return out


def _card_notes(c: Card, d: Describer) -> str:
    notes = []
    if c.coercive:
        notes.append("coercive")
    if c.remove_after_use:
        notes.append("removed after use")
    if c.askable:
        notes.append("askable")
    if c.targets:
        notes.append("target: " + "/".join(d.role[t] for t in c.targets))
    if c.requires:
        notes.append("requires " + d.cond(c.requires))
    return f" *({'; '.join(notes)})*" if notes else ""


def _cards(s: Scenario, d: Describer) -> list[str]:
    out: list[str] = []
    for r in s.roles:
        out += [f"**{r.name}**", "", "| Card | Kind | Cost | Effects | Source |", "|---|---|---|---|---|"]
        for c in (c for c in s.cards if c.role == r.id):
            title = f"{c.title} (`{c.id}`){_card_notes(c, d)}"
            out.append(_row(title, c.kind.replace("_", " "), c.cost, d.effects(c.effects), c.source))
        out.append("")
    return out


def _shocks(s: Scenario, d: Describer) -> list[str]:
    out = ["| Shock | Weight | In deck | Effects | Source | Base rate |", "|---|---|---|---|---|---|"]
    for x in s.shocks:
        weight = str(x.weight) + "".join(f"; {wm.add:+d} if {d.cond(wm.when)}" for wm in x.weight_mods)
        deck = "yes" if x.in_deck else "no"
        if x.add_when:
            deck += f"; added when {d.cond(x.add_when)}"
        if x.remove_when:
            deck += f"; removed when {d.cond(x.remove_when)}"
        if x.recurring:
            deck += "; recurring"
        out.append(_row(f"{x.title} (`{x.id}`)", weight, deck, d.effects(x.effects), x.source, x.base_rate or "—"))
    return out


def _pressures(s: Scenario, d: Describer) -> list[str]:
    if not s.pressures:
        return ["This scenario has no pressures."]
    out = ["| Pressure | While | Effects each upkeep | Source |", "|---|---|---|---|"]
    for p in s.pressures:
        when = d.cond(p.when) if p.when is not None else "always"
        out.append(_row(f"{p.name} (`{p.id}`)", when, d.effects(p.effects), p.source))
    return out


def _fields(kind: type[Kind]) -> str:
    """A kind's fields as written in YAML; optional ones in brackets."""
    names = []
    for name, info in kind.model_fields.items():
        if name == kind.tag_field:
            continue
        key = f"`{info.alias or name}`"
        names.append(key if info.is_required() else f"[{key}]")
    return ", ".join(names) or "—"


def _effect_kinds() -> list[str]:
    out = ["| effect | fields | what it does | changes |", "|---|---|---|---|"]
    for tag, kind in EFFECTS.items():
        changes = ", ".join(STATE_PARTS[p] for p in sorted(kind.touches)) or "only through its nested effects"
        out.append(_row(f"`{tag}`", _fields(kind), kind.summary, changes))
    return out


def _condition_kinds() -> list[str]:
    out = ["| condition | fields | true when |", "|---|---|---|"]
    for tag, kind in CONDITIONS.items():
        out.append(_row(f"`{tag}`", _fields(kind), kind.summary))
    return out


def render(s: Scenario) -> dict[str, str]:
    d = Describer(s)
    return {
        "effects": "\n".join(_effect_kinds()) + "\n",
        "conditions": "\n".join(_condition_kinds()) + "\n",
        "tracks": "\n".join(_tracks(s, d)) + "\n",
        "pressures": "\n".join(_pressures(s, d)) + "\n",
        "flags": "\n".join(_flags(s)) + "\n",
        "roles": "\n".join(_roles(s, d)) + "\n",
        "cards": "\n".join(_cards(s, d)).rstrip() + "\n",
        "shocks": "\n".join(_shocks(s, d)) + "\n",
    }


def update(text: str, s: Scenario) -> str:
    """Return `text` with every generated section replaced; unknown markers are left alone."""
    tables = render(s)

    def sub(mt: re.Match[str]) -> str:
        name = mt.group(2)
        if name not in tables:
            return mt.group(0)
        return mt.group(1) + tables[name] + mt.group(4)

    return _MARK.sub(sub, text)
