"""The heuristic and ISMCTS agents, and determinization.

* both agents finish standard games, only ever return a command from ``legal`` and
  are reproducible from their seed;
* doctrine files are validated with errors that name the file and the field;
* agent specs with unknown parameters are refused with the list of parameters;
* determinizations agree with the view they were built from, conserve cards and
  can be played to the end;
* agents work from exactly the view (a record of plain immutable values), never the state;
* a heuristic US beats a random US on average (a smoke test, not a statistical one).
"""

from __future__ import annotations

import pickle
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from game.agents.base import Agent
from game.agents.determinize import determinize
from game.agents.heuristic import DEFAULT_DOCTRINE, DoctrineError, HeuristicAgent, plan_for
from game.agents.ismcts import ISMCTSAgent
from game.agents.random_agent import RandomAgent
from game.agents.registry import AgentSpecError, build_agents, parse_seat, parse_seats
from game.commands import Command
from game.compiled import Compiled
from game.rules import apply_fast, legal_actions, new_game, pending_roles
from game.simulate import agent_seed, play
from game.state import GameState
from game.victory import evaluate
from game.views import FIELDS, PublicView, RoleView, audience, role_record, role_view


def fields(view: PublicView) -> dict[str, Any]:
    return {name: getattr(view, name) for name in FIELDS[audience(view)]}


def assert_plain(value: Any, where: str) -> None:
    """Immutable plain values all the way down: ints, strings, bools and tuples (the
    state's own records are tuples too), but never a GameState (nor, inside one, the
    compiled scenario, which no plain value can hold)."""
    assert not isinstance(value, GameState), where
    if isinstance(value, tuple):
        for i, x in enumerate(value):
            assert_plain(x, f"{where}[{i}]")
    else:
        assert value is None or isinstance(value, int | str | float), f"{where}: {type(value).__name__}"


class Guarded:
    """Checks that the wrapped agent is handed its role's view record and nothing else
    (every field plain immutable data, the compiled scenario aside), hands it a copy
    that went through pickle, and checks every answer is one of the legal commands."""

    def __init__(self, inner: Agent) -> None:
        self.inner = inner
        self.needs_view = True
        self.commands: list[str] = []

    def act(self, view: RoleView, legal: list[Command]) -> Command:
        assert type(view) is RoleView
        for name in FIELDS["role"]:
            assert_plain(getattr(view, name), name)
        copy = pickle.loads(pickle.dumps(view))
        assert copy.to_json() == view.to_json()
        cmd = self.inner.act(copy, list(legal))
        assert cmd in legal, f"{cmd.text} is not legal here"
        self.commands.append(cmd.text)
        return cmd


def guarded_game(sc: Compiled, seed: int, spec: str) -> tuple[GameState, list[Guarded]]:
    agents = [Guarded(a) for a in build_agents(sc, parse_seats(spec, sc, default="heuristic"), seed)]
    return play(sc, seed, agents, record=False).state, agents


# ----------------------------------------------------------------------- agents


def test_heuristic_agents_finish_games_with_legal_commands(standard_sc: Compiled) -> None:
    for seed in (1, 2, 3):
        final, agents = guarded_game(standard_sc, seed, "")
        assert final.over
        assert all(a.commands for a in agents)


def test_ismcts_agent_finishes_a_game_with_legal_commands(standard_sc: Compiled) -> None:
    final, agents = guarded_game(standard_sc, 5, "us=ismcts:iterations=12,india=ismcts:iterations=6:horizon=1")
    assert final.over
    assert any(":play:" in c for c in agents[0].commands)


def test_same_seed_same_commands(standard_sc: Compiled) -> None:
    spec = "us=ismcts:iterations=10,russia=heuristic,prc=heuristic,india=random"
    first = [a.commands for a in guarded_game(standard_sc, 11, spec)[1]]
    again = [a.commands for a in guarded_game(standard_sc, 11, spec)[1]]
    other = [a.commands for a in guarded_game(standard_sc, 12, spec)[1]]
    assert first == again
    assert first != other


def test_seed_parameter_overrides_the_seat_seed(standard_sc: Compiled) -> None:
    a = parse_seat("ismcts:iterations=10:seed=5")
    b = build_agents(standard_sc, {**parse_seats("", standard_sc), "us": a}, 1)[0]
    c = build_agents(standard_sc, {**parse_seats("", standard_sc), "us": a}, 2)[0]
    assert isinstance(b, ISMCTSAgent) and isinstance(c, ISMCTSAgent)
    assert b.seed == c.seed == 5


def test_agents_decide_from_the_view_alone(standard_sc: Compiled) -> None:
    """Two states that differ only in what `us` cannot see give the same decisions."""
    sc = standard_sc
    s = new_game(sc, 21)
    for r in range(1, 4):
        s = apply_fast(s, Command(sc.role_ids[r], "done"))
    rnd = random.Random(3)
    pool = list(s.hands[2] + s.decks[2])
    rnd.shuffle(pool)
    alt = s._replace(hands=s.hands[:2] + (tuple(pool[:5]),) + s.hands[3:], seed=s.seed + 1, rng=s.rng + 7)
    assert role_view(alt, 0) == role_view(s, 0)
    assert fields(role_record(alt, 0)) == fields(role_record(s, 0))
    for make in (
        lambda: HeuristicAgent.from_spec(sc, "us", 9, "", {}),
        lambda: ISMCTSAgent.from_spec(sc, "us", 9, "", {"iterations": "16"}),
    ):
        picks = []
        for state in (s, alt):
            agent = Guarded(make())
            picks.append(agent.act(role_record(state, 0), legal_actions(state, 0)))
        assert picks[0] == picks[1]


# --------------------------------------------------------------------- doctrine


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "doctrine.yaml"
    path.write_text(text)
    return path


GOOD_ROLE = "    summary: fine\n    cards: [{card: framing, score: 1}]\n"


def all_roles(us: str) -> str:
    return "roles:\n  us:\n" + us + "".join(f"  {r}:\n{GOOD_ROLE}" for r in ("russia", "prc", "india"))


@pytest.mark.parametrize(
    ("us", "field", "words"),
    [
        ("    summary: x\n    cards: [{card: framing, score: high}]\n", "roles.us.cards[0].score", "number"),
        ("    summary: x\n    cards: [{card: framing, scor: 1}]\n", "roles.us.cards[0]", "unknown field 'scor'"),
        ("    summary: x\n    cards: [{card: us-no-such-card, score: 1}]\n", "roles.us.cards[0].card", "us-no-such"),
        ("    summary: x\n    cards: [{card: prc-joint-exercise, score: 1}]\n", "roles.us.cards[0].card", "not a card"),
        (
            "    summary: x\n    cards: [{card: framing, score: 1, when: {test: track, track: nope, min: 1}}]\n",
            "roles.us.cards[0].when.track",
            "unknown track 'nope'",
        ),
        (
            "    summary: x\n    offers: [{to: mars, ask: framing, give: framing, score: 1}]\n",
            "roles.us.offers[0].to",
            "mars",
        ),
        ("    cards: []\n", "roles.us", "missing required field 'summary'"),
    ],
)
def test_bad_doctrine_names_file_and_field(
    standard_sc: Compiled, tmp_path: Path, us: str, field: str, words: str
) -> None:
    path = write(tmp_path, all_roles(us))
    with pytest.raises(DoctrineError) as info:
        plan_for(standard_sc, "us", path)
    message = str(info.value)
    assert str(path) in message
    assert field in message
    assert words in message
    assert "Traceback" not in message


def test_doctrine_errors_point_at_a_line(standard_sc: Compiled, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        all_roles(
            "    summary: x\n    cards:\n      - {card: framing, score: 1}\n      - {card: framing, score: [1]}\n"
        ),
    )
    with pytest.raises(DoctrineError) as info:
        plan_for(standard_sc, "us", path)
    assert f"{path}:6:32: roles.us.cards[1].score" in str(info.value)


def test_doctrine_yaml_errors_and_missing_files(standard_sc: Compiled, tmp_path: Path) -> None:
    with pytest.raises(DoctrineError, match="cannot read"):
        plan_for(standard_sc, "us", tmp_path / "absent.yaml")
    with pytest.raises(DoctrineError, match="empty"):
        plan_for(standard_sc, "us", write(tmp_path, "\n"))
    with pytest.raises(DoctrineError, match=r"doctrine\.yaml:2:1: did not find"):
        plan_for(standard_sc, "us", write(tmp_path, "roles: [unclosed\n"))


def test_doctrine_parameter_through_the_registry(standard_sc: Compiled, tmp_path: Path) -> None:
    path = write(tmp_path, all_roles(GOOD_ROLE))
    seats = parse_seats(f"us=heuristic:doctrine={path}", standard_sc)
    agent = build_agents(standard_sc, seats, 1)[0]
    assert isinstance(agent, HeuristicAgent) and agent.plan.summary == "fine"
    bad = write(tmp_path, all_roles("    summary: x\n    reserve: [{keep: -1}]\n"))
    with pytest.raises(DoctrineError, match=r"roles\.us\.reserve\[0\]\.keep"):
        build_agents(standard_sc, parse_seats(f"us=heuristic:doctrine={bad}", standard_sc), 1)


def test_default_doctrine_covers_every_role(standard_sc: Compiled) -> None:
    for role in standard_sc.role_ids:
        plan = plan_for(standard_sc, role, DEFAULT_DOCTRINE)
        assert plan.cards and plan.summary


@pytest.mark.parametrize(
    ("spec", "listed"),
    [("heuristic:depth=3", ["doctrine"]), ("ismcts:depth=3", ["iterations", "time", "c", "horizon", "seed"])],
)
def test_unknown_parameter_lists_parameters(spec: str, listed: Sequence[str]) -> None:
    with pytest.raises(AgentSpecError) as info:
        parse_seat(spec)
    message = str(info.value)
    assert "'depth'" in message
    for name in listed:
        assert name in message


def test_bad_ismcts_values_are_refused(standard_sc: Compiled) -> None:
    for spec in ("us=ismcts:iterations=lots", "us=ismcts:iterations=0", "us=ismcts:c=-1"):
        with pytest.raises(AgentSpecError, match="ismcts"):
            build_agents(standard_sc, parse_seats(spec, standard_sc), 1)


# ---------------------------------------------------------------- determinization


def random_states(sc: Compiled, games: int, seed: int) -> list[GameState]:
    rnd = random.Random(seed)
    out = []
    for _ in range(games):
        s = new_game(sc, rnd.randrange(2**40))
        while not s.over:
            if rnd.random() < 0.25:
                out.append(s)
            role = rnd.choice(pending_roles(s))
            s = apply_fast(s, rnd.choice(legal_actions(s, role)))
    return out


def conserved(s: GameState) -> bool:
    sc = s.sc
    return all(
        sorted(s.hands[r] + s.decks[r] + s.discards[r] + s.removed[r]) == sorted(sc.cards_by_role[r])
        for r in range(len(sc.role_ids))
    )


def test_determinizations_match_the_view(standard_sc: Compiled) -> None:
    sc = standard_sc
    rnd = random.Random(7)
    for i, s in enumerate(random_states(sc, 12, 1)):
        for r in range(len(sc.role_ids)):
            view = role_record(s, r)
            d = determinize(view, rnd.randrange(2**62))
            seen = fields(role_record(d, r))
            expected = fields(view)
            assert seen.pop("ledger") == () and expected.pop("ledger") is not None
            assert seen == expected, f"state {i}, role {sc.role_ids[r]}"
            # the public facts the dict view left to inference are exact now
            assert (d.shock_status, d.shock_delta, d.revealed) == (s.shock_status, s.shock_delta, s.revealed)
            assert d.hands[r] == s.hands[r]
            assert d.orders[r] == s.orders[r]
            assert conserved(d)
            assert [len(h) for h in d.hands] == [len(h) for h in s.hands]
            assert [len(x) for x in d.decks] == [len(x) for x in s.decks]
            for q in range(len(sc.role_ids)):
                order = [c for c, _ in d.orders[q]]
                assert set(order) <= set(d.hands[q])
                assert sum(sc.card_cost[c] for c in order) <= d.capital[q]


def test_determinizations_play_to_the_end(standard_sc: Compiled) -> None:
    sc = standard_sc
    rnd = random.Random(8)
    states = random_states(sc, 6, 2)
    for s in rnd.sample(states, 25):
        r = rnd.randrange(len(sc.role_ids))
        d = determinize(role_record(s, r), rnd.randrange(2**62))
        while not d.over:
            role = rnd.choice(pending_roles(d))
            d = apply_fast(d, rnd.choice(legal_actions(d, role)))
            assert conserved(d)
        assert set(evaluate(d)) == set(sc.role_ids)


def test_determinizations_vary_hidden_cards_only(standard_sc: Compiled) -> None:
    sc = standard_sc
    s = new_game(sc, 4)
    view = role_record(s, 0)
    samples = [determinize(view, k) for k in range(20)]
    assert len({d.hands[1] for d in samples}) > 1, "other hands are sampled"
    assert {d.hands[0] for d in samples} == {s.hands[0]}
    assert determinize(view, 3) == determinize(view, 3)


def test_sealed_orders_are_sampled_legally(standard_sc: Compiled) -> None:
    sc = standard_sc
    s = new_game(sc, 6)
    for r in range(4):
        s = apply_fast(s, Command(sc.role_ids[r], "done"))
    for r in (1, 2):
        legal = [c for c in legal_actions(s, r) if c.verb == "play"]
        s = apply_fast(s, legal[0])
        s = apply_fast(s, Command(sc.role_ids[r], "seal"))
    view = role_record(s, 0)
    assert view.my_order == () and view.ready[1]
    orders = {determinize(view, k).orders[1] for k in range(30)}
    assert len(orders) > 1
    for k in range(30):
        d = determinize(view, k)
        assert d.orders[3] == ()  # not sealed yet: nothing known, nothing sampled
        assert [c for c, _ in d.orders[1]] == [c for c, _ in d.orders[1] if c in d.hands[1]]


# -------------------------------------------------------------------- strength


def test_heuristic_us_beats_random_us(standard_sc: Compiled) -> None:
    sc = standard_sc
    totals = {"heuristic": 0, "random": 0}
    for seed in range(100, 130):
        for kind in totals:
            agents = build_agents(sc, parse_seats(f"us={kind}", sc, default="heuristic"), seed)
            totals[kind] += evaluate(play(sc, seed, agents, record=False).state)["us"]["score"]
    assert totals["heuristic"] > totals["random"], totals


def test_agent_seeds_are_per_seat(standard_sc: Compiled) -> None:
    agents = build_agents(standard_sc, parse_seats("", standard_sc, default="heuristic"), 3)
    assert [a.seed for a in agents if isinstance(a, HeuristicAgent)] == [agent_seed(3, r) for r in standard_sc.role_ids]
    assert not isinstance(agents[0], RandomAgent)
