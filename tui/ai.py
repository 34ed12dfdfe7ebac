"""AI seats: registry agents that play through the session from a background thread.

One Textual thread worker at a time walks the AI seats in role order and lets each
act (view + legal commands -> one command -> ``session.submit``) until none has
anything to do, so AI moves never block the UI thread and their order among
themselves is reproducible. A seat is AI when its controller (``gm:seat``, shown
in every view) is an agent spec rather than ``human``; switching a seat is picked
up on the next pass.

Agents that compute (search, doctrine) decide in a helper process
(:mod:`tui.agent_host`): a thread of the UI process that runs Python holds the GIL
the UI needs to answer keys, for as long as it computes.
"""

from __future__ import annotations

import contextlib
import pickle
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState, get_current_worker

from game.agents.base import Agent, reason_for, reasons_given
from game.agents.registry import KINDS, AgentSpecError, agent_class, capabilities, parse_seat, parse_spec
from game.commands import Command
from game.errors import IllegalCommand, WedgeError
from game.simulate import NO_VIEW, agent_seed
from game.views import RoleView
from tui.agent_host import AgentHost
from tui.seats import is_human
from tui.session import LocalSession

if TYPE_CHECKING:
    from textual.app import App

GROUP = "ai-seats"


class AIDriver:
    def __init__(self, app: App[Any], session: LocalSession) -> None:
        self.app = app
        self.session = session
        self.running = False
        self.dirty = False
        self.enabled = True
        #: True while AI seats must wait (the facilitator's AI pace, UI-side only: see WedgeApp)
        self.hold: Callable[[], bool] = lambda: False
        #: the role whose agent is deciding right now ("" when none); read by the UI
        self.thinking = ""
        #: one line per agent failure (the seat took its default command instead)
        self.errors: list[str] = []
        self._agents: dict[str, tuple[str, Agent]] = {}
        self._process_kinds: set[str] | None = None
        self._host: AgentHost | None = None
        self._host_lock = threading.Lock()
        self._closed = False
        self._call_cache: Any = None
        self._calls_saved = 0  # recorded calls already copied into the save's meta

    @property
    def process_kinds(self) -> set[str]:
        """Agent kinds that decide in the helper process (tui.agent_host), where they cannot
        hold the GIL the UI needs: those declared ``process`` (searching in Python). The
        others decide in the worker thread: ``random`` and ``heuristic`` take microseconds,
        and ``external`` is already a program the thread waits for without the GIL.

        Read on first use (from the worker thread): it imports the agent classes, which
        the UI's first frame must not wait for."""
        if self._process_kinds is None:
            self._process_kinds = {k for k in KINDS if _declares_process(k)}
        return self._process_kinds

    # -- main thread -----------------------------------------------------------------
    def kick(self) -> None:
        """Start the worker if an AI seat may act (or mark a rerun if it is running)."""
        if not self.enabled or self.hold():
            return
        if self.running:
            self.dirty = True
            return
        if not self._pending():
            return
        self.running, self.dirty = True, False
        self.app.run_worker(self._run, thread=True, group=GROUP, name="AI seats", exit_on_error=False)

    def on_worker_state(self, worker: Worker[Any]) -> None:
        if worker.group != GROUP or worker.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        if worker.state == WorkerState.ERROR and worker.error is not None:
            self.errors.append(f"AI worker stopped: {type(worker.error).__name__}: {worker.error}")
        self.running = False
        self.thinking = ""
        if self.dirty:
            self.kick()

    @property
    def host_started(self) -> bool:
        """Whether the helper process for computing agents is up (tests wait for it)."""
        return self._host is not None

    def close(self) -> None:
        self.enabled = False
        self._closed = True
        for _, agent in self._agents.values():
            close = getattr(agent, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()
        self._agents.clear()
        with self._host_lock:
            host, self._host = self._host, None
        if host is not None:
            host.close()

    # -- worker thread: the helper process ----------------------------------------------
    def _hosted_act(
        self, key: str, spec: tuple[str, str, str, int, str, dict[str, str]], view: RoleView, legal: list[Command]
    ) -> Command:
        host = self._start_host()
        try:
            return host.act(key, spec, view, legal)
        except (EOFError, OSError):  # the host died: the next decision starts a new one
            with self._host_lock:
                if self._host is host:
                    self._host = None
            host.close()
            raise

    def _start_host(self) -> AgentHost:
        with self._host_lock:
            host = self._host
        if host is not None:
            return host
        # Started outside the lock (it takes a moment) so that close() never waits for it;
        # a host that comes up after close() is closed at once instead of deciding for minutes.
        # The validated scenario itself goes over (a pickle, milliseconds): no re-validation.
        new = AgentHost(pickle.dumps(self.session.scenario, protocol=pickle.HIGHEST_PROTOCOL))
        with self._host_lock:
            if self._closed:
                host = None
            elif self._host is None:
                self._host = host = new
            else:
                host = self._host
        if host is not new:
            new.close()
        if host is None:
            raise RuntimeError("the game is closing")
        return host

    def _pending(self) -> bool:
        controllers = self._controllers()
        return any(
            not is_human(c) and self.session.legal(r) and not self._waits(r, controllers)
            for r, c in controllers.items()
        )

    def _waits(self, role: str, controllers: dict[str, str]) -> bool:
        """The AI seat holds its orders while a person has not answered its offer (game.agents.pacing)."""
        people = [r for r, c in controllers.items() if is_human(c)]
        return self.session.waits_for_answers(role, people)

    def _controllers(self) -> dict[str, str]:
        return dict(zip(self.session.roles, self.session.public_record().controllers))

    # -- worker thread -----------------------------------------------------------------
    def _agent(self, role: str, controller: str) -> Agent:
        if parse_spec(controller).kind in self.process_kinds:
            return _Hosted(self, role, controller)
        spec = parse_seat(controller)
        hit = self._agents.get(role)
        if hit is not None and hit[0] == controller:
            return hit[1]
        cls = agent_class(spec.kind)
        sc = self.session.compiled
        agent: Agent = cls.from_spec(sc, role, agent_seed(self.session.seed, role), spec.arg, dict(spec.params))
        if hasattr(agent, "cache") and getattr(agent, "cache", None) is None:
            agent.cache = self._calls()  # a language-model seat: its calls are kept with the game
        self._agents[role] = (controller, agent)
        return agent

    def _calls(self) -> Any:
        """The game's recorded model calls (``meta["llm_calls"]`` of the save): a game resumed
        from its save makes none of the calls it already made."""
        if self._call_cache is None:
            from game.agents.llm_cache import CallCache

            self._call_cache = CallCache.from_entries(self.session.meta.get("llm_calls") or {})
        return self._call_cache

    def _run(self) -> None:
        worker = get_current_worker()
        while not worker.is_cancelled and self.enabled:
            acted = False
            for role, controller in self._controllers().items():
                if is_human(controller):
                    continue
                acted |= self._play_seat(role, controller, worker)
                if worker.is_cancelled:
                    return
            if not acted:
                return

    def _play_seat(self, role: str, controller: str, worker: Worker[Any]) -> bool:
        """Let `role` act until it has nothing to do this phase; True if it sent anything."""
        acted = False
        phase = None
        while not worker.is_cancelled and self.enabled:
            if self.hold():  # the facilitator holds the AI seats (a step ended): a kick resumes
                return acted
            legal = self.session.legal(role)
            if not legal or self._waits(role, self._controllers()):  # an answer kicks the driver again
                return acted
            try:
                agent = self._agent(role, controller)
            except WedgeError as exc:
                self.errors.append(f"{role}: cannot start agent {controller!r}: {exc}")
                return acted
            view = self.session.role_record(role)
            if phase is None:
                phase = view.phase
            elif view.phase != phase:
                return acted
            self.thinking = role
            before = reasons_given(agent)
            cmd = self._decide(role, agent, view if agent.needs_view else NO_VIEW, legal)
            if self._call_cache is not None and len(self._call_cache) != self._calls_saved:
                self._calls_saved = len(self._call_cache)  # saved with the command that follows
                self.session.meta["llm_calls"] = self._call_cache.entries
            with contextlib.suppress(IllegalCommand):  # the game moved on meanwhile: decide again
                self.session.submit(role, cmd.text, reason_for(agent, before, cmd))
            acted = True
        return acted

    def _decide(self, role: str, agent: Agent, view: RoleView, legal: list[Command]) -> Command:
        try:
            cmd = agent.act(view, legal)
        except Exception as exc:  # an agent's bug must not stop the game: take the default
            self.errors.append(f"{role}: agent failed ({type(exc).__name__}: {exc}); took the default")
            cmd = legal[-1]
        if cmd not in legal and cmd.verb != "say":  # a message is checked when it is submitted
            self.errors.append(f"{role}: agent chose {cmd} which is not legal; took the default")
            cmd = legal[-1]
        return cmd


class _Hosted:
    """Stands in for an agent that decides in the helper process."""

    needs_view = True

    def __init__(self, driver: AIDriver, role: str, controller: str) -> None:
        self.driver, self.role, self.controller = driver, role, controller

    def act(self, view: RoleView, legal: list[Command]) -> Command:
        d = self.driver
        spec = parse_spec(self.controller)
        kind, arg, params = spec.kind, spec.arg, spec.params
        module, name = KINDS[kind]
        seed = agent_seed(d.session.seed, self.role)
        key = f"{self.role}|{self.controller}"
        return d._hosted_act(key, (module, name, self.role, seed, arg, params), view, legal)


def _declares_process(kind: str) -> bool:
    try:
        return capabilities(kind).process
    except AgentSpecError:
        return False
