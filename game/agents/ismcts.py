"""Information-set Monte Carlo tree search (single-observer ISMCTS, Cowling, Powley &
Whitehouse 2012), by determinization.

Why this design: Wedge hides other roles' hands and sealed orders, so a search over
the true state would cheat. Each iteration instead samples one full state consistent
with the role's view (:mod:`game.agents.determinize`) and walks a tree whose nodes are
this role's own command sequences. Other roles' moves and chance are not in the tree:
in each determinized state they are played by a fast default policy (uniform random
legal commands) through :func:`game.rules.apply_fast`. Selection is UCB1 with
availability counts (a child is compared with how often it was *available*, since
which commands are legal differs between determinizations).

Playouts stop after ``horizon`` turn ends (or at the game's end) and are scored by
:class:`Objective`: the role's objective terms evaluated on the tracks *projected to
the last turn* by the scenario's drift rules, with a smooth distance-to-threshold
credit for terms not yet met, plus what the cards and capital the role still holds
could add. Most terms are judged at the end, and a cut that drift will undo is worth
nothing, so this keeps a short horizon from making the agent myopic. Because the
leaf values the cards still held, the role's own moves *outside* the tree are
"hold" (``done``/``seal``) rather than random: random own plays would spend the very
cards and capital the evaluation is meant to value.

Deterministic for a given seed with an ``iterations`` budget (a ``time`` budget
depends on machine speed).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any, ClassVar

from mypy_extensions import mypyc_attr

from game import rng
from game.agents.base import Capabilities
from game.agents.determinize import Template, prepare
from game.commands import Command
from game.compiled import Compiled, Compiler
from game.phases import drift_move, run_pressures
from game.rules import apply_fast, legal_actions, trailing_unplays
from game.scenario import models as m
from game.state import DIPLOMACY, OVER, GameState
from game.views import RoleView
from game.work import Work

Closeness = Callable[[Any], float]
#: The hand potential counts what the role can play in this many final turns.
FINAL_TURNS = 2


# ------------------------------------------------------------------- evaluation


class _Reader:
    """A condition reader over projected tracks (the rest as in the state)."""

    __slots__ = ("tracks", "turn_start", "flags", "windows", "turn", "revealed")

    def __init__(self, s: GameState, tracks: list[int]) -> None:
        self.tracks = tracks
        self.turn_start = s.turn_start
        self.flags = s.flags
        self.windows = s.windows
        self.turn = s.turn
        self.revealed = s.revealed


class Objective:
    """A smooth score of how well `role` is doing, in objective points.

    Each term that holds earns its points and each that does not earns
    ``shaping × points × closeness`` (closeness decays with the distance to the term's
    threshold, in tenths of the track's range), so near misses rank above far misses.

    At the end of the game that is the whole value. Before it, the value is what the
    role could still reach: tracks are projected to the last turn by drift alone
    (§8.1), then the role's *hand potential* is added — its best affordable use of the
    cards it holds in the last ``FINAL_TURNS`` turns (whose plays drift cannot undo),
    chosen greedily within the capital it holds now (plus those turns' income) and the
    cards it may play then, each card's effect measured by running it on the leaf state. So a
    strong card or capital kept for the final turns is worth what it can still do,
    while a cut that drift will undo is worth nothing: a short horizon does not make
    the agent spend early for nothing.
    """

    def __init__(self, sc: Compiled, role: int, shaping: float = 0.5) -> None:
        self.sc = sc
        self.role = role
        self.shaping = shaping
        compiler = Compiler(sc.model)
        terms = sc.model.roles[role].objective.terms
        self.terms = tuple((t.points, compiler.cond(t.when), self._closeness(t.when)) for t in terms)
        self.max_score = max(1, sum(t.points for t in terms))

    def _closeness(self, c: Any) -> Closeness:  # noqa: C901 - one branch per condition type
        sc = self.sc
        if isinstance(c, m.TrackCond):
            i = sc.track_index[c.track]
            lo = -(10**9) if c.min is None else c.min
            hi = 10**9 if c.max is None else c.max
            scale = max(1.0, (sc.track_max[i] - sc.track_min[i]) / 10)

            def track(r: Any) -> float:
                v = r.tracks[i]
                d = lo - v if v < lo else v - hi if v > hi else 0
                return math.exp(-d / scale)

            return track
        if isinstance(c, m.AllCond):
            parts = [self._closeness(x) for x in c.of]
            return lambda r: min(p(r) for p in parts)
        if isinstance(c, m.AnyCond):
            parts = [self._closeness(x) for x in c.of]
            return lambda r: max(p(r) for p in parts)
        cond = Compiler(sc.model).cond(c)
        return lambda r: 1.0 if cond(r) else 0.0

    def points(self, r: Any) -> float:
        total = 0.0
        for points, cond, close in self.terms:
            total += points if cond(r) else self.shaping * points * close(r)
        return total

    def project(self, s: GameState) -> list[int]:
        """Tracks after the pressures and drift of every upkeep still to come (§8.1),
        cards and shocks ignored.

        Pressures are part of the projection because they are standing forces like
        drift: without them the search would value a track its pressures will pull back
        (a ceiling, an erosion) as if it would hold. They run on a scratch work copy, so
        their dice come from the sampled state's stream like the real upkeep's."""
        sc = self.sc
        if not sc.pressures:
            tracks = list(s.tracks)
            for turn in range(s.turn, sc.rules.turns + 1):
                for d in sc.drift:
                    held = any(s.windows[x] >= turn for x in d.suspended_by)
                    tracks[d.track] += drift_move(sc, d, tracks, held)
            return tracks
        w = Work(s)
        for turn in range(s.turn, sc.rules.turns + 1):
            w.turn = turn
            run_pressures(w)
            for d in sc.drift:
                held = any(s.windows[x] >= turn for x in d.suspended_by)
                w.tracks[d.track] += drift_move(sc, d, w.tracks, held)
        return w.tracks

    def _playable(self, s: GameState) -> list[int]:
        """Cards in hand the role could play now (requirements, coercion), each once."""
        sc = self.sc
        coercion_ok = s.tracks[sc.stability] > sc.rules.coercive_blocked_at_or_below
        out = []
        for card in dict.fromkeys(s.hands[self.role]):
            req = sc.card_requires[card]
            if not ((sc.card_coercive[card] and not coercion_ok) or (req is not None and not req(s))):
                out.append(card)
        return out

    def __call__(self, s: GameState) -> float:
        """The value in [0, ~1]: objective points over the role's maximum score."""
        if s.phase == OVER:
            return self.points(s) / self.max_score
        sc, me = self.sc, self.role
        projected = self.project(s)
        r = _Reader(s, projected)
        best = self.points(r)
        # Only the last FINAL_TURNS turns' plays escape drift. Their budget is the capital
        # held now plus the income of those turns: saving before them is not assumed, so
        # capital spent now is missed at the end unless income would have overflowed.
        final = min(sc.rules.turns - s.turn + 1, FINAL_TURNS)
        budget = s.capital[me] + sc.role_income[me] * (final - 1)
        slots = sc.rules.max_cards_per_turn * final
        hand = self._playable(s)
        if not hand:
            return best / self.max_score
        # Picked cards' effects accumulate on one scratch copy, so a card is measured
        # after the ones picked before it (sanctions then the carrot, a window then framing).
        w = Work(s)
        w.owner = me
        start, lo, hi = s.tracks, sc.track_min, sc.track_max
        while slots > 0:
            snap = (list(w.tracks), w.flags, list(w.windows), w.rng)
            pick = None
            for card in hand:
                if sc.card_cost[card] > budget:
                    continue
                for target in sc.card_targets[card] or (-1,):
                    w.target = target
                    for f in sc.card_effects[card]:
                        f(w)
                    r.tracks = [
                        min(hi[i], max(lo[i], p + v - b)) for i, (p, v, b) in enumerate(zip(projected, w.tracks, start))
                    ]
                    r.flags = w.flags
                    value = self.points(r)
                    if value > best:
                        best, pick = value, (card, (list(w.tracks), w.flags, list(w.windows), w.rng))
                    w.tracks[:], w.flags, w.windows[:], w.rng = snap  # same dice for every candidate
                    w.ledger.clear()
            if pick is None:
                break
            card, (tracks, w.flags, windows, w.rng) = pick
            w.tracks[:], w.windows[:] = tracks, windows
            hand.remove(card)
            budget -= sc.card_cost[card]
            slots -= 1
        return best / self.max_score


# -------------------------------------------------------------------------- tree


class Node:
    __slots__ = ("children", "visits", "total", "avail")

    def __init__(self) -> None:
        self.children: dict[Command, Node] = {}
        self.visits = 0
        self.total = 0.0
        self.avail = 0


@mypyc_attr(allow_interpreted_subclasses=True)  # agents of one's own may build on it
class ISMCTSAgent:
    """Single-observer ISMCTS over this role's commands; see the module docstring.

    The current decision may be an offer; the role's *later* diplomacy is simulated as
    plain ``done``. An offer menu is dozens of commands wide and its value depends on
    the other side's answer, which the random default policy models poorly, so
    searching future offers would spend the whole budget there instead of on orders.
    """

    needs_view = True
    # ClassVar: the registry reads it from the class (a compiled build would otherwise
    # make it a per-instance attribute and leave a descriptor on the class)
    PARAMS: ClassVar[dict[str, str]] = {
        "iterations": "search iterations per decision (default 200)",
        "time": "seconds per decision instead of an iteration count (not reproducible)",
        "c": "UCB1 exploration constant, values being objective fractions in [0, 1] (default 0.15)",
        "horizon": "turn ends a playout runs through before it is evaluated; 0 = to the end (default 2)",
        "seed": "override the seat's seed",
    }
    CAPABILITIES: ClassVar[Capabilities] = Capabilities(
        process=True, network=True, bounds={"iterations": (1, 2000), "c": (0, 10), "horizon": (0, 16)}
    )

    def __init__(
        self,
        sc: Compiled,
        role: int,
        seed: int,
        iterations: int = 200,
        seconds: float = 0.0,
        c: float = 0.15,
        horizon: int = 2,
    ) -> None:
        self.sc = sc
        self.role = role
        self.seed = seed
        self.iterations = iterations
        self.seconds = seconds
        self.c = c
        self.horizon = horizon
        self.objective = Objective(sc, role)
        self.decisions = 0
        self.playouts = 0
        self.done = Command(sc.role_ids[role], "done")
        self.seal = Command(sc.role_ids[role], "seal")

    @classmethod
    def from_spec(cls, sc: Compiled, role: str, seed: int, arg: str, params: dict[str, str]) -> ISMCTSAgent:
        from game.agents.registry import AgentSpecError

        try:
            iterations = int(params.get("iterations", 200))
            seconds = float(params.get("time", 0))
            c = float(params.get("c", 0.15))
            horizon = int(params.get("horizon", 2))
            seed = int(params["seed"]) if "seed" in params else seed
        except ValueError as exc:
            raise AgentSpecError(f"agent 'ismcts': bad parameter value ({exc})") from None
        if iterations < 1 or seconds < 0 or c < 0 or horizon < 0:
            raise AgentSpecError("agent 'ismcts': iterations >= 1, time >= 0, c >= 0 and horizon >= 0")
        return cls(sc, sc.role_index[role], seed, iterations, seconds, c, horizon)

    # -- deciding ----------------------------------------------------------------
    def act(self, view: RoleView, legal: list[Command]) -> Command:
        self.decisions += 1
        unplays = trailing_unplays(legal) if len(legal) > 1 else 0
        if unplays:
            # Never searched: taking back a card is never better than not having added it,
            # and each unplay would double the orders a search must tell apart.
            legal = legal[: len(legal) - 1 - unplays] + legal[-1:]
        if len(legal) == 1:
            return legal[0]
        template = prepare(view)
        root = Node()
        allowed = set(legal)
        base = rng.derive(self.seed, self.decisions)
        deadline = time.perf_counter() + self.seconds if self.seconds > 0 else 0.0
        i = 0
        while i < self.iterations if not deadline else time.perf_counter() < deadline:
            self._iterate(root, template, allowed, base, i)
            i += 1
        self.playouts += i
        best = max(
            (c for c in legal if c in root.children),
            key=lambda c: (root.children[c].visits, root.children[c].total),
            default=legal[0],
        )
        return best

    def _iterate(self, root: Node, template: Template, allowed: set[Command], base: int, i: int) -> None:
        s = template.sample(rng.draw(base, i))
        stop = s.turn + self.horizon if self.horizon else 10**9
        me = self.role
        seed, k = rng.draw(base, i) ^ 0x9E3779B97F4A7C15, 0
        node, path = root, [root]
        expanding = True
        first = True
        while s.phase != OVER and s.turn < stop:
            actor = s.ready.index(False)  # roles act in role order, as in game.simulate.play
            if actor == me and not first and s.phase == DIPLOMACY:
                cmd = self.done  # the role's own later offers are not simulated (see class doc)
            elif actor == me and not expanding:
                cmd = self.seal  # out of the tree the role holds its cards: the leaf values them
            else:
                legal = legal_actions(s, actor)
                size = len(legal)  # unplays are never played (see act()); one look finds most lists have none
                unplays = trailing_unplays(legal) if size > 1 and legal[size - 2].verb == "unplay" else 0
                if actor == me and expanding:
                    if first:
                        legal = [c for c in legal if c in allowed]
                    elif unplays:
                        legal = legal[: size - 1 - unplays] + legal[-1:]
                    node, cmd, expanding = self._select(node, legal, seed, k)
                    path.append(node)
                else:
                    m = size - unplays
                    i = rng.draw(seed, k) % m
                    cmd = legal[-1] if unplays and i == m - 1 else legal[i]
            if actor == me:
                first = False
            k += 1
            s = apply_fast(s, cmd)
        value = self.objective(s)
        for n in path:
            n.visits += 1
            n.total += value

    def _select(self, node: Node, legal: list[Command], seed: int, k: int) -> tuple[Node, Command, bool]:
        """UCB1 over the available children; expand an untried command first.
        Returns the child, its command and whether the descent continues in the tree."""
        children = node.children
        untried = [c for c in legal if c not in children]
        for c in legal:
            child = children.get(c)
            if child is not None:
                child.avail += 1
        if untried:
            cmd = untried[rng.draw(seed, k) % len(untried)]
            child = children[cmd] = Node()
            child.avail = 1
            return child, cmd, False
        log_n = math.log
        best_cmd, best_val, best_child = legal[0], -1.0, children[legal[0]]
        for c in legal:
            ch = children[c]
            val = ch.total / ch.visits + self.c * math.sqrt(log_n(ch.avail) / ch.visits)
            if val > best_val:
                best_cmd, best_val, best_child = c, val, ch
        return best_child, best_cmd, True
