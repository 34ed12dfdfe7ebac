"""Which batches of games a balance report plays, derived from the targets it will judge.

Why a plan first: the targets decide what is worth playing (a report limited to
``--only win_rate`` must not spend an hour on lever experiments), several targets
often read the same games (the heuristic mix is also side A of a heuristic lever), and
every problem with the section (an agent spec that does not parse, an overlay that
does not apply) should be reported before the first game is played.

A batch is (variant, canonical seat spec): a variant is the scenario as is
(``plain``) or an overlay of it, and every batch is played with the section's one
master seed into ``OUT/VARIANT/AGENTS``. So game ``i`` has the same seed in every
batch, which is what makes two batches comparable game by game, and a batch needed
with 250 games by one target and 2000 by another is played once, with 2000 (a
comparison reads its first ``n`` games).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from game.agents.registry import AgentSpecError, SeatSpec, parse_agents, parse_seat, seats_text
from game.compiled import Compiled
from game.engine import compiled
from game.playtest.adapt import adapt_seats
from game.playtest.directory import BatchSpec
from game.playtest.errors import PlaytestError
from game.playtest.overlay import Overlay, apply_overlay
from game.scenario.balance import Balance, Mix, Target
from game.scenario.models import Scenario

PLAIN = "plain"
NO_SHOCKS = "no-shocks"
SHOCK_RICH = "shock-rich"
WINDOWS_OFF = "windows-off"
CUSTOM = "custom"
#: the mix name every mix a target names resolves to under --agents
PASS_AGENTS = "pass"


class BalanceError(PlaytestError):
    """A balance section or option that cannot be planned; the CLI exits with 2."""


@dataclass(frozen=True)
class Options:
    """The command line's say over the section."""

    games: int | None = None  # overrides every game count
    agents: str | None = None  # replaces the mixes with one mix named `custom`
    only: tuple[str, ...] = ()  # check kinds to judge (empty: every target)


@dataclass
class Batch:
    key: str  # VARIANT/AGENTS, the directory under OUT
    variant: str
    spec: BatchSpec
    games: int
    where: str  # the part of the section that first asked for it, for error messages


@dataclass(frozen=True)
class Pair:
    """Two batches compared game by game over their first `games` games (A − B)."""

    a: str
    b: str
    games: int


@dataclass
class Plan:
    scenario_path: str
    model: Scenario
    balance: Balance
    out: Path
    options: Options
    targets: list[tuple[int, Target]]  # (index in balance.targets, target), the ones judged
    batches: dict[str, Batch] = field(default_factory=dict)
    mixes: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> (batch key, games)
    mix_agents: dict[str, str] = field(default_factory=dict)  # name -> the spec as written
    no_play: tuple[str, int] | None = None
    no_shock: tuple[str, int] | None = None
    skill_base: tuple[str, int] | None = None
    skill_roles: dict[str, Pair] = field(default_factory=dict)
    levers: dict[tuple[str, int], Pair] = field(default_factory=dict)  # (lever id, spec index)
    shock_rich: dict[str, Pair] = field(default_factory=dict)  # lever id
    windows: Pair | None = None
    windows_suspending: list[str] = field(default_factory=list)  # tracks whose suspension the variant lifts

    def mix_name(self, name: str) -> str:
        """What a target's mix name means: with --agents, every name is the custom mix."""
        return CUSTOM if self.options.agents is not None else name

    @property
    def seed(self) -> int:
        return self.balance.seed


def slug(text: str) -> str:
    """A directory name for a seat spec: readable, short enough for any file system, and
    a function of the spec alone (a rerun must find the same directory). The separators of
    a spec map to fixed characters; anything else (a path, spaces) adds a hash of the text
    so that two specs that differ only there stay apart."""
    simple = text.replace(":", "-").replace("=", "-").replace(",", "_")
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", simple)
    if s != simple or len(s) > 80 or not s.strip("-._"):
        s = s[:60].strip("-.") + "-" + hashlib.sha256(text.encode()).hexdigest()[:10]
    return s


def _short(seats: dict[str, SeatSpec]) -> str:
    """One spec when every seat has the same one, else the spelled-out seat spec."""
    texts = {s.text for s in seats.values()}
    return texts.pop() if len(texts) == 1 else seats_text(seats)


class _Planner:
    def __init__(self, scenario_path: str, model: Scenario, balance: Balance, out: Path, options: Options) -> None:
        self.where = f"{scenario_path}: balance"
        self.plan = Plan(scenario_path, model, balance, out, options, [])
        self.variants: dict[str, tuple[Scenario, Compiled]] = {PLAIN: (model, compiled(model))}
        self.plain_cards = {c.id for c in model.cards}
        self._doctrine: Path | None = None

    # ------------------------------------------------------------------ helpers

    def at(self, where: str) -> str:
        """`where` in the section (``SCENARIO: balance.mixes.x.agents``), or an option as is."""
        return where if where.startswith("--") else f"{self.where}.{where}"

    def games(self, n: int) -> int:
        return self.plan.options.games if self.plan.options.games is not None else n

    def variant(self, name: str, overlay: Overlay, where: str) -> tuple[Scenario, Compiled]:
        if name not in self.variants:
            model = apply_overlay(self.plan.model, overlay, f"{self.where}.{where}")
            self.variants[name] = (model, compiled(model))
        return self.variants[name]

    def seats(self, text: str, variant: str, where: str) -> dict[str, SeatSpec]:
        _, sc = self.variants[variant]
        try:
            return parse_agents(text, sc)
        except AgentSpecError as exc:
            raise BalanceError(f"{self.at(where)}: {exc}") from None

    def base_doctrine(self) -> Path:
        """The doctrine a heuristic seat of this scenario uses when it names none."""
        if self._doctrine is None:
            from game.agents.heuristic import doctrine_for

            self._doctrine = Path(doctrine_for(self.variants[PLAIN][1]))
        return self._doctrine

    def batch(self, variant: str, seats: dict[str, SeatSpec], games: int, where: str) -> str:
        """Register (or enlarge) the batch; its key (named for the seats as the user wrote them:
        a derived doctrine path is the same for every run into OUT)."""
        model, _ = self.variants[variant]
        key = f"{variant}/{slug(_short(seats))}"
        removed = self.plain_cards - {c.id for c in model.cards}
        if removed:
            seats = adapt_seats(seats, removed, self.plan.out / variant / "doctrine.yaml", self.base_doctrine())
        agents = seats_text(seats)
        found = self.plan.batches.get(key)
        if found is not None and found.spec.agents != agents:
            raise BalanceError(f"{self.at(where)}: the agents {agents} and {found.spec.agents} would share the "
                               f"directory {self.plan.out / key}; spell one of them differently")
        if found is None:
            spec = BatchSpec(self.plan.scenario_path, model, self.plan.seed, agents)
            self.plan.batches[key] = Batch(key, variant, spec, games, self.at(where))
        else:
            found.games = max(found.games, games)
        return key

    # ------------------------------------------------------------------ sections

    def mixes(self, names: set[str]) -> None:
        b, o = self.plan.balance, self.plan.options
        mixes: dict[str, Mix] = dict(b.mixes)
        if o.agents is not None:
            mixes = {CUSTOM: Mix(agents=o.agents, games=1000)}
        for name, mix in mixes.items():
            if name not in names:
                continue
            where = "--agents" if o.agents is not None else f"mixes.{name}.agents"
            seats = self.seats(mix.agents, PLAIN, where)
            n = self.games(mix.games)
            self.plan.mixes[name] = (self.batch(PLAIN, seats, n, where), n)
            self.plan.mix_agents[name] = mix.agents

    def baseline(self) -> None:
        b = self.plan.balance
        if b.baseline_games is None:
            return
        model = self.plan.model
        stability = next((t for t in model.tracks if t.id == model.rules.stability_track), None)
        floor = (stability.min if stability is not None else 0) - 1
        off = Overlay(set={"rules.shocks_per_turn": 0, "rules.extra_shock_at_or_below": floor})
        self.variant(NO_SHOCKS, off, "baseline_games (shocks off)")
        n = self.games(b.baseline_games)
        seats = self.seats(PASS_AGENTS, NO_SHOCKS, "baseline_games")
        self.plan.no_play = (self.batch(NO_SHOCKS, seats, n, "baseline_games (no-play)"), n)
        if b.no_shock_agents is not None:
            seats = self.seats(b.no_shock_agents, NO_SHOCKS, "no_shock_agents")
            self.plan.no_shock = (self.batch(NO_SHOCKS, seats, n, "no_shock_agents"), n)

    def skill(self) -> None:
        s = self.plan.balance.skill
        if s is None:
            return
        n = self.games(s.games)
        base = self.seats(s.base, PLAIN, "skill.base")
        try:
            challenger = parse_seat(s.challenger)
        except AgentSpecError as exc:
            raise BalanceError(f"{self.where}.skill.challenger: {exc}") from None
        base_key = self.batch(PLAIN, base, n, "skill.base")
        self.plan.skill_base = (base_key, n)
        for role in self.variants[PLAIN][1].role_ids:
            seats = {**base, role: challenger}
            self.plan.skill_roles[role] = Pair(self.batch(PLAIN, seats, n, f"skill ({role} challenger)"), base_key, n)

    def levers(self, plain: set[tuple[str, int]], rich: set[str]) -> None:
        b = self.plan.balance
        for lever in b.levers:
            without = Overlay(remove_cards=list(lever.remove_cards))
            variant = f"lever-{lever.id}"
            for k, (spec, count) in enumerate(zip(lever.agents, lever.games)):
                if (lever.id, k) not in plain:
                    continue
                self.variant(variant, without, f"levers[{lever.id}]")
                n = self.games(count)
                where = f"levers[{lever.id}].agents[{k}]"
                a = self.batch(PLAIN, self.seats(spec, PLAIN, where), n, where)
                b_key = self.batch(variant, self.seats(spec, variant, where), n, where)
                self.plan.levers[(lever.id, k)] = Pair(a, b_key, n)
            if lever.id in rich and b.shock_rich is not None:
                overlay = Overlay(**b.shock_rich.model_dump())
                self.variant(SHOCK_RICH, overlay, "shock_rich")
                both = overlay.model_copy(update={"remove_cards": [*overlay.remove_cards, *lever.remove_cards]})
                rich_variant = f"{SHOCK_RICH}-lever-{lever.id}"
                self.variant(rich_variant, both, f"shock_rich (without lever {lever.id})")
                n = self.games(lever.games[0])
                where = f"levers[{lever.id}].agents[0]"
                a = self.batch(SHOCK_RICH, self.seats(lever.agents[0], SHOCK_RICH, where), n, "shock_rich")
                b_key = self.batch(rich_variant, self.seats(lever.agents[0], rich_variant, where), n, "shock_rich")
                self.plan.shock_rich[lever.id] = Pair(a, b_key, n)

    def windows(self) -> None:
        w = self.plan.balance.windows
        if w is None:
            return
        model = self.plan.model
        lifted = [t.id for t in model.tracks if t.drift is not None and t.drift.suspended_by]
        overlay = Overlay(set={f"tracks.{t}.drift.suspended_by": [] for t in lifted})
        self.variant(WINDOWS_OFF, overlay, "windows")
        n = self.games(w.games)
        a = self.batch(WINDOWS_OFF, self.seats(w.agents, WINDOWS_OFF, "windows.agents"), n, "windows.agents")
        b_key = self.batch(PLAIN, self.seats(w.agents, PLAIN, "windows.agents"), n, "windows.agents")
        self.plan.windows = Pair(a, b_key, n)
        self.plan.windows_suspending = lifted


def make_plan(scenario_path: str, model: Scenario, out: Path, options: Options) -> Plan:
    """The batches the selected targets need; raises BalanceError for anything unplayable."""
    from game.scenario.balance import CHECK_KINDS

    balance = model.balance
    if balance is None:
        if options.agents is None:
            raise BalanceError(f"{scenario_path} has no balance: section; add one (docs/playtests.md) "
                               "or give --agents SPEC for the informational report alone")
        balance = Balance.model_validate({})
    for name in options.only:
        if name not in CHECK_KINDS:
            raise BalanceError(f"--only {name}: no such check; checks are: {', '.join(CHECK_KINDS)}")
        if not any(t.check == name for t in balance.targets):
            raise BalanceError(f"--only {name}: {scenario_path} has no {name} target in balance.targets")
    if options.games is not None and options.games < 1:
        raise BalanceError("--games must be at least 1")
    planner = _Planner(scenario_path, model, balance, out, options)
    plan = planner.plan
    plan.targets = [
        (i, t) for i, t in enumerate(balance.targets)
        if not options.only or t.check in options.only
    ]
    needs = {need for _, t in plan.targets for need in t.NEEDS}
    mix_names = {plan.mix_name(n) for _, t in plan.targets for n in t.mix_names()}
    if not plan.targets and not options.only:
        mix_names |= set(balance.mixes)  # nothing to judge: the informational report of every mix
    if options.agents is not None:
        mix_names.add(CUSTOM)
    planner.mixes(mix_names)
    if "baseline" in needs:
        planner.baseline()
    if "skill" in needs:
        planner.skill()
    if "levers" in needs:
        planner.levers(*_lever_needs(plan))
    if "windows" in needs:
        planner.windows()
    return plan


def _lever_needs(plan: Plan) -> tuple[set[tuple[str, int]], set[str]]:
    """(lever id, spec index) pairs on the plain scenario, and lever ids on the shock-rich one."""
    levers = plan.balance.levers
    every = [lv.id for lv in levers]
    specs = {lv.id: len(lv.agents) for lv in levers}
    plain: set[tuple[str, int]] = set()
    rich: set[str] = set()
    for _, t in plan.targets:
        chosen = [x for x in (t.lever_ids() or every) if x in specs]
        kind = t.check
        if kind == "lever_effect":
            plain |= {(x, k) for x in chosen for k in range(specs[x])}
        elif kind == "lever_fastest":
            plain |= {(x, 0) for x in every}
        elif kind == "lever_grows":
            plain |= {(x, 0) for x in chosen}
        elif kind == "lever_shock_rich":
            plain |= {(x, 0) for x in chosen}
            rich |= set(chosen)
    return plain, rich
