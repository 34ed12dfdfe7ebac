"""``wedge web`` without a browser: its command line, pages, tickets and log (real processes)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import aiohttp
import pytest
from webproc import ROOT, WEDGE, GameServer, Proc, game_server, web_server
from websockets.sync.client import connect

from tui.web.pages import terminal_page
from tui.web.refusals import REFUSALS, kind_of_exit
from tui.web.server import MAX_TICKETS, Launch, WebSeats, parse_token

# Nothing listens here: a tab for this game cannot start.
DEAD_GAME = "ws://127.0.0.1:9/g/nogame"


@pytest.fixture(scope="module")
def dead_web() -> Iterator[tuple[Proc, str]]:
    with web_server(DEAD_GAME) as pair:
        yield pair


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GameServer]:
    with game_server(tmp_path_factory.mktemp("serve") / "games.db") as server:
        yield server


@pytest.fixture(scope="module")
def live_web(game: GameServer) -> Iterator[tuple[Proc, str]]:
    """``wedge web`` for a running game, at most 2 tabs at once."""
    with web_server(game.url, "--max-sessions", "2") as pair:
        yield pair


def get(url: str, data: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with urllib.request.urlopen(url, data=body, timeout=10) as r:
            return r.status, r.read().decode(), dict(r.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


def ticket_of(page: str) -> str:
    m = re.search(r'data-ticket="([^"]+)"', page)
    assert m, page
    return m.group(1)


def test_parse_token_accepts_a_token_or_a_pasted_join_line() -> None:
    assert parse_token("  abc-DEF_123 \n") == "abc-DEF_123"
    assert parse_token("wedge join ws://h:1/g/x --token abc-DEF_123") == "abc-DEF_123"
    assert parse_token("--token=xyz") == "xyz"
    assert parse_token("") is None
    assert parse_token("two words") is None
    assert parse_token("x" * 129) is None
    assert parse_token("tök") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["http://127.0.0.1:8765/g/x"], "SERVER_URL must start with ws:// or wss://"),
        (["ws://127.0.0.1:8765/g/x", "--port", "70000"], "--port must be between 0 and 65535"),
        (["ws://127.0.0.1:8765/g/x", "--max-sessions", "0"], "--max-sessions must be at least 1"),
        (["ws://127.0.0.1:8765/g/x", "--max-watchers", "0"], "--max-watchers must be at least 1"),
    ],
)
def test_bad_arguments_get_one_line(args: list[str], message: str) -> None:
    r = subprocess.run([*WEDGE, "web", *args], capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [r.stderr.strip()]
    assert message in r.stderr


def test_busy_port_is_one_line(dead_web: tuple[Proc, str]) -> None:
    port = dead_web[1].rsplit(":", 1)[1]
    r = subprocess.run([*WEDGE, "web", DEAD_GAME, "--port", port], capture_output=True, text=True, cwd=ROOT, timeout=30)
    assert r.returncode == 1
    assert r.stderr.startswith(f"wedge web: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in r.stderr


def test_pages_escape_and_keep_tokens_out_of_the_log(dead_web: tuple[Proc, str]) -> None:
    proc, base = dead_web
    status, page, _ = get(base + "/")
    assert status == 200 and 'name="token"' in page and 'href="/watch"' in page
    # the game server is down: an error page, whose "Try again" form echoes a hostile "token" only escaped
    status, page, headers = get(base + "/?" + urllib.parse.urlencode({"token": 'Z9"><script>x</script>'}))
    assert status == 502 and "The game server is not answering" in page
    assert "<script>x" not in page and "&quot;&gt;&lt;script&gt;x" in page
    assert headers["Cache-Control"] == "no-store"
    status, page, _ = get(base + "/seat", {"token": "wedge join ws://h/g/x --token SECRET-form-77"})
    assert status == 502 and 'value="SECRET-form-77"' in page and "Try again" in page
    status, page, _ = get(base + "/seat", {"token": "not a token"})
    assert status == 400 and "does not look like a seat token" in page
    status, page, _ = get(base + "/watch?fontsize=500")
    assert status == 502 and 'name="fontsize" value="48"' in page and 'name="token"' not in page
    # the pages load nothing from outside this server
    assert not re.search(r'(src|href)="(https?:)?//', page)
    proc.wait_for(r"GET /watch 502")
    log = proc.output()
    assert "SECRET-form-77" not in log and "script" not in log
    assert re.search(r"GET / 200", log) and "POST /seat 502" in log
    assert "refused a seat page (unreachable): cannot connect to" in log


def test_game_pages_escape_their_values() -> None:
    page = terminal_page(ticket='t"><b>', font_size=20, token='Z9"><script>x</script>')
    assert "<script>x" not in page and "&quot;&gt;&lt;script&gt;x" in page
    assert 'data-ticket="t&quot;&gt;&lt;b&gt;"' in page and 'data-font-size="20"' in page


def test_game_pages_when_the_game_server_lets_the_tab_in(live_web: tuple[Proc, str], game: GameServer) -> None:
    proc, base = live_web
    status, page, headers = get(base + "/seat", {"token": "wedge join ws://h/g/x --token " + game.tokens["us"]})
    assert status == 200 and f'value="{game.tokens["us"]}"' in page and ticket_of(page)
    assert headers["Cache-Control"] == "no-store"
    status, page, _ = get(base + "/watch?fontsize=500")
    assert status == 200 and 'data-font-size="48"' in page and 'name="token"' not in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    proc.wait_for(r"GET /watch 200")
    assert game.tokens["us"] not in proc.output()


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/?token=not-a-seat-71", 403, "This seat token was not accepted"),
        ("/refused/expired", 410, "This page has expired"),
        ("/refused/full", 503, "Too many game tabs are open"),
        ("/refused/watch-full", 503, "Too many public boards are open"),
        ("/refused/failed", 500, "This game page could not be opened"),
    ],
)
def test_refusals_are_html_pages(live_web: tuple[Proc, str], path: str, status: int, title: str) -> None:
    proc, base = live_web
    got, page, headers = get(base + path)
    assert got == status and headers["Content-Type"].startswith("text/html")
    assert f"<h1>{title}</h1>" in page and f"HTTP {status}" in page
    assert "Press q" not in page and "textual.js" not in page
    assert "not-a-seat-71" not in page and "not-a-seat-71" not in proc.output()
    if status == 503:
        assert headers["Retry-After"] == "30"


def test_unknown_page_kind_is_404(live_web: tuple[Proc, str]) -> None:
    assert get(live_web[1] + "/refused/whatever")[0] == 404


def test_an_unknown_game_is_404(game: GameServer) -> None:
    with web_server(game.url.rsplit("/", 1)[0] + "/no-such-game") as (proc, base):
        for path in ("/watch", "/?token=" + game.tokens["us"]):
            status, page, _ = get(base + path)
            assert status == 404 and "This game is not on the game server" in page and "no-such-game" in page
    assert game.tokens["us"] not in proc.output()


def test_a_full_server_is_503(live_web: tuple[Proc, str], game: GameServer) -> None:
    proc, base = live_web
    wss = base.replace("http://", "ws://")
    tickets = [ticket_of(get(base + "/?token=" + game.tokens[seat])[1]) for seat in ("us", "russia", "prc")]
    with connect(f"{wss}/ws/{tickets[0]}?width=80&height=24", open_timeout=10) as one:
        assert one.recv(timeout=30)
        with connect(f"{wss}/ws/{tickets[1]}?width=80&height=24", open_timeout=10) as two:
            assert two.recv(timeout=30)  # --max-sessions 2: both run
            status, page, headers = get(base + "/?token=" + game.tokens["india"])
            assert status == 503 and "Too many game tabs are open" in page and headers["Retry-After"] == "30"
            assert "Try again" in page  # the same seat, a minute later
            # a page handed out before the server filled up: its websocket sends the tab to the 503 page
            with connect(f"{wss}/ws/{tickets[2]}?width=80&height=24", open_timeout=10) as three:
                messages = list(three)
            assert messages == [json.dumps(["open_url", {"url": "/refused/full", "new_tab": False}])]
    proc.wait_for(r"refused a seat session \(full\): 2 seat tabs open, at most 2")
    wait_until_free(base, game.tokens["us"])


def wait_until_free(base: str, token: str, timeout: float = 20.0) -> None:
    """Wait until ``wedge web`` has reaped closed tabs and hands out game pages again."""
    deadline = time.monotonic() + timeout
    while (status := get(base + "/?token=" + token)[0]) == 503 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert status == 200


def test_public_boards_have_their_own_limit_and_never_fill_the_seats(game: GameServer) -> None:
    """``/watch`` needs no token, so its tabs count against ``--max-watchers``, not the seats'
    ``--max-sessions``: with the public boards all in use, one more board gets a 503 page
    (and a board page handed out earlier is sent there), and a seat still opens."""
    with web_server(game.url, "--max-sessions", "1", "--max-watchers", "2") as (proc, base):
        wss = base.replace("http://", "ws://")
        tickets = []
        for _ in range(3):  # no board runs yet: three pages are handed out
            status, page, _ = get(base + "/watch")
            assert status == 200, page
            tickets.append(ticket_of(page))
        with (
            connect(f"{wss}/ws/{tickets[0]}?width=80&height=24", open_timeout=10) as one,
            connect(f"{wss}/ws/{tickets[1]}?width=80&height=24", open_timeout=10) as two,
        ):
            for board in (one, two):  # two boards run: more than --max-sessions 1
                assert "open_url" not in str(board.recv(timeout=30))
            # a third board: an HTML page that says why, not a terminal or a traceback
            status, page, headers = get(base + "/watch?fontsize=20")
            assert status == 503 and headers["Content-Type"].startswith("text/html"), page
            assert "<h1>Too many public boards are open</h1>" in page and "--max-watchers" in page
            assert "Seats are not affected" in page and headers["Retry-After"] == "30"
            assert 'action="/watch"' in page and "Try again" in page
            assert "textual.js" not in page and "Press q" not in page and "Traceback" not in page
            # a board page handed out before the boards filled up: its websocket sends it to that page
            with connect(f"{wss}/ws/{tickets[2]}?width=80&height=24", open_timeout=10) as three:
                messages = list(three)
            assert messages == [json.dumps(["open_url", {"url": "/refused/watch-full", "new_tab": False}])]
            # the seat still opens and runs
            status, page, _ = get(base + "/?token=" + game.tokens["us"])
            assert status == 200, page
            with connect(f"{wss}/ws/{ticket_of(page)}?width=80&height=24", open_timeout=10) as seat:
                assert "open_url" not in str(seat.recv(timeout=30))
                # the seats keep their own limit
                status, page, _ = get(base + "/?token=" + game.tokens["russia"])
                assert status == 503 and "Too many game tabs are open" in page
        proc.wait_for(r"refused a watch page \(watch-full\): 2 public boards open, at most 2")
        proc.wait_for(r"refused a watch session \(watch-full\)")
        proc.wait_for(r"refused a seat page \(full\): 1 seat tabs open, at most 1")
        assert "Traceback" not in proc.output() and game.tokens["us"] not in proc.output()


def test_public_board_pages_cannot_push_out_a_seat_ticket() -> None:
    seats = WebSeats(seat_launch=lambda token: Launch(("true",)), watch_launch=Launch(("true",)), server_url=DEAD_GAME)
    seat = seats._issue(Launch(("true",)), "seat", "SECRET")
    watch = [seats._issue(Launch(("true",)), "watch", None) for _ in range(MAX_TICKETS + 5)]
    assert seat in seats.tickets and watch[-1] in seats.tickets and watch[0] not in seats.tickets
    assert sum(t.kind == "watch" for t in seats.tickets.values()) == MAX_TICKETS


def test_tickets_are_single_use(live_web: tuple[Proc, str], game: GameServer) -> None:
    proc, base = live_web
    _, page, _ = get(base + "/?token=" + game.tokens["us"])
    ws_url = base.replace("http://", "ws://") + "/ws/" + ticket_of(page) + "?width=80&height=24"
    with connect(ws_url, open_timeout=10) as ws:
        assert ws.recv(timeout=30)  # the tab's process started and draws
    with connect(ws_url, open_timeout=10) as ws:
        messages = list(ws)
    assert messages == [json.dumps(["open_url", {"url": "/refused/expired", "new_tab": False}])]
    proc.wait_for(r"seat session closed")
    assert game.tokens["us"] not in proc.output()


@pytest.mark.parametrize(("exit_code", "kind"), [(1, "failed"), (3, "token"), (5, "unreachable")])
def test_a_tab_whose_process_dies_before_its_ui_says_why(
    caplog: pytest.LogCaptureFixture, exit_code: int, kind: str
) -> None:
    """A tab process that stops before its UI: the browser goes to the error page its exit code
    names, the reason (token masked) goes to the log, and the socket closes cleanly."""
    script = f"import sys; sys.stderr.write('wedge: lost the game server (SECRET-crash-5)'); sys.exit({exit_code})"
    crash = Launch((sys.executable, "-c", script))

    async def no_check(token: str | None) -> None:
        return None

    seats = WebSeats(seat_launch=lambda token: crash, watch_launch=crash, server_url=DEAD_GAME, port=0, check=no_check)

    async def open_tab() -> list[str]:
        runner = await seats.listen()
        base = f"http://127.0.0.1:{seats.bound_port}"
        try:
            async with aiohttp.ClientSession() as http:
                page = await (await http.get(base + "/?token=SECRET-crash-5")).text()
                async with http.ws_connect(f"{base}/ws/{ticket_of(page)}?width=80&height=24") as ws:
                    data = [str(msg.data) async for msg in ws if msg.type == aiohttp.WSMsgType.TEXT]
            for _ in range(100):  # the server reaps the process after closing the socket
                if not seats.sessions:
                    break
                await asyncio.sleep(0.05)
            assert not seats.sessions
            return data
        finally:
            await runner.cleanup()

    with caplog.at_level(logging.INFO, logger="wedge.web"):
        messages = asyncio.run(asyncio.wait_for(open_tab(), 30))
    assert messages == [json.dumps(["open_url", {"url": f"/refused/{kind}", "new_tab": False}])]
    assert f"session did not start ({kind}): wedge: lost the game server (<token>)" in caplog.text
    assert "SECRET-crash-5" not in caplog.text
    assert kind_of_exit(exit_code) == kind and REFUSALS[kind].status >= 400


def test_tab_module_exits_with_the_refusal_before_its_ui(game: GameServer) -> None:
    """Refused by the game server, a tab's process prints why and exits before drawing anything."""
    env = {"PATH": "/usr/bin:/bin", "TEXTUAL_DRIVER": "textual.drivers.web_driver:WebDriver"}
    for url, token, kind in [
        (game.url, "not-a-seat-88", "token"),
        (game.url.rsplit("/", 1)[0] + "/no-such-game", "", "no-game"),
        (DEAD_GAME, "", "unreachable"),
    ]:
        r = subprocess.run(
            [sys.executable, "-m", "tui.web.tab", "seat" if token else "watch", url],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=60,
            env={**env, "WEDGE_TOKEN": token} if token else env,
        )
        assert r.returncode == REFUSALS[kind].exit_code, r.stderr
        assert r.stderr.startswith("wedge: ") and "__GANGLION__" not in r.stdout
        assert "not-a-seat-88" not in r.stderr


def test_tab_module_refuses_outside_wedge_web() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "tui.web.tab", "watch", DEAD_GAME],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=30,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 2 and "runs one browser tab of `wedge web`" in r.stderr
