"""The informational part of a balance report: what each played mix and baseline looks like.

Targets say whether a scenario meets its designer's bounds; these tables say where it
stands, so a failing target can be read in context (a role that never wins, a track
that never moves, a card nobody picks). Nothing here is judged.
"""

from __future__ import annotations

from typing import Any

from game.balance.checks import Context, pick_rates
from game.balance.figures import Figures
from game.balance.games import Game
from game.playtest.stats import mean_ci, wilson


def batch_info(ctx: Context, games: list[Game], figures: list[Figures] | None) -> dict[str, Any]:
    """Roles, crisis rate and tracks of a batch; cards too when its games were replayed."""
    n = len(games)
    roles: dict[str, Any] = {}
    for role in ctx.roles:
        wins = sum(role in g.winners for g in games)
        lo, hi = wilson(wins, n)
        mean, slo, shi = mean_ci([float(g.scores[role]) for g in games])
        roles[role] = {"win_rate": wins / n if n else 0.0, "win_ci95": [lo, hi], "mean_score": mean,
                       "score_ci95": [slo, shi]}
    crisis = sum(g.crisis for g in games)
    clo, chi = wilson(crisis, n)
    tracks: dict[str, Any] = {}
    for t in ctx.model.tracks:
        finals = [g.final[t.id] for g in games]
        tracks[t.id] = {
            "name": t.name,
            "min": t.min,
            "max": t.max,
            "start": t.start,
            "mean_final": sum(finals) / n if n else 0.0,
            "at_start": sum(v == t.start for v in finals) / n if n else 0.0,
            "at_min": sum(v == t.min for v in finals) / n if n else 0.0,
            "at_max": sum(v == t.max for v in finals) / n if n else 0.0,
        }
    out: dict[str, Any] = {"games": n, "roles": roles, "crisis_rate": crisis / n if n else 0.0,
                           "crisis_ci95": [clo, chi], "tracks": tracks}
    if figures is not None:
        owner = {c.id: c.role for c in ctx.model.cards}
        games_with: dict[str, int] = dict.fromkeys(owner, 0)
        for f in figures:
            for card in {p.card for p in f.plays}:
                if card in games_with:
                    games_with[card] += 1
        cards: dict[str, Any] = {}
        for card, (plays, chances) in pick_rates(figures, list(owner)).items():
            cards[card] = {"role": owner[card], "plays": plays, "chances": chances,
                           "rate": plays / chances if chances else 0.0, "games_played": games_with[card],
                           "never_played": plays == 0}
        out["cards"] = cards
        out["shocks_per_game"] = sum(f.shocks for f in figures) / n if n else 0.0
    return out


def report_info(ctx: Context) -> dict[str, Any]:
    """Every played mix (with card tables) and the baselines."""
    plan = ctx.plan
    mixes = {}
    for name, (key, n) in plan.mixes.items():
        mixes[name] = {"agents": plan.mix_agents[name], "dir": str(plan.out / key),
                       **batch_info(ctx, ctx.games(key, n), ctx.figures(key, n))}
    baselines = {}
    for label, found in (("no-play", plan.no_play), ("no-shock", plan.no_shock)):
        if found is not None:
            key, n = found
            baselines[label] = {"agents": plan.batches[key].spec.agents, "dir": str(plan.out / key),
                                **batch_info(ctx, ctx.games(key, n), None)}
    return {"mixes": mixes, "baselines": baselines}
