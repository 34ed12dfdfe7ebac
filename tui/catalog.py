"""Names, bands and plain-word descriptions from the (public) scenario, for display.

Everything here is derived from the scenario model and from views; nothing reads a
game state.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from game import safejson
from game.compiled import Compiled, compile_scenario
from game.describe import Describer
from game.scenario.models import Card, Scenario, Track
from game.state import ROLL
from tui.names import Names

CUSTOM_SHOCK = "gm:inject-custom:"

KIND_LABELS = {
    "sanction": "sanction",
    "tariff_carrot": "tariff carrot",
    "arms_sale": "arms sale",
    "framing": "framing",
    "event": "event",
}
PHASE_LABELS = {
    "shock": "Shock",
    "diplomacy": "Diplomacy",
    "orders": "Orders",
    "adjudication": "Adjudication",
    "upkeep": "Upkeep",
    "over": "Game over",
}


@dataclass(frozen=True)
class CardInfo:
    id: str
    title: str
    kind: str
    role: str
    cost: int
    coercive: bool
    askable: bool
    removed_after_use: bool
    targets: tuple[str, ...]
    requires: str
    effects: str
    text: str
    source: str

    @property
    def tags(self) -> str:
        tags = []
        if self.coercive:
            tags.append("coercive")
        if self.askable:
            tags.append("askable")
        if self.removed_after_use:
            tags.append("one use")
        return ", ".join(tags)


class Catalog:
    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.describer = Describer(scenario)
        self.tracks: dict[str, Track] = {t.id: t for t in scenario.tracks}
        self.role_names = {r.id: r.name for r in scenario.roles}
        self.role_ids = tuple(r.id for r in scenario.roles)
        self.shock_titles = {x.id: x.title for x in scenario.shocks}
        self.window_names = {w.id: w.name for w in scenario.windows}
        self.flag_names = {f.id: f.name for f in scenario.flags}
        self.objectives = {r.id: r.objective for r in scenario.roles}
        self.pressure_names = {x.id: x.name for x in scenario.pressures}
        self.cards: dict[str, CardInfo] = {c.id: self._card(c) for c in scenario.cards}
        self._compiled: Compiled | None = None
        #: titles of the facilitator's custom shocks (``gm:inject-custom:{json}``), by id
        self.custom_shock_titles: dict[str, str] = {}
        self._learned: tuple[int, str] = (0, "")

    def _card(self, c: Card) -> CardInfo:
        d = self.describer
        return CardInfo(
            id=c.id,
            title=c.title,
            kind=c.kind,
            role=c.role,
            cost=c.cost,
            coercive=c.coercive,
            askable=c.askable,
            removed_after_use=c.remove_after_use,
            targets=tuple(c.targets),
            requires=d.cond(c.requires) if c.requires is not None else "",
            effects=d.effects(list(c.effects)),
            text=c.text,
            source=c.source,
        )

    @property
    def compiled(self) -> Compiled:
        if self._compiled is None:
            self._compiled = compile_scenario(self.scenario)
        return self._compiled

    # -- names ----------------------------------------------------------------------
    def role(self, role: str) -> str:
        return self.role_names.get(role, role)

    def short_role(self, role: str) -> str:
        return {"us": "US", "prc": "PRC"}.get(role, role.capitalize())

    def card_title(self, card: str) -> str:
        info = self.cards.get(card)
        return info.title if info else card

    def shock_title(self, shock: str) -> str:
        """A shock's title: the scenario's, or a custom shock's (see :meth:`learn`); else its id."""
        return self.shock_titles.get(shock) or self.custom_shock_titles.get(shock) or shock

    def learn(self, history: list[str]) -> None:
        """Note the titles of the custom shocks the facilitator injected (their title is only in
        the ``gm:inject-custom:{json}`` command). Cheap when nothing was added since last time."""
        seen, last = self._learned
        if len(history) < seen or (seen and history[seen - 1] != last):
            seen = 0  # another game (or a replay) — read it from the start
        for command in history[seen:]:
            if command.startswith(CUSTOM_SHOCK):
                try:
                    shock = safejson.loads(command.removeprefix(CUSTOM_SHOCK))
                except ValueError:
                    continue
                if isinstance(shock, dict) and isinstance(shock.get("id"), str):
                    self.custom_shock_titles[shock["id"]] = str(shock.get("title") or shock["id"])
        self._learned = (len(history), history[-1] if history else "")

    def track_name(self, track: str) -> str:
        t = self.tracks.get(track)
        return t.name if t else track

    def band(self, track: str, value: int) -> str:
        t = self.tracks.get(track)
        if t is None:
            return ""
        for b in t.bands:
            if b.min <= value <= b.max:
                return b.label
        return ""

    def cause(self, cause: str) -> str:
        """A ledger cause in plain words."""
        kind, _, rest = cause.partition(":")
        if kind == "card":
            info = self.cards.get(rest)
            return f"{info.title} ({self.short_role(info.role)})" if info else cause
        if kind == "cost":
            return f"cost of {self.card_title(rest)}"
        if kind == "shock":
            return f"shock: {self.shock_title(rest)}"
        if kind == "inject":
            return f"injected shock: {self.shock_title(rest)}"
        if kind == "offer":
            n, _, what = rest.partition(":")
            return f"offer {n} {what}"
        if kind == "override":
            return f"facilitator override: {rest}"
        if kind == "pressure":
            return f"pressure: {self.pressure_names.get(rest, rest)}"
        return cause

    def offer_outcome(self, status: str, outcome: str) -> str:
        """An offer's outcome once adjudicated: kept / broken by … ("" before; "—" when
        declined, as there was no deal to keep and the status already says so)."""
        if status != "accepted" and outcome in ("", status, "declined"):
            return "—" if outcome else ""
        if outcome.startswith("broken:"):
            return "broken by " + ", ".join(self.short_role(r) for r in outcome.removeprefix("broken:").split(","))
        return outcome

    def offer_result(self, status: str, outcome: str) -> str:
        """Answer and outcome in one phrase, each word once ("accepted, kept", "declined")."""
        shown = self.offer_outcome(status, outcome)
        return f"{status}, {shown}" if shown and shown != "—" else status

    def track_names(self, track: str) -> Names:
        """A track's full name and its short one (the full one again when it has none)."""
        t = self.tracks.get(track)
        if t is None:
            return Names(track, track)
        return Names(t.name, t.short or t.name)

    def subject_names(self, subject: str) -> Names | str:
        """A ledger subject for a table cell: a track's full and short names, else its words."""
        return self.track_names(subject) if subject in self.tracks else self.subject(subject)

    def subject(self, subject: str) -> str:
        if subject == ROLL:
            return "dice roll"
        if subject.startswith("capital:"):
            return f"{self.short_role(subject.removeprefix('capital:'))} capital"
        return self.track_name(subject)

    # -- derived from views ------------------------------------------------------------
    def trajectory(self, view: dict[str, Any], track: str) -> list[int]:
        """The track's value at the start of the game and after every turn so far (from the ledger)."""
        t = self.tracks[track]
        values = [t.start]
        current = t.start
        turn = 1
        for e in view["ledger"]:
            while e["turn"] > turn:
                values.append(current)
                turn += 1
            if e["subject"] == track:
                current = e["after"]
        values.append(current)
        return values

    def objective_status(self, view: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Per role: score, max, won, terms — as if the game ended now (final results once over)."""
        if view.get("results"):
            return dict(view["results"])
        sc = self.compiled
        flags = 0
        for f in view["flags"]:
            flags |= 1 << sc.flag_index[f]
        reader = SimpleNamespace(
            tracks=tuple(view["tracks"][t] for t in sc.track_ids),
            turn_start=tuple(view["turn_start"][t] for t in sc.track_ids),
            flags=flags,
            windows=tuple(view["windows"].get(w, 0) for w in sc.window_ids),
            turn=view["turn"],
            revealed=tuple(() for _ in sc.role_ids),
        )
        out: dict[str, dict[str, Any]] = {}
        for role, terms in zip(sc.role_ids, sc.objectives):
            met = [bool(t.cond(reader)) for t in terms]
            out[role] = {
                "score": sum(t.points for t, ok in zip(terms, met) if ok),
                "max_score": sum(t.points for t in terms),
                "won": all(ok for t, ok in zip(terms, met) if t.required),
                "terms": [{"label": t.label, "met": ok, "required": t.required} for t, ok in zip(terms, met)],
            }
        return out

    def objective_terms(self, view: dict[str, Any], role: str) -> list[dict[str, Any]]:
        """The role's objective term by term, as if the game ended now (the final verdict once
        over): label, met, required, points, and what a track term looks at now ("now 74")."""
        status = self.objective_status(view).get(role)
        model = self.objectives.get(role)
        if status is None or model is None:
            return []
        out = []
        for term, shown in zip(model.terms, status["terms"]):
            out.append({**shown, "points": term.points, "now": _term_value(term.when, view)})
        return out


def _term_value(when: Any, view: dict[str, Any]) -> str:
    """What a simple objective term looks at, now ("now 74"), or ""."""
    test = getattr(when, "test", "")
    track = getattr(when, "track", None)
    if test == "track" and track in view["tracks"]:
        return f"now {view['tracks'][track]}"
    if test == "delta" and track in view["tracks"]:
        return f"now {view['tracks'][track] - view['turn_start'][track]:+d} this turn"
    return ""


def sparkline(values: list[int], lo: int, hi: int) -> str:
    """Values as block characters scaled to [lo, hi]."""
    blocks = "▁▂▃▄▅▆▇█"
    span = max(1, hi - lo)
    return "".join(blocks[min(7, max(0, (v - lo) * 8 // (span + 1)))] for v in values)
