"""The wire protocol between ``wedge serve`` and its clients (``docs/protocol.md``).

Every frame is one UTF-8 JSON object with a ``type``. Client messages are validated
strictly (unknown fields, wrong types and out-of-range values are refused) because
they come from the network; server messages are parsed leniently by clients (unknown
fields are ignored) so that a newer server can add fields without breaking an older
client. Breaking changes bump :data:`PROTOCOL`; ``hello`` carries the client's
version and the server refuses one it does not speak.

What a client may learn is fixed here and in :mod:`game.server.host`: a seat's own
view (``game.views``), its legal commands, why its own cards cannot be played, and
the log entries it is entitled to (its own commands and the facilitator's). Nothing
else: no seed, no global command count, no other seat's orders.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from game import safejson

PROTOCOL = 1
#: Largest frame the server reads (bytes); bigger frames close the connection (code 1009).
MAX_FRAME = 64 * 1024
#: Messages per second a connection may send on average, and the burst it may send at once.
RATE = 30.0
BURST = 60
#: A connection whose messages are refused this many times in a row is closed (code 1008).
MAX_STRIKES = 50
#: Seconds a new connection has to send ``hello``.
HELLO_TIMEOUT = 10.0
MAX_ID = 2**53  # request ids stay exact in every JSON implementation
MAX_COMMAND = 4096

# Error codes (the ``code`` of an ``error`` message).
BAD_JSON = "bad-json"
BAD_MESSAGE = "bad-message"
UNKNOWN_TYPE = "unknown-type"
PROTOCOL_VERSION = "protocol"
NEED_HELLO = "need-hello"
AUTH = "auth"
NO_GAME = "no-game"
FORBIDDEN = "forbidden"
ILLEGAL = "illegal"
RATE_LIMIT = "rate-limit"
SERVER = "server"
ERROR_CODES = (
    BAD_JSON,
    BAD_MESSAGE,
    UNKNOWN_TYPE,
    PROTOCOL_VERSION,
    NEED_HELLO,
    AUTH,
    NO_GAME,
    FORBIDDEN,
    ILLEGAL,
    RATE_LIMIT,
    SERVER,
)

#: Seats other than role ids.
FACILITATOR_SEAT = "gm"
PUBLIC_SEAT = "public"

RequestId = Annotated[int, Field(ge=0, lt=MAX_ID)]
Token = Annotated[str, Field(min_length=1, max_length=128)]
GameId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


# ------------------------------------------------------------------ client -> server


class _ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Hello(_ClientMessage):
    """First message of every connection. Without ``game`` (and no game in the URL path)
    the connection is a lobby (``list``/``create`` only); without ``token`` it watches
    the game's public board."""

    type: Literal["hello"]
    protocol: int = Field(ge=1, le=1000)
    game: GameId | None = None
    token: Token | None = None
    client: str = Field(default="", max_length=80)


class CommandMsg(_ClientMessage):
    """Submit one command in its text form. ``key`` makes it idempotent: re-sending a
    command with a key the server has already accepted from this seat is acknowledged
    again (``duplicate: true``) instead of being applied twice."""

    type: Literal["command"]
    id: RequestId
    command: str = Field(min_length=1, max_length=MAX_COMMAND)
    key: str | None = Field(default=None, min_length=1, max_length=64)


class Check(_ClientMessage):
    """Would this command be accepted now? Changes nothing."""

    type: Literal["check"]
    id: RequestId
    command: str = Field(min_length=1, max_length=MAX_COMMAND)


class Ping(_ClientMessage):
    type: Literal["ping"]
    id: RequestId


class ListGames(_ClientMessage):
    type: Literal["list"]
    id: RequestId


class CreateGame(_ClientMessage):
    """Start a new game (needs the server's admin token). ``seats`` is a seat spec such as
    ``us=human,russia=heuristic`` (unnamed roles are human)."""

    type: Literal["create"]
    id: RequestId
    admin_token: Token
    scenario: str | None = Field(default=None, max_length=64)
    seats: str = Field(default="", max_length=400)
    seed: int | None = Field(default=None, ge=0, lt=2**63)
    deadline: float | None = Field(default=None, gt=0, le=7 * 24 * 3600)
    on_deadline: str = Field(default="default", max_length=40)


ClientMessage = Annotated[
    Hello | CommandMsg | Check | Ping | ListGames | CreateGame,
    Field(discriminator="type"),
]
CLIENT_TYPES = ("hello", "command", "check", "ping", "list", "create")
_client_adapter: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


class ProtocolError(Exception):
    """A client frame that is not a valid message: ``code`` and one-line ``message``."""

    def __init__(self, code: str, message: str, request_id: int | None = None) -> None:
        self.code = code
        self.message = message
        self.request_id = request_id
        super().__init__(message)


def _request_id(data: object) -> int | None:
    if isinstance(data, dict):
        rid = data.get("id")
        if isinstance(rid, int) and not isinstance(rid, bool) and 0 <= rid < MAX_ID:
            return rid
    return None


def parse_client(frame: str | bytes) -> ClientMessage:
    """One client frame -> a message model, or :class:`ProtocolError` saying what is wrong."""
    if isinstance(frame, bytes):
        raise ProtocolError(BAD_JSON, "binary frames are not accepted; send JSON text")
    try:
        data = safejson.loads(frame)
    except safejson.JSONInputError as exc:
        raise ProtocolError(BAD_JSON, f"the frame is refused: {exc}") from None
    rid = _request_id(data)
    if not isinstance(data, dict):
        raise ProtocolError(BAD_MESSAGE, 'a message is a JSON object with a "type"')
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in CLIENT_TYPES:
        shown = repr(kind)[:40] if kind is not None else "missing"
        raise ProtocolError(UNKNOWN_TYPE, f"unknown message type {shown}; types are {', '.join(CLIENT_TYPES)}", rid)
    try:
        return _client_adapter.validate_python(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"][1:]) or kind
        raise ProtocolError(BAD_MESSAGE, f"{kind}: {where}: {err['msg']}", rid) from None


# ------------------------------------------------------------------ server -> client


class _ServerMessage(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Problem(BaseModel):
    """Why a command would be refused: the rulebook section and the reason."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    rule: str
    reason: str


class Deadline(BaseModel):
    """The current phase's deadline: seconds left when the message was sent."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    turn: int
    phase: str
    seconds: float
    total: float
    paused: bool = False


class Limits(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    max_frame: int = MAX_FRAME
    rate: float = RATE
    burst: int = BURST


class Welcome(_ServerMessage):
    """Answer to ``hello``: who you are and everything your seat may see now."""

    type: Literal["welcome"] = "welcome"
    protocol: int = PROTOCOL
    server: str = ""
    game: str | None = None
    seat: str | None = None
    roles: list[str] = Field(default_factory=list)
    scenario: dict[str, Any] | None = None
    scenario_hash: str = ""
    seq: int = 0
    view: dict[str, Any] | None = None
    legal: list[str] = Field(default_factory=list)
    hints: dict[str, Problem] = Field(default_factory=dict)
    commands: list[str] = Field(default_factory=list)
    deadline: Deadline | None = None
    limits: Limits = Field(default_factory=Limits)
    #: The computer seats' stated reasons, ``{"index", "role", "turn", "command", "text",
    #: "source"}``: the facilitator's as they come, everyone's once the game is over (during
    #: play they are each seat's private thinking).
    reasons: list[dict[str, Any]] = Field(default_factory=list)


class Update(_ServerMessage):
    """Your view changed. ``patch`` replaces top-level keys of the view; ``legal`` and
    ``hints`` are present only when they changed; ``commands`` are new log entries you
    may see. ``seq`` grows by one per update of your seat."""

    type: Literal["update"] = "update"
    seq: int
    patch: dict[str, Any] = Field(default_factory=dict)
    legal: list[str] | None = None
    hints: dict[str, Problem] | None = None
    commands: list[str] = Field(default_factory=list)
    deadline: Deadline | None = None
    reasons: list[dict[str, Any]] | None = None  # new ones, to add to Welcome's


class Ack(_ServerMessage):
    """The command is durably stored and applied; your view already reflects it."""

    type: Literal["ack"] = "ack"
    id: int
    command: str
    duplicate: bool = False


class Checked(_ServerMessage):
    type: Literal["checked"] = "checked"
    id: int
    ok: bool
    rule: str = ""
    reason: str = ""


class Pong(_ServerMessage):
    type: Literal["pong"] = "pong"
    id: int


class GameInfo(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    game: str
    scenario: str
    title: str
    turn: int
    turns: int
    phase: str
    seats: dict[str, str]
    connected: dict[str, int]


class Games(_ServerMessage):
    type: Literal["games"] = "games"
    id: int
    games: list[GameInfo]


class Created(_ServerMessage):
    type: Literal["created"] = "created"
    id: int
    game: str
    tokens: dict[str, str]


class Error(_ServerMessage):
    """A refusal. ``rule``/``reason`` are the engine's for an illegal command."""

    type: Literal["error"] = "error"
    id: int | None = None
    code: str
    message: str
    rule: str | None = None
    reason: str | None = None
    command: str | None = None


ServerMessage = Annotated[
    Welcome | Update | Ack | Checked | Pong | Games | Created | Error,
    Field(discriminator="type"),
]
_server_adapter: TypeAdapter[ServerMessage] = TypeAdapter(ServerMessage)


def parse_server(frame: str | bytes) -> ServerMessage:
    """One server frame -> a message model (for clients); raises ValueError if it is not one."""
    return _server_adapter.validate_json(frame)


def dump(message: BaseModel) -> str:
    """A server message as compact JSON text (``None`` fields left out)."""
    return message.model_dump_json(exclude_none=True)


def ack_json(request_id: int, command: str, duplicate: bool) -> str:
    """``dump(Ack(...))`` without building the model: the one message sent for every command."""
    return (
        f'{{"type":"ack","id":{int(request_id)},"command":{json.dumps(command, ensure_ascii=False)},'
        f'"duplicate":{"true" if duplicate else "false"}}}'
    )
