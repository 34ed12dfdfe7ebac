"""One game on the server: seats and tokens, accepting commands, what each seat sees,
phase deadlines and AI seats.

The host is the only writer of its game. A command is checked by the engine against
the game as it will be once every command already accepted is on disk (so commands of
one game can share a group commit), then queued in the store. Only when that commit
has returned is it applied to the game that clients see, published and acknowledged —
so what a client has seen acknowledged, or any view showing it, is on disk.

Audiences are the seats: each role, ``gm`` (the facilitator) and ``public`` (the
projector and spectators). After every change each audience that has a connection
gets an ``update`` carrying only what *its* view entitles it to, and only if that
changed: a spectator is not even told that a player added a card to a sealed order.
No message carries the seed, the random stream, the global number of commands, or
another role's hand, orders, offers or messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from collections import deque
from collections.abc import Callable, Container
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from game.agents.external import default_command
from game.agents.llm_cache import CallCache
from game.agents.pacing import waits_for_answers
from game.commands import FACILITATOR, Command, parse
from game.compiled import Compiled
from game.errors import CommandSyntaxError, IllegalCommand
from game.hashing import state_hash
from game.record import GameRecord
from game.rules import apply, legal_actions, pending_roles, refusals
from game.server import protocol as p
from game.server.agents import AIPool, Reason, check_network_controller, decision_seed, is_human
from game.server.audience import ViewMaker
from game.server.store import Store, StoreError
from game.state import DIPLOMACY, ORDERS, OVER, GameState
from game.views import role_record

log = logging.getLogger("wedge.server")

GM = p.FACILITATOR_SEAT
PUBLIC = p.PUBLIC_SEAT
DEFAULT_ON_DEADLINE = "default"


def new_token() -> str:
    """A seat's secret: 144 random bits, URL-safe, never starting with '-' (it goes on a command line)."""
    while True:
        token = secrets.token_urlsafe(18)
        if not token.startswith("-"):
            return token


@dataclass
class GameConfig:
    """How a game is run (stored with it). ``deadline`` is seconds per diplomacy/orders
    phase (None = no deadline); at expiry each seat still being waited for gets its
    default command (``on_deadline="default"``) or is played by that agent kind for the
    rest of the phase."""

    seats: str = ""
    deadline: float | None = None
    on_deadline: str = DEFAULT_ON_DEADLINE

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GameConfig:
        return cls(
            seats=str(data.get("seats", "")),
            deadline=data.get("deadline"),
            on_deadline=str(data.get("on_deadline", DEFAULT_ON_DEADLINE)),
        )


class Subscriber(Protocol):
    """A connection watching a game as one seat."""

    seat: str

    def post(self, text: str) -> None:
        """Queue one frame for the client without waiting."""
        ...

    def hold(self) -> None:
        """Keep posted frames back until :meth:`release`."""
        ...

    def release(self) -> None:
        """Send the frames kept back, in order, at once."""
        ...


class Refused(Exception):
    """A request the server turns down; becomes an ``error`` message."""

    def __init__(
        self, code: str, message: str, rule: str | None = None, reason: str | None = None, command: str | None = None
    ) -> None:
        self.code, self.message, self.rule, self.reason, self.command = code, message, rule, reason, command
        super().__init__(message)

    def to_message(self, request_id: int | None) -> p.Error:
        return p.Error(
            id=request_id,
            code=self.code,
            message=self.message,
            rule=self.rule,
            reason=self.reason,
            command=self.command,
        )


def illegal(exc: IllegalCommand) -> Refused:
    return Refused(p.ILLEGAL, str(exc), exc.rule, exc.reason, exc.command[:200])


@dataclass
class _Audience:
    seat: str
    subscribers: list[Subscriber] = field(default_factory=list)
    view: dict[str, Any] | None = None
    legal: list[str] | None = None
    hints: dict[str, p.Problem] | None = None
    sent: int = 0  # log entries already considered for this audience
    seq: int = 0
    deadline_key: tuple[Any, ...] | None = None
    reasons_sent: int = 0  # the computer seats' reasons already sent to this audience


#: Told when a command is acknowledged: (canonical text, duplicate).
OnAck = Callable[[str, bool], None]
#: Who waits for a command's acknowledgement: its future, its callback, and whether it is a duplicate.
Waiter = tuple[asyncio.Future[tuple[str, bool]], OnAck | None, bool]


@dataclass
class _Accepted:
    """A command checked and queued in the store, not yet known to be on disk."""

    text: str
    actor: str
    state_hash: str
    state: GameState
    seat: str
    key: str | None
    waiters: list[Waiter] = field(default_factory=list)
    note: dict[str, Any] | None = None  # a computer seat's reason: {"turn", "text", "source"}


def _answer(waiters: list[Waiter], text: str) -> None:
    for fut, on_ack, duplicate in waiters:
        if on_ack is not None:
            try:
                on_ack(text, duplicate)
            except Exception:  # a closed connection must not stop the others' answers
                log.exception("error while acknowledging a command")
        if not fut.done():
            fut.set_result((text, duplicate))


_PROBLEMS: dict[tuple[str, str], p.Problem] = {}


def _problem(rule: str, reason: str) -> p.Problem:
    """One shared (immutable) Problem per distinct refusal: hints are rebuilt after every change."""
    hit = _PROBLEMS.get((rule, reason))
    if hit is None:
        if len(_PROBLEMS) > 4096:  # reasons can name cards and numbers: keep the cache bounded
            _PROBLEMS.clear()
        hit = _PROBLEMS[(rule, reason)] = p.Problem(rule=rule, reason=reason)
    return hit


def visible_to(seat: str, actor: str) -> bool:
    """May `seat` see a logged command sent by `actor`? Its own and the facilitator's."""
    return seat == GM or actor in (FACILITATOR, seat)


class GameHost:
    def __init__(
        self,
        game_id: str,
        record: GameRecord,
        state: GameState,
        tokens: dict[str, str],
        config: GameConfig,
        store: Store,
        ai: AIPool,
        scenario_json: str,
        keys: dict[tuple[str, str], int] | None = None,
    ) -> None:
        self.id = game_id
        self.record = record
        self.state = state
        self.tokens = tokens
        self.config = config
        self.store = store
        self.ai = ai
        self.scenario_json = scenario_json
        self.keys: dict[tuple[str, str], int] = dict(keys or {})
        self.sc: Compiled = record.sc
        self._actors: list[str] = [c.split(":", 1)[0] for c in record.commands]
        self._own = {r: 0 for r in self.sc.role_ids}
        for actor in self._actors:
            if actor in self._own:
                self._own[actor] += 1
        self._audiences: dict[str, _Audience] = {}
        self._views = ViewMaker()
        self._accepted: deque[_Accepted] = deque()  # queued in the store, oldest first
        self._head = state  # the game after the accepted commands: what new ones are checked against
        self._accepted_keys: dict[tuple[str, str], _Accepted] = {}
        self._ai_task: asyncio.Task[None] | None = None
        self._ai_dirty = False
        self._takeover: set[int] = set()
        self._deadline_key: tuple[int, str] | None = None
        self._deadline_left = 0.0
        self._deadline_at: float | None = None
        self._deadline_timer: asyncio.TimerHandle | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.ai_errors: list[str] = []
        #: The model calls the game's language-model seats made (a resumed game's come from
        #: the store, which keeps them all), and which of them are stored.
        self.calls = CallCache.from_entries(record.meta.pop("llm_calls", None) or {})
        self._calls_stored = set(self.calls.keys())
        self.closed = False
        self.started = False  # no AI moves and no deadline before start(): setup stays deterministic

    # -- identity -----------------------------------------------------------------------
    @property
    def seats(self) -> tuple[str, ...]:
        return (*self.sc.role_ids, GM)

    def seat_for(self, token: str) -> str | None:
        """The seat whose token this is, compared in constant time against every seat."""
        given = token.encode("utf-8", "surrogatepass")
        found = None
        for seat, secret in self.tokens.items():
            if hmac.compare_digest(secret.encode(), given):
                found = seat
        return found

    def info(self) -> p.GameInfo:
        s = self.state
        return p.GameInfo(
            game=self.id,
            scenario=self.sc.model.scenario.id,
            title=self.sc.model.scenario.title,
            turn=s.turn,
            turns=self.sc.rules.turns,
            phase=s.phase,
            seats={r: s.controllers[i] for i, r in enumerate(self.sc.role_ids)},
            connected={a.seat: len(a.subscribers) for a in self._audiences.values() if a.subscribers},
        )

    # -- starting -------------------------------------------------------------------------
    def start(self) -> None:
        """Arm the deadline and let AI seats play (after creation or a restart)."""
        self.started = True
        self._deadline_update()
        self._ai_kick()

    async def close(self) -> None:
        self.closed = True
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
        for task in [self._ai_task, *self._tasks]:
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- subscribers --------------------------------------------------------------------
    def join(self, seat: str, sub: Subscriber) -> p.Welcome:
        """Register `sub` for `seat` and return everything that seat may see now."""
        aud = self._audiences.get(seat)
        if aud is None:
            aud = self._audiences[seat] = _Audience(seat)
        reasons = self._reasons(seat)
        if not aud.subscribers or aud.view is None:
            # nobody was watching: the cached payload may be stale, rebuild it
            aud.reasons_sent = len(reasons)
            legal = self._legal(seat)
            aud.view, aud.legal, aud.hints = self._view(seat), legal, self._hints(seat)
            aud.sent = len(self.record.commands)
            aud.deadline_key = self._deadline_key_now()
        aud.subscribers.append(sub)
        return p.Welcome(
            server="wedge",
            game=self.id,
            seat=seat,
            roles=list(self.sc.role_ids),
            scenario=json.loads(self.scenario_json),
            scenario_hash=self.sc.content_hash,
            seq=aud.seq,
            view=aud.view,
            reasons=reasons[: aud.reasons_sent],
            legal=list(aud.legal or []),
            hints=dict(aud.hints or {}),
            commands=[c for c, a in zip(self.record.commands, self._actors) if visible_to(seat, a)],
            deadline=self._deadline_info(),
        )

    def leave(self, sub: Subscriber) -> None:
        aud = self._audiences.get(sub.seat)
        if aud is not None:
            with contextlib.suppress(ValueError):
                aud.subscribers.remove(sub)

    # -- what a seat sees -------------------------------------------------------------------
    def _view(self, seat: str) -> dict[str, Any]:
        return self._views.views(self.state, [seat])[seat]

    def _legal(self, seat: str) -> list[str]:
        role = self.sc.role_index.get(seat)
        return [] if role is None else [c.text for c in legal_actions(self.state, role)]

    def _hints(self, seat: str) -> dict[str, p.Problem]:
        """Why each card in the seat's hand cannot be added now (cards that can are left out)."""
        role = self.sc.role_index.get(seat)
        if role is None:
            return {}
        return {
            cmd.text: _problem(exc.rule, exc.reason)
            for cmd, exc in refusals(self.state, role).items()
            if cmd.verb == "play"
        }

    def check(self, seat: str, text: str) -> p.Problem | None:
        """Why `seat` could not send `text` now (None if it could). Changes nothing."""
        try:
            cmd = parse(text)
            self._authorize(seat, cmd)
            apply(self.state, cmd)
        except IllegalCommand as exc:
            return p.Problem(rule=exc.rule, reason=exc.reason)
        except Refused as exc:
            return p.Problem(rule=exc.rule or exc.code, reason=exc.reason or exc.message)
        return None

    def _publish(self, include: Container[str] | None = None, exclude: Container[str] = ()) -> None:
        """Send each watching audience what changed in its own view (nothing if nothing did).

        `include`/`exclude` limit it to some seats, so that the seats that just sent a
        command can be brought up to date (and acknowledged) before the others; each
        audience compares with what it was last sent, so publishing in parts sends
        exactly what one call for every seat would."""
        commands = self.record.commands
        dl_key = self._deadline_key_now()
        for aud in self._audiences.values():
            if not aud.subscribers:
                aud.view = None
        watched = [
            a
            for a in self._audiences.values()
            if a.subscribers and (include is None or a.seat in include) and a.seat not in exclude
        ]
        if not watched:
            return
        views = self._views.views(self.state, [a.seat for a in watched])
        for aud in watched:
            seat = aud.seat
            view = views[seat]
            old = aud.view or {}
            patch = {k: v for k, v in view.items() if not (old.get(k, _MISSING) is v or old.get(k, _MISSING) == v)}
            legal, hints = aud.legal, aud.hints
            if patch or legal is None:
                # a seat's legal commands and refusals follow from what its view shows: recompute on change only
                legal = self._legal(seat)
                hints = self._hints(seat)
            new_legal = legal if legal != aud.legal else None
            new_hints = hints if hints != aud.hints else None
            fresh = [c for c, a in zip(commands[aud.sent :], self._actors[aud.sent :]) if visible_to(seat, a)]
            aud.sent = len(commands)
            deadline_changed = dl_key != aud.deadline_key
            reasons = self._reasons(seat)[aud.reasons_sent :] or None
            aud.reasons_sent += len(reasons or ())
            if not (patch or new_legal is not None or new_hints is not None or fresh or deadline_changed or reasons):
                continue
            aud.view, aud.legal, aud.hints, aud.deadline_key = view, legal, hints, dl_key
            aud.seq += 1
            text = p.dump(
                p.Update(
                    seq=aud.seq,
                    patch=patch,
                    legal=new_legal,
                    hints=new_hints,
                    commands=fresh,
                    deadline=self._deadline_info() if deadline_changed else None,
                    reasons=reasons,
                )
            )
            for sub in list(aud.subscribers):
                sub.post(text)

    def _reasons(self, seat: str) -> list[dict[str, Any]]:
        """The computer seats' reasons with the commands they explain: the facilitator's
        as they come (it sees every hand and order anyway), everyone's once the game is
        over, and none before for the others (a seat's reasons may mention its hand)."""
        if self.state.phase != OVER and seat != GM:
            return []
        commands = self.record.commands
        notes = self.record.meta.get("rationales") or []
        return [{**n, "command": commands[n["index"]]} for n in notes if 0 <= n["index"] < len(commands)]

    # -- commands ------------------------------------------------------------------------
    def _authorize(self, seat: str, cmd: Command, trusted: bool = False) -> None:
        if seat == PUBLIC:
            raise Refused(p.FORBIDDEN, "spectators cannot send commands")
        if seat == GM:
            if cmd.actor != FACILITATOR:
                raise Refused(p.FORBIDDEN, "the facilitator sends gm: commands only; each role plays itself")
            if cmd.verb == "seat" and not trusted:
                why = check_network_controller(cmd.args[1])
                if why:
                    raise Refused(p.ILLEGAL, f"{cmd.text[:200]}: {why} (rule 11)", "11", why, cmd.text[:200])
            return
        if cmd.actor != seat:
            who = "the facilitator" if cmd.actor == FACILITATOR else repr(cmd.actor[:40])
            raise Refused(p.FORBIDDEN, f"this token plays {seat}; it cannot send commands as {who}")

    def submit(
        self,
        seat: str,
        text: str,
        source: str = "player",
        key: str | None = None,
        trusted: bool = False,
        on_ack: OnAck | None = None,
        why: Reason | None = None,
    ) -> asyncio.Future[tuple[str, bool]]:
        """Accept `text` from `seat`, or raise Refused at once. `why` is a computer seat's
        stated reason, stored with the command.

        Returns a future of (command, duplicate) that resolves once the command is
        durable, applied and published; `on_ack` is called at that same moment, before
        the loop turns again (the connection's acknowledgement goes out without waiting
        for its task to be scheduled). The game in memory changes only when the store
        reports the commit, whatever happens to the connection that sent it meanwhile."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[tuple[str, bool]] = loop.create_future()
        if self.closed:
            raise Refused(p.SERVER, "the server is shutting down; the command was not accepted")
        if key is not None:
            hit = self.keys.get((seat, key))
            if hit is not None:
                _answer([(fut, on_ack, True)], self.record.commands[hit])
                return fut
            queued = self._accepted_keys.get((seat, key))
            if queued is not None:  # sent again before the first one's commit: answer both then
                queued.waiters.append((fut, on_ack, True))
                return fut
        try:
            cmd = parse(text)
        except CommandSyntaxError as exc:
            raise illegal(exc) from None
        self._authorize(seat, cmd, trusted)
        try:
            new = apply(self._head, cmd)
        except IllegalCommand as exc:
            raise illegal(exc) from None
        h = state_hash(new)
        idx = len(self.record.commands) + len(self._accepted)
        note = None if why is None else {"turn": self._head.turn, **why}
        entry = _Accepted(cmd.text, cmd.actor, h, new, seat, key, [(fut, on_ack, False)], note)
        noted = None if note is None else json.dumps(note, sort_keys=True)
        self.store.append((self.id, idx, cmd.text, h, seat, source, key, noted), self)
        self._accepted.append(entry)
        self._head = new
        if key is not None:
            self._accepted_keys[(seat, key)] = entry
        return fut

    def stored(self, count: int, error: StoreError | None) -> Callable[[], None] | None:
        """The store's report on this game's `count` oldest accepted commands (see Store.flush).

        On success they join the record and the game; the seats that sent them get one
        update covering all of them and then their acknowledgements. The returned
        function does the rest (the other seats' and spectators' updates, AI seats),
        once every game of the same commit has acknowledged. On failure none of them
        happened: every command accepted since is refused too (each was checked against
        the failed ones), and the game goes on from what is on disk."""
        done = [self._accepted.popleft() for _ in range(min(count, len(self._accepted)))]
        for entry in done:
            if entry.key is not None:
                self._accepted_keys.pop((entry.seat, entry.key), None)
        if error is not None:
            self._refuse_accepted(done, error)
            return None
        if not done:
            return None
        for entry in done:
            idx = len(self.record.commands)
            self.record.commands.append(entry.text)
            self.record.hashes.append(entry.state_hash)
            self._actors.append(entry.actor)
            if entry.actor in self._own:
                self._own[entry.actor] += 1
            if entry.key is not None:
                self.keys[(entry.seat, entry.key)] = idx
            if entry.note is not None:
                note = {"index": idx, "role": entry.actor, **entry.note}
                self.record.meta.setdefault("rationales", []).append(note)
        self.state = done[-1].state
        senders = {entry.seat for entry in done}
        self._acknowledge(done, senders)
        if self.closed:
            return None
        return lambda: self._stored_rest(senders)

    def _refuse_accepted(self, done: list[_Accepted], error: StoreError) -> None:
        log.error("game %s: %s", self.id, error)
        done.extend(self._accepted)  # none of them can stand without the failed ones
        self.store.discard(self)
        self._accepted.clear()
        self._accepted_keys.clear()
        self._head = self.state
        refusal = Refused(p.SERVER, "the server could not store the command; it was not accepted")
        for entry in done:
            for fut, _, _ in entry.waiters:
                if not fut.done():
                    fut.set_exception(refusal)

    def _acknowledge(self, done: list[_Accepted], senders: set[str]) -> None:
        """Update the senders' seats, then acknowledge; each connection gets both in one write."""
        held = [sub for seat in senders if (aud := self._audiences.get(seat)) for sub in aud.subscribers]
        for sub in held:
            sub.hold()
        try:
            if not self.closed:
                try:
                    self._deadline_update()
                    self._publish(include=senders)
                except Exception:  # the commands are on disk: they are acknowledged whatever happens here
                    log.exception("game %s: error while publishing", self.id)
            for entry in done:
                _answer(entry.waiters, entry.text)
        finally:
            for sub in held:
                sub.release()

    def _stored_rest(self, senders: set[str]) -> None:
        self._publish(exclude=senders)
        self._ai_kick()

    # -- deadlines -----------------------------------------------------------------------
    def _deadline_key_now(self) -> tuple[Any, ...] | None:
        if self._deadline_key is None:
            return None
        return (*self._deadline_key, self._deadline_at is None)

    def _deadline_info(self) -> p.Deadline | None:
        if self._deadline_key is None or self.config.deadline is None:
            return None
        loop = asyncio.get_running_loop()
        left = self._deadline_left if self._deadline_at is None else max(0.0, self._deadline_at - loop.time())
        turn, phase = self._deadline_key
        return p.Deadline(
            turn=turn, phase=phase, seconds=round(left, 3), total=self.config.deadline, paused=self.state.paused
        )

    def _deadline_update(self) -> None:
        total = self.config.deadline
        if total is None or not self.started:
            return
        s = self.state
        loop = asyncio.get_running_loop()
        if s.phase not in (DIPLOMACY, ORDERS):
            self._cancel_deadline()
            self._deadline_key = None
            self._takeover.clear()
            return
        key = (s.turn, s.phase)
        if key != self._deadline_key:
            self._cancel_deadline()
            self._deadline_key = key
            self._deadline_left = total
            self._takeover.clear()
        if s.paused:
            if self._deadline_at is not None:
                self._deadline_left = max(0.0, self._deadline_at - loop.time())
                self._cancel_deadline()
        elif self._deadline_at is None:
            self._deadline_at = loop.time() + self._deadline_left
            self._deadline_timer = loop.call_at(self._deadline_at, self._expire, key)

    def _cancel_deadline(self) -> None:
        if self._deadline_timer is not None:
            self._deadline_timer.cancel()
        self._deadline_timer = None
        self._deadline_at = None

    def _expire(self, key: tuple[int, str]) -> None:
        if key != self._deadline_key or self.closed:
            return
        self._deadline_timer = None
        self._deadline_at = None
        self._deadline_left = 0.0
        self._spawn(self._on_deadline(key))

    async def _on_deadline(self, key: tuple[int, str]) -> None:
        policy = self.config.on_deadline
        for role in pending_roles(self.state):
            if (self.state.turn, self.state.phase) != key:
                return
            if policy == DEFAULT_ON_DEADLINE:
                legal = legal_actions(self.state, role)
                if legal:
                    with contextlib.suppress(Refused):
                        await self.submit(self.sc.role_ids[role], default_command(legal).text, "deadline")
            else:
                self._takeover.add(role)
        self._publish()  # the deadline itself changed (expired)
        self._ai_kick()

    # -- AI seats -------------------------------------------------------------------------
    def _ai_roles(self) -> dict[int, str]:
        out = {i: c for i, c in enumerate(self.state.controllers) if not is_human(c)}
        for role in self._takeover:
            out.setdefault(role, self.config.on_deadline)
        return out

    def _ai_waits(self, role: int) -> bool:
        """An AI seat holds its orders while a person has not answered its offer (game.agents.pacing)."""
        ai = self._ai_roles()
        people = [r for r in range(len(self.sc.role_ids)) if r not in ai]
        return waits_for_answers(self.state, role, people)

    def _ai_kick(self) -> None:
        if self.closed or not self.started:
            return
        self._ai_dirty = True
        idle = self._ai_task is None or self._ai_task.done()
        if idle and any(legal_actions(self.state, r) and not self._ai_waits(r) for r in self._ai_roles()):
            self._ai_task = asyncio.ensure_future(self._ai_loop())

    async def _ai_loop(self) -> None:
        while self._ai_dirty and not self.closed:
            self._ai_dirty = False
            for role, controller in sorted(self._ai_roles().items()):
                await self._ai_play(role, controller)

    async def _ai_play(self, role: int, controller: str) -> None:
        """Let the agent in `role` act until it has nothing to do in this phase."""
        rid = self.sc.role_ids[role]
        phase = (self.state.turn, self.state.phase)
        while not self.closed:
            s = self.state
            legal = legal_actions(s, role)
            if not legal or (s.turn, s.phase) != phase or self._ai_roles().get(role) != controller:
                return
            if self._ai_waits(role):  # resumed by the answer (every stored command kicks the AI)
                return
            seed = decision_seed(self.record.seed, rid, self._own[rid])
            try:
                cmd, why = await self.ai.decide(
                    self.sc, self.scenario_json, self.id, rid, controller, seed, role_record(s, role), legal, self.calls
                )
                await self._store_calls()
                if cmd not in legal and cmd.verb != "say":  # a message is checked when it is submitted
                    raise ValueError(f"chose {cmd.text}, which is not legal")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # an agent's failure must not stop the game: take the default
                self.ai_errors.append(f"{rid}: agent {controller!r} failed ({type(exc).__name__}: {exc})")
                log.warning("game %s: %s", self.id, self.ai_errors[-1])
                cmd, why = default_command(legal), None
            source = "ai" if role not in self._takeover else "deadline-ai"
            with contextlib.suppress(Refused):  # the game moved on meanwhile: look again
                await self.submit(rid, cmd.text, source, why=why)

    async def _store_calls(self) -> None:
        """Store the model calls made since the last time, before the command they led to:
        the record keeps every call, and a restarted server finds them."""
        if len(self.calls) == len(self._calls_stored):
            return
        entries = {k: v for k, v in self.calls.entries.items() if k not in self._calls_stored}
        self._calls_stored.update(entries)
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.store.add_calls, self.id, entries)
        except StoreError as exc:  # the game goes on; the calls are kept in memory for its record
            log.error("game %s: %s", self.id, exc)


_MISSING = object()
Factory = Callable[[], GameHost]
