"""Hypothesis-generated garbage against one running server.

Random bytes, random text, random JSON and valid-looking messages with wrong fields,
types, tokens and commands are thrown at game B — before and after ``hello``, as a
player, the facilitator and a spectator. Every frame must get a well-formed reply (an
``error`` with a documented code, never an internal error) or a clean close, and after
each batch the server still answers and game A, played alongside, is unaffected.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_helpers import ROLES, Raw, ServerProc, start_server
from websockets.exceptions import ConnectionClosed

from game.commands import GM_VERBS, ROLE_VERBS
from game.server.protocol import CLIENT_TYPES, ERROR_CODES

SERVER_TYPES = {"welcome", "update", "ack", "checked", "pong", "games", "created", "error"}
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture(scope="module")
def sp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    server = start_server(tmp_path_factory.mktemp("fuzz") / "games.db", "--seed", "4", "--games", "2")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def games(sp: ServerProc) -> tuple[str, str]:
    a, b = list(sp.tokens)
    return a, b


# ------------------------------------------------------------------------- strategies

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=25,
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=60),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
command_text = st.builds(
    lambda actor, verb, args: ":".join([actor, verb, *args]),
    st.sampled_from([*ROLES, "gm", "", "US", "nobody"]) | st.text(max_size=8),
    st.sampled_from([*ROLE_VERBS, *GM_VERBS, "", "fly"]),
    st.lists(st.text(max_size=30) | st.sampled_from(["us", "prc", "1", "alignment", "99"]), max_size=4),
)


@st.composite
def shaped(draw: st.DrawFn) -> dict[str, Any]:
    """A message of a real type whose fields are right, wrong, missing or extra."""
    kind = draw(st.sampled_from([*CLIENT_TYPES, "hack", "HELLO"]))
    msg: dict[str, Any] = {"type": kind}
    fields = {
        "id": st.integers(min_value=0, max_value=100) | junk,
        "protocol": st.just(1) | junk,
        "token": st.text(max_size=40) | junk,
        "game": st.text(max_size=20) | junk,
        "command": command_text | junk,
        "key": st.text(max_size=80) | junk,
        "admin_token": st.text(max_size=30) | junk,
        "seats": st.text(max_size=60) | st.just("us=external:rm -rf /") | junk,
        "seed": st.integers() | junk,
        "deadline": st.floats() | junk,
        "scenario": st.text(max_size=20) | junk,
        "extra": junk,
    }
    for name, strategy in fields.items():
        if draw(st.booleans()):
            msg[name] = draw(strategy)
    return msg


frames = st.one_of(
    st.binary(max_size=300),
    st.text(max_size=300),
    json_values.map(json.dumps),
    shaped().map(json.dumps),
    st.builds(lambda c: json.dumps({"type": "command", "id": 1, "command": c}), command_text),
)


# ------------------------------------------------------------------------------ checks


def _answers(raw: Raw, sent: int) -> list[dict[str, Any]]:
    """Read one reply per frame sent (skipping updates), or until a clean close."""
    out: list[dict[str, Any]] = []
    try:
        while len(out) < sent:
            msg = raw.recv(timeout=10)
            assert msg["type"] in SERVER_TYPES, msg
            if msg["type"] != "update":
                out.append(msg)
    except ConnectionClosed as exc:
        code = exc.rcvd.code if exc.rcvd is not None else None
        assert code in (1000, 1002, 1007, 1008, 1009), f"unclean close {code}"
    for msg in out:
        if msg["type"] == "error":
            assert msg["code"] in ERROR_CODES and msg["code"] != "server", msg
            assert msg["message"] and "Traceback" not in msg["message"]
    return out


def _healthy(sp: ServerProc, game: str) -> dict[str, Any]:
    """A fresh connection is served, and game A's facilitator view is what it was."""
    raw = Raw(sp.url(game))
    welcome = raw.hello(sp.tokens[game]["gm"])
    assert raw.request({"type": "ping", "id": 1}) == {"type": "pong", "id": 1}
    raw.close()
    return welcome


@pytest.fixture(scope="module")
def game_a(sp: ServerProc, games: tuple[str, str]) -> dict[str, Any]:
    """Game A in progress: everyone finished diplomacy, the US put a card in its order."""
    a = games[0]
    raws = {r: Raw(sp.url(a)) for r in ROLES}
    for role, raw in raws.items():
        raw.hello(sp.tokens[a][role])
        assert raw.request({"type": "command", "id": 1, "command": f"{role}:done"})["type"] == "ack"
    welcome = Raw(sp.url(a)).hello(sp.tokens[a]["us"])
    play = sorted(c for c in welcome["legal"] if c.startswith("us:play:"))[0]
    assert raws["us"].request({"type": "command", "id": 2, "command": play})["type"] == "ack"
    for raw in raws.values():
        raw.close()
    return _healthy(sp, a)


def _check_a(sp: ServerProc, games: tuple[str, str], before: dict[str, Any]) -> None:
    after = _healthy(sp, games[0])
    assert after["view"] == before["view"] and after["commands"] == before["commands"]


@FUZZ
@given(who=st.sampled_from(["us", "gm", "public", "lobby"]), batch=st.lists(frames, min_size=1, max_size=3))
def test_garbage_after_hello_gets_errors_not_crashes(
    sp: ServerProc, games: tuple[str, str], game_a: dict[str, Any], who: str, batch: list[str | bytes]
) -> None:
    b = games[1]
    raw = Raw(sp.base if who == "lobby" else sp.url(b))
    welcome = raw.hello(None if who in ("public", "lobby") else sp.tokens[b][who])
    assert welcome["type"] == "welcome"
    for frame in batch:
        raw.send(frame)
    _answers(raw, len(batch))
    raw.close()
    _check_a(sp, games, game_a)


@FUZZ
@given(first=frames)
def test_garbage_instead_of_hello_is_refused_cleanly(
    sp: ServerProc, games: tuple[str, str], game_a: dict[str, Any], first: str | bytes
) -> None:
    raw = Raw(sp.url(games[1]))
    raw.send(first)
    answers = _answers(raw, 1)
    assert all(m["type"] in ("welcome", "error") for m in answers)
    raw.close()
    _check_a(sp, games, game_a)


def test_after_the_fuzzing_the_server_and_game_a_are_fine(
    sp: ServerProc, games: tuple[str, str], game_a: dict[str, Any]
) -> None:
    _check_a(sp, games, game_a)
    assert sp.proc.poll() is None
