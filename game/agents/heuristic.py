"""A rule-based agent whose whole strategy is data: a *doctrine* per role.

Why data and not code: a facilitator or analyst can read, argue with and change how
each country behaves (``scenarios/doctrine.yaml``) without touching Python, and the
doctrine doubles as a baseline that search agents must beat.

A role's doctrine has

* ``cards``: weighted rules ``{card: ID-or-KIND, score: N, when: CONDITION}``; the
  score of playing a card is the sum of the scores of the rules that match it and
  whose ``when`` holds (optional ``target`` and ``with`` narrow a rule to one target,
  or to orders that already hold another card);
* ``offers``: rules ``{to, ask, give, score, when}`` scoring the offers it may make;
* ``accept``: rules ``{from, ask, give, score, when}`` scoring offers made to it —
  accepted when the total is positive, declined otherwise;
* ``reserve``: rules ``{keep: N, when: CONDITION}``; the role keeps the largest
  matching ``keep`` of its capital unspent (except for promised cards). Most
  objectives are judged only at the end and several tracks drift back toward a
  baseline, so saving capital for the last turns is often the real strategy;
* thresholds: a card is played (an offer made) only if its score is above
  ``play_above`` (``offer_above``), at most ``max_cards`` per turn; ``keep_promise``
  is added to a card the role has promised to play (an offer it accepted, or the card
  it gave in its own offer), since a broken offer costs capital.

``when`` uses the scenario's own condition language (§9.3) evaluated on the role's
view (a :class:`~game.views.RoleView` record, engine-indexed): tracks, turn-start
values (so ``delta`` sees this turn's shocks), flags, windows and the turn.
``played`` refers to the most recent reveal (last turn's orders), since nothing of
the current turn is revealed while a role decides.

The agent scores every legal command, takes the best (ties broken by its own seeded
stream), answers offers first, plays cards up to its limit, then seals.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from mypy_extensions import mypyc_attr

from game import rng
from game.agents.base import Capabilities
from game.agents.determinize import Board
from game.agents.doctrine import (
    DEFAULT_DOCTRINE,
    DoctrineError,
    LoadedDoctrine,
    load_doctrine,
    load_version,
)
from game.commands import Command
from game.compiled import KIND_INDEX, Compiled, Compiler
from game.kinds import ConditionKind
from game.scenario import models as m
from game.scenario.loader import Problem
from game.scenario.references import NOT_A_CARD, Checker
from game.state import ACCEPTED, DECLINED, DIPLOMACY, ORDERS
from game.views import RoleView

# -------------------------------------------------------------- checking and compiling

Cond = Callable[[Any], bool]
Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Matcher:
    """Matches a card index by id or by kind (``-1`` fields match anything)."""

    card: int
    kind: int

    def __call__(self, c: int, sc: Compiled) -> bool:
        return (self.card < 0 or c == self.card) and (self.kind < 0 or sc.card_kind[c] == self.kind)


ANY = Matcher(-1, -1)


@dataclass(frozen=True, slots=True)
class CompiledRule:
    first: Matcher  # card (cards) / ask (offers, accept)
    second: Matcher  # with (cards) / give (offers, accept)
    role: int  # target (cards) / to (offers) / from (accept); -1 = any
    score: float
    when: Cond | None


@dataclass(frozen=True)
class RolePlan:
    """One role's doctrine, checked against a scenario and compiled to closures."""

    role: int
    summary: str
    play_above: float
    offer_above: float
    max_cards: int
    keep_promise: float
    reserve: tuple[tuple[int, Cond | None], ...]
    cards: tuple[CompiledRule, ...]
    offers: tuple[CompiledRule, ...]
    accept: tuple[CompiledRule, ...]


def _mentions_target(c: ConditionKind) -> bool:
    return isinstance(c, m.TargetCond) or any(_mentions_target(x) for x in c.parts())


class _Checker:
    def __init__(self, sc: Compiled, loaded: LoadedDoctrine) -> None:
        self.sc = sc
        self.loaded = loaded
        self.problems: list[Problem] = []
        self.compiler = Compiler(sc.model)

    def fail(self, loc: Loc, message: str) -> None:
        self.problems.append(self.loaded.problem(loc, message))

    def role(self, loc: Loc, name: str | None, me: int) -> int:
        if name is None:
            return -1
        if name not in self.sc.role_index or self.sc.role_index[name] == me:
            others = [r for i, r in enumerate(self.sc.role_ids) if i != me]
            self.fail(loc, f"unknown role {name!r}; expected one of: {', '.join(others)}")
            return -1
        return self.sc.role_index[name]

    def card(self, loc: Loc, name: str | None, owners: set[int], askable: bool = False) -> Matcher:
        """A card id (owned by one of `owners`, askable if asked for) or a card kind."""
        sc = self.sc
        if name is None:
            return ANY
        if name in KIND_INDEX:
            return Matcher(-1, KIND_INDEX[name])
        c = sc.card_index.get(name)
        if c is None or sc.card_role[c] not in owners or (askable and not sc.model.cards[c].askable):
            pool = [
                sc.card_ids[i]
                for r in sorted(owners)
                for i in (sc.askable_by_role[r] if askable else sc.cards_by_role[r])
            ]
            what = "an askable card" if askable else "a card"
            self.fail(
                loc,
                f"{name!r} is not {what} of {self._who(owners)} or a card kind; "
                f"expected one of: {', '.join(list(KIND_INDEX) + pool)}",
            )
            return ANY
        return Matcher(c, -1)

    def _who(self, owners: set[int]) -> str:
        return "/".join(self.sc.role_ids[r] for r in sorted(owners))

    def cond(self, loc: Loc, c: Any) -> Cond | None:
        if c is None:
            return None
        before = len(self.problems)
        self._refs(loc, c)
        return self.compiler.cond(c) if len(self.problems) == before else None

    def _refs(self, loc: Loc, c: ConditionKind) -> None:
        """The scenario's own reference check (each condition kind checks itself), with
        its findings placed in the doctrine file; `target` tests are refused outright."""
        if _mentions_target(c):
            self.fail(loc + ("test",), "'target' conditions only make sense while a card resolves")
            return
        refs = Checker(self.sc.model)
        refs.cond(loc, c, NOT_A_CARD)
        for where, message in refs.found:
            self.fail(where, message)

    def plan(self, role: int) -> RolePlan:
        sc = self.sc
        rid = sc.role_ids[role]
        d = self.loaded.doctrine.roles[rid]
        base: Loc = ("roles", rid)
        me, others = {role}, set(range(len(sc.role_ids))) - {role}
        cards = []
        for i, r in enumerate(d.cards):
            at = base + ("cards", i)
            first = self.card(at + ("card",), r.card, me)
            target = -1
            if r.target is not None:
                target = self.role(at + ("target",), r.target, -1)
                if first.card >= 0 and target >= 0 and target not in sc.card_targets[first.card]:
                    self.fail(at + ("target",), f"{r.card} cannot target {r.target}")
            cards.append(
                CompiledRule(
                    first, self.card(at + ("with",), r.with_, me), target, r.score, self.cond(at + ("when",), r.when)
                )
            )
        offers = []
        for i, o in enumerate(d.offers):
            at = base + ("offers", i)
            to = self.role(at + ("to",), o.to, role)
            ask = self.card(at + ("ask",), o.ask, {to} if to >= 0 else others, askable=True)
            offers.append(
                CompiledRule(ask, self.card(at + ("give",), o.give, me), to, o.score, self.cond(at + ("when",), o.when))
            )
        accept = []
        for i, a in enumerate(d.accept):
            at = base + ("accept", i)
            frm = self.role(at + ("from",), a.from_, role)
            ask = self.card(at + ("ask",), a.ask, me, askable=True)
            give = self.card(at + ("give",), a.give, {frm} if frm >= 0 else others)
            accept.append(CompiledRule(ask, give, frm, a.score, self.cond(at + ("when",), a.when)))
        reserve = tuple((x.keep, self.cond(base + ("reserve", i, "when"), x.when)) for i, x in enumerate(d.reserve))
        limit = sc.rules.max_cards_per_turn if d.max_cards is None else min(d.max_cards, sc.rules.max_cards_per_turn)
        return RolePlan(
            role,
            d.summary,
            d.play_above,
            d.offer_above,
            limit,
            d.keep_promise,
            reserve,
            tuple(cards),
            tuple(offers),
            tuple(accept),
        )


def compile_doctrine(sc: Compiled, loaded: LoadedDoctrine, role: str) -> RolePlan:
    """Check the doctrine against the scenario (every role it names, every id) and compile `role`'s part."""
    checker = _Checker(sc, loaded)
    d = loaded.doctrine
    if d.scenario is not None and d.scenario != sc.model.scenario.id:
        checker.fail(("scenario",), f"doctrine is for scenario {d.scenario!r}, not {sc.model.scenario.id!r}")
    for rid in d.roles:
        if rid not in sc.role_index:
            checker.fail(("roles", rid), f"unknown role {rid!r}; expected one of: {', '.join(sc.role_ids)}")
    if role not in d.roles:
        checker.fail(("roles",), f"no doctrine for role {role!r}")
    plans = {rid: checker.plan(sc.role_index[rid]) for rid in d.roles if rid in sc.role_index}
    if checker.problems:
        raise DoctrineError(checker.problems)
    return plans[role]


@lru_cache(maxsize=64)
def _plan_cached(sc: Compiled, name: str, mtime: int, size: int, role: str) -> RolePlan:
    return compile_doctrine(sc, load_version(name, mtime, size), role)


def doctrine_for(sc: Compiled) -> Path:
    """The scenario's own doctrine if it ships one, else the standard doctrine.

    A doctrine names cards, so a scenario with its own deck (``classroom``) needs its
    own file; it lives beside the standard one as ``doctrine-<scenario id>.yaml`` so
    that a plain ``heuristic`` seat just works on every shipped scenario.
    """
    own = DEFAULT_DOCTRINE.with_name(f"doctrine-{sc.model.scenario.id}.yaml")
    return own if own.is_file() else DEFAULT_DOCTRINE


def plan_for(sc: Compiled, role: str, path: str | os.PathLike[str] = DEFAULT_DOCTRINE) -> RolePlan:
    """The compiled doctrine of `role` from the file at `path` (cached while the file is unchanged)."""
    loaded = load_doctrine(path)  # raises DoctrineError for unreadable files
    info = os.stat(path)
    return _plan_cached(sc, loaded.name, info.st_mtime_ns, info.st_size, role)


# ---------------------------------------------------------------------------- agent


@mypyc_attr(allow_interpreted_subclasses=True)  # agents of one's own may build on it
class HeuristicAgent:
    """Plays its role's doctrine: best-scoring command each step, seeded tie-breaks."""

    needs_view = True
    # ClassVar: the registry reads it from the class (a compiled build would otherwise
    # make it a per-instance attribute and leave a descriptor on the class)
    PARAMS: ClassVar[dict[str, str]] = {"doctrine": "path of a doctrine YAML file (default scenarios/doctrine.yaml)"}
    # network: yes, with its doctrine parameter (a file path) refused there.
    CAPABILITIES: ClassVar[Capabilities] = Capabilities(network=True)

    def __init__(self, sc: Compiled, plan: RolePlan, seed: int) -> None:
        self.sc = sc
        self.plan = plan
        self.seed = seed
        self.index = 0
        # The rules that can apply to a card (or to an offer's roles and cards), in
        # doctrine order, found once per game: most of a doctrine is about other cards,
        # and only the `when` of a rule depends on the board.
        self._card_rules: dict[tuple[int, int], tuple[CompiledRule, ...]] = {}
        self._offer_rules: dict[tuple[int, int, int], tuple[CompiledRule, ...]] = {}
        self._accept_rules: dict[tuple[int, int, int], tuple[CompiledRule, ...]] = {}

    @classmethod
    def from_spec(cls, sc: Compiled, role: str, seed: int, arg: str, params: dict[str, str]) -> HeuristicAgent:
        path = params.get("doctrine") or arg or doctrine_for(sc)
        return cls(sc, plan_for(sc, role, path), seed)

    def act(self, view: RoleView, legal: list[Command]) -> Command:
        board = Board(view)
        phase = view.phase
        if phase == DIPLOMACY:
            best = self._best([(self._offer_score(c, board), c) for c in legal if c.verb == "offer"])
            if best is not None and best[0] > self.plan.offer_above:
                return best[1]
        elif phase == ORDERS:
            answers = [c for c in legal if c.verb in ("accept", "decline")]
            if answers:
                return self._answer(answers, view, board)
            if len(view.my_order) < self.plan.max_cards:
                cost = self.sc.card_cost
                budget = board.capital[self.plan.role] - self._reserve(board)
                budget -= sum([cost[c] for c, _ in view.my_order])
                scored = []
                for c in legal:
                    if c.verb == "play":
                        score, promised = self._card_score(c, view, board)
                        if promised or cost[self.sc.card_index[c.args[0]]] <= budget:
                            scored.append((score, c))
                best = self._best(scored)
                if best is not None and best[0] > self.plan.play_above:
                    return best[1]
        for verb in ("done", "seal"):
            for c in legal:
                if c.verb == verb:
                    return c
        return legal[0]  # only when a phase offers neither done nor seal (never in the engine)

    def _best(self, scored: list[tuple[float, Command]]) -> tuple[float, Command] | None:
        """Highest score; ties broken by the agent's own stream (never the global random module)."""
        if not scored:
            return None
        top = max(s for s, _ in scored)
        ties = [x for x in scored if x[0] == top]
        pick = rng.draw(self.seed, self.index) % len(ties)
        self.index += 1
        return ties[pick]

    def _reserve(self, board: Board) -> int:
        return max((keep for keep, when in self.plan.reserve if when is None or when(board)), default=0)

    def _card_score(self, cmd: Command, view: RoleView, board: Board) -> tuple[float, bool]:
        """The card's doctrine score, and whether the role promised to play it."""
        sc = self.sc
        card = sc.card_index[cmd.args[0]]
        target = sc.role_index[cmd.args[1]] if len(cmd.args) > 1 else -1
        mine = [c for c, _ in view.my_order]
        rules = self._card_rules.get((card, target))
        if rules is None:
            rules = self._card_rules[(card, target)] = tuple(
                r for r in self.plan.cards if r.first(card, sc) and (r.role < 0 or r.role == target)
            )
        total = 0.0
        for r in rules:
            if (r.second is ANY or any(r.second(c, sc) for c in mine)) and (r.when is None or r.when(board)):
                total += r.score
        me = self.plan.role
        for o in view.offers:
            promised = (o.to == me and o.status == ACCEPTED and o.ask == card) or (
                o.frm == me and o.status != DECLINED and o.give == card
            )
            if promised and o.turn == view.turn:
                return total + self.plan.keep_promise, True
        return total, False

    def _offer_score(self, cmd: Command, board: Board) -> float:
        sc = self.sc
        key = (sc.role_index[cmd.args[0]], sc.card_index[cmd.args[1]], sc.card_index[cmd.args[2]])
        rules = self._offer_rules.get(key)
        if rules is None:
            rules = self._offer_rules[key] = _matching(self.plan.offers, key, sc)
        return sum(r.score for r in rules if r.when is None or r.when(board))

    def _answer(self, answers: list[Command], view: RoleView, board: Board) -> Command:
        """Answer the first pending offer: accept when the accept rules score it above 0."""
        oid = answers[0].args[0]
        offer = next(o for o in view.offers if str(o.id) == oid)
        key = (offer.frm, offer.ask, offer.give)
        rules = self._accept_rules.get(key)
        if rules is None:
            rules = self._accept_rules[key] = _matching(self.plan.accept, key, self.sc)
        total = sum(r.score for r in rules if r.when is None or r.when(board))
        verb = "accept" if total > 0 else "decline"
        for c in answers:
            if c.args[0] == oid and c.verb == verb:
                return c
        # Accepting is not offered when the asked card is not in hand (§6.6): decline.
        return next(c for c in answers if c.args[0] == oid and c.verb == "decline")


def _matching(rules: tuple[CompiledRule, ...], key: tuple[int, int, int], sc: Compiled) -> tuple[CompiledRule, ...]:
    """The offer or accept rules about (other role, asked card, given card), in doctrine order."""
    role, ask, give = key
    return tuple(r for r in rules if (r.role < 0 or r.role == role) and r.first(ask, sc) and r.second(give, sc))
