"""One function per check kind, each turning a target and the games it needs into lines.

Why one function per kind, registered by name: a new check is a model in
:mod:`game.scenario.balance` (its parameters, checked at load time with line numbers)
plus one function here; nothing else changes. A check reads its games through the
:class:`Context`, which raises :class:`Missing` when the section lacks what the check
needs — the runner turns that into one FAIL line naming what is missing, so a
half-configured section reports itself rather than passing by default.

Every line is PASS, FAIL, SKIP (too little data to judge, e.g. fewer crisis games than
the check's minimum; it does not fail the report) or NOTE (reported, never judged).
The exact definition of every check is in docs/playtests.md.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from game.balance.figures import Figures, batch_figures
from game.balance.games import Game, load_games
from game.balance.plan import Pair, Plan
from game.causes import parse_outcome
from game.compiled import Compiled
from game.engine import compiled
from game.playtest.stats import paired_means, paired_rates, wilson
from game.scenario import balance as bm
from game.scenario.models import Track
from game.state import ACCEPTED

PASS, FAIL, SKIP, NOTE = "PASS", "FAIL", "SKIP", "NOTE"


@dataclass
class Line:
    status: str
    subject: str
    value: str = ""
    want: str = ""
    detail: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    index: int  # in balance.targets
    target: bm.Target
    lines: list[Line]

    @property
    def failed(self) -> bool:
        return any(x.status == FAIL for x in self.lines)


class Missing(Exception):
    """What a check needs and the balance section does not give."""


class Context:
    """The plan and its played batches, read (and replayed) once, on first use."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.model = plan.model
        self._sc: Compiled | None = None
        self.tracks: dict[str, Track] = {t.id: t for t in plan.model.tracks}
        self.roles = [r.id for r in plan.model.roles]
        self._games: dict[tuple[str, int], list[Game]] = {}
        self._figures: dict[tuple[str, int], list[Figures]] = {}

    @property
    def sc(self) -> Compiled:
        if self._sc is None:
            self._sc = compiled(self.model)
        return self._sc

    def games(self, key: str, n: int) -> list[Game]:
        if (key, n) not in self._games:
            self._games[(key, n)] = load_games(self.plan.out / key, n)
        return self._games[(key, n)]

    def figures(self, key: str, n: int) -> list[Figures]:
        if (key, n) not in self._figures:
            self._figures[(key, n)] = batch_figures(self.plan.out / key, n)
        return self._figures[(key, n)]

    def pair(self, pair: Pair) -> tuple[list[Game], list[Game]]:
        return self.games(pair.a, pair.games), self.games(pair.b, pair.games)

    # ------------------------------------------------------------- by section

    def mix(self, name: str) -> tuple[str, tuple[str, int]]:
        """(resolved name, (batch key, games)) of a mix a target names."""
        resolved = self.plan.mix_name(name)
        found = self.plan.mixes.get(resolved)
        if found is None:
            raise Missing(f"mix {name!r} is not configured in balance.mixes")
        return resolved, found

    def mix_games(self, name: str) -> tuple[str, list[Game]]:
        resolved, (key, n) = self.mix(name)
        return resolved, self.games(key, n)

    def mix_figures(self, name: str) -> tuple[str, list[Figures]]:
        resolved, (key, n) = self.mix(name)
        return resolved, self.figures(key, n)

    def no_play(self) -> list[Game]:
        if self.plan.no_play is None:
            raise Missing("the no-play baseline needs balance.baseline_games")
        return self.games(*self.plan.no_play)

    def windows(self) -> tuple[bm.Windows, Pair]:
        w = self.plan.balance.windows
        if w is None or self.plan.windows is None:
            raise Missing("the windows check needs a balance.windows section")
        return w, self.plan.windows

    def levers(self, ids: list[str] | None) -> list[bm.Lever]:
        levers = self.plan.balance.levers
        if not levers:
            raise Missing("no levers in balance.levers")
        return [lv for lv in levers if ids is None or lv.id in ids]

    def lever_pair(self, lever: bm.Lever, k: int) -> Pair:
        pair = self.plan.levers.get((lever.id, k))
        if pair is None:  # pragma: no cover - the plan plays every pair a selected check reads
            raise Missing(f"lever {lever.id!r} spec {k} was not played")
        return pair

    def start(self, track: str) -> int:
        return self.tracks[track].start


CheckFn = Callable[[Any, Context], list[Line]]
CHECKS: dict[str, CheckFn] = {}
F = TypeVar("F", bound=CheckFn)


def check(kind: str) -> Callable[[F], F]:
    def register(fn: F) -> F:
        CHECKS[kind] = fn
        return fn

    return register


def judge(plan: Plan, ctx: Context | None = None) -> list[Result]:
    ctx = ctx or Context(plan)
    results = []
    for index, target in plan.targets:
        try:
            lines = CHECKS[target.check](target, ctx)
        except Missing as exc:
            lines = [Line(FAIL, "not configured", detail=str(exc))]
        if target.note:
            lines = [*lines, Line(NOTE, "note", detail=target.note)]
        results.append(Result(index, target, lines))
    return results


# ----------------------------------------------------------------- formatting


def within(x: float, lo: float | None, hi: float | None) -> bool:
    return (lo is None or x >= lo) and (hi is None or x <= hi)


def bounds(lo: float | None, hi: float | None, digits: int = 3) -> str:
    if lo is not None and hi is not None:
        return f"{lo:.{digits}f}–{hi:.{digits}f}"
    if lo is not None:
        return f"≥ {lo:.{digits}f}"
    return f"≤ {hi:.{digits}f}"


def _status(ok: bool) -> str:
    return PASS if ok else FAIL


def _unique(names: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(names))


def _rate(k: int, n: int) -> tuple[float, float, float]:
    lo, hi = wilson(k, n)
    return (k / n if n else 0.0), lo, hi


# --------------------------------------------------------------------- checks


@check("win_rate")
def win_rate(t: bm.WinRateCheck, ctx: Context) -> list[Line]:
    lines = []
    for name in _unique([ctx.plan.mix_name(m) for m in t.mixes]):
        mix, games = ctx.mix_games(name)
        for role in ctx.roles:
            p, lo, hi = _rate(sum(role in g.winners for g in games), len(games))
            lines.append(Line(_status(within(p, t.min, t.max)), f"{mix} / {role}", f"{p:.3f}", bounds(t.min, t.max),
                              f"95% CI {lo:.3f}–{hi:.3f}, {len(games)} games",
                              {"mix": mix, "role": role, "win_rate": p, "ci95": [lo, hi], "games": len(games)}))
    return lines


@check("skill_gain")
def skill_gain(t: bm.SkillGainCheck, ctx: Context) -> list[Line]:
    plan = ctx.plan
    if plan.balance.skill is None or plan.skill_base is None:
        raise Missing("the skill check needs a balance.skill section")
    lines = []
    for role, pair in plan.skill_roles.items():
        a, b = ctx.pair(pair)
        r = paired_rates([role in g.winners for g in a], [role in g.winners for g in b])
        lo, hi = r["diff_ci95"]
        ok = r["diff"] >= t.min and lo > 0
        lines.append(Line(_status(ok), role, f"{r['diff']:+.3f}", f"≥ {t.min:+.3f}, CI low > 0",
                          f"challenger {r['a']:.3f} vs base {r['b']:.3f}; paired 95% CI {lo:+.3f}–{hi:+.3f}, "
                          f"{pair.games} games", {"role": role, **r, "games": pair.games}))
    return lines


@check("no_play_drift")
def no_play_drift(t: bm.NoPlayDriftCheck, ctx: Context) -> list[Line]:
    games = ctx.no_play()
    start = ctx.start(t.track)
    mean = sum(g.final[t.track] for g in games) / len(games)
    drift = abs(mean - start)
    return [Line(_status(drift <= t.max), t.track, f"{drift:.2f}", f"≤ {t.max:g}",
                 f"mean final {mean:.2f} from start {start}, {len(games)} no-play games",
                 {"track": t.track, "start": start, "mean_final": mean, "drift": drift, "games": len(games)})]


@check("no_play_win_rate")
def no_play_win_rate(t: bm.NoPlayWinRateCheck, ctx: Context) -> list[Line]:
    games = ctx.no_play()
    lines = []
    for role in ctx.roles:
        p, lo, hi = _rate(sum(role in g.winners for g in games), len(games))
        lines.append(Line(_status(p <= t.max), role, f"{p:.3f}", f"≤ {t.max:.3f}",
                          f"95% CI {lo:.3f}–{hi:.3f}, {len(games)} no-play games",
                          {"role": role, "win_rate": p, "ci95": [lo, hi], "games": len(games)}))
    return lines


@check("window_effect")
def window_effect(t: bm.WindowEffectCheck, ctx: Context) -> list[Line]:
    w, pair = ctx.windows()
    track = t.track or w.track
    a, b = ctx.pair(pair)
    m = paired_means([float(g.final[track]) for g in a], [float(g.final[track]) for g in b])
    lo, hi = m["diff_ci95"]
    lifted = ctx.plan.windows_suspending
    why = "" if lifted else "; no track's drift is suspended by a window, so both sides are the same scenario"
    return [Line(_status(m["diff"] >= t.min), track, f"{m['diff']:+.2f}", f"≥ {t.min:+g}",
                 f"final {track} {m['a']:.2f} with suspension off vs {m['b']:.2f} with it; paired 95% CI "
                 f"{lo:+.2f}–{hi:+.2f}, {pair.games} games{why}", {"track": track, **m, "games": pair.games,
                                                                   "suspension_lifted": lifted})]


def _effect(ctx: Context, pair: Pair, track: str, turn: int | None = None) -> dict[str, Any]:
    """The paired A − B on a track: final values, or values at the end of `turn`."""
    a, b = ctx.pair(pair)
    if turn is None:
        return paired_means([float(g.final[track]) for g in a], [float(g.final[track]) for g in b])
    start = ctx.start(track)
    return paired_means([float(g.at(track, turn, start)) for g in a], [float(g.at(track, turn, start)) for g in b])


@check("lever_effect")
def lever_effect(t: bm.LeverEffectCheck, ctx: Context) -> list[Line]:
    lines = []
    for lever in ctx.levers(t.levers):
        for k, spec in enumerate(lever.agents):
            pair = ctx.lever_pair(lever, k)
            m = _effect(ctx, pair, lever.track)
            lo, hi = m["diff_ci95"]
            ok = hi < 0 if lever.direction == "down" else lo > 0
            want = "CI < 0" if lever.direction == "down" else "CI > 0"
            lines.append(Line(_status(ok), f"{lever.id} [{spec}]", f"{m['diff']:+.2f}", want,
                              f"final {lever.track}: with {m['a']:.2f}, without {m['b']:.2f}; paired 95% CI "
                              f"{lo:+.2f}–{hi:+.2f}, {pair.games} games",
                              {"lever": lever.id, "agents": spec, "track": lever.track, **m, "games": pair.games}))
    return lines


def _first_spec_effects(ctx: Context, levers: list[bm.Lever], turn: int | None) -> dict[str, float]:
    return {lv.id: _effect(ctx, ctx.lever_pair(lv, 0), lv.track, turn)["diff"] for lv in levers}


@check("lever_fastest")
def lever_fastest(t: bm.LeverFastestCheck, ctx: Context) -> list[Line]:
    levers = ctx.levers(None)
    effects = _first_spec_effects(ctx, levers, t.turn)
    mine = abs(effects[t.lever])
    others = {k: v for k, v in effects.items() if k != t.lever}
    ok = all(mine >= abs(v) for v in others.values())
    shown = ", ".join(f"{k} {v:+.2f}" for k, v in effects.items())
    return [Line(_status(ok), f"{t.lever} at turn {t.turn}", f"{effects[t.lever]:+.2f}",
                 "largest |effect| of all levers", f"effects at the end of turn {t.turn}: {shown}",
                 {"lever": t.lever, "turn": t.turn, "effects": effects})]


@check("lever_grows")
def lever_grows(t: bm.LeverGrowsCheck, ctx: Context) -> list[Line]:
    last = ctx.model.rules.turns
    lines = []
    for lever in ctx.levers(t.levers):
        pair = ctx.lever_pair(lever, 0)
        early = _effect(ctx, pair, lever.track, t.turn)["diff"]
        late = _effect(ctx, pair, lever.track, last)["diff"]
        lines.append(Line(_status(abs(late) > abs(early)), lever.id, f"{late:+.2f}", f"|·| > |{early:+.2f}|",
                          f"effect on {lever.track} at turn {t.turn} {early:+.2f}, at turn {last} {late:+.2f}",
                          {"lever": lever.id, "early_turn": t.turn, "early": early, "last_turn": last,
                           "late": late}))
    return lines


@check("lever_shock_rich")
def lever_shock_rich(t: bm.LeverShockRichCheck, ctx: Context) -> list[Line]:
    if ctx.plan.balance.shock_rich is None:
        raise Missing("the shock-rich check needs a balance.shock_rich overlay")
    lines = []
    for lever in ctx.levers(t.levers):
        plain = _effect(ctx, ctx.lever_pair(lever, 0), lever.track)["diff"]
        rich = _effect(ctx, ctx.plan.shock_rich[lever.id], lever.track)["diff"]
        ok = abs(rich) >= t.ratio * abs(plain)
        lines.append(Line(_status(ok), lever.id, f"{rich:+.2f}", f"|·| ≥ {t.ratio:g} × |{plain:+.2f}|",
                          f"effect on {lever.track}: {plain:+.2f} as is, {rich:+.2f} shock-rich",
                          {"lever": lever.id, "plain": plain, "shock_rich": rich, "ratio": t.ratio}))
    return lines


@check("deal_kept")
def deal_kept(t: bm.DealKeptCheck, ctx: Context) -> list[Line]:
    mix, figs = ctx.mix_figures(t.mix)
    offered = accepted = kept = 0
    for f in figs:
        for d in f.deals:
            if d.ask == t.ask and d.give == t.give:
                offered += 1
                accepted += d.status == ACCEPTED
                kept += d.status == ACCEPTED and parse_outcome(d.outcome).kept
    mean = kept / len(figs)
    return [Line(_status(within(mean, t.min, t.max)), f"{mix} / {t.ask} for {t.give}", f"{mean:.3f}",
                 bounds(t.min, t.max), f"kept deals per game; {offered} offered, {accepted} accepted, {kept} kept "
                 f"in {len(figs)} games", {"mix": mix, "per_game": mean, "offered": offered, "accepted": accepted,
                                           "kept": kept, "games": len(figs)})]


@check("card_success")
def card_success(t: bm.CardSuccessCheck, ctx: Context) -> list[Line]:
    mix, figs = ctx.mix_figures(t.mix)
    plays = [p for f in figs for p in f.plays if p.card == t.card and (p.under_offer or not t.under_offer)]
    which = f"{mix} / {t.card} → {t.track}" + (" (under an offer)" if t.under_offer else "")
    if not plays:
        return [Line(FAIL, which, "—", bounds(t.min, t.max),
                     f"never played{' under an accepted offer' if t.under_offer else ''} in {len(figs)} games",
                     {"mix": mix, "plays": 0})]
    hits = sum(t.track in p.changed for p in plays)
    p, lo, hi = _rate(hits, len(plays))
    return [Line(_status(within(p, t.min, t.max)), which, f"{p:.3f}", bounds(t.min, t.max),
                 f"{hits} of {len(plays)} plays changed {t.track}; 95% CI {lo:.3f}–{hi:.3f}",
                 {"mix": mix, "plays": len(plays), "changed": hits, "share": p, "ci95": [lo, hi]})]


@check("crisis_never_helps")
def crisis_never_helps(t: bm.CrisisNeverHelpsCheck, ctx: Context) -> list[Line]:
    lines = []
    for name in _unique([ctx.plan.mix_name(m) for m in t.mixes]):
        mix, games = ctx.mix_games(name)
        crisis = [g for g in games if g.crisis]
        calm = [g for g in games if not g.crisis]
        if len(crisis) < t.min_crisis_games or not calm:
            why = f"{len(crisis)} crisis games (fewer than {t.min_crisis_games})" if calm else "every game a crisis"
            lines.append(Line(SKIP, mix, "", "", f"{why} in {len(games)} games: not judged",
                              {"mix": mix, "crisis_games": len(crisis), "games": len(games)}))
            continue
        for role in ctx.roles:
            p1, lo1, hi1 = _rate(sum(role in g.winners for g in crisis), len(crisis))
            p0, lo0, hi0 = _rate(sum(role in g.winners for g in calm), len(calm))
            lines.append(Line(_status(p1 <= p0), f"{mix} / {role}", f"{p1:.3f}", f"≤ {p0:.3f}",
                              f"P(win | crisis) {p1:.3f} [{lo1:.3f}, {hi1:.3f}] over {len(crisis)} games; "
                              f"P(win | no crisis) {p0:.3f} [{lo0:.3f}, {hi0:.3f}] over {len(calm)}",
                              {"mix": mix, "role": role, "crisis": p1, "crisis_ci95": [lo1, hi1], "no_crisis": p0,
                               "no_crisis_ci95": [lo0, hi0], "crisis_games": len(crisis), "games": len(games)}))
    return lines


def pick_rates(figs: list[Figures], cards: list[str]) -> dict[str, tuple[int, int]]:
    """card -> (plays, legal chances) over the games."""
    plays = dict.fromkeys(cards, 0)
    chances = dict.fromkeys(cards, 0)
    for f in figs:
        for p in f.plays:
            if p.card in plays:
                plays[p.card] += 1
        for card, n in f.chances.items():
            if card in chances:
                chances[card] += n
    return {c: (plays[c], chances[c]) for c in cards}


@check("card_pick_rate")
def card_pick_rate(t: bm.CardPickRateCheck, ctx: Context) -> list[Line]:
    mix, figs = ctx.mix_figures(t.mix)
    cards = t.cards or [c.id for c in ctx.model.cards]
    lines = []
    for card, (plays, chances) in pick_rates(figs, cards).items():
        rate = plays / chances if chances else 0.0
        if plays == 0:
            ok, flag = False, "never played" + ("; never even legal" if chances == 0 else "")
        elif t.max is not None and rate > t.max:
            ok, flag = False, "over-played"
        elif t.min is not None and rate < t.min:
            ok, flag = False, "under-played"
        else:
            ok, flag = True, ""
        lines.append(Line(_status(ok), f"{mix} / {card}", f"{rate:.3f}", bounds(t.min, t.max),
                          f"{plays} plays / {chances} legal chances" + (f" — {flag}" if flag else ""),
                          {"mix": mix, "card": card, "plays": plays, "chances": chances, "rate": rate,
                           "flag": flag}))
    return lines


@check("track_at_start")
def track_at_start(t: bm.TrackAtStartCheck, ctx: Context) -> list[Line]:
    mix, games = ctx.mix_games(t.mix)
    lines = []
    for track in t.tracks or list(ctx.tracks):
        start = ctx.start(track)
        share = sum(g.final[track] == start for g in games) / len(games)
        lines.append(Line(_status(share <= t.max), f"{mix} / {track}", f"{share:.3f}", f"≤ {t.max:.3f}",
                          f"share of {len(games)} games ending at the start value {start}",
                          {"mix": mix, "track": track, "start": start, "share": share}))
    return lines


@check("pinned")
def pinned(t: bm.PinnedCheck, ctx: Context) -> list[Line]:
    mix, games = ctx.mix_games(t.mix)
    n = len(games)
    tr = ctx.tracks[t.track]
    value = tr.max if t.bound == "max" else tr.min
    share = sum(g.final[t.track] == value for g in games) / n
    lines = [Line(_status(share <= t.max), f"{mix} / {t.track} at {t.bound} ({value})", f"{share:.3f}",
                  f"≤ {t.max:.3f}", f"share of {n} games ending at the track's {t.bound}",
                  {"mix": mix, "track": t.track, "bound": t.bound, "share": share})]
    for other in ctx.model.tracks:
        for bound, v in (("min", other.min), ("max", other.max)):
            if (other.id, bound) == (t.track, t.bound):
                continue
            s = sum(g.final[other.id] == v for g in games) / n
            if s > 0.5:
                lines.append(Line(NOTE, f"{mix} / {other.id} at {bound} ({v})", f"{s:.3f}", "",
                                  f"pinned: ends at its {bound} in more than half of {n} games",
                                  {"mix": mix, "track": other.id, "bound": bound, "share": s}))
    return lines


def banned_cards(ctx: Context, doctrine: str | None) -> tuple[Path, list[str]]:
    """The doctrine's file and the cards it bans: a `cards` rule of the owner's doctrine that
    names the card (or its kind), has no `when`, `with` or `target`, and scores -10 or less."""
    from game.agents.doctrine import load_doctrine

    if doctrine is not None:
        path = Path(ctx.plan.scenario_path).parent / doctrine
    else:
        from game.agents.heuristic import doctrine_for

        path = Path(doctrine_for(ctx.sc))
    loaded = load_doctrine(path)
    meant = loaded.doctrine.scenario
    if meant is not None and meant != ctx.model.scenario.id:
        raise Missing(f"{path} is the doctrine of scenario {meant!r}, not {ctx.model.scenario.id!r}; "
                      "name this scenario's doctrine with doctrine: PATH")
    out = []
    for card in ctx.model.cards:
        role = loaded.doctrine.roles.get(card.role)
        if role is None:
            continue
        if any(r.card in (card.id, card.kind) and r.when is None and r.with_ is None and r.target is None
               and r.score <= -10 for r in role.cards):
            out.append(card.id)
    return path, out


@check("doctrine_bans")
def doctrine_bans(t: bm.DoctrineBansCheck, ctx: Context) -> list[Line]:
    from game.errors import WedgeError

    try:
        path, banned = banned_cards(ctx, t.doctrine)
    except (WedgeError, Missing) as exc:  # an unusable doctrine is this target's failure, not the report's
        return [Line(FAIL, "doctrine", detail=str(exc).splitlines()[0])]
    return [Line(_status(len(banned) <= t.max), "banned cards", str(len(banned)), f"≤ {t.max}",
                 f"{path}: " + (", ".join(banned) or "none"),
                 {"doctrine": str(path), "banned": banned})]
