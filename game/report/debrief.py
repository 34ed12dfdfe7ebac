"""Hotwash prompts written from one game's facts.

A debrief works when the questions point at what *this* table did: "alignment fell 6 in
turn 3, mostly from the Far East framing — was that planned?" lands where "did the
framing lever work?" does not. Each prompt here is built from the report's numbers
(ledger sums, offers, shocks, windows, objectives) and grouped in the three classic
after-action questions: what happened, why, and what would you do differently. The
"why" questions are organised around the essay's levers and its claim that wedges bite
mainly when an exogenous shock opens a window.
"""

from __future__ import annotations

from game.causes import parse_cause
from game.report.model import (
    STAGES,
    Contribution,
    LedgerRow,
    Prompt,
    Report,
    TrackSummary,
    short_role,
    signed,
)

HAPPENED, WHY, DIFFERENTLY = STAGES


def _moved(delta: int) -> str:
    return "rose" if delta > 0 else "fell"


def _mostly(c: Contribution) -> str:
    """Who or what drove a move, and the question that fits that kind of cause."""
    kind = parse_cause(c.cause).kind
    if kind == "card":  # "Title (US)" -> "Title (US, -3)"
        return f"mostly from {c.text[:-1]}, {signed(c.delta)}) — was that planned?"
    if kind == "shock":
        return f"mostly from the shock “{c.text.removeprefix('shock: ')}” ({signed(c.delta)}) — who used it?"
    if kind == "inject":
        return f"mostly from a shock the facilitator injected ({signed(c.delta)}) — how did each side react?"
    if kind == "drift":
        return f"mostly from drift ({signed(c.delta)}) — why did earlier moves not stick?"
    if kind == "override":
        return f"mostly from the facilitator's ruling ({signed(c.delta)}) — was the ruling fair?"
    return f"mostly from {c.text} ({signed(c.delta)})."


def _biggest_turn(report: Report, track: TrackSummary) -> tuple[int, int]:
    """(turn, net) of the track's largest single-turn move (earliest on ties)."""
    best = (0, 0)
    for info in report.turns:
        net = info.net.get(track.id, 0)
        if abs(net) > abs(best[1]):
            best = (info.turn, net)
    return best


def _names(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _happened(report: Report) -> list[str]:
    out = []
    head = report.tracks[0]
    ending = " — the game ended in a strategic crisis" if report.end_reason == "crisis" else ""
    moved_band = head.start_band != head.end_band
    band = f" ({head.start_band} → {head.end_band})" if moved_band else f" (still {head.end_band})"
    out.append(
        f"{head.name} went from {head.start} to {head.end}{band} over {report.turns_played} turn(s){ending}. "
        "Is that where each of you expected it to end?"
    )
    # The biggest single-turn move of the headline track, then of the tracks that moved most.
    ranked = sorted(report.tracks[1:], key=lambda t: -abs(_biggest_turn(report, t)[1]) / max(1, t.threshold))
    for track in [head, *ranked[:2]]:
        turn, net = _biggest_turn(report, track)
        if not turn or abs(net) < track.threshold:
            continue
        info = report.turns[turn - 1]
        top = info.contributions[track.id][0]
        out.append(f"{track.name} {_moved(net)} {abs(net)} in turn {turn}, {_mostly(top)}")
    winners = [short_role(r.role) for r in report.roles if r.won]
    losers = [short_role(r.role) for r in report.roles if not r.won]
    if winners and losers:
        out.append(f"{_names(winners)} met their objectives; {_names(losers)} did not. Did that surprise anyone?")
    elif winners:
        out.append(
            "Every role met its objective. Was the scenario too easy, or did you cooperate more than the "
            "real capitals would?"
        )
    else:
        out.append("No role met its objective. What made every plan fail at once?")
    if report.offers:
        kept = sum(o.kept for o in report.offers)
        broken = sum(bool(o.breakers) for o in report.offers)
        declined = len(report.offers) - kept - broken
        out.append(
            f"{len(report.offers)} offer(s) were made: {kept} kept, {broken} broken, {declined} declined or "
            "unanswered. Which promise mattered most?"
        )
    for act in report.facilitator:
        if act.undone:
            continue
        where = f"Facilitator, turn {act.turn}: {act.text}."
        if act.verb == "set":
            out.append(f"{where} Did that ruling change anyone's plan?")
        elif act.verb in ("inject", "inject-custom"):
            out.append(f"{where} Who adapted to it fastest?")
        elif act.verb == "rollback":
            out.append(f"{where} What did you do differently the second time?")
    return out


def _card_rows(report: Report, track: str) -> list[LedgerRow]:
    return [r for r in report.ledger if r.subject == track and r.cause_kind == "card"]


def _why(report: Report) -> list[str]:
    out = []
    head = report.tracks[0]
    for score in report.levers:
        lever = score.lever
        who = short_role(score.role)
        # Only a lever that was pulled can be asked what it did: one never played (or played
        # only by another role's card of the same kind, which is no lever) gets "why not?".
        plays = score.plays[score.role]
        if not plays:
            essay = lever.essay.rstrip(".")
            essay = essay[:1].lower() + essay[1:]  # "economic pain now: … Chinese firms", names kept
            out.append(f"The {who} never pulled the {lever.name.lower()} lever ({essay}). Why not?")
            continue
        moved = [
            f"{t.name} {signed(score.total[t.id])}" for t in report.tracks if abs(score.total[t.id]) >= t.threshold
        ]
        effect = "; it moved " + ", ".join(moved) if moved else "; it moved no track by much"
        net = score.total[head.id]
        if net <= -head.threshold:
            ask = f"It pulled {head.name} down {abs(net)}: what made it work, and would it have without a window?"
        elif net >= head.threshold:
            ask = f"On balance it pushed {head.name} up {net}: who turned this lever against the wedge, and how?"
        else:
            ask = f"It left {head.name} almost unmoved ({signed(net)}): what blunted it?"
        out.append(f"{lever.name}: {plays} card(s) played by the {who}{effect}. {ask}")
    shock_rows = [r for r in report.ledger if r.subject == head.id and r.cause_kind in ("shock", "inject")]
    if shock_rows:
        total = sum(r.delta for r in shock_rows)
        big = max(shock_rows, key=lambda r: abs(r.delta))
        out.append(
            f"Shocks moved {head.name} {signed(total)} in all (the largest: {big.cause_text.split(': ', 1)[-1]} "
            f"in turn {big.turn}, {signed(big.delta)}). Which shock opened a door, and who walked through it?"
        )
    open_turns = [(i.turn, i.windows) for i in report.turns if i.windows]
    if open_turns:
        where = "; ".join(f"turn {t}: {', '.join(w)}" for t, w in open_turns)
        out.append(
            f"Windows were open while orders were written in {where}. The essay says wedges bite when a shock "
            "opens a window: what did each of you play in them?"
        )
    else:
        out.append(
            "No window opened all game. The essay says wedges bear fruit mainly when an exogenous shock opens "
            "one: could any wedge have stuck without it?"
        )
    drift = sum(r.delta for r in report.ledger if r.subject == head.id and r.cause_kind == "drift")
    if drift:
        out.append(
            f"Drift moved {head.name} {signed(drift)} over the game: moves made outside a window relax back. "
            "Which of your moves lasted, and why?"
        )
    by_role: dict[str, int] = {}
    for row in _card_rows(report, head.id):
        by_role[row.actor] = by_role.get(row.actor, 0) + row.delta
    if by_role:
        parts = ", ".join(f"{short_role(r.role)} {signed(by_role[r.role])}" for r in report.roles if r.role in by_role)
        out.append(f"Cards moved {head.name}: {parts}. Who was pulling against whom?")
    return out


def _differently(report: Report) -> list[str]:
    out = []
    for r in report.roles:
        missed = [t.label for t in r.terms if t.required and not t.met]
        status = "met its objective" if r.won else "missed: " + "; ".join(missed)
        out.append(
            f"{r.name} (score {r.score}/{r.max_score}, {status}): with what you know now, what would you do "
            "differently, and in which turn?"
        )
    for o in report.offers:
        if o.breakers:
            who = _names([short_role(b) for b in o.breakers])
            out.append(
                f"Offer {o.id} in turn {o.turn} ({short_role(o.frm)} → {short_role(o.to)}: “{o.ask_title}” for "
                f"“{o.give_title}”) was broken by {who}. Would you make that deal again, and how would you "
                "check it was kept?"
            )
            break
    head = report.tracks[0]
    turn, net = _biggest_turn(report, head)
    if turn:
        out.append(
            f"If you could replay one turn, which would it be? The biggest swing in {head.name} was turn {turn} "
            f"({signed(net)})."
        )
    return out


def prompts(report: Report) -> tuple[Prompt, ...]:
    return tuple(
        Prompt(stage, text)
        for stage, texts in ((HAPPENED, _happened(report)), (WHY, _why(report)), (DIFFERENTLY, _differently(report)))
        for text in texts
    )
