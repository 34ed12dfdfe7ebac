"""The authoritative game server: asyncio and the ``websockets`` library.

One process hosts any number of games (:class:`~game.server.host.GameHost`), all
stored in one SQLite database. A connection says ``hello`` first, naming a game (in
the URL path ``/g/GAME`` or the message) and a seat token; without a token it watches
the public board, without a game it is a lobby that can list and create games.

Hostile input never stops the server: frames that are too big close that connection
(code 1009), anything else malformed gets an ``error`` reply, a connection that keeps
sending bad or too many messages is closed (code 1008), and an unexpected failure
while handling one message is logged and answered with a generic error — every other
connection and game carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, broadcast, serve
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State

from game import rng
from game.agents.registry import AgentSpecError, available_kinds, capabilities, parse_named_seats, parse_seat
from game.compiled import Compiled, content_hash
from game.engine import compiled
from game.errors import WedgeError
from game.hashing import state_hash
from game.record import GameRecord, final_state
from game.rules import new_game
from game.scenario.models import Scenario
from game.server import protocol as p
from game.server.agents import HUMAN, AIPool, check_network_controller
from game.server.host import GM, PUBLIC, GameConfig, GameHost, Refused, new_token
from game.server.store import Store, StoredGame

log = logging.getLogger("wedge.server")

#: A connection whose unsent output exceeds this many bytes is closed as too slow.
MAX_BUFFER = 16 * 1024 * 1024
#: Connections served at once; more are turned away (close code 1013, "try again later").
MAX_CONNECTIONS = 2000


class ServerError(WedgeError):
    """The server cannot start (one line)."""


@dataclass
class _Bucket:
    """Token bucket: `rate` messages a second on average, bursts of `burst`."""

    rate: float
    burst: float
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class _Conn:
    """One client connection (a Subscriber of at most one game)."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws
        self.seat = ""
        self.game: GameHost | None = None
        self.bucket = _Bucket(p.RATE, p.BURST)
        self.strikes = 0
        self.closing = False
        self._held: list[str] | None = None

    def post(self, text: str) -> None:
        if self._held is not None:
            self._held.append(text)
            return
        if self._writable():
            broadcast([self.ws], text)

    def hold(self) -> None:
        """Keep frames posted from now on until :meth:`release` (see :meth:`GameHost.stored`)."""
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Send the held frames, in order, with one write to the socket.

        An acknowledgement and the update before it then cost the server one system call
        instead of two (on loopback each costs about as much as building the update)."""
        held, self._held = self._held, None
        if not held or not self._writable():
            return
        if len(held) == 1:
            broadcast([self.ws], held[0])
            return
        ws = self.ws
        try:
            for text in held:
                ws.protocol.send_text(text.encode())
            data = ws.protocol.data_to_send()
        except Exception:  # the connection changed state meanwhile: let websockets deal with it
            log.debug("could not send to a closing connection", exc_info=True)
            return
        if all(data):
            ws.transport.write(b"".join(data))
        else:  # not only frames (an end of stream): keep websockets' own way of writing it
            for chunk in data:
                if chunk:
                    ws.transport.write(chunk)
                elif ws.transport.can_write_eof():
                    ws.transport.write_eof()

    def _writable(self) -> bool:
        ws = self.ws
        if self.closing or ws.state is not State.OPEN:
            return False
        if ws.transport.get_write_buffer_size() > MAX_BUFFER:
            self.closing = True
            asyncio.ensure_future(ws.close(1008, "client too slow"))
            return False
        return True

    def reply(self, message: Any) -> None:
        self.post(p.dump(message))


def seat_controllers(text: str, sc: Compiled) -> dict[str, str]:
    """``role=human,role=heuristic`` -> controller per role (roles not named are human)."""
    out = {r: HUMAN for r in sc.role_ids}
    out.update({role: spec.text for role, spec in parse_named_seats(text, sc.role_ids, humans=True).items()})
    return out


def check_on_deadline(policy: str) -> str:
    """'' if `policy` is 'default' or an agent the server can run, else why not."""
    if policy == "default":
        return ""
    try:
        spec = parse_seat(policy)
        caps = capabilities(spec.kind)
    except AgentSpecError as exc:
        return str(exc)
    if caps.stateful:
        return f"on-deadline takes 'default' or a built-in agent ({', '.join(available_kinds(network=True))})"
    return ""


def scenario_json(model: Scenario) -> str:
    return json.dumps(model.model_dump(mode="json", by_alias=True), sort_keys=True, separators=(",", ":"))


class WedgeServer:
    """Every game of one database, and the connection handler."""

    def __init__(self, store: Store, scenario: Compiled | Callable[[], Compiled], admin_token: str) -> None:
        self.store = store
        self._default = scenario
        self.scenarios: dict[str, tuple[Compiled, str]] = {}
        self.admin_token = admin_token
        self.games: dict[str, GameHost] = {}
        self.broken: dict[str, str] = {}
        self.ai = AIPool()
        self.connections = 0
        self._server: Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()

    @property
    def default_scenario(self) -> Compiled:
        """The scenario of new games (loaded on first use: a restart with no new game never reads it)."""
        if not isinstance(self._default, Compiled):
            self._default = self._default()
        return self._add_scenario(self._default)[0]

    def _add_scenario(self, sc: Compiled) -> tuple[Compiled, str]:
        hit = self.scenarios.get(sc.content_hash)
        if hit is None:
            hit = self.scenarios[sc.content_hash] = (sc, scenario_json(sc.model))
        return hit

    # -- opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, store: Store, scenario: Compiled | Callable[[], Compiled]) -> WedgeServer:
        """Load every stored game (replaying and verifying it) from `store`."""
        admin = store.meta("admin_token")
        if admin is None:
            admin = new_token()
            store.set_meta("admin_token", admin)
        server = cls(store, scenario, admin)
        for stored in store.load_games():
            try:
                server._resume(stored)
            except (WedgeError, ValueError) as exc:
                server.broken[stored.id] = str(exc).splitlines()[0]
                log.error("game %s cannot be resumed: %s", stored.id, server.broken[stored.id])
        return server

    def _resume(self, stored: StoredGame) -> None:
        hit = self.scenarios.get(stored.scenario_hash)  # games of one scenario share one compiled copy
        if hit is None:
            model = Scenario.model_validate(json.loads(stored.scenario_json))
            if content_hash(model) != stored.scenario_hash:
                raise WedgeError("the stored scenario does not match its hash")
            hit = self._add_scenario(compiled(model))
        sc, text = hit
        for i, c in enumerate(stored.commands):
            if c.idx != i:
                raise WedgeError(f"command {i + 1} is missing from the database")
        record = GameRecord(
            sc,
            stored.seed,
            [c.command for c in stored.commands],
            [c.state_hash for c in stored.commands],
            stored.initial_hash,
            stored.meta(),
        )
        state = final_state(record, verify=True)  # ReplayMismatch names the first command that differs
        keys = {(c.seat, c.key): c.idx for c in stored.commands if c.key is not None}
        config = GameConfig.from_json(stored.config)
        self.games[stored.id] = GameHost(
            stored.id, record, state, stored.tokens, config, self.store, self.ai, text, keys
        )

    async def create_game(
        self,
        scenario: Compiled | None = None,
        seats: str = "",
        seed: int | None = None,
        deadline: float | None = None,
        on_deadline: str = "default",
    ) -> GameHost:
        """A new game with fresh tokens, stored before it is announced; raises WedgeError."""
        sc, text = self._add_scenario(scenario or self.default_scenario)
        controllers = seat_controllers(seats, sc)
        why = check_on_deadline(on_deadline)
        if why:
            raise WedgeError(why)
        if seed is None:
            seed = secrets.randbelow(2**63)
        game_id = secrets.token_hex(4)
        while game_id in self.games:
            game_id = secrets.token_hex(4)
        tokens = {seat: new_token() for seat in (*sc.role_ids, GM)}
        config = GameConfig(seats=seats, deadline=deadline, on_deadline=on_deadline)
        state = new_game(sc, seed)
        record = GameRecord(sc, seed, [], [], state_hash(state), {})
        self.store.create_game(game_id, sc.content_hash, text, seed, record.initial_hash, config.to_json(), tokens)
        host = GameHost(game_id, record, state, tokens, config, self.store, self.ai, text)
        self.games[game_id] = host
        for role, controller in controllers.items():
            if controller != HUMAN:  # who plays what is part of the log, like in local play
                await host.submit(GM, f"gm:seat:{role}:{controller}", "setup", trusted=True)
        host.start()
        return host

    def start_games(self) -> None:
        for host in self.games.values():
            host.start()

    # -- listening ------------------------------------------------------------------------
    async def listen(self, host: str, port: int) -> int:
        """Start accepting connections; returns the real port (useful with port 0)."""
        try:
            self._server = await serve(
                self._handle,
                host,
                port,
                max_size=p.MAX_FRAME,
                max_queue=16,
                compression=None,
                ping_interval=20,
                ping_timeout=20,
                close_timeout=2,
            )
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise ServerError(f"cannot listen on {host}:{port}: {reason.lower()}") from None
        return int(self._server.sockets[0].getsockname()[1])

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
        for game in self.games.values():
            await game.close()
        await self.store.drain()  # commands accepted in this last turn: written and reported
        self.ai.close()

    # -- connections ----------------------------------------------------------------------
    async def _handle(self, ws: ServerConnection) -> None:
        if self.connections >= MAX_CONNECTIONS:
            await ws.close(1013, "the server is full")
            return
        conn = _Conn(ws)
        self.connections += 1
        try:
            if await self._hello(conn):
                async for frame in ws:
                    await self._message(conn, frame)
                    if conn.strikes >= p.MAX_STRIKES:
                        await ws.close(1008, "too many refused messages")
                        return
        except ConnectionClosed:
            pass
        finally:
            self.connections -= 1
            if conn.game is not None:
                conn.game.leave(conn)

    async def _hello(self, conn: _Conn) -> bool:
        ws = conn.ws
        try:
            frame = await asyncio.wait_for(ws.recv(), p.HELLO_TIMEOUT)
        except TimeoutError:
            await ws.close(1008, "no hello")
            return False
        try:
            msg = p.parse_client(frame)
        except p.ProtocolError as exc:
            conn.reply(p.Error(id=exc.request_id, code=exc.code, message=exc.message))
            await ws.close(1008, "the first message must be hello")
            return False
        if not isinstance(msg, p.Hello):
            conn.reply(p.Error(code=p.NEED_HELLO, message="the first message must be hello"))
            await ws.close(1008, "the first message must be hello")
            return False
        if msg.protocol != p.PROTOCOL:
            conn.reply(
                p.Error(
                    code=p.PROTOCOL_VERSION, message=f"this server speaks protocol {p.PROTOCOL}, not {msg.protocol}"
                )
            )
            await ws.close(1008, "unsupported protocol")
            return False
        game_id = msg.game or _path_game(ws.request.path if ws.request else "")
        if not game_id:
            conn.reply(p.Welcome(server="wedge"))
            return True
        game = self.games.get(game_id)
        if game is None:
            why = f"no game {game_id!r} on this server"
            if game_id in self.broken:
                why = f"game {game_id!r} could not be resumed: {self.broken[game_id]}"
            conn.reply(p.Error(code=p.NO_GAME, message=why))
            await ws.close(1008, "no such game")
            return False
        seat = PUBLIC
        if msg.token is not None:
            found = game.seat_for(msg.token)
            if found is None:
                conn.reply(p.Error(code=p.AUTH, message="that token is not a seat of this game"))
                await ws.close(1008, "bad token")
                return False
            seat = found
        conn.seat, conn.game = seat, game
        conn.post(p.dump(game.join(seat, conn)))
        return True

    async def _message(self, conn: _Conn, frame: str | bytes) -> None:
        if not conn.bucket.take():
            conn.strikes += 1
            conn.reply(p.Error(code=p.RATE_LIMIT, message=f"slow down: at most {p.RATE:g} messages a second"))
            return
        try:
            msg = p.parse_client(frame)
        except p.ProtocolError as exc:
            conn.strikes += 1
            conn.reply(p.Error(id=exc.request_id, code=exc.code, message=exc.message))
            return
        try:
            ok = await self._dispatch(conn, msg)
        except Refused as exc:
            ok = False
            conn.reply(exc.to_message(getattr(msg, "id", None)))
        except Exception:  # a bug must cost one reply, never the server
            log.exception("error while handling a %s message", msg.type)
            ok = False
            conn.reply(p.Error(id=getattr(msg, "id", None), code=p.SERVER, message="internal server error"))
        conn.strikes = 0 if ok else conn.strikes + 1

    async def _dispatch(self, conn: _Conn, msg: Any) -> bool:
        if isinstance(msg, p.Ping):
            conn.reply(p.Pong(id=msg.id))
            return True
        if isinstance(msg, p.Hello):
            raise Refused(p.BAD_MESSAGE, "hello was already said on this connection")
        if isinstance(msg, p.ListGames):
            conn.reply(p.Games(id=msg.id, games=[g.info() for g in self.games.values()]))
            return True
        if isinstance(msg, p.CreateGame):
            return await self._create(conn, msg)
        game = conn.game
        if game is None:
            raise Refused(p.NO_GAME, "this connection is not in a game (say hello with a game)")
        if isinstance(msg, p.Check):
            problem = game.check(conn.seat, msg.command)
            if problem is None:
                conn.reply(p.Checked(id=msg.id, ok=True))
            else:
                conn.reply(p.Checked(id=msg.id, ok=False, rule=problem.rule, reason=problem.reason))
            return True
        if isinstance(msg, p.CommandMsg):
            rid = msg.id

            def ack(command: str, duplicate: bool) -> None:
                conn.post(p.ack_json(rid, command, duplicate))

            # the ack is posted by the commit itself (after the updates it causes); the
            # wait only keeps this connection's messages in order
            await game.submit(conn.seat, msg.command, "player", msg.key, on_ack=ack)
            return True
        raise Refused(p.UNKNOWN_TYPE, f"unexpected message {msg.type}")

    async def _create(self, conn: _Conn, msg: p.CreateGame) -> bool:
        if not hmac.compare_digest(msg.admin_token.encode("utf-8", "surrogatepass"), self.admin_token.encode()):
            raise Refused(p.AUTH, "creating a game needs the server's admin token")
        scenario = None
        if msg.scenario is not None:
            found = [sc for sc, _ in self.scenarios.values() if sc.model.scenario.id == msg.scenario]
            if not found:
                names = sorted({sc.model.scenario.id for sc, _ in self.scenarios.values()})
                raise Refused(p.BAD_MESSAGE, f"unknown scenario {msg.scenario!r}; this server has {', '.join(names)}")
            scenario = found[-1]
        try:
            controllers = seat_controllers(msg.seats, scenario or self.default_scenario)
            # over the network a seat goes to a human or a built-in agent: never a program or a file
            for why in [check_network_controller(c) for c in controllers.values()] + [
                "" if msg.on_deadline == "default" else check_network_controller(msg.on_deadline)
            ]:
                if why:
                    raise Refused(p.BAD_MESSAGE, why)
            host = await self.create_game(scenario, msg.seats, msg.seed, msg.deadline, msg.on_deadline)
        except WedgeError as exc:
            raise Refused(p.BAD_MESSAGE, str(exc).splitlines()[0]) from None
        conn.reply(p.Created(id=msg.id, game=host.id, tokens=dict(host.tokens)))
        return True


def _path_game(path: str) -> str:
    """``/g/GAME`` (or ``/GAME``) -> GAME; ``/`` -> '' (the lobby)."""
    parts = [x for x in path.split("?", 1)[0].split("/") if x]
    if len(parts) == 2 and parts[0] == "g":
        return parts[1]
    if len(parts) == 1 and parts[0] != "g":
        return parts[0]
    return ""


def server_game_seed(master: int, index: int) -> int:
    """Game `index` of a server started with ``--seed master`` (game 0 uses the seed itself,
    so a one-game server replays ``wedge play --seed``'s game; not a playtest's ``game_seed``)."""
    return master if index == 0 else rng.derive(master, "server-game", index)


Announce = Callable[[WedgeServer, int], None]
