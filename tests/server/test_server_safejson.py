"""Hostile JSON against one real server: the frame gets a clear ``bad-json`` error (or,
past the frame limit, the documented close), and the server keeps serving.

The decoder itself is tested in tests/test_safejson.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from server_helpers import Raw, ServerProc, start_server

from game.server.protocol import MAX_FRAME

#: The deepest all-bracket frame the server reads (100,000 would exceed MAX_FRAME).
DEEP = "[" * (MAX_FRAME - 16)


@pytest.fixture(scope="module")
def sp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    server = start_server(tmp_path_factory.mktemp("safejson") / "games.db", "--seed", "3")
    yield server
    server.stop()


def _lobby(sp: ServerProc) -> Raw:
    raw = Raw(sp.base)
    assert raw.hello()["type"] == "welcome"
    return raw


@pytest.mark.parametrize(
    "frame",
    [
        DEEP,
        '{"type": "ping", "id": 1, "x": ' + "[" * 30_000 + "]" * 30_000 + "}",
        '{"type": "ping", "id": ' + "9" * 5000 + "}",
    ],
    ids=["deep", "deep-inside-a-message", "huge-int"],
)
def test_a_hostile_frame_gets_a_clear_error_and_the_connection_keeps_serving(sp: ServerProc, frame: str) -> None:
    raw = _lobby(sp)
    raw.send(frame)
    err = raw.recv()
    assert err["type"] == "error" and err["code"] == "bad-json", err
    assert err["message"].startswith("the frame is refused: "), err
    assert "nested deeper than 64 levels" in err["message"] or "number too long" in err["message"], err
    assert raw.request({"type": "ping", "id": 2}) == {"type": "pong", "id": 2}
    raw.close()


def test_a_hostile_first_frame_is_refused_and_closed(sp: ServerProc) -> None:
    raw = Raw(sp.base)
    raw.send(DEEP)
    err = raw.recv()
    assert err["type"] == "error" and err["code"] == "bad-json" and "nested deeper" in err["message"], err
    assert raw.closed_code() == 1008
    _lobby(sp).close()


def test_100000_brackets_exceed_the_frame_limit_and_the_server_serves_on(sp: ServerProc) -> None:
    raw = _lobby(sp)
    raw.send("[" * 100_000)
    assert raw.closed_code() == 1009  # message too big: closed before any decoding
    raw = _lobby(sp)
    assert raw.request({"type": "ping", "id": 3}) == {"type": "pong", "id": 3}
    raw.close()


def test_inject_custom_with_deep_json_is_an_illegal_command_not_a_server_error(sp: ServerProc) -> None:
    lobby = _lobby(sp)
    created = lobby.request({"type": "create", "id": 1, "admin_token": sp.admin})
    lobby.close()
    assert created["type"] == "created", created
    gm = Raw(f"{sp.base}/g/{created['game']}")
    assert gm.hello(created["tokens"]["gm"])["type"] == "welcome"
    err = gm.request({"type": "command", "id": 4, "command": "gm:inject-custom:" + "[" * 1500})
    assert (err["type"], err["code"], err["rule"]) == ("error", "illegal", "11"), err
    assert "nested deeper than 64 levels" in err["reason"], err
    assert gm.request({"type": "command", "id": 5, "command": "gm:pause"})["type"] == "ack"
    gm.close()
