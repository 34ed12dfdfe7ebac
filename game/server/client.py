"""A small Python client for ``wedge serve``: asyncio, plus a thread-backed sync wrapper.

:class:`Client` keeps the latest of everything its seat may see (view, legal commands,
refusal hints, visible log) up to date from the server's messages, reconnects by
itself with its token when the connection drops, and makes :meth:`Client.submit`
exactly-once: every command carries an idempotency key, and a command whose
acknowledgement was lost to a disconnection is sent again with the same key after
reconnecting — the server acknowledges it without applying it twice.

:class:`SyncClient` runs a Client on its own event-loop thread, for code that is not
async (the terminal UI's :class:`~tui.remote.RemoteSession`, scripts).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from game.errors import IllegalCommand, WedgeError
from game.server import protocol as p

T = TypeVar("T")
#: Largest frame the client accepts (welcome messages carry the whole scenario).
CLIENT_MAX_FRAME = 64 * 1024 * 1024
DEFAULT_TIMEOUT = 15.0


class RemoteError(WedgeError):
    """The server refused a request for a reason other than the game's rules."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        self.message = message
        super().__init__(message)


class ConnectionLost(RemoteError):
    def __init__(self, message: str) -> None:
        super().__init__("connection", message)


Listener = Callable[[str, Any], None]
#: Events passed to listeners: "welcome" (connected or reconnected: everything was
#: replaced), "update" (an Update was merged), "disconnected", "error" (an error reply
#: with no request id), "closed" (the client gave up or was closed).
EVENTS = ("welcome", "update", "disconnected", "error", "closed")


class Client:
    """One connection to one game (or to the lobby when `game` is None and the URL names none)."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        game: str | None = None,
        *,
        reconnect: bool = True,
        name: str = "wedge-client",
        record: bool = False,
    ) -> None:
        self.url = url
        self.token = token
        self.game = game
        self.reconnect = reconnect
        self.name = name
        # what the seat may see, replaced on each welcome, patched by each update
        self.seat: str | None = None
        self.roles: list[str] = []
        self.scenario: dict[str, Any] | None = None
        self.scenario_hash = ""
        self.view: dict[str, Any] = {}
        self.legal: list[str] = []
        self.hints: dict[str, p.Problem] = {}
        self.commands: list[str] = []
        #: the computer seats' reasons this seat may see (protocol: Welcome.reasons)
        self.reasons: list[dict[str, Any]] = []
        self.seq = 0
        self.deadline: p.Deadline | None = None
        self.limits = p.Limits()
        self.connected = False
        self.welcomes = 0
        #: every frame received, when `record` is set (for audits and tests)
        self.received: list[str] = []
        self.record = record
        self.fatal: RemoteError | None = None
        self._ws: ClientConnection | None = None
        self._listeners: list[Listener] = []
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._next_id = 1
        self._reader: asyncio.Task[None] | None = None
        self._up = asyncio.Event()
        self._closed = False

    # -- listeners ----------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(listener)

        return unsubscribe

    def _emit(self, event: str, payload: Any = None) -> None:
        for listener in list(self._listeners):
            with contextlib.suppress(Exception):  # a listener's bug must not stop the reader
                listener(event, payload)

    # -- connecting -----------------------------------------------------------------------
    async def connect(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Connect and say hello; raises RemoteError (bad token, no game...) or ConnectionLost."""
        await asyncio.wait_for(self._open(), timeout)
        self._reader = asyncio.ensure_future(self._read_forever())

    async def _open(self) -> None:
        try:
            ws = await connect(self.url, max_size=CLIENT_MAX_FRAME, compression=None, open_timeout=10)
        except InvalidURI:
            raise RemoteError("url", f"{self.url} is not a ws:// address") from None
        except (OSError, InvalidHandshake, TimeoutError) as exc:
            raise ConnectionLost(f"cannot connect to {self.url}: {exc}") from None
        try:
            hello = p.Hello(type="hello", protocol=p.PROTOCOL, game=self.game, token=self.token, client=self.name)
            await ws.send(hello.model_dump_json(exclude_none=True))
            frame = await ws.recv()
        except ConnectionClosed as exc:
            raise ConnectionLost(f"{self.url} closed the connection: {exc}") from None
        msg = p.parse_server(frame)
        if isinstance(msg, p.Error):
            await ws.close()
            raise RemoteError(msg.code, msg.message)
        if not isinstance(msg, p.Welcome):
            await ws.close()
            raise RemoteError(p.BAD_MESSAGE, f"the server answered hello with {msg.type}")
        self._ws = ws
        self._welcome(msg, frame)

    def _welcome(self, msg: p.Welcome, frame: str | bytes) -> None:
        if self.record:
            self.received.append(frame if isinstance(frame, str) else frame.decode())
        self.seat = msg.seat
        self.game = msg.game
        self.roles = list(msg.roles)
        if msg.scenario is not None:
            self.scenario = msg.scenario
        self.scenario_hash = msg.scenario_hash
        self.view = dict(msg.view or {})
        self.legal = list(msg.legal)
        self.hints = dict(msg.hints)
        self.commands = list(msg.commands)
        self.reasons = list(msg.reasons)
        self.seq = msg.seq
        self.deadline = msg.deadline
        self.limits = msg.limits
        self.connected = True
        self.welcomes += 1
        self._up.set()
        self._emit("welcome", msg)

    async def _read_forever(self) -> None:
        while not self._closed:
            ws = self._ws
            if ws is not None:
                try:
                    async for frame in ws:
                        self._dispatch(frame)
                except ConnectionClosed:
                    pass
            self._lost("the connection to the server was lost")
            if self._closed or not self.reconnect or self.fatal is not None:
                break
            await self._reconnect()
        self._emit("closed", self.fatal)

    def _lost(self, why: str) -> None:
        self.connected = False
        self._up.clear()
        self._ws = None
        for fut in self._pending.values():
            if not fut.done():
                fut.set_exception(ConnectionLost(why))
        self._pending.clear()
        self._emit("disconnected", why)

    async def _reconnect(self) -> None:
        delay = 0.05
        while not self._closed:
            try:
                await asyncio.wait_for(self._open(), DEFAULT_TIMEOUT)
                return
            except ConnectionLost:
                pass
            except RemoteError as exc:  # the server is up but refuses us (bad token, game gone): give up
                self.fatal = exc
                return
            except (TimeoutError, ValueError):
                pass
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)

    def _dispatch(self, frame: str | bytes) -> None:
        try:
            msg = p.parse_server(frame)
        except ValueError:
            return  # a newer server's message type: ignore
        if self.record:
            self.received.append(frame if isinstance(frame, str) else frame.decode())
        if isinstance(msg, p.Update):
            if msg.patch:
                self.view = {**self.view, **msg.patch}
            if msg.legal is not None:
                self.legal = list(msg.legal)
            if msg.hints is not None:
                self.hints = dict(msg.hints)
            if msg.commands:
                self.commands = self.commands + list(msg.commands)
            if msg.deadline is not None:
                self.deadline = msg.deadline
            if msg.reasons:
                self.reasons = self.reasons + list(msg.reasons)
            self.seq = msg.seq
            self._emit("update", msg)
            return
        if isinstance(msg, p.Welcome):
            self._welcome(msg, frame)
            return
        rid = getattr(msg, "id", None)
        fut = self._pending.pop(rid, None) if rid is not None else None
        if fut is None:
            if isinstance(msg, p.Error):
                self._emit("error", msg)
            return
        if not fut.done():
            fut.set_result(msg)

    # -- requests -------------------------------------------------------------------------
    async def _request(self, build: Callable[[int], Any], timeout: float) -> Any:
        if self._closed:
            raise ConnectionLost("the client is closed")
        if not self.connected:
            await self._wait_up(timeout)
        ws = self._ws
        if ws is None:
            raise ConnectionLost("not connected")
        rid = self._next_id
        self._next_id += 1
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        try:
            await ws.send(build(rid).model_dump_json(exclude_none=True))
        except ConnectionClosed:
            self._pending.pop(rid, None)
            raise ConnectionLost("the connection to the server was lost") from None
        try:
            return await asyncio.wait_for(fut, timeout)
        finally:
            self._pending.pop(rid, None)

    async def _wait_up(self, timeout: float) -> None:
        if self.fatal is not None:
            raise self.fatal
        try:
            await asyncio.wait_for(self._up.wait(), timeout)
        except TimeoutError:
            raise ConnectionLost(f"not connected to {self.url}") from None
        if self.fatal is not None:
            raise self.fatal

    @staticmethod
    def _raise(msg: p.Error) -> None:
        if msg.code == p.ILLEGAL and msg.rule is not None:
            raise IllegalCommand(msg.rule, msg.command or "", msg.reason or msg.message)
        raise RemoteError(msg.code, msg.message)

    async def submit(self, command: str, key: str | None = None, timeout: float = DEFAULT_TIMEOUT) -> p.Ack:
        """Send a command; returns its Ack once it is stored and applied (the view already
        shows it). Raises IllegalCommand for a refused order, RemoteError otherwise. If the
        connection drops first, the command is re-sent with the same key after reconnecting."""
        key = key or secrets.token_hex(8)
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while True:
            left = end - loop.time()
            if left <= 0:
                raise ConnectionLost(f"no answer from {self.url} for {command!r}")
            try:
                msg = await self._request(
                    lambda rid: p.CommandMsg(type="command", id=rid, command=command, key=key), left
                )
            except ConnectionLost:
                if self._closed or not self.reconnect or self.fatal is not None:
                    raise
                await asyncio.sleep(0.02)
                continue
            if isinstance(msg, p.Error):
                self._raise(msg)
            assert isinstance(msg, p.Ack)
            return msg

    async def check(self, command: str, timeout: float = DEFAULT_TIMEOUT) -> p.Problem | None:
        msg = await self._request(lambda rid: p.Check(type="check", id=rid, command=command), timeout)
        if isinstance(msg, p.Error):
            self._raise(msg)
        assert isinstance(msg, p.Checked)
        return None if msg.ok else p.Problem(rule=msg.rule, reason=msg.reason)

    async def ping(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        msg = await self._request(lambda rid: p.Ping(type="ping", id=rid), timeout)
        if isinstance(msg, p.Error):
            self._raise(msg)

    async def list_games(self, timeout: float = DEFAULT_TIMEOUT) -> list[p.GameInfo]:
        msg = await self._request(lambda rid: p.ListGames(type="list", id=rid), timeout)
        if isinstance(msg, p.Error):
            self._raise(msg)
        assert isinstance(msg, p.Games)
        return list(msg.games)

    async def create_game(
        self,
        admin_token: str,
        seats: str = "",
        seed: int | None = None,
        scenario: str | None = None,
        deadline: float | None = None,
        on_deadline: str = "default",
        timeout: float = DEFAULT_TIMEOUT,
    ) -> p.Created:
        msg = await self._request(
            lambda rid: p.CreateGame(
                type="create",
                id=rid,
                admin_token=admin_token,
                seats=seats,
                seed=seed,
                scenario=scenario,
                deadline=deadline,
                on_deadline=on_deadline,
            ),
            timeout,
        )
        if isinstance(msg, p.Error):
            self._raise(msg)
        assert isinstance(msg, p.Created)
        return msg

    async def wait_for(self, predicate: Callable[[Client], bool], timeout: float = DEFAULT_TIMEOUT) -> None:
        """Wait until `predicate(self)` holds (checked after every message)."""
        if predicate(self):
            return
        done = asyncio.Event()

        def check(_event: str, _payload: Any) -> None:
            if predicate(self) or _event == "closed":
                done.set()

        unsubscribe = self.subscribe(check)
        try:
            await asyncio.wait_for(done.wait(), timeout)
        finally:
            unsubscribe()
        if not predicate(self):
            raise ConnectionLost("the client closed while waiting")

    async def close(self) -> None:
        self._closed = True
        self._up.set()
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(BaseException):
                await self._reader
        self.connected = False


class SyncClient:
    """A :class:`Client` on its own event-loop thread, driven by blocking calls.

    Listeners are called on that thread. Reads of ``view``/``legal``/... are safe from
    any thread: the client replaces these objects whole, it never mutates them."""

    def __init__(
        self,
        url: str,
        token: str | None = None,
        game: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        record: bool = False,
    ) -> None:
        self.timeout = timeout
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="wedge-client", daemon=True)
        self._thread.start()
        self.client = Client(url, token, game, record=record)
        try:
            self.call(self.client.connect(timeout))
        except BaseException:
            self._stop()
            raise

    def call(self, coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result((timeout or self.timeout) + 1)
        except TimeoutError:
            fut.cancel()
            raise ConnectionLost(f"no answer from {self.client.url}") from None

    def submit(self, command: str, key: str | None = None) -> p.Ack:
        return self.call(self.client.submit(command, key, self.timeout))

    def check(self, command: str) -> p.Problem | None:
        return self.call(self.client.check(command, self.timeout))

    def list_games(self) -> list[p.GameInfo]:
        return self.call(self.client.list_games(self.timeout))

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        return self.client.subscribe(listener)

    def close(self) -> None:
        if self._loop.is_running():
            with contextlib.suppress(Exception):
                self.call(self.client.close(), 5)
        self._stop()

    def _stop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        if not self._loop.is_running():
            self._loop.close()
