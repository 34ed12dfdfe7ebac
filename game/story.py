"""A finished (or running) game told as text, turn by turn, from the public record."""

from __future__ import annotations

from game.state import GameState
from game.victory import evaluate


def story(s: GameState) -> str:
    sc = s.sc
    titles = {c.id: c.title for c in sc.model.cards}
    shock_titles = {x.id: x.title for x in sc.model.shocks}
    names = {t.id: t.name for t in sc.model.tracks}
    lines = [f"{sc.model.scenario.title} — seed {s.seed}", ""]
    by_turn: dict[int, list[str]] = {}
    for e in s.ledger:
        if e.subject.startswith("capital:") or e.before == e.after:
            continue
        roll = f" [{e.roll}]" if e.roll else ""
        by_turn.setdefault(e.turn, []).append(
            f"    {names.get(e.subject, e.subject)}: {e.before} → {e.after} ({e.after - e.before:+d}) — {e.cause}{roll}"
        )
    for rec in s.history:
        lines.append(f"Turn {rec.turn}")
        for sh in rec.shocks:
            lines.append(f"  Shock: {shock_titles.get(sh, sh)}")
        for role, order in zip(sc.role_ids, rec.orders):
            played = ", ".join(titles[sc.card_ids[c]] + (f" → {sc.role_ids[t]}" if t >= 0 else "") for c, t in order)
            lines.append(f"  {role:>7}: {played or '(no cards)'}")
        for o in rec.offers:
            lines.append(
                f"  Offer {o.id}: {sc.role_ids[o.frm]} → {sc.role_ids[o.to]}: if you play "
                f"{titles[sc.card_ids[o.ask]]}, I play {titles[sc.card_ids[o.give]]} — {o.status}, {o.outcome}"
            )
        lines.extend(by_turn.get(rec.turn, []))
        lines.append("")
    lines.append("Final tracks: " + ", ".join(f"{t}={v}" for t, v in zip(sc.track_ids, s.tracks)))
    if s.over:
        lines.append(f"Game over ({s.end_reason}).")
        for role, r in evaluate(s).items():
            lines.append(f"  {role:>7}: score {r['score']}/{r['max_score']}{'  WINS' if r['won'] else ''}")
    return "\n".join(lines)
