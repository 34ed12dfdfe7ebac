"""Write the golden game log ``tests/report/golden/game.json`` the report tests read.

Run ``.venv/bin/python tests/report/make_golden.py`` only when the engine changed so that
the committed log no longer replays (the report tests then say so), and regenerate the
Markdown snapshot afterwards (see ``test_report.py``).

The game is the standard scenario played by seeded random choices, steered so that it
exercises everything the after-action report shows: every turn the US offers a deal
and the addressee accepts; one accepted offer is broken on purpose; the facilitator
injects a shock, overrides a track and a role's capital with reasons, hands a seat to
an AI, pauses, forces an absent role's seal and rolls a turn back.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from game import rng  # noqa: E402
from game.commands import Command  # noqa: E402
from game.compiled import Compiled, compile_scenario  # noqa: E402
from game.record import GameRecord  # noqa: E402
from game.rules import legal_actions  # noqa: E402
from game.scenario.loader import load_scenario  # noqa: E402
from game.state import ACCEPTED, DIPLOMACY, ORDERS, OVER, GameState  # noqa: E402

SEED = 20250815
GOLDEN = Path(__file__).resolve().parent / "golden" / "game.json"
STANDARD = ROOT / "scenarios" / "standard.yaml"


class Chooser:
    """Seeded choices from the game's own counter-based stream (no global random)."""

    def __init__(self, seed: int) -> None:
        self.seed, self.index = seed, 0

    def pick(self, items: list[Command]) -> Command:
        choice = items[rng.below(self.seed, self.index, len(items))]
        self.index += 1
        return choice

    def chance(self, percent: int) -> bool:
        self.index += 1
        return rng.below(self.seed, self.index, 100) < percent


def _more(s: GameState, role: str) -> int:
    """Two more capital for `role`, or two less when that would pass its maximum."""
    r = s.sc.role_index[role]
    have = s.capital[r]
    return have + 2 if have + 2 <= s.sc.role_max_capital[r] else have - 2


class Script:
    """One scripted game: seeded choices for the four roles plus the white cell's acts."""

    def __init__(self, sc: Compiled, seed: int) -> None:
        self.sc = sc
        self.rec, self.s = GameRecord.start(sc, seed, {"agents": "scripted golden game for the report tests"})
        self.choose = Chooser(rng.derive(seed, "golden"))
        self.done: set[str] = set()
        self.promised: dict[int, set[str]] = {}
        self.broke_one = False

    def accept(self, command: str) -> None:
        self.s = self.rec.accept(self.s, command)

    def once(self, key: str, command: str) -> None:
        self.done.add(key)
        self.accept(command)

    def white_cell(self) -> bool:
        """The facilitator's interventions, each once at a fixed point; True when the
        players' loop must look at the game again (a rollback or a forced seal)."""
        s = self.s
        script = [
            ("inject", 2, DIPLOMACY, "gm:inject:prc-standard-map"),
            ("seat", 2, DIPLOMACY, "gm:seat:india:ai:random"),
            ("override", 3, ORDERS, f"gm:set:alignment:{s.track('alignment') + 4}:summit communique read as a pledge"),
            ("pause", 4, DIPLOMACY, "gm:pause"),
            ("resume", 4, DIPLOMACY, "gm:resume"),
            ("capital", 5, DIPLOMACY, f"gm:set:capital.russia:{_more(s, 'russia')}:war budget supplement"),
        ]
        for key, turn, phase, command in script:
            if key not in self.done and self.s.turn == turn and self.s.phase == phase:
                self.once(key, command)
        s = self.s
        if s.phase == ORDERS and s.turn == 6 and "rollback" not in self.done and any(s.orders):
            self.once("rollback", "gm:rollback:6")  # someone already ordered: a mistaken ruling is undone
            return True
        if s.phase == ORDERS and s.turn == 7 and "force" not in self.done and s.ready[0]:
            self.once("force", "gm:force:russia")
            return True
        return False

    def diplomacy(self, role: int, legal: list[Command]) -> None:
        sc, s = self.sc, self.s
        # Offers the addressee could keep (the script sees every hand; players would not).
        offers = [
            c for c in legal if c.verb == "offer" and sc.card_index[c.args[1]] in s.hands[sc.role_index[c.args[0]]]
        ]
        to_prc = [c for c in offers if c.args[0] == "prc"]
        if sc.role_ids[role] == "us" and to_prc:
            self.accept(self.choose.pick(to_prc).text)
        elif offers and sc.role_ids[role] != "us" and self.choose.chance(25):
            self.accept(self.choose.pick(offers).text)
        self.accept(Command(sc.role_ids[role], "done").text)

    def orders(self, role: int) -> None:
        """Every role answers first; then each keeps its promises (but the PRC breaks one)
        and adds a random order."""
        sc, roles = self.sc, self.sc.role_ids
        for o in self.s.offers:
            if o.status == "pending" and not self.s.ready[o.to]:
                verb = "accept" if self.choose.chance(80) else "decline"
                self.accept(f"{roles[o.to]}:{verb}:{o.id}")
        mine = self.promised.setdefault(self.s.turn * 10 + role, set())
        for o in self.s.offers:
            if o.status == ACCEPTED and role in (o.frm, o.to):
                if roles[role] == "prc" and not self.broke_one:
                    self.broke_one = True  # the PRC takes the deal and does not deliver
                    continue
                mine.add(sc.card_ids[o.give if role == o.frm else o.ask])
        for card in sorted(mine):
            plays = [c for c in legal_actions(self.s, role) if c.verb == "play" and c.args[0] == card]
            if plays:
                self.accept(plays[0].text)
        for _ in range(2):
            plays = [c for c in legal_actions(self.s, role) if c.verb == "play"]
            if not plays or not self.choose.chance(70):
                break
            self.accept(self.choose.pick(plays).text)
        if self.s.turn == 7 and roles[role] == "russia" and "force" not in self.done:
            return  # Russia's player is away: the facilitator forces the seal
        self.accept(Command(roles[role], "seal").text)

    def play(self) -> GameRecord:
        while self.s.phase != OVER:
            if self.white_cell():
                continue
            acted = False
            for role in range(len(self.sc.role_ids)):
                if self.s.phase == OVER or self.s.ready[role]:
                    continue
                legal = legal_actions(self.s, role)
                if not legal:
                    continue
                acted = True
                if self.s.phase == DIPLOMACY:
                    self.diplomacy(role, legal)
                    continue
                self.orders(role)
                if self.s.turn == 6 and self.s.phase == ORDERS and "rollback" not in self.done:
                    break
            if not acted and self.s.phase != OVER:
                raise RuntimeError(f"nobody can act in turn {self.s.turn} ({self.s.phase})")
        return self.rec


def play(sc: Compiled, seed: int = SEED) -> GameRecord:
    return Script(sc, seed).play()


def main() -> None:
    sc = compile_scenario(load_scenario(STANDARD))
    rec = play(sc)
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    rec.save(GOLDEN)
    print(f"{GOLDEN.relative_to(ROOT)}: {len(rec.commands)} commands")


if __name__ == "__main__":
    main()
