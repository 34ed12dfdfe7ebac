"""Browser seats in a real headless Chromium against real ``wedge serve`` and ``wedge web``.

The terminal is drawn on a canvas, so to read it the test turns on xterm.js's screen
reader mode (a DOM copy of the terminal's rows) by editing one option in the browser
client as it is served to this browser only; the pages and the server are unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Route, sync_playwright
from webproc import GameServer, Proc, running, web_server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs /usr/bin/chromium (Debian package `chromium`; `make test` installs it)"
)

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREEN_TEXT = "document.querySelector('.xterm-accessibility-tree')?.innerText ?? ''"
TIMEOUT_MS = 20_000
EXTERNAL: list[str] = []  # requests the pages tried to send beyond loopback


def _screen_reader_client(route: Route) -> None:
    """Serve textual.js with xterm's ``screenReaderMode`` on, so the rows are in the DOM."""
    response = route.fetch()
    body = response.text()
    anchor = "scrollback:0,"
    assert body.count(anchor) == 1, "textual-serve's client changed: update this test's anchor"
    route.fulfill(response=response, body=body.replace(anchor, anchor + "screenReaderMode:!0,"))


@pytest.fixture(scope="module")
def game_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GameServer]:
    """A real ``wedge serve`` on a free loopback port, with one fresh game."""
    db = tmp_path_factory.mktemp("serve") / "games.db"
    with running("serve", "--port", "0", "--db", str(db), "--seed", "1") as proc:
        proc.wait_for(r"projector\s+wedge watch ")
        tokens: dict[str, str] = {}
        url = ""
        for line in proc.lines:
            if m := re.match(r"\s+(\w+)\s+wedge join (ws://\S+) --token (\S+)", line):
                tokens[m.group(1)] = m.group(3)
                url = m.group(2)
        assert url and {"us", "russia", "prc", "india"} <= set(tokens), proc.output()
        yield GameServer(url, tokens, proc)


@pytest.fixture(scope="module")
def web(game_server: GameServer) -> Iterator[tuple[Proc, str]]:
    """``wedge web`` for that game; yields the process and its base URL."""
    with web_server(game_server.url) as pair:
        yield pair


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh profile; nothing it requests may leave loopback."""
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 900},
        )
        context.route("**/static/js/textual.js", _screen_reader_client)

        def outside(route: Route) -> None:
            EXTERNAL.append(route.request.url)
            route.abort()

        # A classroom may have no internet: the pages must not fetch anything from outside.
        context.route(lambda url: not url.startswith(("http://127.0.0.1", "ws://127.0.0.1")), outside)
        yield context
        context.close()


def wait_for_screen(page: Page, *needles: str) -> str:
    """Wait until the terminal shows every needle; the screen's text."""
    checks = " && ".join(f"t.includes({n!r})" for n in needles)
    page.wait_for_function(f"() => {{ const t = {SCREEN_TEXT}; return {checks}; }}", timeout=TIMEOUT_MS)
    return str(page.evaluate(SCREEN_TEXT))


def assert_real_png(data: bytes, path: Path) -> None:
    """A decodable PNG of the viewport with a drawn terminal: many colours, no flat page."""
    path.write_bytes(data)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.size == (1400, 900)
    colours = img.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50, "screenshot is (nearly) flat"
    background = max(colours)[0]
    assert background < 0.97 * img.width * img.height, "screenshot is almost all one colour"


def test_seat_from_the_start_page_shows_the_board(
    browser: BrowserContext, web: tuple[Proc, str], game_server: GameServer, tmp_path: Path
) -> None:
    proc, base = web
    page = browser.new_page()
    page.goto(base + "/")
    page.fill("#token", game_server.tokens["us"])
    page.click("button[type=submit]")
    screen = wait_for_screen(page, "United States", "Russia–PRC alignment", "Hand & Orders")
    assert "Could not open" not in screen
    # the token went in the form body: not in the address bar
    assert game_server.tokens["us"] not in page.url
    assert_real_png(page.screenshot(), tmp_path / "seat.png")
    page.close()
    proc.wait_for(r"seat session closed")
    log = proc.output()
    assert "seat session opened" in log
    for token in game_server.tokens.values():
        assert token not in log
    assert not EXTERNAL, f"the pages requested outside addresses: {EXTERNAL}"


def test_projector_shows_the_public_board(browser: BrowserContext, web: tuple[Proc, str], tmp_path: Path) -> None:
    board = browser.new_page()
    board.goto(web[1] + "/watch?fontsize=14")
    screen = wait_for_screen(board, "Russia–PRC alignment", "Strategic stability")
    assert "Hand & Orders" not in screen and "You:" not in screen  # public: no seat, no hand
    assert_real_png(board.screenshot(), tmp_path / "projector.png")
    board.close()
    assert not EXTERNAL, f"the pages requested outside addresses: {EXTERNAL}"


def test_wrong_token_in_a_link_says_why_in_the_tab(browser: BrowserContext, web: tuple[Proc, str]) -> None:
    proc, base = web
    page = browser.new_page()
    page.goto(base + "/?token=not-a-real-token-123")
    screen = wait_for_screen(page, "Cannot join")  # the UI's error screen, with the server's reason
    assert "not-a-real-token-123" not in screen
    page.close()
    assert "not-a-real-token-123" not in proc.output()
