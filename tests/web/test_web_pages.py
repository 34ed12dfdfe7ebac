"""``wedge web`` without a browser: its command line, pages, tickets and log (real processes)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import aiohttp
import pytest
from webproc import ROOT, WEDGE, Proc, web_server
from websockets.sync.client import connect

from tui.web.server import Launch, WebSeats, parse_token

# Nothing listens here: a tab for this game cannot start.
DEAD_GAME = "ws://127.0.0.1:9/g/nogame"


@pytest.fixture(scope="module")
def dead_web() -> Iterator[tuple[Proc, str]]:
    with web_server(DEAD_GAME) as pair:
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
    # a hostile "token" is echoed only escaped, into the reconnect form
    status, page, headers = get(base + "/?" + urllib.parse.urlencode({"token": 'Z9"><script>x</script>'}))
    assert status == 200
    assert "<script>x" not in page and "&quot;&gt;&lt;script&gt;x" in page
    assert headers["Cache-Control"] == "no-store"
    status, page, _ = get(base + "/seat", {"token": "wedge join ws://h/g/x --token SECRET-form-77"})
    assert status == 200 and 'value="SECRET-form-77"' in page
    status, page, _ = get(base + "/seat", {"token": "not a token"})
    assert status == 400 and "does not look like a seat token" in page
    status, page, _ = get(base + "/watch?fontsize=500")
    assert status == 200 and 'data-font-size="48"' in page and 'name="token"' not in page
    # the pages load nothing from outside this server
    assert not re.search(r'(src|href)="(https?:)?//', page)
    proc.wait_for(r"GET /watch 200")
    log = proc.output()
    assert "SECRET-form-77" not in log and "script" not in log
    assert re.search(r"GET / 200", log) and "POST /seat 200" in log


def test_tickets_are_single_use(dead_web: tuple[Proc, str]) -> None:
    proc, base = dead_web
    _, page, _ = get(base + "/?token=SECRET-ws-42")
    ws_url = base.replace("http://", "ws://") + "/ws/" + ticket_of(page) + "?width=80&height=24"
    with connect(ws_url, open_timeout=10) as ws:
        assert ws.recv(timeout=30)  # the tab's process started and draws
    with connect(ws_url, open_timeout=10) as ws:
        text = b"".join(m if isinstance(m, bytes) else m.encode() for m in ws).decode()
    assert "This page has expired" in text
    proc.wait_for(r"seat session closed")
    assert "SECRET-ws-42" not in proc.output()


def test_a_tab_whose_process_dies_before_its_ui_says_why() -> None:
    """A crash before the UI starts: the reason (token masked) in the tab, then a clean close."""
    crash = Launch((sys.executable, "-c", "import sys; sys.exit('wedge: lost the game server (SECRET-crash-5)')"))
    seats = WebSeats(seat_launch=lambda token: crash, watch_launch=crash, server_url=DEAD_GAME, port=0)

    async def open_tab() -> str:
        runner = await seats.listen()
        base = f"http://127.0.0.1:{seats.bound_port}"
        try:
            async with aiohttp.ClientSession() as http:
                page = await (await http.get(base + "/?token=SECRET-crash-5")).text()
                async with http.ws_connect(f"{base}/ws/{ticket_of(page)}?width=80&height=24") as ws:
                    data = [msg.data async for msg in ws if msg.type == aiohttp.WSMsgType.BINARY]
            for _ in range(100):  # the server reaps the process after closing the socket
                if not seats.sessions:
                    break
                await asyncio.sleep(0.05)
            assert not seats.sessions
            return b"".join(data).decode()
        finally:
            await runner.cleanup()

    text = asyncio.run(asyncio.wait_for(open_tab(), 30))
    assert "Could not open this session" in text
    assert "wedge: lost the game server (<token>)" in text
    assert "SECRET-crash-5" not in text


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
