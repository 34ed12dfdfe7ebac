"""Effects and conditions in plain words, for the rulebook, briefings and the UI.

Reads the scenario models directly (never the compiled closures), so what players
read is generated from exactly the data the engine runs.
"""

from __future__ import annotations

from typing import Any

from game.scenario import models as m


class Describer:
    def __init__(self, s: m.Scenario) -> None:
        self.track = {t.id: t.name for t in s.tracks}
        self.flag = {f.id: f.name for f in s.flags}
        # Window names often end in "window" already ("Far East window"); the phrases
        # below add the word themselves, so strip it to avoid "the Far East window window".
        self.window = {w.id: _bare_window(w.name) for w in s.windows}
        self.role = {r.id: r.name for r in s.roles}
        self.card = {c.id: c.title for c in s.cards}
        self.shock = {x.id: x.title for x in s.shocks}

    def baseline(self, d: m.Drift) -> str:
        """A drift's baseline as an expression: "38 + Russia's dependence × 1/2 − …"."""
        base = str(d.base)
        for t in d.all_terms():
            sign = "−" if t.num < 0 else "+"
            factor = f"{abs(t.num)}/{t.den}" if t.den != 1 else str(abs(t.num))
            base += f" {sign} {self.track.get(t.track, t.track)} × {factor}"
        return base

    def drift(self, d: m.Drift) -> str:
        """A drift rule in words: its baseline, rate and what holds it back."""
        text = f"toward {self.baseline(d)}, ±{d.rate}/turn"
        if d.suspended_by:
            held = " or ".join(self.window.get(w, w) for w in d.suspended_by)
            moves = {"both": "", "up": " upward", "down": " downward"}[d.suspend]
            text += f" (no{moves} drift while the {held} window is open)"
        return text

    def who(self, role: str) -> str:
        return {"owner": "you", "target": "the target"}.get(role, self.role.get(role, role))

    def cond(self, c: Any) -> str:  # noqa: C901 - one branch per condition type
        if isinstance(c, (m.TrackCond, m.DeltaCond)):
            name = self.track.get(c.track, c.track)
            if isinstance(c, m.DeltaCond):
                name = f"the change in {name} this turn"
            if c.min is not None and c.max is not None:
                return f"{name} is {c.min}–{c.max}"
            if c.min is not None:
                return f"{name} is {c.min:+d} or more" if isinstance(c, m.DeltaCond) else f"{name} ≥ {c.min}"
            if c.max is not None:
                return f"{name} is {c.max:+d} or less" if isinstance(c, m.DeltaCond) else f"{name} ≤ {c.max}"
            return "always"
        if isinstance(c, m.FlagCond):
            return f"{self.flag.get(c.flag, c.flag)}" if c.is_ else f"not {self.flag.get(c.flag, c.flag)}"
        if isinstance(c, m.WindowCond):
            return f"the {self.window.get(c.window, c.window)} window is open"
        if isinstance(c, m.PlayedCond):
            what = (
                self.card.get(c.card, c.card)
                if c.card
                else (f"a {c.kind.replace('_', ' ')} card" if c.kind else "a card")
            )
            return f"{self.who(c.role)} played {what} this turn"
        if isinstance(c, m.TargetCond):
            return f"the target is {self.who(c.role)}"
        if isinstance(c, m.TurnCond):
            if c.min is not None and c.max is not None:
                return f"turn {c.min}–{c.max}"
            return f"turn ≥ {c.min}" if c.min is not None else f"turn ≤ {c.max}"
        if isinstance(c, m.AllCond):
            return " and ".join(self.cond(x) for x in c.of)
        if isinstance(c, m.AnyCond):
            return "(" + " or ".join(self.cond(x) for x in c.of) + ")"
        if isinstance(c, m.NotCond):
            return f"not ({self.cond(c.of)})"
        return str(c)

    def effects(self, effs: list[Any]) -> str:
        return "; ".join(self.effect(e) for e in effs) or "nothing"

    def effect(self, e: Any) -> str:  # noqa: C901 - one branch per effect type
        if isinstance(e, m.ShiftEffect):
            return f"{self.track.get(e.track, e.track)} {e.amount:+d}"
        if isinstance(e, m.SetEffect):
            return f"{self.track.get(e.track, e.track)} set to {e.value}"
        if isinstance(e, m.CapitalEffect):
            return f"{self.who(e.role)} capital {e.amount:+d}"
        if isinstance(e, m.RollEffect):
            mods = []
            for md in e.modifiers:
                if md.add:
                    mods.append(f"{md.add:+d}" + (f" if {self.cond(md.when)}" if md.when else ""))
                if md.track:
                    per = "" if md.per == 1 else f"/{md.per}"
                    mods.append(f"+({self.track.get(md.track, md.track)} − {md.above}){per}")
            bands = ", ".join(
                f"{o.min}–{o.max}{' ' + o.label if o.label else ''}: {self.effects(o.effects)}" for o in e.outcomes
            )
            head = f"roll {e.dice}" + (" " + " ".join(mods) if mods else "")
            return f"{head} → [{bands}]"
        if isinstance(e, m.IfEffect):
            text = f"if {self.cond(e.when)}: {self.effects(e.then)}"
            return text + (f", otherwise {self.effects(e.else_)}" if e.else_ else "")
        if isinstance(e, m.FlagEffect):
            name = self.flag.get(e.flag, e.flag)
            return f"set {name}" if e.value else f"clear {name}"
        if isinstance(e, m.OpenWindowEffect):
            return f"open the {self.window.get(e.window, e.window)} window for {e.turns} turn(s)"
        if isinstance(e, m.CloseWindowEffect):
            return f"close the {self.window.get(e.window, e.window)} window"
        if isinstance(e, m.AddShockEffect):
            return f"add '{self.shock.get(e.shock, e.shock)}' to the shock deck"
        if isinstance(e, m.RemoveShockEffect):
            return f"remove '{self.shock.get(e.shock, e.shock)}' from the shock deck"
        if isinstance(e, m.ReweightShockEffect):
            return f"'{self.shock.get(e.shock, e.shock)}' weight {e.delta:+d}"
        if isinstance(e, m.DrawEffect):
            return f"{self.who(e.role)} draw {e.count}"
        if isinstance(e, m.DiscardEffect):
            return f"{self.who(e.role)} discard {e.count} at random"
        if isinstance(e, m.BlockKindEffect):
            whose = f"{self.who(e.role)}'s " if e.role else ""
            return f"block {whose}{e.kind.replace('_', ' ')} cards for {e.turns} turn(s)"
        return str(e)


def _bare_window(name: str) -> str:
    """A window's name without a trailing "window", for phrases that supply the word."""
    head, sep, tail = name.rpartition(" ")
    return head if sep and tail.lower() == "window" else name
