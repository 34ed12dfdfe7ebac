"""The optional ``balance:`` section of a scenario file: what `wedge balance` plays and checks.

Why in the scenario file: a scenario's balance targets ("each role wins 15–35% of
heuristic games", "the no-play baseline does not drift") belong to the scenario the
way its tracks do, and when a designer edits a card the targets that must still hold
sit beside it. The section is checked like every other part of the file (pydantic for
the shape, :func:`check_balance` for the ids it names), so a typo in a target is an
error at ``FILE:LINE:COL`` rather than a mysterious failure after an hour of games.

It changes nothing about the game: :class:`~game.scenario.models.Scenario` excludes it
from its dumps, so it is not part of a scenario's content hash, saves or playtest
directories (editing a target never invalidates games already played).

Every part is optional. Targets (``targets:``) are a list discriminated by ``check``;
each check kind is one model here and one function in :mod:`game.balance.checks`, and
``NEEDS`` says which batches of games it reads (see :mod:`game.balance.plan`).
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    from game.scenario.models import Scenario

Id = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$", max_length=48)]
Rate = Annotated[float, Field(ge=0.0, le=1.0)]
Games = Annotated[int, Field(ge=1, le=10_000_000)]

Loc = tuple[str | int, ...]


class Strict(BaseModel):
    # The same configuration as game.scenario.models.Strict (a test keeps them equal); that
    # module imports this one for the Scenario's `balance` field, so it cannot be the base.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True, strict=True)


# ------------------------------------------------------------------ what to play


class Mix(Strict):
    """An equal-agent mix: one agent spec (or a seat spec) and how many games."""

    agents: str = Field(min_length=1)
    games: Games = 1000


class Skill(Strict):
    """One `challenger` seat per role against `base` everywhere else."""

    base: str = Field(min_length=1)
    challenger: str = Field(min_length=1)
    games: Games = 250


class Lever(Strict):
    """An essay lever: the scenario as is (A) against the scenario without `remove_cards` (B)."""

    id: Id
    label: str = ""
    remove_cards: list[Id] = Field(min_length=1)
    track: Id
    direction: Literal["up", "down"]
    agents: list[str] = Field(default_factory=lambda: ["heuristic"], min_length=1)
    games: list[Games] = Field(default_factory=lambda: [1000], min_length=1)

    @model_validator(mode="after")
    def _one_count_per_spec(self) -> Lever:
        if len(self.games) != len(self.agents):
            raise ValueError(f"games lists {len(self.games)} count(s) for {len(self.agents)} agent spec(s); "
                             "give one count per spec")
        return self


class OverlaySpec(Strict):
    """An overlay in the format of experiment files (game/playtest/overlay.py)."""

    remove_cards: list[Id] = Field(default_factory=list)
    remove_shocks: list[Id] = Field(default_factory=list)
    set: dict[str, Any] = Field(default_factory=dict)


class Windows(Strict):
    """The "windows help" variant: every track's drift.suspended_by emptied."""

    track: Id
    agents: str = Field("heuristic", min_length=1)
    games: Games = 1000


# ---------------------------------------------------------------------- targets


class Target(Strict):
    """Common to every check: which batches it reads (``NEEDS``) and an optional note."""

    #: "mixes" (the mixes named by `mix`/`mixes`), "skill", "levers", "shock_rich",
    #: "baseline", "windows"; nothing for checks that play no games.
    NEEDS: ClassVar[tuple[str, ...]] = ()
    check: str
    note: str = ""

    def mix_names(self) -> list[str]:
        names: list[str] = []
        for key in ("mix", "mixes"):
            value = getattr(self, key, None)
            if isinstance(value, str):
                names.append(value)
            elif isinstance(value, list):
                names.extend(value)
        return names

    def lever_ids(self) -> list[str] | None:
        """The levers a lever check reads (None: every lever)."""
        return None


class _Bounded(Target):
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _some_bound(self) -> _Bounded:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class WinRateCheck(_Bounded):
    NEEDS: ClassVar[tuple[str, ...]] = ("mixes",)
    check: Literal["win_rate"]
    mixes: list[Id] = Field(min_length=1)


class SkillGainCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("skill",)
    check: Literal["skill_gain"]
    min: float = 0.0


class NoPlayDriftCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("baseline",)
    check: Literal["no_play_drift"]
    track: Id
    max: float = Field(ge=0)


class NoPlayWinRateCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("baseline",)
    check: Literal["no_play_win_rate"]
    max: Rate


class WindowEffectCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("windows",)
    check: Literal["window_effect"]
    track: Id | None = None
    min: float


class _Levers(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("levers",)
    levers: list[Id] | None = None

    def lever_ids(self) -> list[str] | None:
        return self.levers


class LeverEffectCheck(_Levers):
    check: Literal["lever_effect"]


class LeverFastestCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("levers",)
    check: Literal["lever_fastest"]
    lever: Id
    turn: int = Field(2, ge=1)

    def lever_ids(self) -> list[str] | None:
        return None  # compared with every lever


class LeverGrowsCheck(_Levers):
    check: Literal["lever_grows"]
    turn: int = Field(2, ge=1)


class LeverShockRichCheck(_Levers):
    NEEDS: ClassVar[tuple[str, ...]] = ("levers", "shock_rich")
    check: Literal["lever_shock_rich"]
    ratio: float = Field(ge=0)


class DealKeptCheck(_Bounded):
    NEEDS: ClassVar[tuple[str, ...]] = ("mixes",)
    check: Literal["deal_kept"]
    ask: Id
    give: Id
    mix: Id


class CardSuccessCheck(_Bounded):
    NEEDS: ClassVar[tuple[str, ...]] = ("mixes",)
    check: Literal["card_success"]
    card: Id
    track: Id
    under_offer: bool = False
    mix: Id


class CrisisNeverHelpsCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("mixes",)
    check: Literal["crisis_never_helps"]
    mixes: list[Id] = Field(min_length=1)
    min_crisis_games: int = Field(20, ge=1)


class CardPickRateCheck(_Bounded):
    NEEDS: ClassVar[tuple[str, ...]] = ("mixes",)
    check: Literal["card_pick_rate"]
    mix: Id
    cards: list[Id] | None = None


class TrackAtStartCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("mixes",)
    check: Literal["track_at_start"]
    mix: Id
    max: Rate
    tracks: list[Id] | None = None


class PinnedCheck(Target):
    NEEDS: ClassVar[tuple[str, ...]] = ("mixes",)
    check: Literal["pinned"]
    track: Id
    bound: Literal["min", "max"]
    mix: Id
    max: Rate


class DoctrineBansCheck(Target):
    check: Literal["doctrine_bans"]
    max: int = Field(ge=0)
    doctrine: str | None = None  # a path relative to the scenario file; default: the heuristic agent's own


AnyTarget = Annotated[
    WinRateCheck
    | SkillGainCheck
    | NoPlayDriftCheck
    | NoPlayWinRateCheck
    | WindowEffectCheck
    | LeverEffectCheck
    | LeverFastestCheck
    | LeverGrowsCheck
    | LeverShockRichCheck
    | DealKeptCheck
    | CardSuccessCheck
    | CrisisNeverHelpsCheck
    | CardPickRateCheck
    | TrackAtStartCheck
    | PinnedCheck
    | DoctrineBansCheck,
    Field(discriminator="check"),
]

#: Every check kind, in the order of the union above.
CHECK_KINDS: tuple[str, ...] = (
    "win_rate", "skill_gain", "no_play_drift", "no_play_win_rate", "window_effect", "lever_effect",
    "lever_fastest", "lever_grows", "lever_shock_rich", "deal_kept", "card_success", "crisis_never_helps",
    "card_pick_rate", "track_at_start", "pinned", "doctrine_bans",
)


class Balance(Strict):
    seed: int = Field(1, ge=0, lt=2**63)
    mixes: dict[Id, Mix] = Field(default_factory=dict)
    baseline_games: Games | None = None
    #: agents of the no-shock baseline (shocks off, every seat this spec); null: not played
    no_shock_agents: str | None = "heuristic"
    skill: Skill | None = None
    levers: list[Lever] = Field(default_factory=list)
    shock_rich: OverlaySpec | None = None
    windows: Windows | None = None
    targets: list[AnyTarget] = Field(default_factory=list)


# ---------------------------------------------------------------- cross references


def check_balance(s: Scenario) -> list[tuple[Loc, str]]:
    """Every id the balance section names that the scenario does not have, with its loc."""
    b = s.balance
    if b is None:
        return []
    return _BalanceChecker(s, b).run()


class _BalanceChecker:
    def __init__(self, s: Scenario, b: Balance) -> None:
        self.b = b
        self.found: list[tuple[Loc, str]] = []
        self.cards = {c.id: c for c in s.cards}
        self.tracks = [t.id for t in s.tracks]
        self.shocks = [x.id for x in s.shocks]
        self.roles = [r.id for r in s.roles]
        self.levers = [lv.id for lv in b.levers]

    def _known(self, loc: Loc, what: str, value: str, known: list[str]) -> bool:
        if value in known:
            return True
        close = difflib.get_close_matches(value, known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else (
            f" (known: {', '.join(known)})" if len(known) <= 10 else f" ({len(known)} known)")
        self.found.append((loc, f"unknown {what} {value!r}{hint}"))
        return False

    def card(self, loc: Loc, value: str) -> bool:
        return self._known(loc, "card", value, list(self.cards))

    def track(self, loc: Loc, value: str) -> None:
        self._known(loc, "track", value, self.tracks)

    def agents(self, loc: Loc, spec: str) -> None:
        """Roles named in a seat spec (``us=ismcts,prc=heuristic``); kinds are checked when run."""
        for chunk in spec.split(","):
            head, sep, _ = chunk.partition("=")
            head = head.strip()
            if sep and ":" not in head and head:
                self._known(loc, "role", head, self.roles)

    def run(self) -> list[tuple[Loc, str]]:  # noqa: C901 - one branch per section
        b = self.b
        base: Loc = ("balance",)
        for name, mix in b.mixes.items():
            self.agents(base + ("mixes", name, "agents"), mix.agents)
        if b.no_shock_agents is not None:
            self.agents(base + ("no_shock_agents",), b.no_shock_agents)
        if b.skill is not None:
            self.agents(base + ("skill", "base"), b.skill.base)
            self.agents(base + ("skill", "challenger"), b.skill.challenger)
        seen: dict[str, int] = {}
        for i, lever in enumerate(b.levers):
            loc = base + ("levers", i)
            if lever.id in seen:
                first = f"first at levers[{seen[lever.id]}]"
                self.found.append((loc + ("id",), f"duplicate lever id {lever.id!r} ({first})"))
            seen.setdefault(lever.id, i)
            for j, card in enumerate(lever.remove_cards):
                self.card(loc + ("remove_cards", j), card)
            self.track(loc + ("track",), lever.track)
            for j, spec in enumerate(lever.agents):
                self.agents(loc + ("agents", j), spec)
        if b.shock_rich is not None:
            for j, card in enumerate(b.shock_rich.remove_cards):
                self.card(base + ("shock_rich", "remove_cards", j), card)
            for j, shock in enumerate(b.shock_rich.remove_shocks):
                self._known(base + ("shock_rich", "remove_shocks", j), "shock", shock, self.shocks)
        if b.windows is not None:
            self.track(base + ("windows", "track"), b.windows.track)
            self.agents(base + ("windows", "agents"), b.windows.agents)
        for i, t in enumerate(b.targets):
            self.target(base + ("targets", i), t)
        return self.found

    def target(self, loc: Loc, t: Target) -> None:  # noqa: C901 - one branch per id-bearing field
        for key in ("track",):
            value = getattr(t, key, None)
            if isinstance(value, str):
                self.track(loc + (key,), value)
        for j, track in enumerate(getattr(t, "tracks", None) or []):
            self.track(loc + ("tracks", j), track)
        for key in ("card",):
            value = getattr(t, key, None)
            if isinstance(value, str):
                self.card(loc + (key,), value)
        for j, card in enumerate(getattr(t, "cards", None) or []):
            self.card(loc + ("cards", j), card)
        if isinstance(t, LeverFastestCheck):
            self._known(loc + ("lever",), "lever", t.lever, self.levers)
        for j, lever in enumerate(t.lever_ids() or []):
            self._known(loc + ("levers", j), "lever", lever, self.levers)
        if isinstance(t, DealKeptCheck):
            ask_ok = self.card(loc + ("ask",), t.ask)
            give_ok = self.card(loc + ("give",), t.give)
            if ask_ok and not self.cards[t.ask].askable:
                self.found.append((loc + ("ask",), f"card {t.ask!r} is not askable, so no offer can ask for it"))
            if ask_ok and give_ok and self.cards[t.ask].role == self.cards[t.give].role:
                self.found.append((loc + ("give",), f"{t.ask!r} and {t.give!r} both belong to "
                                   f"{self.cards[t.ask].role!r}; an offer asks for the other role's card"))
