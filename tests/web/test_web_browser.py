"""Browser seats in a real headless Chromium against real ``wedge serve`` and ``wedge web``.

The terminal is drawn on a canvas, so to read it the test exposes xterm.js's ``Terminal``
object (``window.wedgeTerminal``) by editing one statement of the browser client as it is
served to this browser only, and reads the rows from its buffer; the pages and the server
are unchanged. (xterm's screen-reader copy of the rows is not used: it can lag the canvas
by whole frames.)
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import BrowserContext, Page, Route, sync_playwright
from webproc import GameServer, Proc, game_server, web_server

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
VIEWPORT = {"width": 1400, "height": 900}
#: The terminal's rows as text, top to bottom, one per line ('' before the terminal exists).
SCREEN_TEXT = """(() => {
  const t = window.wedgeTerminal;
  if (!t) return "";
  const b = t.buffer.active, rows = [];
  for (let i = 0; i < t.rows; i++) rows.push(b.getLine(b.viewportY + i)?.translateToString(true) ?? "");
  return rows.join("\\n");
})()"""
TERMINAL_FOCUSED = "document.activeElement?.classList.contains('xterm-helper-textarea') ?? false"
TIMEOUT_MS = 20_000
EXTERNAL: list[str] = []  # requests the pages tried to send beyond loopback


def _client_with_terminal(route: Route) -> None:
    """Serve textual.js with its xterm.js ``Terminal`` kept in ``window.wedgeTerminal``."""
    response = route.fetch()
    body = response.text()
    anchor = "this.terminal.open(e),"
    assert body.count(anchor) == 1, "textual-serve's client changed: update this test's anchor"
    route.fulfill(response=response, body=body.replace(anchor, anchor + "window.wedgeTerminal=this.terminal,"))


@pytest.fixture(scope="module")
def game(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GameServer]:
    """A real ``wedge serve`` on a free loopback port, with one fresh game."""
    with game_server(tmp_path_factory.mktemp("serve") / "games.db") as server:
        yield server


@pytest.fixture(scope="module")
def web(game: GameServer) -> Iterator[tuple[Proc, str]]:
    """``wedge web`` for that game; yields the process and its base URL."""
    with web_server(game.url) as pair:
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
            viewport=VIEWPORT,
        )
        context.route("**/static/js/textual.js", _client_with_terminal)

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


def png(data: bytes, path: Path, size: tuple[int, int] = (1400, 900)) -> Image.Image:
    """A decodable PNG of the whole viewport (kept at ``path``), not blank."""
    path.write_bytes(data)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    img = Image.open(io.BytesIO(data)).convert("RGB")
    assert img.size == size
    colours = img.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 2, "screenshot is blank"
    return img


def assert_real_png(data: bytes, path: Path, size: tuple[int, int] = (1400, 900)) -> Image.Image:
    """A decodable PNG of the viewport with a drawn terminal: many colours, no flat page."""
    img = png(data, path, size)
    colours = img.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50, "screenshot is (nearly) flat"
    background = max(colours)[0]
    assert background < 0.97 * img.width * img.height, "screenshot is almost all one colour"
    return img


def test_seat_from_the_start_page_shows_the_board(
    browser: BrowserContext, web: tuple[Proc, str], game: GameServer, tmp_path: Path
) -> None:
    proc, base = web
    page = browser.new_page()
    page.goto(base + "/")
    page.fill("#token", game.tokens["us"])
    page.click("button[type=submit]")
    screen = wait_for_screen(page, "United States", "Russia–PRC alignment", "Hand & Orders")
    assert "Cannot join" not in screen
    # the token went in the form body: not in the address bar
    assert game.tokens["us"] not in page.url
    assert_real_png(page.screenshot(), tmp_path / "seat.png")
    page.close()
    proc.wait_for(r"seat session closed")
    log = proc.output()
    assert "seat session opened" in log
    for token in game.tokens.values():
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


def test_a_key_works_without_a_click(
    browser: BrowserContext, web: tuple[Proc, str], game: GameServer, tmp_path: Path
) -> None:
    """The terminal has the keyboard once the game draws: "2" (the Hand tab) works at once,
    and again after reconnecting."""
    page = browser.new_page()
    page.goto(web[1] + "/?token=" + game.tokens["russia"])
    before = wait_for_screen(page, "Russia–PRC alignment", "Hand & Orders")
    assert "cards, cost" not in before  # the Board tab, not the hand
    page.wait_for_function(TERMINAL_FOCUSED, timeout=TIMEOUT_MS)
    page.keyboard.press("2")  # no click anywhere first
    after = wait_for_screen(page, "Russia — capital", "cards, cost")
    assert after != before
    assert_real_png(page.screenshot(), tmp_path / "hand-by-key.png")
    # Ctrl+Q quits the tab's app: the Reconnect button gets the keyboard, Enter reopens the
    # seat, and the new terminal has the keyboard again
    page.keyboard.press("Control+q")
    page.wait_for_function(
        "document.body.classList.contains('-closed') && document.activeElement?.textContent === 'Reconnect'",
        timeout=TIMEOUT_MS,
    )
    page.keyboard.press("Enter")
    page.wait_for_url("**/seat")  # the Reconnect form posts the token: it is not in the address
    assert "cards, cost" not in wait_for_screen(page, "Russia–PRC alignment", "Hand & Orders")
    page.wait_for_function(TERMINAL_FOCUSED, timeout=TIMEOUT_MS)
    page.keyboard.press("2")
    wait_for_screen(page, "Russia — capital", "cards, cost")
    page.close()


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1366, 768)])
def test_the_footer_shows_its_keys(
    browser: BrowserContext, web: tuple[Proc, str], game: GameServer, tmp_path: Path, width: int, height: int
) -> None:
    """The key bar at the bottom is labelled, not an empty grey bar, on common laptop screens."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    page.goto(web[1] + "/?token=" + game.tokens["prc"])
    wait_for_screen(page, "Russia–PRC alignment", "Hand & Orders")
    page.wait_for_function(f"() => {SCREEN_TEXT}.trimEnd().split('\\n').pop().includes('Quit')", timeout=TIMEOUT_MS)
    footer = str(page.evaluate(SCREEN_TEXT)).rstrip().splitlines()[-1]
    for label in ("1 Board", "2 Hand", "^q Quit"):
        assert label in footer, footer
    img = assert_real_png(page.screenshot(), tmp_path / f"footer-{width}x{height}.png", (width, height))
    # the footer is drawn too: its strip of pixels holds text, not one flat grey
    rows = int(page.evaluate("window.wedgeTerminal.rows"))
    cell = int(page.evaluate("document.querySelector('.xterm-screen').offsetHeight")) / rows
    strip = img.crop((0, int(cell * (rows - 1)), width, int(cell * rows)))
    strip_colours = strip.getcolors(maxcolors=100_000)
    assert strip_colours is not None and len(strip_colours) > 10, "the footer row is drawn empty"
    page.close()


def test_a_wrong_token_gets_an_error_page(browser: BrowserContext, web: tuple[Proc, str], tmp_path: Path) -> None:
    proc, base = web
    page = browser.new_page()
    response = page.goto(base + "/?token=not-a-real-token-123")
    assert response is not None and response.status == 403
    text = page.inner_text("body")
    assert "This seat token was not accepted" in text
    assert "ask the facilitator for your seat's link" in text
    assert "Press q" not in text and page.locator(".xterm").count() == 0  # a page, not a terminal
    assert "not-a-real-token-123" not in page.content()
    png(page.screenshot(), tmp_path / "wrong-token.png")
    # the start page's form gets the same page
    page.goto(base + "/")
    page.fill("#token", "wedge join ws://x/g/y --token also-not-a-token-45")
    with page.expect_response(lambda r: r.url.endswith("/seat")) as posted:
        page.click("button[type=submit]")
    assert posted.value.status == 403
    assert "This seat token was not accepted" in page.inner_text("body")
    page.close()
    log = proc.output()
    assert "not-a-real-token-123" not in log and "also-not-a-token-45" not in log
    assert not EXTERNAL, f"the pages requested outside addresses: {EXTERNAL}"


def test_a_refused_websocket_ends_on_an_error_page(
    browser: BrowserContext, web: tuple[Proc, str], game: GameServer, tmp_path: Path
) -> None:
    """A game page whose websocket is refused (here: its single-use ticket was used) becomes an error page."""
    base = web[1]
    page = browser.new_page()
    first = page.goto(base + "/?token=" + game.tokens["india"])
    assert first is not None
    used = re.search(r'data-ticket="([^"]+)"', first.text())
    assert used is not None
    wait_for_screen(page, "Hand & Orders")  # that ticket is used now
    stale = browser.new_page()
    # as if the browser showed a stale copy of that page: its websocket presents the used ticket
    stale.add_init_script(
        'addEventListener("DOMContentLoaded", () => { const el = document.getElementById("terminal");'
        f' el.dataset.sessionWebsocketUrl = el.dataset.sessionWebsocketUrl.replace(/[^/]+$/, "{used.group(1)}"); }});'
    )
    with stale.expect_response(lambda r: "/refused/" in r.url) as refused:
        stale.goto(base + "/?token=" + game.tokens["india"])
    assert refused.value.status == 410
    stale.wait_for_url("**/refused/expired")
    text = stale.inner_text("body")
    assert "This page has expired" in text and "Open it again" in text
    assert stale.locator(".xterm").count() == 0
    png(stale.screenshot(), tmp_path / "expired.png")
    stale.close()
    page.close()
