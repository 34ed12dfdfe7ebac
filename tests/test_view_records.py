"""The views' JSON is exactly what it was: for every state of whole games (random and
heuristic agents, both shipped scenarios, with facilitator acts and messages mixed in),
each audience's view equals the reference builder kept in tests/views_reference.py."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import views_reference as ref
from wedge_testing import ROOT

from game.agents.registry import build_agents, parse_seats
from game.commands import Command
from game.compiled import Compiled, compile_scenario
from game.errors import IllegalCommand
from game.rules import apply, legal_actions, new_game, pending_roles
from game.scenario.loader import load_scenario
from game.simulate import play
from game.state import DIPLOMACY, ORDERS, GameState
from game.views import facilitator_view, public_view, role_view

CLASSROOM = ROOT / "scenarios" / "classroom.yaml"


@pytest.fixture(scope="module")
def classroom_sc() -> Compiled:
    return compile_scenario(load_scenario(CLASSROOM))


def _custom(sc: Compiled) -> str:
    """A facilitator's own shock that reweights a scenario shock (public: it is announced)."""
    shock = {
        "id": "gm-flood",
        "title": "Flood",
        "weight": 0,
        "text": "Floods.",
        "source": "gm",
        "effects": [
            {"op": "shift", "track": sc.track_ids[0], "amount": -3},
            {"op": "reweight_shock", "shock": sc.shock_ids[0], "delta": 3},
        ],
    }
    return "gm:inject-custom:" + json.dumps(shock)


def _extras(s: GameState, k: int) -> list[str]:
    """Facilitator acts and messages to mix into a game (each tried; refusals skipped)."""
    sc = s.sc
    a, b = sc.role_ids[k % len(sc.role_ids)], sc.role_ids[(k + 1) % len(sc.role_ids)]
    if s.phase == DIPLOMACY:
        return [f"{a}:say:{b}:turn {s.turn} hello", "gm:pause", "gm:resume", f"gm:seat:{b}:ai:heuristic"]
    if s.phase == ORDERS and k % 3 == 0:
        return [f"gm:inject:{sc.shock_ids[k % len(sc.shock_ids)]}", _custom(sc), "gm:lock", "gm:unlock"]
    return []


def game_states(sc: Compiled, seed: int, spec: str, extras: bool) -> Iterator[GameState]:
    """Every state of a whole game: the agents' commands replayed, extras mixed in."""
    agents = build_agents(sc, parse_seats(spec, sc, default="random"), seed)
    commands = play(sc, seed, agents).commands
    s = new_game(sc, seed)
    yield s
    for k, text in enumerate(commands):
        if extras and k % 5 == 0:
            for extra in _extras(s, k):
                try:
                    s = apply(s, extra)
                except IllegalCommand:
                    continue
                yield s
        try:
            s = apply(s, text)
        except IllegalCommand:  # the extras changed the game: the first waiting role passes
            s = apply(s, _pass(s))
        yield s
        if s.over:
            return
    while not s.over:
        s = apply(s, _pass(s))
        yield s


def _pass(s: GameState) -> Command:
    return legal_actions(s, pending_roles(s)[0])[-1]  # done or seal


def assert_views_match(s: GameState) -> None:
    assert public_view(s) == ref.public_view(s)
    assert facilitator_view(s) == ref.facilitator_view(s)
    for r, rid in enumerate(s.sc.role_ids):
        expected = ref.role_view(s, r)
        assert role_view(s, r) == expected
        assert role_view(s, rid) == expected


GAMES = [
    ("standard", 1, "", False),
    ("standard", 2, "", True),
    ("standard", 3, "us=heuristic,russia=heuristic,prc=heuristic,india=heuristic", True),
    ("classroom", 4, "", True),
    ("classroom", 5, "heuristic", False),
]


@pytest.mark.parametrize(("scenario", "seed", "spec", "extras"), GAMES)
def test_views_equal_the_reference_for_every_state(
    standard_sc: Compiled, classroom_sc: Compiled, scenario: str, seed: int, spec: str, extras: bool
) -> None:
    sc = standard_sc if scenario == "standard" else classroom_sc
    if spec == "heuristic":
        spec = ",".join(f"{r}=heuristic" for r in sc.role_ids)
    states = 0
    for s in game_states(sc, seed, spec, extras):
        assert_views_match(s)
        states += 1
    assert s.over and states > 30


# ------------------------------------------------------------- across processes


def _mid_game(sc: Compiled) -> GameState:
    s = next(s for s in game_states(sc, 9, "", False) if s.phase == ORDERS and s.turn == 2)
    return s


def test_a_record_pickles_without_its_scenario_and_finds_it_again(standard_sc: Compiled) -> None:
    import pickle

    from game.views import facilitator_record, public_record, role_record

    s = _mid_game(standard_sc)
    for record in (role_record(s, 1), public_record(s), facilitator_record(s)):
        data = pickle.dumps(record)
        assert len(data) < 20_000, "the compiled scenario is not pickled along"
        again = pickle.loads(data)
        # the process's cached copy of the same scenario (another test may have cached one first)
        assert type(again) is type(record) and again.sc.content_hash == record.sc.content_hash
        assert again.to_json() == record.to_json()


def test_hosted_agents_decide_as_in_process_from_the_pickled_record(standard_sc: Compiled) -> None:
    """The terminal UI's agent host (another process) gets the record pickled, and its
    ISMCTS agent decides exactly as the same agent in this process."""
    import pickle

    from game.agents.ismcts import ISMCTSAgent
    from game.views import role_record
    from tui.agent_host import AgentHost

    sc = standard_sc
    s = _mid_game(sc)
    role = next(r for r in range(len(sc.role_ids)) if not s.ready[r])
    rid, legal = sc.role_ids[role], legal_actions(s, role)
    params = {"iterations": "30"}
    local = ISMCTSAgent.from_spec(sc, rid, 77, "", params).act(role_record(s, role), legal)
    host = AgentHost(pickle.dumps(sc.model))
    try:
        spec = ("game.agents.ismcts", "ISMCTSAgent", rid, 77, "", params)
        assert host.act("k", spec, role_record(s, role), legal) == local
    finally:
        host.close()


def test_server_search_workers_decide_as_in_process_from_the_pickled_record(standard_sc: Compiled) -> None:
    """The server's worker process gets the record pickled and compiles the scenario
    before it unpickles it."""
    import asyncio

    from game.server.agents import AIPool, decide
    from game.server.server import scenario_json
    from game.views import role_record

    sc = standard_sc
    s = _mid_game(sc)
    role = next(r for r in range(len(sc.role_ids)) if not s.ready[r])
    rid, legal = sc.role_ids[role], legal_actions(s, role)
    controller = "ismcts:iterations=30"
    local = decide(sc, rid, controller, 78, role_record(s, role), legal)
    pool = AIPool()
    try:
        made = asyncio.run(
            pool.decide(sc, scenario_json(sc.model), "g", rid, controller, 78, role_record(s, role), legal)
        )
    finally:
        pool.close()
    assert made == (local, None)
