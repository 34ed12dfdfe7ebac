"""The ``llm`` agent (game/agents/llm.py) against a real HTTP server on loopback.

The server is stdlib ``ThreadingHTTPServer`` on port 0 in a thread, answering
``/v1/chat/completions`` from a script (one reply per request, or a policy that reads the
menu out of the prompt) and recording every request it gets. Nothing of ours is mocked:
the agent's httpx client, timeouts, retries and fallbacks run for real.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from llm_endpoint import Server, answer, closed_port, completion, error, playing, seat
from wedge_testing import ROOT

from game.agents.base import Agent, reason_for, reasons_given
from game.agents.external import default_command
from game.agents.llm import LLMAgent
from game.agents.llm_cache import CallCache, DirCache, request_key
from game.agents.registry import AgentSpecError, build_agents, parse_named_seats, parse_seat, parse_seats
from game.commands import Command
from game.compiled import Compiled, compile_scenario
from game.rules import apply, apply_fast, legal_actions, new_game
from game.scenario.loader import load_scenario
from game.simulate import agent_seed, play
from game.state import DIPLOMACY, ORDERS, GameState
from game.views import role_view

CLASSROOM = ROOT / "scenarios" / "classroom.yaml"


@pytest.fixture
def server(llm_endpoint: Server) -> Server:
    return llm_endpoint


def classroom_sc() -> Compiled:
    return compile_scenario(load_scenario(CLASSROOM))


@pytest.fixture(scope="module")
def sc() -> Compiled:
    return classroom_sc()


def agent(sc: Compiled, server: Server | str, role: str = "us", seed: int = 7, **kw: Any) -> LLMAgent:
    url = server.base_url if isinstance(server, Server) else server
    kw.setdefault("timeout", 5.0)
    return LLMAgent(sc, role, seed, model="test-model", base_url=url, **kw)


def first_decision(sc: Compiled, role: str = "us", phase: str = DIPLOMACY) -> tuple[GameState, list[Command]]:
    """A state of game 1 at `role`'s first decision in `phase` (random play up to there)."""
    s = new_game(sc, 1)
    r = sc.role_index[role]
    while s.phase != phase or s.ready[r]:
        for i in range(len(sc.role_ids)):
            legal = legal_actions(s, i)
            if legal:
                s = apply_fast(s, default_command(legal))
                break
    return s, legal_actions(s, r)


# ---------------------------------------------------------------- one decision


def test_a_good_reply_is_that_command_with_its_rationale(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc)
    server.replies = [answer(3, "offer the summit")]
    a = agent(sc, server, max_tokens=99, temperature=0.3)
    assert a.act(role_view(s, "us"), legal) == legal[2]
    assert a.rationales == [
        {"decision": 1, "turn": 1, "phase": "diplomacy", "command": legal[2].text, "text": "offer the summit",
         "source": "model"}
    ]
    assert a.events == []
    assert a.stats["calls"] == 1 and a.stats["cache_hits"] == 0 and a.stats["defaults"] == 0
    assert (a.stats["prompt_tokens"], a.stats["completion_tokens"]) == (11, 7)
    body = server.requests[0]
    assert set(body) == {"model", "messages", "temperature", "max_tokens", "seed", "response_format"}
    assert (body["model"], body["temperature"], body["max_tokens"]) == ("test-model", 0.3, 99)
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "3. Offer to" in body["messages"][1]["content"] and f"[{legal[2].text}]" in body["messages"][1]["content"]


def test_the_prompt_is_deterministic_and_the_seed_follows_the_decision(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc)
    server.replies = [answer(1), answer(1), answer(1)]
    a, b = agent(sc, server), agent(sc, server)
    view = role_view(s, "us")
    a.act(view, legal)
    b.act(role_view(s, "us"), list(legal))
    assert json.dumps(server.requests[0], sort_keys=True) == json.dumps(server.requests[1], sort_keys=True)
    a.act(view, legal)  # a's second decision: a new seed
    assert server.requests[2]["seed"] != server.requests[0]["seed"]
    assert server.requests[2]["messages"] == server.requests[0]["messages"]


def test_the_key_comes_only_from_the_named_environment_variable(
    sc: Compiled, server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, legal = first_decision(sc)
    server.replies = [answer(1), answer(1)]
    monkeypatch.delenv("WEDGE_TEST_LLM_KEY", raising=False)
    agent(sc, server, key_env="WEDGE_TEST_LLM_KEY").act(role_view(s, "us"), legal)
    monkeypatch.setenv("WEDGE_TEST_LLM_KEY", "sk-test-123")
    a = agent(sc, server, key_env="WEDGE_TEST_LLM_KEY")
    a.act(role_view(s, "us"), legal)
    assert "authorization" not in server.headers[0]
    assert server.headers[1]["authorization"] == "Bearer sk-test-123"
    assert "sk-test-123" not in json.dumps(server.requests) + json.dumps(a.events) + repr(vars(a))


def test_malformed_json_then_a_good_repair(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [completion("I think option two {"), answer(2, "repaired")]
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal) == legal[1]
    assert [e["kind"] for e in a.events] == ["garbage", "repair"]
    assert a.rationales[-1]["text"] == "repaired" and a.rationales[-1]["source"] == "model"
    repair = server.requests[1]["messages"]
    assert [m["role"] for m in repair] == ["system", "user", "assistant", "user"]
    assert repair[2]["content"] == "I think option two {" and "not a JSON object" in repair[3]["content"]


def test_malformed_twice_takes_the_default(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [completion("nope"), completion('{"choice": "two"}')]
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal) == default_command(legal)
    assert [e["kind"] for e in a.events] == ["garbage", "repair", "garbage", "default"]
    assert {e["decision"] for e in a.events} == {1}
    assert a.rationales[-1]["source"] == "default" and a.rationales[-1]["command"] == default_command(legal).text
    assert a.stats["defaults"] == 1 and len(server.requests) == 2


def test_an_out_of_menu_choice_is_repaired_or_defaulted(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [answer(len(legal) + 1), answer(1), answer(0), answer(-4)]
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal) == legal[0]
    assert [e["kind"] for e in a.events] == ["out-of-menu", "repair"]
    assert a.act(role_view(s, "us"), legal) == default_command(legal)
    assert [e["kind"] for e in a.events[2:]] == ["out-of-menu", "repair", "out-of-menu", "default"]


def test_a_fenced_reply_without_response_format_is_read(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [completion('Sure:\n```json\n{"choice": 2, "rationale": "ok", "messages": []}\n```')]
    assert agent(sc, server).act(role_view(s, "us"), legal) == legal[1]


def test_a_slow_server_times_out_to_the_default(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    status, headers, body, _ = answer(1)
    server.replies = [(status, headers, body, 5.0)]
    a = agent(sc, server, timeout=1.0)
    start = time.monotonic()
    assert a.act(role_view(s, "us"), legal) == default_command(legal)
    assert time.monotonic() - start < 2.0
    assert [e["kind"] for e in a.events] == ["timeout", "default"]


def test_a_refused_connection_takes_the_default(sc: Compiled) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    a = agent(sc, f"http://127.0.0.1:{closed_port()}/v1")
    start = time.monotonic()
    assert a.act(role_view(s, "us"), legal) == default_command(legal)
    assert time.monotonic() - start < 2.0
    assert [e["kind"] for e in a.events] == ["refused", "default"]


def test_a_server_error_takes_the_default(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [error(503, "overloaded")]
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal) == default_command(legal)
    assert [e["kind"] for e in a.events] == ["http-error", "default"]
    assert "503" in a.events[0]["detail"]


def test_429_is_retried_after_retry_after(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [error(429, "slow down", {"Retry-After": "1"}), answer(2)]
    a = agent(sc, server)
    start = time.monotonic()
    assert a.act(role_view(s, "us"), legal) == legal[1]
    assert time.monotonic() - start >= 1.0
    assert [e["kind"] for e in a.events] == ["rate-limited"]
    assert len(server.requests) == 2 and server.requests[0] == server.requests[1]


def test_429_beyond_the_turn_budget_takes_the_default(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [error(429, "slow down", {"Retry-After": "30"})]
    a = agent(sc, server, turn_timeout=5.0)
    start = time.monotonic()
    assert a.act(role_view(s, "us"), legal) == default_command(legal)
    assert time.monotonic() - start < 2.0
    assert [e["kind"] for e in a.events] == ["rate-limited", "default"] and len(server.requests) == 1


def test_a_refused_json_schema_falls_back_to_json_object(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [error(400, "Invalid parameter: 'response_format' of type 'json_schema' is not supported")]
    server.policy = lambda body: answer(2)
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal) == legal[1]
    assert [e["kind"] for e in a.events] == ["format"]
    kinds = [r.get("response_format", {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object"]
    assert server.requests[1]["response_format"]["schema"]["required"] == ["choice", "rationale", "messages"]
    a.act(role_view(s, "us"), legal)  # remembered: the next decision asks in json_object at once
    assert [r.get("response_format", {}).get("type") for r in server.requests[2:]] == ["json_object"]


def test_no_response_format_as_the_last_fallback(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [error(422, "unknown field response_format"), error(400, "schema not supported")]
    server.policy = lambda body: answer(1)
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal) == legal[0]
    assert a.format == "none" and "response_format" not in server.requests[2]


def test_a_spent_turn_budget_defaults_without_a_request(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    status, headers, body, _ = answer(1)
    server.replies = [(status, headers, body, 3.0)]
    a = agent(sc, server, timeout=5.0, turn_timeout=0.5)
    assert a.act(role_view(s, "us"), legal) == default_command(legal)  # the call is cut at the budget
    assert [e["kind"] for e in a.events] == ["timeout", "default"]
    assert a.act(role_view(s, "us"), legal) == default_command(legal)
    assert [e["kind"] for e in a.events[2:]] == ["budget", "default"]
    assert len(server.requests) == 1


# ---------------------------------------------------------------- messages


def test_messages_come_first_as_legal_say_commands(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc)
    msgs = [{"to": "russia", "text": "Let us talk:\nabout the summit."}, {"to": "us", "text": "to myself"}]
    server.replies = [answer(2, "why not", msgs)]
    a = agent(sc, server)
    before = reasons_given(a)
    first = a.act(role_view(s, "us"), legal)
    assert first == Command("us", "say", ("russia", "Let us talk: about the summit."))
    s = apply(s, first)  # the rules accept it
    assert reason_for(a, before, first) is None
    before = reasons_given(a)
    second = a.act(role_view(s, "us"), legal_actions(s, 0))
    assert second == legal[1]  # the message to itself was dropped, never returned
    assert reason_for(a, before, second) == {"text": "why not", "source": "model"}
    assert [e["kind"] for e in a.events] == ["message-dropped"]
    assert len(server.requests) == 1


def test_messages_are_not_sent_while_diplomacy_is_locked(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc)
    s = apply(s, "gm:lock")
    legal = legal_actions(s, 0)
    server.replies = [answer(1, "locked", [{"to": "prc", "text": "hello"}])]
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal) == legal[0]
    assert [e["kind"] for e in a.events] == ["message-dropped"]


def test_a_choice_that_is_no_longer_legal_is_decided_again(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc)
    server.replies = [answer(1, "offer", [{"to": "india", "text": "hi"}]), answer(1, "the next one")]
    a = agent(sc, server)
    say = a.act(role_view(s, "us"), legal)
    assert say.verb == "say"
    s = apply(s, say)
    narrower = legal[1:]  # as if the first option had gone meanwhile
    assert a.act(role_view(s, "us"), narrower) == narrower[0]
    assert [e["kind"] for e in a.events] == ["stale"] and a.decision == 2
    assert [r["command"] for r in a.rationales] == [narrower[0].text]


def test_a_pending_choice_is_dropped_when_the_phase_moves_on(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc)
    server.replies = [answer(1, "x", [{"to": "india", "text": "hi"}]), answer(1, "orders")]
    a = agent(sc, server)
    assert a.act(role_view(s, "us"), legal).verb == "say"
    s2, legal2 = first_decision(sc, phase=ORDERS)
    assert a.act(role_view(s2, "us"), legal2) == legal2[0]
    assert a.events == [] and len(server.requests) == 2


# ---------------------------------------------------------------- whole games, caches


def llm_game(sc: Compiled, seed: int, agents: dict[str, LLMAgent]) -> tuple[tuple[str, ...], list[Agent]]:
    seats = parse_seats("russia=random,prc=heuristic", sc)
    others = build_agents(sc, seats, seed)
    players: list[Agent] = [agents.get(r, others[i]) for i, r in enumerate(sc.role_ids)]
    return play(sc, seed, players).commands, players


def test_a_recorded_game_replays_with_the_endpoint_down(sc: Compiled, server: Server) -> None:
    server.policy = playing
    first = agent(sc, server, seed=agent_seed(5, "us"), cache=CallCache())
    commands, _ = llm_game(sc, 5, {"us": first})
    assert any(":say:" in c for c in commands) and first.stats["calls"] == len(server.requests) > 5
    url = server.base_url
    server.stop()
    again = agent(sc, url, seed=agent_seed(5, "us"), cache=CallCache.from_entries(json.loads(json.dumps(
        first.cache.entries))))  # type: ignore[union-attr]
    replayed, _ = llm_game(sc, 5, {"us": again})
    assert replayed == commands
    assert again.stats["calls"] == 0 and again.stats["cache_hits"] == first.stats["calls"]
    assert again.events == [] and [r["text"] for r in again.rationales] == [r["text"] for r in first.rationales]


def test_a_cache_hit_keeps_a_fallen_back_format(sc: Compiled, server: Server) -> None:
    s, legal = first_decision(sc, phase=ORDERS)
    server.replies = [error(400, "response_format json_schema unsupported")]
    server.policy = lambda body: answer(2)
    cache = CallCache()
    assert agent(sc, server, cache=cache).act(role_view(s, "us"), legal) == legal[1]
    url = server.base_url
    server.stop()
    again = agent(sc, url, cache=cache)
    assert again.act(role_view(s, "us"), legal) == legal[1]
    assert again.format == "json_object" and again.stats["calls"] == 0


WRITER = """
import sys
from game.agents.llm_cache import DirCache, request_key
cache = DirCache(sys.argv[1])
who = sys.argv[2]
for i in range(40):
    shared = {"model": "m", "messages": [{"role": "user", "content": f"shared {i}"}], "seed": i}
    cache.put(request_key(shared), shared, {"n": i})
    own = {"model": "m", "messages": [{"role": "user", "content": f"{who} {i}"}], "seed": i}
    cache.put(request_key(own), own, {"who": who, "n": i})
print(len(cache.entries))
"""


def test_a_dir_cache_is_shared_between_processes(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), who], cwd=ROOT, stdout=subprocess.PIPE)
        for who in ("a", "b")
    ]
    for p in procs:
        assert p.wait(timeout=60) == 0
    cache = DirCache(tmp_path)
    assert len(cache.entries) == 120
    for who in ("a", "b"):
        own = {"model": "m", "messages": [{"role": "user", "content": f"{who} 7"}], "seed": 7}
        assert cache.get(request_key(own)) == {"who": who, "n": 7}
    assert not list(tmp_path.rglob("*.tmp"))
    key = request_key({"model": "m", "messages": [{"role": "user", "content": "shared 3"}], "seed": 3})
    assert (tmp_path / key[:2] / f"{key}.json").is_file()
    (tmp_path / key[:2] / f"{key}.json").write_text("{broken", encoding="utf-8")
    assert cache.get(key) is None  # a damaged file is a miss, not an error


def test_a_call_cache_round_trips_through_its_entries() -> None:
    cache = CallCache()
    request = {"model": "m", "messages": [{"role": "user", "content": "é"}], "temperature": 0.5, "seed": 1}
    key = request_key(request)
    assert key == request_key(dict(reversed(list(request.items()))))  # key order does not matter
    assert key != request_key({**request, "seed": 2})
    cache.put(key, request, {"choices": []})
    again = CallCache.from_entries(json.loads(json.dumps(cache.entries)))
    assert again.get(key) == {"choices": []} and again.entries == cache.entries
    assert len(CallCache.from_entries({"not-a-key": {"request": {}, "response": {}}})) == 0


# ---------------------------------------------------------------- seat specs


def test_an_llm_seat_spec_builds_the_agent(sc: Compiled, tmp_path: Path) -> None:
    persona = tmp_path / "persona.txt"
    persona.write_text("Play boldly; trust no one.", encoding="utf-8")
    spec = (
        f"llm:model=m:base_url=http://127.0.0.1:8080/v1:temperature=0.2:persona={persona}:timeout=3"
        f":turn_timeout=9:max_tokens=64:key_env=MY_KEY:cache={tmp_path / 'calls'}"
    )
    seats = parse_named_seats(f"us={spec},prc=random", sc.role_ids)
    assert seats["us"].params["base_url"] == "http://127.0.0.1:8080/v1"
    a = build_agents(sc, {**parse_seats("", sc), **seats}, 3)[0]
    assert isinstance(a, LLMAgent)
    assert (a.model, a.base_url, a.temperature, a.timeout, a.turn_timeout, a.max_tokens, a.key_env) == (
        "m", "http://127.0.0.1:8080/v1", 0.2, 3.0, 9.0, 64, "MY_KEY"
    )
    assert isinstance(a.cache, DirCache) and "Play boldly; trust no one." in a.prompts.system
    assert a.seed == agent_seed(3, "us") and type(a).CAPABILITIES.stateful and not type(a).CAPABILITIES.network


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("llm:base_url=http://x/v1", "needs model"),
        ("llm:model=m", "needs base_url"),
        ("llm:model=m:base_url=ftp://x", "must start with http"),
        ("llm:model=m:base_url=http://x:temperature=3", "temperature"),
        ("llm:model=m:base_url=http://x:timeout=0", "timeout"),
        ("llm:model=m:base_url=http://x:max_tokens=1.5", "max_tokens"),
        ("llm:model=m:base_url=http://x:key_env=A B", "key_env"),
        ("llm:model=m:base_url=http://x:persona=/nonexistent/p.txt", "persona"),
        ("llm:model=m:base_url=http://x:api_key=sk-1", "no parameter 'api_key'"),
    ],
)
def test_bad_llm_specs_are_refused(sc: Compiled, spec: str, message: str) -> None:
    with pytest.raises(AgentSpecError, match=message):
        parsed = parse_seat(spec)
        build_agents(sc, {**parse_seats("", sc), "us": parsed}, 1)


# ---------------------------------------------------------------- nothing hidden reaches a prompt


@dataclass
class Recorder:
    """Wraps a seat's agent: notes, for each of its decisions, how many commands the game
    had and how many requests the server had seen, so that every request can be matched
    with the real state it was made in (the game is replayed from its commands)."""

    inner: Any
    log: list[str]
    server: Server
    marks: list[tuple[int, int, int]] = field(default_factory=list)  # (commands before, requests before, after)

    @property
    def needs_view(self) -> bool:
        return bool(self.inner.needs_view)

    def act(self, view: dict[str, Any], legal: list[Command]) -> Command:
        before = len(self.server.requests)
        cmd: Command = self.inner.act(view, legal)
        self.marks.append((len(self.log), before, len(self.server.requests)))
        self.log.append(cmd.text)
        return cmd


def _tokens(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text))


def hidden_from(s: GameState, role: int, legal: list[Command]) -> tuple[set[str], list[str], list[str]]:
    """What `role` must not read in state `s`: (card ids, card titles, other texts).

    Hidden cards are other roles' hands (which hold their unrevealed orders), less every
    card `role` legitimately knows of now: those its view names anywhere (discards, the
    revealed history, offers it is party to, ledger causes) and those its legal commands
    name (other roles' askable cards, which its offers ask for). Other texts: messages
    it is not party to, and offers of this turn between other roles ("offer N")."""
    sc = s.sc
    known = _tokens(json.dumps(role_view(s, role))) | _tokens(" ".join(c.text for c in legal))
    own = {sc.card_ids[c] for c in sc.cards_by_role[role]}
    secret = {sc.card_ids[c] for o, hand in enumerate(s.hands) if o != role for c in hand} - known - own
    titles = [c.title for c in sc.model.cards if c.id in secret]
    texts = [m.text for m in s.messages if role not in (m.frm, m.to)]
    texts += [f"offer {o.id} " for o in s.offers if role not in (o.frm, o.to)]
    return secret, titles, texts


def scrub(prompt: str, sc: Compiled, secret: set[str]) -> str:
    """`prompt` without the public names that may contain a hidden card's title as a part
    (the shock "Joint bomber patrol near Alaska" holds the card "Joint bomber patrol"),
    longest first, so that only a hidden title standing on its own is found."""
    model = sc.model
    names = [x.title for x in model.shocks] + [f.name for f in model.flags] + [w.name for w in model.windows]
    names += [x.name for x in model.pressures] + [t.name for t in model.tracks]
    names += [c.title for c in model.cards if c.id not in secret]
    for name in sorted(names, key=len, reverse=True):
        prompt = prompt.replace(name, "")
    return prompt


def test_no_prompt_holds_what_its_seat_may_not_see(sc: Compiled, server: Server) -> None:
    server.policy = playing
    seed, log = 11, list[str]()
    llm = {r: Recorder(agent(sc, server, role=r, seed=agent_seed(seed, r)), log, server) for r in ("us", "india")}
    others = build_agents(sc, parse_seats("russia=random,prc=heuristic", sc), seed)
    players = [llm[r] if r in llm else Recorder(others[i], log, server) for i, r in enumerate(sc.role_ids)]
    played = play(sc, seed, players)  # type: ignore[arg-type]
    assert list(played.commands) == log
    # Replay the game to recover the state of every decision of the two model seats.
    states = [new_game(sc, seed)]
    for text in log:
        states.append(apply(states[-1], text))
    checked = secrets_seen = 0
    for name, rec in llm.items():
        role = sc.role_index[name]
        for at, first, last in rec.marks:
            s = states[at]
            secret, titles, texts = hidden_from(s, role, legal_actions(s, role))
            secrets_seen += bool(secret) + bool(texts)
            for body in server.requests[first:last]:
                prompt = "\n".join(m["content"] for m in body["messages"])
                assert seat(body) == name
                assert not (_tokens(prompt) & secret), (name, s.turn, s.phase, _tokens(prompt) & secret)
                leaked = [t for t in titles if t in scrub(prompt, sc, secret)] + [t for t in texts if t in prompt]
                assert not leaked, (name, s.turn, s.phase, leaked)
                checked += 1
    assert checked == sum(len(rec.marks) for rec in llm.values()) - sum(
        1 for rec in llm.values() for at, first, last in rec.marks if first == last
    )
    assert checked > 20 and secrets_seen > 20  # the check had real secrets to find
    # The game used the model seats' messages, and each saw the other's message to it.
    says = [c for c in log if ":say:" in c]
    assert {c.split(":")[0] for c in says} == {"us", "india"}
    to_india = [c.split(":", 3)[3] for c in says if c.startswith("us:say:india:")]
    assert to_india and any(to_india[0] in m["content"] for b in server.requests for m in b["messages"]
                            if seat(b) == "india")


# ---------------------------------------------------------------- playtests


def test_playtest_rows_keep_reasons_and_usage_and_a_cached_rerun_calls_nothing(
    server: Server, tmp_path: Path
) -> None:
    """``wedge playtest --llm-cache``: the workers (other processes) record every call; the
    same batch again, with the endpoint gone, plays the same games from the record."""
    server.policy = playing
    spec = f"us=llm:model=m:base_url={server.base_url}:timeout=5,russia=heuristic,prc=random,india=heuristic"
    cache = tmp_path / "calls"

    def batch(out: Path) -> list[dict[str, Any]]:
        run = subprocess.run(
            [sys.executable, "-m", "game.cli", "playtest", str(ROOT / "scenarios" / "classroom.yaml"),
             "--agents", spec, "--games", "2", "--workers", "2", "--llm-concurrency", "1", "--no-plots",
             "--quiet", "--out", str(out), "--llm-cache", str(cache)],
            capture_output=True, text=True, timeout=120, cwd=ROOT,
        )
        assert run.returncode == 0, run.stderr
        return [json.loads(line) for line in (out / "games.jsonl").read_text().splitlines()]

    first = batch(tmp_path / "a")
    calls = len(server.requests)
    assert calls > 10
    for row in first:
        usage = row["llm"]["us"]
        assert usage["calls"] > 0 and usage["prompt_tokens"] > 0
        us_decisions = [i for i, c in enumerate(row["commands"]) if c.startswith("us:") and ":say:" not in c]
        assert [x["index"] for x in row["rationales"]] == us_decisions
        assert {x["role"] for x in row["rationales"]} == {"us"}
    server.stop()
    again = batch(tmp_path / "b")
    assert [r["commands"] for r in again] == [r["commands"] for r in first]
    assert [r["rationales"] for r in again] == [r["rationales"] for r in first]
    assert all(r["llm"]["us"]["calls"] == 0 and r["llm"]["us"]["cache_hits"] > 0 for r in again)


def test_the_short_prompt_spells_every_option_and_keys_offers_right(sc: Compiled) -> None:
    """prompt=short: well under two thirds of the words, but every legal command is an option, and each
    offer's shorthand (A for Y) names exactly the cards of that command."""
    from game.agents.llm_prompt import PromptBuilder

    s, legal = first_decision(sc)
    full = PromptBuilder(sc.model, "us", "", "full")
    short = PromptBuilder(sc.model, "us", "", "short")
    view = role_view(s, "us")
    text = short.user(view, legal)
    assert text == short.user(view, legal)  # deterministic: recorded calls are found again
    assert len(short.system) + len(text) < 0.6 * (len(full.system) + len(full.user(view, legal)))
    keys = dict(re.findall(r"([AY]\d+)=“([^”]+)”", text))
    titles = {c.id: c.title for c in sc.model.cards}
    options = re.findall(r"^(\d+)\. (.*)$", text, flags=re.M)
    assert [int(n) for n, _ in options] == list(range(1, len(legal) + 1))
    offers = 0
    for (_, words), cmd in zip(options, legal):
        if cmd.verb == "offer":
            to, ask, give = cmd.args
            m = re.fullmatch(r"Offer (\w+): (A\d+) for (Y\d+)\.", words)
            assert m is not None, words
            assert (m.group(1), keys[m.group(2)], keys[m.group(3)]) == (to, titles[ask], titles[give])
            offers += 1
    assert offers > 10
