"""The report's tables and lists as plain strings, shared by the HTML and Markdown renderers.

Both formats show the same cells; only the markup differs. Keeping the wording here means
the Markdown snapshot test also guards what the HTML says.
"""

from __future__ import annotations

from dataclasses import dataclass

from game.report.model import (
    PHASE_LABELS,
    STAGES,
    LeverScore,
    OfferRow,
    Play,
    Report,
    TrackSummary,
    short_role,
    signed,
)

KIND_LABELS = {
    "sanction": "sanction",
    "tariff_carrot": "tariff carrot",
    "arms_sale": "arms sale",
    "framing": "framing",
    "event": "event",
}


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # column indices to right-align


def phase(p: str) -> str:
    return PHASE_LABELS.get(p, p)


def subtitle(r: Report) -> str:
    played = f"{r.turns_played} of {r.turns_total} turns revealed"
    return f"Scenario {r.scenario_id} v{r.version} · seed {r.seed} · {played} · {r.status} · {r.commands} commands"


def outcome(r: Report) -> Table:
    rows = tuple(
        (
            role.name,
            role.controller,
            f"{role.score}/{role.max_score}",
            "WON" if role.won else "not met",
            role.summary,
        )
        for role in r.roles
    )
    return Table(("Role", "Played by", "Score", "Objective", "Needed"), rows, (2,))


def terms(r: Report) -> list[tuple[str, list[str]]]:
    out = []
    for role in r.roles:
        out.append(
            (
                role.name,
                [f"{'✓' if t.met else '✗'} {t.label}{' (required)' if t.required else ''}" for t in role.terms],
            )
        )
    return out


def tracks(r: Report) -> Table:
    turns = tuple(f"T{i}" for i in range(1, r.final_turn + 1))
    rows = []
    for t in r.tracks:
        ends = tuple(str(v) for v in t.turn_end)
        band = t.end_band if t.start_band == t.end_band else f"{t.start_band} → {t.end_band}"
        rows.append((t.name, str(t.start), *ends, signed(t.net), band))
    numeric = tuple(range(1, len(turns) + 3))
    return Table(("Track", "Start", *turns, "Net", "Band"), tuple(rows), numeric)


def moves(r: Report, track: TrackSummary) -> list[str]:
    """The labelled moves of a track's chart, in words: per turn, net change and its biggest causes."""
    out = []
    for info in r.turns:
        net = info.net.get(track.id, 0)
        every = info.contributions.get(track.id, ())
        causes = [c for c in every if abs(c.delta) >= track.threshold]
        if abs(net) < track.threshold and not causes:
            continue
        parts = "; ".join(f"{c.text} {signed(c.delta)}" for c in (causes or list(every))[:3])
        out.append(f"Turn {info.turn}: {signed(net)} — {parts}")
    return out


def turn_acts(r: Report) -> dict[int, list[str]]:
    """The facilitator's acts per turn, except injected shocks that stood (they are listed
    with the turn's shocks)."""
    acts: dict[int, list[str]] = {}
    for a in r.facilitator:
        if a.verb in ("inject", "inject-custom") and not a.undone:
            continue
        acts.setdefault(a.turn, []).append(a.text + (" (undone by a later rollback)" if a.undone else ""))
    return acts


def turn_summary(r: Report) -> Table:
    acts = turn_acts(r)
    rows = []
    for info in r.turns:
        shocks = "; ".join(("injected: " if s.injected else "") + s.title for s in info.shocks) or "—"
        rows.append((str(info.turn), shocks, ", ".join(info.windows) or "—", "; ".join(acts.get(info.turn, [])) or "—"))
    return Table(("Turn", "Shocks", "Windows open at orders", "Facilitator"), tuple(rows), (0,))


def play_text(p: Play) -> str:
    target = f" → {short_role(p.target)}" if p.target else ""
    return f"{p.title}{target} ({KIND_LABELS.get(p.kind, p.kind)})"


def offer_text(o: OfferRow, me: str) -> str:
    """An offer as the engine frames it — "if you play A, I play B" — and how it ended."""
    deal = f"if you play “{o.ask_title}”, I play “{o.give_title}”"
    if o.frm == me:
        return f"#{o.id} to {short_role(o.to)}: {deal} — {o.verdict}"
    answer = f"accepted — {o.verdict}" if o.status == "accepted" else "declined"
    return f"#{o.id} from {short_role(o.frm)}: {deal} — {answer}"


def timeline(r: Report, role: str) -> Table:
    rows = []
    for info in r.turns:
        played = [play_text(p) for p in r.plays if p.role == role and p.turn == info.turn]
        made = [offer_text(o, role) for o in r.offers if o.frm == role and o.turn == info.turn]
        got = [offer_text(o, role) for o in r.offers if o.to == role and o.turn == info.turn]
        revealed = any(p.turn == info.turn for p in r.plays) or info.turn <= r.turns_played
        rows.append(
            (
                str(info.turn),
                "; ".join(played) or ("(no cards)" if revealed else "(not revealed)"),
                "; ".join(made) or "—",
                "; ".join(got) or "—",
            )
        )
    return Table(("Turn", "Cards played", "Offers made", "Offers received"), tuple(rows), (0,))


def reasoning(r: Report, role: str) -> Table:
    """The reasons a computer seat gave, decision by decision (empty for seats that give none)."""
    rows = tuple(
        (
            str(x.turn),
            phase(x.phase),
            x.command,
            x.text if x.source == "model" else f"(default: {x.text})" if x.text else "(default command)",
        )
        for x in r.reasoning
        if x.role == role
    )
    return Table(("Turn", "Phase", "Chose", "Why"), rows, (0,))


def facilitator(r: Report) -> Table:
    rows = tuple(
        (
            str(a.command_no),
            str(a.turn),
            phase(a.phase),
            a.text + (" — undone by a later rollback" if a.undone else ""),
        )
        for a in r.facilitator
    )
    return Table(("Command", "Turn", "Phase", "Action"), rows, (0, 1))


def setup_seats(r: Report) -> str:
    """The seats handed out before play began, in one sentence ("" when there were none)."""
    if not r.setup:
        return ""
    last = {x.role: x.controller for x in r.setup}  # a seat set twice: as play began
    seats = ", ".join(f"{short_role(role)} {controller}" for role, controller in last.items())
    return f"Seats at the start of the game (setup, not interventions): {seats}."


def offer_outcome(o: OfferRow) -> str:
    """The Outcome cell: kept / broken by … for an accepted offer; a declined one had no deal to keep."""
    return o.verdict if o.status == "accepted" else "—"


def offers(r: Report) -> Table:
    rows = tuple(
        (
            str(o.id),
            str(o.turn),
            f"{short_role(o.frm)} → {short_role(o.to)}",
            o.ask_title,
            o.give_title,
            o.status,
            offer_outcome(o),
        )
        for o in r.offers
    )
    headers = ("#", "Turn", "From → to", "Asked of the recipient", "Offered in return", "Answer", "Outcome")
    return Table(headers, rows, (0, 1))


def lever_summary(r: Report) -> Table:
    head = r.tracks[0]
    rows = []
    for s in r.levers:
        others = sorted(
            (t for t in r.tracks[1:] if s.total[t.id]),
            key=lambda t: -abs(s.total[t.id]) / t.threshold,
        )
        effects = ", ".join(f"{t.name} {signed(s.total[t.id])}" for t in others[:3]) or "—"
        rows.append(
            (
                s.lever.name,
                str(s.plays[s.role]),
                str(s.capital_spent[s.role]),
                signed(s.total[head.id]),
                effects,
            )
        )
    role = short_role(r.levers[0].role) if r.levers else ""
    headers = ("Lever", f"{role} cards played", "Capital spent", head.name, "Largest other effects")
    return Table(headers, tuple(rows), (1, 2, 3))


def lever_detail(r: Report, s: LeverScore) -> Table:
    """The lever's cards played, capital spent and net change on every track it moved."""
    rows = [("Cards played", str(s.plays[s.role])), ("Capital spent", str(s.capital_spent[s.role]))]
    rows += [(t.name, signed(s.total[t.id])) for t in r.tracks if s.total[t.id]]
    return Table(("", short_role(s.role)), tuple(rows), (1,))


def lever_cards(r: Report, s: LeverScore) -> list[str]:
    return [
        f"{r.role_names.get(role, role)}: {', '.join(titles)}" for role, titles in s.played_titles.items() if titles
    ]


def prompts(r: Report) -> list[tuple[str, list[str]]]:
    return [(stage, [p.text for p in r.prompts if p.stage == stage]) for stage in STAGES]


LEDGER_HEADERS = ("#", "Turn", "Phase", "Subject", "Before", "After", "Δ", "Cause", "Roll")
LEDGER_NUMERIC = (0, 1, 4, 5, 6)
