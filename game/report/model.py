"""The after-action report as plain data, built by replaying a game record.

Everything the renderers show is computed here once, so HTML, Markdown and the TUI
tell the same story with the same numbers. The ledger rows are the engine's ledger
entries of the final state, one for one; every sum (per turn, per cause, per lever)
is a sum over those rows, so "why did alignment drop 6?" always adds up.

Only public information is used: each state's revealed history (orders, offers and
shocks made public at a reveal), its ledger, open windows, seat controllers, and the
facilitator's own commands. Role commands are never read, so a hand, an order that was
never revealed (e.g. undone by a rollback) or a private message cannot reach a report.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from game import safejson
from game.causes import parse_cause, parse_outcome
from game.commands import FACILITATOR, Command, parse
from game.compiled import KINDS, Compiled
from game.record import GameRecord, replay
from game.rules import new_game
from game.state import ORDERS, ROLL, GameState, LedgerEntry
from game.victory import evaluate


@dataclass(frozen=True)
class Lever:
    """One of the essay's levers and the card kinds that pull it."""

    id: str
    name: str
    kinds: tuple[str, ...]
    essay: str


#: The essay's levers are one role's instruments: the US's (``LEVER_ROLE``). A card pulls a
#: lever when that role holds it and its ``kind`` in the scenario file is one of the lever's
#: kinds — decided by the kind, never by the card id, so a new or edited scenario is scored
#: without touching this code. Another role's card of the same kind (Russia's "Discounted oil
#: for India" is a ``tariff_carrot``) is that role's own move, not the US lever.
LEVERS: tuple[Lever, ...] = (
    Lever(
        "sanctions",
        "Sanctions",
        ("sanction",),
        "Economic pain now: sanctions on the Chinese firms and banks that help Russia.",
    ),
    Lever(
        "tariff_carrot",
        "Tariff carrot",
        ("tariff_carrot",),
        "Lower US tariffs on PRC goods in return for verified cuts in PRC exports to Russia.",
    ),
    Lever(
        "india",
        "India (arms sales, multipolarity)",
        ("arms_sale",),
        "Accept Russia–India multipolarity, e.g. end sanctions on Russian arms for India, "
        "so Russia gets entangled in India–PRC distrust.",
    ),
    Lever(
        "framing",
        "Framing",
        ("framing",),
        "Strategic-stability contacts, and framing the PRC as a threat to Russia's Far East, "
        "Central Asia and the Arctic.",
    ),
)
LEVER_OF_KIND = {kind: lever.id for lever in LEVERS for kind in lever.kinds}
#: The role whose instruments the levers are (the first role when a scenario has no ``us``).
LEVER_ROLE = "us"


def lever_role(sc: Compiled) -> str:
    """The role whose cards pull the levers: ``us``, else the scenario's first role."""
    return LEVER_ROLE if LEVER_ROLE in sc.role_ids else sc.role_ids[0]


def lever_of_card(sc: Compiled) -> dict[str, str]:
    """Card id -> lever id, for the lever role's cards of a lever kind (no other card pulls a lever).

    The scenario's ``balance:`` section also lists lever cards (``levers[].remove_cards``), but
    a save does not carry that section (it is not game content), so using it would score the
    same game differently from a save and from the scenario file: the kind rule is used always.
    """
    role = lever_role(sc)
    return {c.id: LEVER_OF_KIND[c.kind] for c in sc.model.cards if c.role == role and c.kind in LEVER_OF_KIND}


def lever_rule(role_name: str) -> str:
    """How cards are attributed to levers, in the words the report prints."""
    return (
        f"The levers are the essay's instruments of the {role_name}: a card pulls a lever when the "
        f"{role_name} holds it and its kind in the scenario file is "
        + "; ".join(f"{', '.join(lv.kinds)} → {lv.name}" for lv in LEVERS)
        + ". Cards of any other kind (events) and every other role's cards belong to no lever — "
        "another role's card of the same kind (a Russian tariff carrot, PRC sanctions) is that role's "
        "own move, shown in the timeline, the ledger and the debrief. A lever's total on a track is "
        "the sum of the ledger changes whose cause is one of its cards."
    )


LEVER_RULE = lever_rule("United States")

PHASE_LABELS = {
    "setup": "Setup",
    "shock": "Shock",
    "diplomacy": "Diplomacy",
    "orders": "Orders",
    "adjudication": "Adjudication",
    "upkeep": "Upkeep",
    "over": "Game over",
}
FACILITATOR_CAUSES = ("inject", "override")


def short_role(role: str) -> str:
    """``us`` → US, ``prc`` → PRC, ``russia`` → Russia: the compact name tables need."""
    return role.upper() if len(role) <= 3 else role.capitalize()


def signed(n: int) -> str:
    return f"{n:+d}"


# ----------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Term:
    label: str
    met: bool
    required: bool


@dataclass(frozen=True)
class RoleResult:
    role: str
    name: str
    controller: str
    summary: str
    score: int
    max_score: int
    won: bool
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class Band:
    min: int
    max: int
    label: str


@dataclass(frozen=True)
class Point:
    """A track's value at the end of one phase of one turn (turn 0 = the start)."""

    turn: int
    phase: str
    x: float
    value: int


@dataclass(frozen=True)
class TrackSummary:
    id: str
    name: str
    meaning: str
    min: int
    max: int
    start: int
    end: int
    start_band: str
    end_band: str
    bands: tuple[Band, ...]
    points: tuple[Point, ...]
    turn_end: tuple[int, ...]  # value at the end of each turn played (index 0 = turn 1)
    threshold: int  # a turn's move of at least this much is significant

    @property
    def net(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class LedgerRow:
    n: int  # 1-based position in the engine's ledger
    turn: int
    phase: str
    subject: str
    subject_name: str
    before: int
    after: int
    cause: str  # the engine's cause, verbatim
    cause_kind: str
    cause_text: str
    roll: str
    actor: str  # role whose card/cost/penalty it is, "gm" for the facilitator, "" otherwise
    lever: str  # lever id for card causes of a lever kind, else ""

    @property
    def delta(self) -> int:
        return self.after - self.before

    @property
    def is_track(self) -> bool:
        return not self.subject.startswith("capital:") and self.subject != ROLL

    @property
    def facilitator(self) -> bool:
        return self.cause_kind in FACILITATOR_CAUSES


@dataclass(frozen=True)
class Play:
    turn: int
    role: str
    card: str
    title: str
    kind: str
    lever: str
    target: str
    cost: int


@dataclass(frozen=True)
class OfferRow:
    id: int
    turn: int
    frm: str
    to: str
    ask: str
    ask_title: str
    give: str
    give_title: str
    status: str  # accepted / declined
    outcome: str  # kept / broken:<roles> / declined
    breakers: tuple[str, ...]

    @property
    def kept(self) -> bool:
        return parse_outcome(self.outcome).kept

    @property
    def verdict(self) -> str:
        if self.kept:
            return "kept"
        if self.breakers:
            return "broken by " + ", ".join(short_role(r) for r in self.breakers)
        return "declined"


@dataclass(frozen=True)
class FacilitatorAction:
    command_no: int  # 1-based position in the record's commands
    turn: int
    phase: str
    verb: str
    text: str  # in plain words, with the reason when there is one
    undone: bool  # a later rollback took its effect back


@dataclass(frozen=True)
class SeatSetup:
    """A seat handed out before play began (``gm:seat`` at the start of a game)."""

    command_no: int
    role: str
    controller: str


@dataclass(frozen=True)
class Contribution:
    """What one cause did to one track in one turn (several ledger rows summed)."""

    turn: int
    track: str
    phase: str  # phase of its last row (where the chart marks it)
    cause: str
    text: str
    label: str  # short form for a chart
    delta: int
    actor: str
    rows: int


@dataclass(frozen=True)
class ShockHit:
    id: str
    title: str
    injected: bool


@dataclass(frozen=True)
class TurnInfo:
    turn: int
    shocks: tuple[ShockHit, ...]
    windows: tuple[str, ...]  # names of the windows open while orders were written
    net: dict[str, int]  # track -> net change this turn
    contributions: dict[str, tuple[Contribution, ...]]  # track -> causes, biggest first


@dataclass(frozen=True)
class LeverScore:
    lever: Lever
    role: str  # the role whose instrument it is (see lever_role)
    cards: tuple[str, ...]  # ids of the scenario's cards that pull it (all the role's)
    plays: dict[str, int]  # role -> cards played (0 for every other role)
    total: dict[str, int]  # track -> net change
    by_role: dict[str, dict[str, int]]  # role -> track -> net change
    capital_spent: dict[str, int]  # role -> capital paid for its cards
    played_titles: dict[str, tuple[str, ...]]  # role -> distinct card titles played


@dataclass(frozen=True)
class Reasoning:
    """Why a computer seat chose a command, as it said at the time (``meta["rationales"]``
    of the record: language-model seats write one per decision)."""

    command_no: int
    turn: int
    phase: str
    role: str
    command: str  # in plain words
    text: str
    source: str  # "model", or "default" when the seat fell back to its default command


@dataclass(frozen=True)
class Prompt:
    stage: str  # "what happened" / "why" / "what would you do differently"
    text: str


STAGES = ("What happened", "Why", "What would you do differently")


@dataclass(frozen=True)
class Report:
    scenario_id: str
    title: str
    version: str
    seed: int
    turns_total: int
    turns_played: int
    final_turn: int
    phase: str
    over: bool
    end_reason: str
    commands: int
    meta: dict[str, Any]
    roles: tuple[RoleResult, ...]
    tracks: tuple[TrackSummary, ...]
    ledger: tuple[LedgerRow, ...]
    plays: tuple[Play, ...]
    offers: tuple[OfferRow, ...]
    facilitator: tuple[FacilitatorAction, ...]  # the white cell's interventions
    turns: tuple[TurnInfo, ...]
    levers: tuple[LeverScore, ...]
    prompts: tuple[Prompt, ...]
    lever_rule: str = LEVER_RULE
    role_names: dict[str, str] = field(default_factory=dict)
    phases: tuple[str, ...] = ()
    #: seats handed out before the first role's first command (``gm:seat`` written when a
    #: game starts with AI seats): how the game was set up, not an intervention
    setup: tuple[SeatSetup, ...] = ()
    #: the computer seats' stated reasons, in command order (empty for seats that give none)
    reasoning: tuple[Reasoning, ...] = ()

    def track(self, track_id: str) -> TrackSummary:
        return next(t for t in self.tracks if t.id == track_id)

    @property
    def status(self) -> str:
        if self.over:
            return f"over after turn {self.final_turn} ({self.end_reason})"
        return f"in progress: turn {self.final_turn}, {PHASE_LABELS.get(self.phase, self.phase).lower()} phase"


# ----------------------------------------------------------------------------- building


class _Names:
    """Titles and names from the scenario (ids are shown only when nothing better exists)."""

    def __init__(self, sc: Compiled) -> None:
        model = sc.model
        self.sc = sc
        self.track = {t.id: t.name for t in model.tracks}
        self.role = {r.id: r.name for r in model.roles}
        self.card = {c.id: c.title for c in model.cards}
        self.card_kind = {c.id: c.kind for c in model.cards}
        self.card_role = {c.id: c.role for c in model.cards}
        self.shock = {x.id: x.title for x in model.shocks}
        self.window = {w.id: w.name for w in model.windows}

    def subject(self, subject: str) -> str:
        if subject == ROLL:
            return "dice roll, no change"
        if subject.startswith("capital:"):
            return f"{short_role(subject.removeprefix('capital:'))} capital"
        return self.track.get(subject, subject)

    def cause(self, cause: str) -> tuple[str, str, str]:
        """(kind, plain words, short chart label) of a ledger cause."""
        parsed = parse_cause(cause)
        kind, rest = parsed.kind, parsed.ref
        if kind == "card":
            role = self.card_role.get(rest, "")
            title = self.card.get(rest, rest)
            return kind, f"{title} ({short_role(role)})", f"{_clip(title)} ({short_role(role)})"
        if kind == "cost":
            return kind, f"cost of {self.card.get(rest, rest)}", "costs"
        if kind == "shock":
            title = self.shock.get(rest, rest)
            return kind, f"shock: {title}", f"shock: {_clip(title)}"
        if kind == "inject":
            title = self.shock.get(rest, rest)
            return kind, f"facilitator injected shock: {title}", f"injected: {_clip(title)}"
        if kind == "offer":
            what = rest.partition(":")[2]
            return kind, f"offer {parsed.offer} {what} (penalty)", f"offer {parsed.offer} {what}"
        if kind == "override":
            return kind, f"facilitator override: {rest}", "facilitator override"
        if kind == "drift":
            return kind, "drift toward the baseline", "drift"
        if kind == "income":
            return kind, "income", "income"
        return "other", cause, _clip(cause)

    def command(self, cmd: Command) -> str:
        """A role's command in plain words (for the reasoning timeline)."""
        verb, args = cmd.verb, cmd.args
        if verb == "play":
            target = f" → {short_role(args[1])}" if len(args) > 1 and args[1] else ""
            return f"play “{self.card.get(args[0], args[0])}”{target}"
        if verb == "unplay":
            return f"take back “{self.card.get(args[0], args[0])}”"
        if verb == "offer":
            to, ask, give = args[:3]
            return (
                f"offer {short_role(to)}: if you play “{self.card.get(ask, ask)}”, "
                f"I play “{self.card.get(give, give)}”"
            )
        if verb in ("accept", "decline"):
            return f"{verb} offer {args[0]}"
        if verb == "say":
            return f"say to {short_role(args[0])}: {args[1] if len(args) > 1 else ''}"
        return {"done": "done with diplomacy", "seal": "seal the order"}.get(verb, cmd.text)

    def actor(self, e: LedgerEntry, kind: str) -> str:
        if kind in ("card", "cost"):
            return self.card_role.get(parse_cause(e.cause).ref, "")
        if kind in FACILITATOR_CAUSES:
            return FACILITATOR
        if kind in ("offer", "income") and e.subject.startswith("capital:"):
            return e.subject.removeprefix("capital:")
        return ""


def _clip(text: str, width: int = 26) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _band(bands: tuple[Band, ...], value: int) -> str:
    return next((b.label for b in bands if b.min <= value <= b.max), "")


def _threshold(lo: int, hi: int) -> int:
    return max(1, math.ceil((hi - lo) * 0.03))


def _ledger(final: GameState, names: _Names, levers: dict[str, str]) -> tuple[LedgerRow, ...]:
    rows = []
    for n, e in enumerate(final.ledger, start=1):
        kind, text, _ = names.cause(e.cause)
        lever = levers.get(parse_cause(e.cause).ref, "") if kind == "card" else ""
        rows.append(
            LedgerRow(
                n=n,
                turn=e.turn,
                phase=e.phase,
                subject=e.subject,
                subject_name=names.subject(e.subject),
                before=e.before,
                after=e.after,
                cause=e.cause,
                cause_kind=kind,
                cause_text=text,
                roll=e.roll,
                actor=names.actor(e, kind),
                lever=lever,
            )
        )
    return tuple(rows)


def _x(phases: tuple[str, ...], turn: int, phase: str) -> float:
    """Chart position: turn t spans (t-1, t]; each phase ends at an equal step inside it."""
    i = phases.index(phase) if phase in phases else len(phases) - 1
    return turn - 1 + (i + 1) / len(phases)


def _tracks(sc: Compiled, final: GameState, ledger: tuple[LedgerRow, ...]) -> tuple[TrackSummary, ...]:
    phases = sc.phases
    last_turn = final.turn
    out = []
    for t in sc.model.tracks:
        bands = tuple(Band(b.min, b.max, b.label) for b in sorted(t.bands, key=lambda b: b.min))
        # value at the end of each (turn, phase), walking the ledger in order
        end_of: dict[tuple[int, str], int] = {}
        for row in ledger:
            if row.subject == t.id:
                end_of[(row.turn, row.phase)] = row.after
        points = [Point(0, "start", 0.0, t.start)]
        value = t.start
        turn_end = []
        for turn in range(1, last_turn + 1):
            for phase in phases:
                value = end_of.get((turn, phase), value)
                points.append(Point(turn, phase, _x(phases, turn, phase), value))
            turn_end.append(value)
        end = final.tracks[sc.track_index[t.id]]
        out.append(
            TrackSummary(
                id=t.id,
                name=t.name,
                meaning=t.meaning,
                min=t.min,
                max=t.max,
                start=t.start,
                end=end,
                start_band=_band(bands, t.start),
                end_band=_band(bands, end),
                bands=bands,
                points=tuple(points),
                turn_end=tuple(turn_end),
                threshold=_threshold(t.min, t.max),
            )
        )
    return tuple(out)


def _contributions(ledger: tuple[LedgerRow, ...], names: _Names) -> dict[tuple[int, str], tuple[Contribution, ...]]:
    """(turn, track) -> causes summed, biggest |delta| first (ties: first to act first)."""
    groups: dict[tuple[int, str], dict[str, list[LedgerRow]]] = defaultdict(dict)
    for row in ledger:
        if row.is_track:
            groups[(row.turn, row.subject)].setdefault(row.cause, []).append(row)
    out = {}
    for key, by_cause in groups.items():
        items = []
        for cause, rows in by_cause.items():
            _, text, label = names.cause(cause)
            items.append(
                Contribution(
                    turn=key[0],
                    track=key[1],
                    phase=rows[-1].phase,
                    cause=cause,
                    text=text,
                    label=label,
                    delta=sum(r.delta for r in rows),
                    actor=rows[0].actor,
                    rows=len(rows),
                )
            )
        order = {c.cause: i for i, c in enumerate(items)}
        out[key] = tuple(sorted((c for c in items if c.delta), key=lambda c: (-abs(c.delta), order[c.cause])))
    return out


def _plays_and_offers(
    sc: Compiled, final: GameState, names: _Names, levers: dict[str, str]
) -> tuple[tuple[Play, ...], tuple[OfferRow, ...]]:
    plays, offers = [], []
    for rec in final.history:
        for role, order in enumerate(rec.orders):
            for card, target in order:
                cid = sc.card_ids[card]
                kind = KINDS[sc.card_kind[card]]
                plays.append(
                    Play(
                        turn=rec.turn,
                        role=sc.role_ids[role],
                        card=cid,
                        title=names.card.get(cid, cid),
                        kind=kind,
                        lever=levers.get(cid, ""),
                        target=sc.role_ids[target] if target >= 0 else "",
                        cost=sc.card_cost[card],
                    )
                )
        for o in rec.offers:
            ask, give = sc.card_ids[o.ask], sc.card_ids[o.give]
            breakers = parse_outcome(o.outcome).breakers
            offers.append(
                OfferRow(
                    id=o.id,
                    turn=o.turn,
                    frm=sc.role_ids[o.frm],
                    to=sc.role_ids[o.to],
                    ask=ask,
                    ask_title=names.card.get(ask, ask),
                    give=give,
                    give_title=names.card.get(give, give),
                    status=o.status,
                    outcome=o.outcome,
                    breakers=breakers,
                )
            )
    return tuple(plays), tuple(offers)


def _custom_title(payload: str) -> str:
    try:
        data = safejson.loads(payload)
    except safejson.JSONInputError:
        return "a custom shock"
    return str(data.get("title") or data.get("id") or "a custom shock") if isinstance(data, dict) else "a custom shock"


def _facilitator_text(names: _Names, before: GameState, after: GameState, verb: str, args: tuple[str, ...]) -> str:
    sc = before.sc
    if verb == "set":
        subject, value, reason = args
        if subject.startswith("capital."):
            role = subject.removeprefix("capital.")
            old = before.capital[sc.role_index[role]]
            what = f"{short_role(role)} capital"
        else:
            old = before.tracks[sc.track_index[subject]]
            what = names.track.get(subject, subject)
        return f"Override: {what} {old} → {int(value)} — reason: “{reason.strip()}”"
    if verb == "inject":
        return f"Injected shock: {names.shock.get(args[0], args[0])}"
    if verb == "inject-custom":
        return f"Injected a shock written on the spot: {_custom_title(args[0])}"
    if verb == "rollback":
        n = int(args[0])
        cut = len(before.checkpoints[n - 1].ledger)
        undone = [e for e in before.ledger[cut:] if not e.subject.startswith("capital:")]
        net: dict[str, int] = {}
        for e in undone:
            net[e.subject] = net.get(e.subject, 0) + e.after - e.before
        moved = ", ".join(f"{names.track.get(t, t)} {signed(d)}" for t, d in net.items() if d)
        reveals = len(before.history) - len(after.history)
        text = f"Rolled back to the start of turn {n}"
        text += f"; undid {len(undone)} track change(s)" + (f" ({moved})" if moved else "")
        if reveals:
            text += f" and {reveals} reveal(s)"
        return text + f"; turn {n} was then played again from its shock phase"
    if verb == "seat":
        return f"Seat {short_role(args[0])} now played by {args[1].strip()}"
    if verb == "force":
        verb_done = "sealed the order" if before.phase == ORDERS else "finished diplomacy"
        return f"Forced {short_role(args[0])} (absent): {verb_done} for it"
    return {
        "pause": "Paused the game",
        "resume": "Resumed the game",
        "lock": "Locked diplomacy",
        "unlock": "Unlocked diplomacy",
    }.get(verb, verb)


@dataclass
class _Walk:
    final: GameState
    reasoning: list[Reasoning]  # the record's rationales placed at their commands
    actions: list[FacilitatorAction]
    setup: list[SeatSetup]  # seat assignments before any role acted
    windows: dict[int, tuple[str, ...]]  # turn -> names of windows open while orders were written
    injected: set[tuple[int, str]]  # (turn, shock id) injected by the facilitator and not undone


def _walk(rec: GameRecord, names: _Names, verify: bool) -> _Walk:
    """Replay once: the final state, every facilitator act in context, windows per turn.

    Seat assignments made before any role has acted are the game's setup (the app writes
    one ``gm:seat`` per AI seat when a game starts), not interventions; a seat changed
    once play has begun is one.
    """
    sc = rec.sc
    prev = new_game(sc, rec.seed)
    raw: list[tuple[int, int, str, str, str, str]] = []  # (command no, turn, phase, verb, text, shock)
    rollbacks: list[tuple[int, int]] = []  # (command no, back to turn)
    windows: dict[int, tuple[str, ...]] = {}
    setup: list[SeatSetup] = []
    started = False  # has a role acted yet?
    said = _rationales(rec)
    reasoning: list[Reasoning] = []
    for i, command, state in replay(rec, verify=verify):
        cmd = parse(command)
        for why in said.get(i, ()):
            if why.get("role") == cmd.actor:
                text, source = str(why.get("text", "")), str(why.get("source", "model"))
                reasoning.append(Reasoning(i + 1, prev.turn, prev.phase, cmd.actor, names.command(cmd), text, source))
        started = started or cmd.actor != FACILITATOR
        if cmd.actor == FACILITATOR and cmd.verb == "seat" and not started:
            setup.append(SeatSetup(i + 1, cmd.args[0], cmd.args[1].strip()))
        elif cmd.actor == FACILITATOR:
            text = _facilitator_text(names, prev, state, cmd.verb, cmd.args)
            shock = ""
            if cmd.verb in ("inject", "inject-custom"):
                shock = state.shocks_this_turn[-1] if state.shocks_this_turn else ""
            if cmd.verb == "inject-custom" and shock:
                names.shock.setdefault(shock, _custom_title(cmd.args[0]))  # its ledger rows name it
            raw.append((i + 1, prev.turn, prev.phase, cmd.verb, text, shock))
            if cmd.verb == "rollback":
                rollbacks.append((i + 1, int(cmd.args[0])))
        if state.phase == ORDERS:
            windows[state.turn] = tuple(
                names.window.get(w, w) for w, last in zip(sc.window_ids, state.windows) if last >= state.turn
            )
        prev = state
    actions = [
        FacilitatorAction(
            command_no=no,
            turn=turn,
            phase=phase,
            verb=verb,
            text=text,
            undone=verb in ("set", "inject", "inject-custom")
            and any(r_no > no and back <= turn for r_no, back in rollbacks),
        )
        for no, turn, phase, verb, text, _ in raw
    ]
    injected = {(a.turn, shock) for a, (*_, shock) in zip(actions, raw) if shock and not a.undone}
    return _Walk(prev, reasoning, actions, setup, windows, injected)


def _rationales(rec: GameRecord) -> dict[int, list[dict[str, Any]]]:
    """The record's ``meta["rationales"]`` by command index; malformed entries (a save is
    outside input) are skipped rather than trusted."""
    out: dict[int, list[dict[str, Any]]] = {}
    items = rec.meta.get("rationales")
    if not isinstance(items, list):
        return out
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("index"), int) and not isinstance(item["index"], bool):
            out.setdefault(item["index"], []).append(item)
    return out


def _turns(
    sc: Compiled,
    final: GameState,
    names: _Names,
    contributions: dict[tuple[int, str], tuple[Contribution, ...]],
    walk: _Walk,
) -> tuple[TurnInfo, ...]:
    out = []
    shocks_by_turn = {r.turn: r.shocks for r in final.history}
    if final.turn not in shocks_by_turn and final.shocks_this_turn:
        shocks_by_turn[final.turn] = final.shocks_this_turn  # a turn cut short (crisis, or still running)
    for turn in range(1, final.turn + 1):
        hits = tuple(
            ShockHit(sh, names.shock.get(sh, sh), (turn, sh) in walk.injected) for sh in shocks_by_turn.get(turn, ())
        )
        per_track = {t: contributions.get((turn, t), ()) for t in sc.track_ids}
        net = {t: sum(c.delta for c in cs) for t, cs in per_track.items()}
        out.append(TurnInfo(turn, hits, walk.windows.get(turn, ()), net, per_track))
    return tuple(out)


def _levers(
    sc: Compiled, levers: dict[str, str], ledger: tuple[LedgerRow, ...], plays: tuple[Play, ...]
) -> tuple[LeverScore, ...]:
    out = []
    role = lever_role(sc)
    for lever in LEVERS:
        cards = tuple(c for c, lv in levers.items() if lv == lever.id)
        total: dict[str, int] = {t: 0 for t in sc.track_ids}
        by_role: dict[str, dict[str, int]] = {r: {t: 0 for t in sc.track_ids} for r in sc.role_ids}
        spent = {r: 0 for r in sc.role_ids}
        for row in ledger:
            if row.cause_kind == "card" and row.lever == lever.id and row.is_track:
                total[row.subject] += row.delta
                by_role[row.actor][row.subject] += row.delta
            elif row.cause_kind == "cost" and parse_cause(row.cause).ref in cards:
                spent[row.actor] -= row.delta
        mine = [p for p in plays if p.lever == lever.id]
        out.append(
            LeverScore(
                lever=lever,
                role=role,
                cards=cards,
                plays={r: sum(1 for p in mine if p.role == r) for r in sc.role_ids},
                total=total,
                by_role=by_role,
                capital_spent=spent,
                played_titles={r: tuple(dict.fromkeys(p.title for p in mine if p.role == r)) for r in sc.role_ids},
            )
        )
    return tuple(out)


def _roles(final: GameState) -> tuple[RoleResult, ...]:
    sc = final.sc
    results = evaluate(final)
    return tuple(
        RoleResult(
            role=r.id,
            name=r.name,
            controller=final.controllers[i],
            summary=r.objective.summary,
            score=results[r.id]["score"],
            max_score=results[r.id]["max_score"],
            won=results[r.id]["won"],
            terms=tuple(Term(t["label"], t["met"], t["required"]) for t in results[r.id]["terms"]),
        )
        for i, r in enumerate(sc.model.roles)
    )


def build_report(rec: GameRecord, verify: bool = True) -> Report:
    """The report of a game record (a loaded save, or a running game's record).

    With `verify` every state hash is checked while replaying (a save edited after the
    fact raises :class:`~game.record.ReplayMismatch`); pass ``verify=False`` for a record
    rebuilt from a command list without hashes.
    """
    sc = rec.sc
    names = _Names(sc)
    walk = _walk(rec, names, verify and bool(rec.initial_hash) and len(rec.hashes) == len(rec.commands))
    final = walk.final
    lever_cards = lever_of_card(sc)
    ledger = _ledger(final, names, lever_cards)
    tracks = _tracks(sc, final, ledger)
    contributions = _contributions(ledger, names)
    plays, offers = _plays_and_offers(sc, final, names, lever_cards)
    turns = _turns(sc, final, names, contributions, walk)
    levers = _levers(sc, lever_cards, ledger, plays)
    roles = _roles(final)
    model = sc.model
    report = Report(
        scenario_id=model.scenario.id,
        title=model.scenario.title,
        version=model.scenario.version,
        seed=rec.seed,
        turns_total=sc.rules.turns,
        turns_played=len(final.history),
        final_turn=final.turn,
        phase=final.phase,
        over=final.over,
        end_reason=final.end_reason,
        commands=len(rec.commands),
        meta=dict(rec.meta),
        roles=roles,
        tracks=tracks,
        ledger=ledger,
        plays=plays,
        offers=offers,
        facilitator=tuple(walk.actions),
        turns=turns,
        levers=levers,
        prompts=(),
        lever_rule=lever_rule(names.role.get(lever_role(sc), lever_role(sc))),
        setup=tuple(walk.setup),
        reasoning=tuple(walk.reasoning),
        role_names={r.id: r.name for r in model.roles},
        phases=sc.phases,
    )
    from game.report.debrief import prompts

    return _with_prompts(report, prompts(report))


def _with_prompts(report: Report, prompts: tuple[Prompt, ...]) -> Report:
    from dataclasses import replace

    return replace(report, prompts=prompts)
