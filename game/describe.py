"""Effects and conditions in plain words, for the rulebook, briefings and the UI.

Reads the scenario models directly (never the compiled closures), so what players
read is generated from exactly the data the engine runs. Each effect and condition
kind words itself (:meth:`game.kinds.base.Kind.describe`) with the names held here.
"""

from __future__ import annotations

from collections.abc import Sequence

from game.kinds import ConditionKind, EffectKind
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

    def whose(self, role: str) -> str:
        """Whose capital an effect changes; a role's own sheet says "your"."""
        return self.who(role)

    def cond(self, c: ConditionKind) -> str:
        return c.describe(self)

    def effects(self, effs: Sequence[EffectKind]) -> str:
        return "; ".join(self.effect(e) for e in effs) or "nothing"

    def effect(self, e: EffectKind) -> str:
        return e.describe(self)


def _bare_window(name: str) -> str:
    """A window's name without a trailing "window", for phrases that supply the word."""
    head, sep, tail = name.rpartition(" ")
    return head if sep and tail.lower() == "window" else name
