"""A seat played by a language model behind any OpenAI-compatible chat-completions endpoint.

    us=llm:model=gpt-4o-mini:base_url=https://api.openai.com/v1
    india=llm:model=smollm2:base_url=http://127.0.0.1:8080/v1:temperature=0.2:persona=india.txt

The model sees what a person in the seat sees and nothing more: its role's briefing (from
the scenario's public text) and, at each decision, the role's view and the legal commands
as a numbered menu (:mod:`game.agents.llm_prompt`). It answers with a menu number, a short
rationale and optionally up to two private messages.

Whatever the model or the server does, the game goes on and stays legal:

* an answer that is not valid JSON of the schema, or names no menu entry, gets one repair
  request saying what was wrong, then the *default* command
  (:func:`game.agents.external.default_command`: seal / done);
* a refused connection, a timeout (``timeout`` seconds a call), an HTTP error, or a game
  turn whose budget (``turn_timeout`` seconds) is spent gives the default at once; an HTTP
  429 is retried once after its ``Retry-After`` if that fits the turn's budget;
* every such case is an entry in :attr:`LLMAgent.events`, shaped like the external agent's
  (``{"decision": n, "kind": ..., "detail": ...}``), which playtest rows record.

Messages are ``say`` commands, which legal_actions never lists: the agent returns them
first, one per call, each checked by the rules' own check, then the chosen command (checked
again against that call's ``legal``). Play loops ask a role again until it is ready, so a
message costs them nothing special.

The model need not be deterministic: the game log records the commands, so a game replays
without the model. To re-*play* a seat (same seed, same commands) give it a cache
(:mod:`game.agents.llm_cache`) holding its calls: the agent looks there before any HTTP
call and records every response it gets.

The API key is read from the environment variable named by ``key_env`` at each call, never
from the spec or a file, and is never stored on the agent, recorded or cached.
"""

from __future__ import annotations

import email.utils
import math
import os
import re
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import httpx

from game import rng, safejson
from game.agents.base import Capabilities
from game.agents.external import default_command
from game.agents.llm_cache import Cache, DirCache, request_key
from game.agents.llm_prompt import DETAILS, MAX_RATIONALE, PromptBuilder
from game.commands import Command, parse
from game.compiled import Compiled
from game.errors import WedgeError
from game.state import GameState
from game.views import RoleView

DEFAULT_TEMPERATURE = 0.7
DEFAULT_TIMEOUT = 30.0
DEFAULT_TURN_TIMEOUT = 120.0
DEFAULT_MAX_TOKENS = 256
DEFAULT_KEY_ENV = "OPENAI_API_KEY"
#: Messages the model may send with one decision.
MAX_MESSAGES = 2
#: Longest message text asked of the model (the rules' own limit is checked on submit).
MAX_MESSAGE_TEXT = 300
#: A response body larger than this is refused (a chat answer of 256 tokens is a few KiB).
MAX_RESPONSE_BYTES = 1024 * 1024
#: A persona file larger than this is refused: it goes into every prompt.
MAX_PERSONA_BYTES = 16 * 1024
#: Below this many seconds left, a turn's budget counts as spent.
MIN_CALL_SECONDS = 0.05

#: What the model must answer; sent as the response format where the server takes one.
SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "choice": {"type": "integer", "description": "the number of one option of the menu"},
        "rationale": {"type": "string", "description": f"why, in at most {MAX_RATIONALE} characters"},
        "messages": {
            "type": "array",
            "description": f"private messages to send first, at most {MAX_MESSAGES}",
            "items": {
                "type": "object",
                "properties": {"to": {"type": "string"}, "text": {"type": "string"}},
                "required": ["to", "text"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["choice", "rationale", "messages"],
    "additionalProperties": False,
}
#: Response formats, most constraining first; a server that refuses one gets the next.
FORMATS = ("json_schema", "json_object", "none")

#: Longest reason asked of a seat with the short prompt (small models: fewer tokens to wait for).
SHORT_RATIONALE = 160

#: The directory of recorded calls that seats without ``cache=`` use (``wedge playtest --llm-cache``).
CACHE_ENV = "WEDGE_LLM_CACHE"

#: Event kinds in :attr:`LLMAgent.events`.
TIMEOUT, HTTP_ERROR, REFUSED, RATE_LIMITED = "timeout", "http-error", "refused", "rate-limited"
GARBAGE, OUT_OF_MENU, REPAIR, DEFAULT, BUDGET = "garbage", "out-of-menu", "repair", "default", "budget"
FORMAT, MESSAGE_DROPPED, STALE = "format", "message-dropped", "stale"

_KEY_ENV = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def schema_for(options: int, rationale: int = MAX_RATIONALE) -> dict[str, Any]:
    """SCHEMA narrowed to a menu of `options` commands. Grammar-constrained servers
    (llama.cpp) enforce ``enum`` and ``maxLength`` but ignore ``minimum``/``maximum``, so
    the choice is an enum of the menu's numbers and the strings have lengths: a small
    model can then neither pick outside the menu nor ramble past its token budget."""
    if options <= 0:
        return SCHEMA
    props = dict(SCHEMA["properties"])
    props["choice"] = {**props["choice"], "enum": list(range(1, options + 1))}
    props["rationale"] = {**props["rationale"], "maxLength": rationale}
    item = dict(props["messages"]["items"])
    item["properties"] = {**item["properties"], "text": {"type": "string", "maxLength": MAX_MESSAGE_TEXT}}
    props["messages"] = {**props["messages"], "items": item, "maxItems": MAX_MESSAGES}
    return {**SCHEMA, "properties": props}


def response_format(mode: str, options: int = 0, rationale: int = MAX_RATIONALE) -> dict[str, Any] | None:
    """The ``response_format`` field of a request in `mode` (one of FORMATS) for a menu of
    `options` commands (0: the general schema), reasons at most `rationale` characters."""
    schema = schema_for(options, rationale)
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": "wedge_decision", "schema": schema, "strict": True}}
    if mode == "json_object":
        return {"type": "json_object", "schema": schema}
    return None


@dataclass
class Decision:
    """A usable answer: a menu index (0-based), the model's reason and its messages."""

    index: int
    rationale: str
    messages: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Pending:
    """What one decision still has to return: its messages, then its command."""

    turn: int
    phase: str
    command: Command
    rationale: dict[str, Any]
    says: deque[tuple[str, str]]


class _Failed(Exception):
    """A call gave no usable response; the event is already recorded."""


class _FormatRefused(Exception):
    """The server answered 400/422 about the response format."""


class _TooLarge(Exception):
    pass


class _Deadline(Exception):
    pass


def _json_object(text: str) -> dict[str, Any] | None:
    """The reply as a JSON object: the whole text, or else the outermost ``{...}`` in it
    (models asked for JSON without a response format often wrap it in a code fence)."""
    candidates = [text.strip()]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    # llama.cpp's JSON grammar lets raw newlines and tabs into strings (strict JSON refuses
    # them); outside strings they are whitespace, so blanking them changes nothing else.
    candidates += [re.sub(r"[\x00-\x1f]", " ", c) for c in candidates]
    for candidate in candidates:
        try:
            value = safejson.loads(candidate, max_bytes=MAX_RESPONSE_BYTES)
        except safejson.JSONInputError:
            continue
        if isinstance(value, dict):
            return value
    return None


def _choice(params: Mapping[str, str], key: str, options: tuple[str, ...]) -> str:
    from game.agents.registry import AgentSpecError

    value = params.get(key, options[0])
    if value not in options:
        raise AgentSpecError(f"llm agent {key}={value!r}: one of {', '.join(options)}")
    return value


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()  # a wait, never game state
    return max(0.0, seconds) if math.isfinite(seconds) else None


class LLMAgent:
    """A seat played by a chat-completions model (see the module docstring)."""

    needs_view = True
    PARAMS: ClassVar[dict[str, str]] = {
        "model": "the model name the endpoint knows (required)",
        "base_url": "the endpoint's base URL, up to /v1, e.g. http://127.0.0.1:8080/v1 (required)",
        "temperature": f"sampling temperature, 0 to 2 (default {DEFAULT_TEMPERATURE:g})",
        "persona": "a text file whose words are added to the briefing (how this seat plays)",
        "timeout": f"seconds one call may take (default {DEFAULT_TIMEOUT:g})",
        "turn_timeout": f"seconds of calls per game turn; then the default is taken (default {DEFAULT_TURN_TIMEOUT:g})",
        "max_tokens": f"longest answer in tokens (default {DEFAULT_MAX_TOKENS})",
        "key_env": f"environment variable holding the API key (default {DEFAULT_KEY_ENV}; unset: no key sent)",
        "cache": "a directory of recorded calls to reuse and extend (replays a seat without the endpoint)",
        "prompt": "full (default: everything a player's screen shows) or short (about a fifth of the tokens, "
        "for small local models)",
        "format": "the reply format to ask for first: json_schema (default), json_object (llama.cpp's server) "
        "or none; a server that refuses one gets the next",
    }
    CAPABILITIES: ClassVar[Capabilities] = Capabilities(stateful=True, network=False)

    def __init__(
        self,
        sc: Compiled,
        role: str,
        seed: int,
        *,
        model: str,
        base_url: str,
        temperature: float = DEFAULT_TEMPERATURE,
        persona: str = "",
        timeout: float = DEFAULT_TIMEOUT,
        turn_timeout: float = DEFAULT_TURN_TIMEOUT,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        key_env: str = DEFAULT_KEY_ENV,
        cache: Cache | None = None,
        response: str = FORMATS[0],
        detail: str = "full",
    ) -> None:
        self.sc = sc
        self.role = role
        self.seed = seed
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.temperature = float(temperature)
        self.timeout = float(timeout)
        self.turn_timeout = float(turn_timeout)
        self.max_tokens = int(max_tokens)
        self.key_env = key_env
        #: Recorded calls consulted before any HTTP call and extended with every response.
        self.cache: Cache | None = cache
        self.prompts = PromptBuilder(sc.model, role, persona, detail)
        #: What went wrong, ``{"decision": n, "kind": ..., "detail": ...}`` (see the module docstring).
        self.events: list[dict[str, Any]] = []
        #: One per decision: ``{"decision", "turn", "phase", "command", "text", "source"}``,
        #: appended when the command is returned (so a driver finds it with the command).
        self.rationales: list[dict[str, Any]] = []
        #: Calls made, answers found in the cache, tokens used, seconds spent in HTTP, defaults taken.
        self.stats: dict[str, Any] = {
            "calls": 0, "cache_hits": 0, "prompt_tokens": 0, "completion_tokens": 0, "seconds": 0.0, "defaults": 0,
        }
        #: Decisions made so far (messages and re-sent choices are not decisions).
        self.decision = 0
        #: The response format in use; moves down FORMATS when the server refuses one.
        self.format = response
        #: The size of the menu being decided (narrows the reply schema: :func:`schema_for`).
        self._options = 0
        self._spent: dict[int, float] = {}
        self._turn = 0
        self._pending: _Pending | None = None
        self._client: httpx.Client | None = None
        self._probe: GameState | None = None

    # ------------------------------------------------------------------ building

    @classmethod
    def from_spec(cls, sc: Compiled, role: str, seed: int, arg: str, params: dict[str, str]) -> LLMAgent:
        from game.agents.registry import AgentSpecError

        if arg:
            raise AgentSpecError(f"llm agent takes no positional argument (got {arg!r}); use model=... base_url=...")
        for key in ("model", "base_url"):
            if not params.get(key):
                raise AgentSpecError(f"llm agent needs {key}=..., e.g. llm:model=NAME:base_url=http://127.0.0.1:8080/v1")
        base_url = params["base_url"]
        if not base_url.startswith(("http://", "https://")):
            raise AgentSpecError(f"llm agent base_url={base_url!r} must start with http:// or https://")
        key_env = params.get("key_env", DEFAULT_KEY_ENV)
        if not _KEY_ENV.fullmatch(key_env):
            raise AgentSpecError(f"llm agent key_env={key_env!r} is not an environment variable name")
        # A playtest's --llm-cache reaches every worker process through the environment.
        cache_dir = params.get("cache") or os.environ.get(CACHE_ENV, "")
        return cls(
            sc,
            role,
            seed,
            model=params["model"],
            base_url=base_url,
            temperature=_number(params, "temperature", DEFAULT_TEMPERATURE, 0.0, 2.0),
            persona=_persona(params.get("persona")),
            timeout=_number(params, "timeout", DEFAULT_TIMEOUT, 0.0, math.inf, open_low=True),
            turn_timeout=_number(params, "turn_timeout", DEFAULT_TURN_TIMEOUT, 0.0, math.inf, open_low=True),
            max_tokens=int(_number(params, "max_tokens", DEFAULT_MAX_TOKENS, 1, 1_000_000, integer=True)),
            key_env=key_env,
            cache=DirCache(cache_dir) if cache_dir else None,
            response=_choice(params, "format", FORMATS),
            detail=_choice(params, "prompt", DETAILS),
        )

    def close(self, results: dict[str, Any] | None = None) -> None:
        """Close the HTTP connection pool (drivers call this when the game ends). Idempotent."""
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> LLMAgent:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ playing

    def act(self, view: RoleView | dict[str, Any], legal: list[Command]) -> Command:
        """The model reads text, so the view crosses into JSON here (once per decision)."""
        if isinstance(view, RoleView):
            view = view.to_json()
        turn, phase = int(view.get("turn", 0)), str(view.get("phase", ""))
        pending = self._pending
        if pending is not None and (pending.turn, pending.phase) != (turn, phase):
            self._pending = pending = None  # the game moved on since that decision
        if pending is not None:
            say = self._next_say(view, pending)
            if say is not None:
                return say
            self._pending = None
            if pending.command in legal:
                self.rationales.append(pending.rationale)
                return pending.command
            self._event(STALE, f"{pending.command.text} is no longer legal; deciding again")
        return self._decide(view, legal)

    def _decide(self, view: dict[str, Any], legal: list[Command]) -> Command:
        self.decision += 1
        turn, phase = int(view.get("turn", 0)), str(view.get("phase", ""))
        self._turn = turn
        decision = self._ask(view, legal)
        if decision is None:
            command = default_command(legal)
            self.stats["defaults"] += 1
            why = self.events[-1]["detail"] if self.events and self.events[-1]["decision"] == self.decision else ""
            self._event(DEFAULT, f"took the default {command.text}" + (f" ({why})" if why else ""))
            text = "No usable answer from the model" + (f" ({why})" if why else "") + "; took the default."
            decision = Decision(legal.index(command), text)
            source = "default"
        else:
            command, source = legal[decision.index], "model"
        rationale = {
            "decision": self.decision, "turn": turn, "phase": phase,
            "command": command.text, "text": decision.rationale, "source": source,
        }
        pending = _Pending(turn, phase, command, rationale, deque(decision.messages))
        say = self._next_say(view, pending)
        if say is not None:
            self._pending = pending
            return say
        self.rationales.append(rationale)
        return command

    # ------------------------------------------------------------------ messages

    def _next_say(self, view: Mapping[str, Any], pending: _Pending) -> Command | None:
        """The next of `pending`'s messages that the rules allow now; the others are dropped."""
        while pending.says:
            to, text = pending.says.popleft()
            try:
                return self._checked_say(view, to, text)
            except (WedgeError, ValueError) as exc:
                self._event(MESSAGE_DROPPED, f"to {to!r}: {_short(str(exc))}")
        return None

    def _checked_say(self, view: Mapping[str, Any], to: str, text: str) -> Command:
        """`text` to `to` as a say command, if the rules' own check accepts it now.

        The check (:func:`game.rules.apply` of a ``say``) reads only the phase, the pause,
        the diplomacy lock and the roles, all of which the view shows: it is run on a
        stand-in state that carries those from the view (and nothing of the real game)."""
        from game.rules import apply, new_game

        cmd = parse(f"{self.role}:say:{to}:{text}")
        if cmd.actor != self.role or cmd.verb != "say":
            raise ValueError("not a message")
        if self._probe is None:
            self._probe = new_game(self.sc, 0)
        probe = self._probe._replace(
            phase=str(view.get("phase", "")),
            paused=bool(view.get("paused", False)),
            diplomacy_locked=bool(view.get("diplomacy_locked", False)),
        )
        apply(probe, cmd)
        return cmd

    # ------------------------------------------------------------------ asking the model

    def _ask(self, view: Mapping[str, Any], legal: list[Command]) -> Decision | None:
        """The model's usable answer, after at most one repair request; None for the default."""
        messages = [
            {"role": "system", "content": self.prompts.system},
            {"role": "user", "content": self.prompts.user(view, legal)},
        ]
        self._options = len(legal)
        for attempt in range(2):
            try:
                content = self._complete(messages)
            except _Failed:
                return None
            decision, kind, problem = self._parse(content, len(legal))
            if decision is not None:
                return decision
            self._event(kind, f"{problem}: {_short(content)}")
            if attempt == 0:
                self._event(REPAIR, f"asked again: {problem}")
                messages += [
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": self.prompts.repair(problem, len(legal))},
                ]
        return None

    def _parse(self, content: str, options: int) -> tuple[Decision | None, str, str]:
        """(decision, "", "") for a usable answer, else (None, event kind, what was wrong)."""
        value = _json_object(content)
        if value is None:
            return None, GARBAGE, "not a JSON object"
        choice = value.get("choice")
        if isinstance(choice, bool) or not isinstance(choice, int):
            return None, GARBAGE, "choice must be a whole number"
        if not 1 <= choice <= options:
            return None, OUT_OF_MENU, f"choice {choice} is not between 1 and {options}"
        rationale = value.get("rationale", "")
        if not isinstance(rationale, str):
            return None, GARBAGE, "rationale must be text"
        rationale = " ".join(rationale.split())
        if len(rationale) > MAX_RATIONALE:
            rationale = rationale[: MAX_RATIONALE - 3] + "..."
        return Decision(choice - 1, rationale, self._messages(value.get("messages"))), "", ""

    def _messages(self, raw: object) -> list[tuple[str, str]]:
        """The well-formed messages of an answer (others are dropped with an event)."""
        if raw is None:
            return []
        if not isinstance(raw, list):
            self._event(MESSAGE_DROPPED, "messages is not a list")
            return []
        out: list[tuple[str, str]] = []
        for item in raw:
            to = item.get("to") if isinstance(item, dict) else None
            text = item.get("text") if isinstance(item, dict) else None
            if not (isinstance(to, str) and isinstance(text, str) and text.strip()):
                self._event(MESSAGE_DROPPED, f"not a message with to and text: {_short(repr(item))}")
            elif len(out) >= MAX_MESSAGES:
                self._event(MESSAGE_DROPPED, f"more than {MAX_MESSAGES} messages")
            else:
                out.append((to.strip(), " ".join(text.split())))
        return out

    # ------------------------------------------------------------------ one completion

    def _body(self, messages: list[dict[str, str]], mode: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.model,
            "messages": messages,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": rng.derive(self.seed, "llm", self.decision) & 0x7FFFFFFF,
        }
        fmt = response_format(mode, self._options, SHORT_RATIONALE if self.prompts.short else MAX_RATIONALE)
        if fmt is not None:
            body["response_format"] = fmt
        return body

    def _complete(self, messages: list[dict[str, str]]) -> str:
        """The model's reply text to `messages`: from the cache, or by calling the endpoint in
        the current response format and falling back while the server refuses formats.

        A recorded game may have fallen back already, so the cache is asked for the current
        format and every later one, and a hit adopts its format."""
        modes = FORMATS[FORMATS.index(self.format) :]
        if self.cache is not None:
            for mode in modes:
                hit = self.cache.get(request_key(self._body(messages, mode)))
                if hit is not None:
                    self.format = mode
                    self.stats["cache_hits"] += 1
                    return self._content(hit)
        for mode in modes:
            self.format = mode
            body = self._body(messages, mode)
            try:
                response = self._call(body)
            except _FormatRefused as exc:
                if mode == FORMATS[-1]:
                    self._event(HTTP_ERROR, str(exc))
                    raise _Failed from None
                self._event(FORMAT, f"{exc}; trying response format {FORMATS[FORMATS.index(mode) + 1]}")
                continue
            self._count_usage(response)
            if self.cache is not None:
                self.cache.put(request_key(body), body, response)
            return self._content(response)
        raise _Failed  # not reached: the last format either answers or fails

    def _content(self, response: Mapping[str, Any]) -> str:
        """The reply text of a chat-completions response."""
        try:
            content = response["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            content = None
        if not isinstance(content, str):
            self._event(GARBAGE, "the response has no choices[0].message.content text")
            raise _Failed
        return content

    def _count_usage(self, response: Mapping[str, Any]) -> None:
        usage = response.get("usage")
        if isinstance(usage, dict):
            for key in ("prompt_tokens", "completion_tokens"):
                n = usage.get(key)
                if isinstance(n, int) and not isinstance(n, bool) and n >= 0:
                    self.stats[key] += n

    # ------------------------------------------------------------------ HTTP

    def _remaining(self) -> float:
        return self.turn_timeout - self._spent.get(self._turn, 0.0)

    def _spend(self, seconds: float) -> None:
        self._spent[self._turn] = self._spent.get(self._turn, 0.0) + seconds

    def _call(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST `body`; the response object, or _Failed (event recorded) or _FormatRefused.
        A 429 is retried once, after its Retry-After, if that fits the turn's budget."""
        status, headers, data = self._post(body)
        if status == 429:
            wait = retry_after(headers.get("retry-after"))
            left = self._remaining() - MIN_CALL_SECONDS
            if wait is None or wait >= left:
                asked = "no Retry-After" if wait is None else f"Retry-After {wait:g}s"
                self._event(RATE_LIMITED, f"HTTP 429 with {asked}; {max(left, 0):.1f}s left of this turn's budget")
                raise _Failed
            self._event(RATE_LIMITED, f"HTTP 429: retrying after {wait:g}s")
            time.sleep(wait)
            self._spend(wait)
            status, headers, data = self._post(body)
        if status in (400, 422, 500) and "response_format" in body and _about_format(data):
            raise _FormatRefused(f"HTTP {status} about the response format: {_short(_text(data))}")
        if status != 200:
            self._event(HTTP_ERROR, f"HTTP {status}: {_short(_text(data))}")
            raise _Failed
        try:
            response = safejson.loads(data, max_bytes=MAX_RESPONSE_BYTES)
        except safejson.JSONInputError as exc:
            self._event(GARBAGE, f"the server's response is not JSON: {exc}")
            raise _Failed from None
        if not isinstance(response, dict):
            self._event(GARBAGE, "the server's response is not a JSON object")
            raise _Failed
        return response

    def _post(self, body: dict[str, Any]) -> tuple[int, httpx.Headers, bytes]:
        """One HTTP request within the per-call timeout and the turn's budget."""
        left = self._remaining()
        if left < MIN_CALL_SECONDS:
            self._event(BUDGET, f"this turn's {self.turn_timeout:g}s budget is spent")
            raise _Failed
        limit = min(self.timeout, left)
        start = time.monotonic()
        self.stats["calls"] += 1
        try:
            return self._send(body, limit)
        except httpx.ConnectError as exc:
            self._event(REFUSED, f"cannot connect to {self.base_url}: {_short(str(exc))}")
        except (httpx.TimeoutException, _Deadline):
            self._event(TIMEOUT, f"no answer within {limit:g}s")
        except _TooLarge:
            self._event(GARBAGE, f"response larger than {MAX_RESPONSE_BYTES} bytes")
        except httpx.HTTPError as exc:
            self._event(HTTP_ERROR, f"{type(exc).__name__}: {_short(str(exc))}")
        finally:
            elapsed = time.monotonic() - start
            self.stats["seconds"] += elapsed
            self._spend(elapsed)
        raise _Failed

    def _send(self, body: dict[str, Any], limit: float) -> tuple[int, httpx.Headers, bytes]:
        """Stream the response so that its size and total time are bounded, not only each read."""
        if self._client is None:
            self._client = httpx.Client()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.key_env, "")
        if key:
            headers["Authorization"] = f"Bearer {key}"
        deadline = time.monotonic() + limit
        with self._client.stream(
            "POST", f"{self.base_url}/chat/completions", json=body, headers=headers, timeout=httpx.Timeout(limit)
        ) as r:
            chunks: list[bytes] = []
            size = 0
            for chunk in r.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise _TooLarge
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise _Deadline
            return r.status_code, r.headers, b"".join(chunks)

    def _event(self, kind: str, detail: str) -> None:
        self.events.append({"decision": self.decision, "kind": kind, "detail": detail})


def _text(data: bytes) -> str:
    return data[:2000].decode("utf-8", "replace")


def _about_format(data: bytes) -> bool:
    """Whether an error body is about the response format (servers word it differently)."""
    text = _text(data).lower()
    return any(word in text for word in ("response_format", "json_schema", "json_object", "schema"))


def _number(
    params: Mapping[str, str],
    key: str,
    default: float,
    low: float,
    high: float,
    *,
    open_low: bool = False,
    integer: bool = False,
) -> float:
    """A numeric spec parameter within its range, or AgentSpecError saying which."""
    from game.agents.registry import AgentSpecError

    text = params.get(key)
    if text is None:
        return default
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        raise AgentSpecError(f"llm agent {key}={text!r} is not a {'whole ' if integer else ''}number") from None
    if not (math.isfinite(value) and (value > low if open_low else value >= low) and value <= high):
        bound = f"{'above' if open_low else 'at least'} {low:g}" + (f" and at most {high:g}" if high < math.inf else "")
        raise AgentSpecError(f"llm agent {key}={text!r} must be {bound}")
    return value


def _persona(path: str | None) -> str:
    """The persona file's text (read once, when the seat is built)."""
    from game.agents.registry import AgentSpecError

    if not path:
        return ""
    try:
        with open(Path(path), "rb") as f:
            data = f.read(MAX_PERSONA_BYTES + 1)
    except OSError as exc:
        raise AgentSpecError(f"llm agent persona file {path!r}: {exc.strerror or exc}") from None
    if len(data) > MAX_PERSONA_BYTES:
        raise AgentSpecError(f"llm agent persona file {path!r} is over {MAX_PERSONA_BYTES} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise AgentSpecError(f"llm agent persona file {path!r} is not UTF-8 text") from None
