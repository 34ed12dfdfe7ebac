"""A whole classroom game with two language-model seats on a real local model server
(llama-cpp-python's OpenAI-compatible server running SmolLM2-135M, in its own process on
loopback), then the same game again with the server stopped, from the calls recorded with it.

What a broken seat would get wrong here: an illegal command (the record applies every
command with the rules' checks), a decision without its reason, a reply the schema does not
allow, or a game that cannot be played again without the model. The seats have a per-turn
time budget, so the game ends within the test's budget whatever the machine's speed (decisions
past the budget take the documented default, which the game records like any other).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from game.agents import local_model as lm
from game.agents.llm import LLMAgent
from game.agents.llm_cache import CallCache
from game.agents.registry import build_agents, parse_agents
from game.compiled import Compiled
from game.engine import open_scenario
from game.record import GameRecord, load_save, replay
from game.simulate import play

SEED = 11
LLM = ("us", "prc")
CLASSROOM = Path(__file__).resolve().parents[1] / "scenarios" / "classroom.yaml"


@pytest.fixture(scope="module")
def classroom_sc() -> Compiled:
    return open_scenario(CLASSROOM)


def _agents(sc: Compiled, base_url: str, model: str, cache: CallCache) -> list[LLMAgent]:
    spec = (
        f"llm:model={model}:base_url={base_url}:format=json_object:prompt=short"
        ":max_tokens=96:temperature=0.7:timeout=25:turn_timeout=25"
    )
    seats = parse_agents(",".join(f"{r}={spec}" for r in LLM) + ",russia=heuristic,india=heuristic", sc)
    agents = build_agents(sc, seats, SEED)
    for agent in agents:
        if isinstance(agent, LLMAgent):
            agent.cache = cache
    return agents  # type: ignore[return-value]


def test_two_model_seats_play_a_whole_game_that_replays_without_the_model(
    classroom_sc: Compiled, tmp_path: Path
) -> None:
    reason = lm.available()
    if reason is not None:
        pytest.skip(reason)
    sc = classroom_sc
    cache = CallCache()
    reasons: list[dict[str, object]] = []
    with lm.start_server() as server:
        base_url, model = server.base_url, server.model
        agents = _agents(sc, base_url, model, cache)
        started = time.monotonic()
        played = play(sc, SEED, agents, reasons=reasons)
        seconds = time.monotonic() - started
    seats = {r: a for r, a in zip(sc.role_ids, agents) if isinstance(a, LLMAgent)}
    calls = sum(a.stats["calls"] for a in seats.values())
    assert calls > 0 and len(cache.entries) > 0, "the model was never asked"
    assert any(x["source"] == "model" for x in reasons), f"no decision came from the model: {reasons[:3]}"

    # Every command is legal: the record applies each with the rules' checks.
    rec, s = GameRecord.start(sc, SEED, {"rationales": reasons, "llm_calls": cache.entries})
    for command in played.commands:
        s = rec.accept(s, command)
    assert s.over
    # Every decision of a model seat has its reason, at that seat's command.
    for role in LLM:
        decisions = [i for i, c in enumerate(played.commands) if c.startswith(f"{role}:") and ":say:" not in c]
        explained = [x["index"] for x in reasons if x["role"] == role]
        assert explained == decisions, role

    path = tmp_path / "llm-game.json"
    rec.save(path)
    saved = load_save(path)
    assert list(replay(saved, verify=True))[-1][2].over  # wedge replay --verify needs no model

    # The server is gone: the same seats, given the calls recorded with the game, play it again.
    again = _agents(sc, base_url, model, CallCache.from_entries(saved.meta["llm_calls"]))
    second: list[dict[str, object]] = []
    replayed = play(sc, SEED, again, reasons=second)
    assert replayed.commands == played.commands
    # the same decisions for the same reasons (a default's wording names why no answer came)
    assert [(x["index"], x["source"]) for x in second] == [(x["index"], x["source"]) for x in reasons]
    assert [x for x in second if x["source"] == "model"] == [x for x in reasons if x["source"] == "model"]
    rec2, s2 = GameRecord.start(sc, SEED)
    for command in replayed.commands:
        s2 = rec2.accept(s2, command)
    assert rec2.hashes == saved.hashes
    assert sum(a.stats["cache_hits"] for a in again if isinstance(a, LLMAgent)) >= len(cache.entries)
    print(f"\n{calls} calls in {seconds:.1f} s for {len(played.commands)} commands")
