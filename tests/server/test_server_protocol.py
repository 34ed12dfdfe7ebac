"""The protocol's rules against one real server: authentication, who may send what,
the engine's refusals carried to the client, idempotent commands, reconnection,
limits, deadlines and seats handed to the server's agents.

Each test that changes a game creates its own over the protocol (admin token)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
from server_helpers import ROLES, Raw, ServerProc, start_server
from websockets.exceptions import ConnectionClosed

from tui.remote import build_remote_app


@pytest.fixture(scope="module")
def sp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProc]:
    server = start_server(tmp_path_factory.mktemp("proto") / "games.db", "--seed", "3")
    yield server
    server.stop()


def new_game(sp: ServerProc, **kw: Any) -> tuple[str, dict[str, str]]:
    lobby = Raw(sp.base)
    assert lobby.hello()["type"] == "welcome"
    created = lobby.request({"type": "create", "id": 1, "admin_token": sp.admin, **kw})
    lobby.close()
    assert created["type"] == "created", created
    return created["game"], created["tokens"]


def seat(sp: ServerProc, game: str, token: str | None) -> tuple[Raw, dict[str, Any]]:
    raw = Raw(f"{sp.base}/g/{game}")
    welcome = raw.hello(token)
    assert welcome["type"] == "welcome", welcome
    return raw, welcome


def command(raw: Raw, text: str, rid: int = 1, key: str | None = None) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "command", "id": rid, "command": text}
    if key is not None:
        msg["key"] = key
    return raw.request(msg)


def test_wrong_token_gets_an_error_and_a_clean_close(sp: ServerProc) -> None:
    raw = Raw(sp.url())
    err = raw.hello("not-a-token")
    assert err["type"] == "error" and err["code"] == "auth"
    assert raw.closed_code() == 1008
    # the real token still works
    ok, welcome = seat(sp, sp.game, sp.tokens[sp.game]["us"])
    assert welcome["seat"] == "us" and welcome["view"]["role"] == "us"
    ok.close()


@pytest.mark.parametrize(
    ("first", "code"),
    [
        ({"type": "ping", "id": 1}, "need-hello"),
        ({"type": "hello", "protocol": 99}, "protocol"),
        ({"type": "hello", "protocol": 1, "game": "nosuchgame"}, "no-game"),
        ({"type": "hello", "protocol": 1, "extra": True}, "bad-message"),
        ("{not json", "bad-json"),
    ],
)
def test_a_bad_first_message_is_refused_and_closed(sp: ServerProc, first: Any, code: str) -> None:
    raw = Raw(sp.base)
    raw.send(first)
    err = raw.recv()
    assert err["type"] == "error" and err["code"] == code, err
    assert raw.closed_code() == 1008


def test_each_seat_acts_only_as_itself(sp: ServerProc) -> None:
    game, tokens = new_game(sp)
    us, _ = seat(sp, game, tokens["us"])
    gm, _ = seat(sp, game, tokens["gm"])
    spectator, welcome = seat(sp, game, None)
    assert welcome["seat"] == "public" and "hand" not in welcome["view"]
    for raw, text in [(us, "russia:done"), (us, "gm:pause"), (gm, "us:done"), (spectator, "us:done")]:
        err = command(raw, text)
        assert err["type"] == "error" and err["code"] == "forbidden", (text, err)
    # the facilitator may not hand a seat to a program or a file path over the network
    for text in ("gm:seat:us:external:./evil.sh", "gm:seat:us:heuristic:doctrine=/etc/passwd", "gm:seat:us:banana"):
        err = command(gm, text)
        assert err["type"] == "error" and err["code"] == "illegal" and err["rule"] == "11", (text, err)
    assert command(gm, "gm:pause")["type"] == "ack"
    assert command(gm, "gm:resume")["type"] == "ack"
    for raw in (us, gm, spectator):
        raw.close()


def test_illegal_and_out_of_phase_orders_carry_the_engines_rule_and_reason(sp: ServerProc) -> None:
    game, tokens = new_game(sp)
    us, welcome = seat(sp, game, tokens["us"])
    card = welcome["view"]["hand"][0]
    err = command(us, f"us:play:{card}")  # diplomacy: not the orders phase
    assert (err["code"], err["rule"]) == ("illegal", "6") and "orders phase" in err["reason"]
    assert err["command"] == f"us:play:{card}"
    err = command(us, "us:fly:away")
    assert (err["code"], err["rule"]) == ("illegal", "syntax")
    check = us.request({"type": "check", "id": 9, "command": f"us:play:{card}"})
    assert check == {"type": "checked", "id": 9, "ok": False, "rule": "6", "reason": check["reason"]}
    others = [seat(sp, game, tokens[r])[0] for r in ROLES[1:]]
    for role, raw in zip(ROLES, [us, *others]):
        assert command(raw, f"{role}:done")["type"] == "ack"
    us_cards = [c["id"] for c in welcome["scenario"]["cards"] if c["role"] == "us"]
    not_mine = next(c for c in us_cards if c not in welcome["view"]["hand"])
    err = command(us, f"us:play:{not_mine}")
    assert (err["code"], err["rule"]) == ("illegal", "6.1"), err
    assert command(us, "us:done")["rule"] == "5"  # done belongs to diplomacy, which is over
    for raw in (us, *others):
        raw.close()


def test_a_keyed_command_is_applied_once_however_often_it_is_sent(sp: ServerProc) -> None:
    game, tokens = new_game(sp)
    us, _ = seat(sp, game, tokens["us"])
    first = command(us, "us:say:india:hello", 1, key="k-1")
    again = command(us, "us:say:india:hello", 2, key="k-1")
    assert first["type"] == again["type"] == "ack"
    assert not first.get("duplicate") and again["duplicate"] is True
    gm, welcome = seat(sp, game, tokens["gm"])
    assert welcome["commands"].count("us:say:india:hello") == 1
    assert [m["text"] for m in welcome["view"]["messages"]] == ["hello"]
    us.close()
    gm.close()


def test_reconnecting_with_the_token_restores_the_seat(sp: ServerProc) -> None:
    game, tokens = new_game(sp)
    raws = {r: seat(sp, game, tokens[r])[0] for r in ROLES}
    for role, raw in raws.items():
        assert command(raw, f"{role}:done")["type"] == "ack"
    spectator, _ = seat(sp, game, None)
    us = raws["us"]
    time.sleep(0.05)
    us.close()
    us, welcome = seat(sp, game, tokens["us"])
    playable = sorted(c for c in welcome["legal"] if c.startswith("us:play:"))
    ack = command(us, playable[0])
    assert ack["type"] == "ack"
    us.close()
    again, welcome = seat(sp, game, tokens["us"])
    card = playable[0].split(":")[2]
    assert [o["card"] for o in welcome["view"]["my_order"]] == [card]
    assert welcome["commands"] == ["us:done", playable[0]]  # its own log entries, nobody else's
    # the spectator was not even told that a card went into a sealed order
    spectator.send({"type": "ping", "id": 5})
    assert spectator.recv() == {"type": "pong", "id": 5}
    for raw in (again, spectator, *list(raws.values())[1:]):
        raw.close()


def test_games_are_listed_without_secrets_and_created_only_with_the_admin_token(sp: ServerProc) -> None:
    lobby = Raw(sp.base)
    assert lobby.hello()["game"] is None if "game" in lobby.hello() else True
    listing = lobby.request({"type": "list", "id": 3})
    assert listing["type"] == "games" and sp.game in [g["game"] for g in listing["games"]]
    text = str(listing)
    assert not any(tok in text for tok in sp.tokens[sp.game].values()) and sp.admin not in text
    err = lobby.request({"type": "create", "id": 4, "admin_token": "guess"})
    assert err["code"] == "auth"
    # even the admin cannot start programs on the server from the network
    for spec in ({"seats": "us=external:./evil.sh"}, {"on_deadline": "external:./evil.sh"}):
        err = lobby.request({"type": "create", "id": 6, "admin_token": sp.admin, **spec})
        assert err["code"] == "bad-message" and "agents" in err["message"], err
    err = lobby.request({"type": "command", "id": 5, "command": "us:done"})
    assert err["code"] == "no-game"
    lobby.close()


def test_oversized_frames_close_the_connection_and_nothing_else(sp: ServerProc) -> None:
    big = Raw(sp.url())
    big.hello(sp.tokens[sp.game]["us"])
    other, _ = seat(sp, sp.game, sp.tokens[sp.game]["india"])
    big.send("x" * (70 * 1024))
    assert big.closed_code() == 1009
    assert other.request({"type": "ping", "id": 1}) == {"type": "pong", "id": 1}
    other.close()


def test_floods_are_rate_limited_then_closed(sp: ServerProc) -> None:
    flood, _ = seat(sp, sp.game, None)
    other, _ = seat(sp, sp.game, None)
    # far beyond the burst: refusals pile up until the server hangs up (a fast server may
    # hang up before the last of them is sent; what it answered first is still read below)
    with contextlib.suppress(ConnectionClosed):
        for i in range(150):
            flood.send({"type": "ping", "id": i})
    kinds = set()
    with contextlib.suppress(ConnectionClosed):
        while True:
            msg = flood.recv(timeout=5)
            kinds.add(msg.get("code", msg["type"]))
    assert kinds == {"pong", "rate-limit"}
    assert flood.ws.close_code == 1008
    assert other.request({"type": "ping", "id": 1}) == {"type": "pong", "id": 1}
    other.close()


class Watch:
    """Follows one seat's view and visible log from its welcome and updates."""

    def __init__(self, raw: Raw, welcome: dict[str, Any]) -> None:
        self.raw = raw
        self.view: dict[str, Any] = welcome["view"]
        self.commands: list[str] = list(welcome["commands"])

    def until(self, predicate: Any, timeout: float = 15.0) -> None:
        end = time.monotonic() + timeout
        while not predicate(self.view):
            msg = self.raw.recv(timeout=max(0.1, end - time.monotonic()))
            if msg["type"] == "update":
                self.view = {**self.view, **msg["patch"]}
                self.commands += msg["commands"]
            if time.monotonic() > end:
                raise AssertionError(f"timed out at {self.view['turn']} {self.view['phase']}: {self.commands}")


def test_at_the_deadline_waiting_seats_get_their_default_order(sp: ServerProc) -> None:
    start = time.monotonic()
    game, tokens = new_game(sp, deadline=0.5)
    gm, welcome = seat(sp, game, tokens["gm"])
    watch = Watch(gm, welcome)
    watch.until(lambda v: v["phase"] == "orders")
    assert time.monotonic() - start >= 0.45
    assert watch.commands == [f"{r}:done" for r in ROLES]  # ordinary log entries
    watch.until(lambda v: v["turn"] == 2)
    assert watch.commands[4:] == [f"{r}:seal" for r in ROLES]
    gm.close()


def test_at_the_deadline_an_agent_can_take_over_and_the_facilitator_can_seat_one(sp: ServerProc) -> None:
    game, tokens = new_game(sp, deadline=0.4, on_deadline="random", seats="india=heuristic", seed=1)
    gm, welcome = seat(sp, game, tokens["gm"])
    assert welcome["deadline"]["total"] == 0.4
    assert welcome["commands"][0] == "gm:seat:india:heuristic"  # who plays what is in the log
    assert welcome["view"]["roles"]["india"]["controller"] == "heuristic"
    watch = Watch(gm, welcome)
    watch.until(lambda v: v["turn"] == 2)
    played = [c for c in watch.commands if not c.startswith("gm:")]
    assert {c.split(":")[0] for c in played} == set(ROLES)  # the agents played the absent humans' turn
    humans = [c.split(":")[1] for c in played if not c.startswith("india:")]
    assert set(humans) - {"done", "seal"}, humans  # an agent decided, not just the default order
    gm.send({"type": "command", "id": 7, "command": "gm:seat:us:random"})
    # from turn 3 on the server's agent plays the US at once, while Russia waits for the deadline
    watch.until(
        lambda v: (
            v["turn"] == 3
            and v["phase"] == "diplomacy"
            and v["roles"]["us"]["ready"]
            and not v["roles"]["russia"]["ready"]
        )
    )
    gm.close()


def test_the_terminal_ui_shows_why_it_cannot_join(sp: ServerProc) -> None:
    app = build_remote_app(sp.url(), "wrong-token")
    assert app.mode == "error" and app.error is not None
    assert "token" in str(app.error)
    app = build_remote_app(sp.base, None)  # the lobby address names no game
    assert app.mode == "error" and "names no game" in str(app.error)
    app = build_remote_app("ws://127.0.0.1:1/g/x", "t")  # nothing listens there
    assert app.mode == "error" and "cannot connect" in str(app.error)
