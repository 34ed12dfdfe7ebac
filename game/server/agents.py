"""AI seats on the server: agents decide off the event loop.

An agent's decision is a pure function of its seat's seed, a per-decision counter
(how many commands that role has sent so far) and what the role sees (its view and
legal commands). The agent is rebuilt for each decision with that derived seed, so a
server restarted after a crash makes exactly the decisions it would have made — the
agent keeps no state that the crash could lose. (External programs are the exception:
they are started once per seat and kept, and their determinism is their own.)

Cheap agents (random, heuristic) decide on a worker thread; search agents decide in a
worker process so that they cannot hold the interpreter lock the server needs to
answer other games.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import multiprocessing
import os
import pickle
import threading
import time

from game import rng
from game.agents.base import Agent, reason_for, reasons_given
from game.agents.registry import HUMAN, AgentSpecError, agent_class, available_kinds, capabilities, parse_seat
from game.commands import Command, parse
from game.compiled import Compiled
from game.engine import compiled_json
from game.simulate import agent_seed
from game.views import RoleView


def is_human(controller: str) -> bool:
    return controller.strip() == HUMAN


def check_network_controller(controller: str) -> str:
    """'' if a facilitator may seat `controller` from a client, else why not: human, or
    an agent kind declared network-safe, with parameters only within its bounds."""
    text = controller.strip()
    if text == HUMAN:
        return ""
    try:
        spec = parse_seat(text)
        caps = capabilities(spec.kind)
    except AgentSpecError as exc:
        return str(exc)
    if not caps.network or spec.arg:
        return f"a seat is human or one of the server's agents ({', '.join(available_kinds(network=True))})"
    for key, value in spec.params.items():
        bound = caps.bounds.get(key)
        if bound is None:
            return f"agent {spec.kind!r}: parameter {key!r} cannot be set over the network"
        try:
            number = float(value)
        except ValueError:
            return f"agent {spec.kind!r}: {key}={value!r} is not a number"
        low, high = bound
        if not low <= number <= high:
            return f"agent {spec.kind!r}: {key} must be between {low:g} and {high:g}"
    return ""


def decision_seed(game_seed: int, role: str, own_commands: int) -> int:
    """The seed of `role`'s agent for its decision after `own_commands` commands of its own."""
    return rng.derive(agent_seed(game_seed, role), "decision", own_commands)


def _build(sc: Compiled, role: str, controller: str, seed: int) -> Agent:
    spec = parse_seat(controller)
    cls = agent_class(spec.kind)
    agent: Agent = cls.from_spec(sc, role, seed, spec.arg, dict(spec.params))
    return agent


def decide(sc: Compiled, role: str, controller: str, seed: int, view: RoleView, legal: list[Command]) -> Command:
    """One decision by a freshly built agent (runs on a worker thread)."""
    return _build(sc, role, controller, seed).act(view, legal)


def _watch_parent(parent: int) -> None:  # pragma: no cover - runs in the worker process
    """Worker initializer: exit as soon as the server is gone, even after ``kill -9``
    (which gives the pool no chance to stop its workers)."""

    def watch() -> None:
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                os._exit(0)

    threading.Thread(target=watch, name="wedge-ai-watchdog", daemon=True).start()


def _decide_in_process(
    scenario_hash: str,
    scenario_json: str,
    role: str,
    controller: str,
    seed: int,
    view: bytes,
    legal: list[str],
) -> str:  # pragma: no cover - runs in the worker process
    sc = compiled_json(scenario_hash, scenario_json)
    # Unpickled only now: the record finds its scenario in the cache compiled_json fills.
    record: RoleView = pickle.loads(view)
    return decide(sc, role, controller, seed, record, [parse(t) for t in legal]).text


Reason = dict[str, str]  # a computer seat's stated reason for a command: {"text", "source"}


class AIPool:
    """Where agents decide: one thread pool and, on first use, one worker process."""

    def __init__(self, threads: int = 2) -> None:
        self._threads = concurrent.futures.ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wedge-ai")
        self._process: concurrent.futures.ProcessPoolExecutor | None = None
        self._kept: dict[tuple[str, str, str], Agent] = {}
        self.decisions = 0

    async def decide(
        self,
        sc: Compiled,
        scenario_json: str,
        game_id: str,
        role: str,
        controller: str,
        seed: int,
        view: RoleView,
        legal: list[Command],
        calls: object = None,
    ) -> tuple[Command, Reason | None]:
        """The agent's command and, for agents that explain themselves, its reason.

        `calls` is the game's recorded model calls (a CallCache): a language-model seat
        without a cache of its own records into it, and finds there the calls the game
        made before a restart."""
        loop = asyncio.get_running_loop()
        caps = capabilities(parse_seat(controller).kind)
        self.decisions += 1
        if caps.stateful:
            key = (game_id, role, controller)
            agent = self._kept.get(key)
            if agent is None:
                agent = self._kept[key] = _build(sc, role, controller, seed)
                if calls is not None and getattr(agent, "cache", False) is None:
                    agent.cache = calls  # type: ignore[attr-defined]  # a language-model seat
            before = reasons_given(agent)
            cmd = await loop.run_in_executor(self._threads, agent.act, view, legal)
            return cmd, reason_for(agent, before, cmd)
        if caps.process:
            if self._process is None:
                self._process = concurrent.futures.ProcessPoolExecutor(
                    max_workers=1,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_watch_parent,
                    initargs=(os.getpid(),),
                )
            text = await loop.run_in_executor(
                self._process,
                _decide_in_process,
                sc.content_hash,
                scenario_json,
                role,
                controller,
                seed,
                pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL),
                [c.text for c in legal],
            )
            return parse(text), None
        return await loop.run_in_executor(self._threads, decide, sc, role, controller, seed, view, legal), None

    def close(self) -> None:
        for agent in self._kept.values():
            close = getattr(agent, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()
        self._kept.clear()
        self._threads.shutdown(wait=False, cancel_futures=True)
        if self._process is not None:
            self._process.shutdown(wait=False, cancel_futures=True)
            self._process = None
