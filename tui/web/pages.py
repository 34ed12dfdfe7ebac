"""The HTML pages of ``wedge web``: a landing page and the terminal page.

The terminal page loads textual-serve's browser client (``textual.js``, xterm.js
inside) from the local ``/static`` route. It is written here rather than taken from
textual-serve's template because that template fetches its font from the internet
(a classroom network may have none) and hard-codes one websocket per server; ours
uses the Roboto Mono files textual-serve ships and a per-tab websocket address, and
gives the terminal the keyboard as soon as the game draws (no click needed).
A tab that cannot open gets :func:`error_page` instead (see :mod:`tui.web.refusals`).
Every value put into a page goes through :func:`html.escape`.
"""

from __future__ import annotations

from html import escape
from string import Template

from tui.web.refusals import Refusal

_STYLE = """
@font-face { font-family: "Roboto Mono"; font-style: normal; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype"); }
@font-face { font-family: "Roboto Mono"; font-style: italic; font-weight: 100 700;
  src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype"); }
html, body { margin: 0; height: 100%; background: #121212; color: #e0e0e0;
  font-family: "Roboto Mono", Menlo, Consolas, monospace; }
a { color: #6cb6ff; }
"""

_LANDING = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wedge — take your seat</title>
<style>$style
main { max-width: 36rem; margin: 8vh auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
label { display: block; margin: 1.5rem 0 0.4rem; }
input { width: 100%; box-sizing: border-box; padding: 0.6rem; font: inherit; background: #1e1e1e;
  color: inherit; border: 1px solid #555; }
button { margin-top: 1rem; padding: 0.6rem 1.4rem; font: inherit; background: #0178d4; color: #fff;
  border: none; cursor: pointer; }
.error { color: #ff6b6b; }
.small { color: #9a9a9a; font-size: 0.85rem; }
</style>
</head>
<body>
<main>
<h1>Wedge</h1>
<p>Can the United States pry apart the Russia–PRC alignment?</p>
<form method="post" action="/seat" autocomplete="off">
<label for="token">Your seat token (from your facilitator)</label>
<input id="token" name="token" type="password" autofocus required maxlength="4096" spellcheck="false">
$error
<button type="submit">Take my seat</button>
</form>
<p class="small">Pasting the whole <code>wedge join … --token …</code> line works too.
Your token is your seat: do not share it.</p>
<p><a href="/watch">Public board</a> (for the projector; no token needed).</p>
</main>
</body>
</html>
"""
)

_TERMINAL = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>$title</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<style>$style
#terminal { position: absolute; inset: 0; }
.status { position: fixed; left: 0; right: 0; bottom: 0; padding: 0.6rem 1rem; background: #303030;
  display: none; align-items: center; gap: 1rem; z-index: 10; }
body:not(.-first-byte):not(.-closed) #connecting { display: flex; top: 0; bottom: auto; }
body.-closed #closed { display: flex; }
.status button { padding: 0.3rem 1rem; font: inherit; background: #0178d4; color: #fff; border: none;
  cursor: pointer; }
</style>
</head>
<body>
<div id="connecting" class="status">Opening $what…</div>
<form id="closed" class="status" method="$reconnect_method" action="$reconnect_action">
$reconnect_fields<span>Disconnected.</span><button type="submit">Reconnect</button>
<a href="/">Back to start</a>
</form>
<div id="terminal" class="textual-terminal" data-ticket="$ticket" data-font-size="$font_size"></div>
<script src="/static/js/textual.js"></script>
<script>
// textual.js connects from window.onload to data-session-websocket-url. Fill that in from
// this page's own address (so it works under any host name, proxy or TLS), and wait for the
// bundled font first: xterm measures the character cell once, when it opens.
(function () {
  const el = document.getElementById("terminal");
  const scheme = location.protocol === "https:" ? "wss://" : "ws://";
  el.dataset.sessionWebsocketUrl = scheme + location.host + "/ws/" + el.dataset.ticket;
  const start = window.onload;
  window.onload = function (event) {
    const size = el.dataset.fontSize + 'px "Roboto Mono"';
    Promise.all([document.fonts.load(size), document.fonts.load("bold " + size)])
      .catch(function () {})
      .then(function () { start.call(window, event); });
  };
  // Keys go to xterm.js only while its hidden textarea has the focus. Give it the focus as
  // soon as the game draws (textual.js marks the body "-first-byte"; its socket is open by
  // then, so the app hears "focus" too), so that a key works without a click; when the
  // connection ends, the Reconnect button gets it instead (Enter reconnects).
  let focused = false;
  let closed = false;
  new MutationObserver(function () {
    const classes = document.body.classList;
    if (!closed && classes.contains("-closed")) {
      closed = true;
      document.querySelector("#closed button").focus();
    } else if (!focused && !closed && classes.contains("-first-byte")) {
      const input = el.querySelector("textarea.xterm-helper-textarea");
      if (input) {
        focused = true;
        input.focus();
      }
    }
  }).observe(document.body, { attributes: true, attributeFilter: ["class"] });
})();
</script>
</body>
</html>
"""
)


_ERROR = Template(
    """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Wedge — $title</title>
<style>$style
main { max-width: 40rem; margin: 8vh auto; padding: 0 1.5rem; line-height: 1.5; }
h1 { font-size: 1.4rem; color: #ff8a80; }
button { padding: 0.6rem 1.4rem; font: inherit; background: #0178d4; color: #fff; border: none; cursor: pointer; }
.small { color: #9a9a9a; font-size: 0.85rem; }
</style>
</head>
<body>
<main>
<h1>$title</h1>
<p id="advice">$advice</p>
<p class="small">$detail</p>
$again
<p><a href="/">Start page</a> (enter a seat token) · <a href="/watch">Public board</a></p>
</main>
</body>
</html>
"""
)


def _reopen_form(token: str | None, font_size: int) -> tuple[str, str, str]:
    """The method, action and hidden fields of a form that opens this seat (or the board) again."""
    if token is None:
        fields = f'<input type="hidden" name="fontsize" value="{font_size}">' if font_size != 16 else ""
        return "get", "/watch", fields
    fields = f'<input type="hidden" name="token" value="{escape(token)}">'
    fields += f'<input type="hidden" name="fontsize" value="{font_size}">'
    return "post", "/seat", fields


def error_page(refusal: Refusal, *, detail: str = "", again: tuple[str | None, int] | None = None) -> str:
    """The page a tab gets instead of a game: what went wrong and what to do.

    ``detail`` is the game server's own words (shown small, for the facilitator);
    ``again`` (the seat's token, or None for the public board, and the font size) adds a
    "Try again" button when the same request may work later.
    """
    status = f"HTTP {refusal.status}"
    if detail:
        status = f"{detail} · {status}"
    form = ""
    if again is not None and refusal.retry:
        method, action, fields = _reopen_form(*again)
        form = f'<form method="{method}" action="{action}">{fields}<button type="submit">Try again</button></form>'
    return _ERROR.substitute(
        style=_STYLE,
        title=escape(refusal.title),
        advice=escape(refusal.advice),
        detail=escape(status),
        again=form,
    )


def landing_page(error: str = "") -> str:
    """The start page: a form for the seat token and a link to the public board."""
    err = f'<p class="error">{escape(error)}</p>' if error else ""
    return _LANDING.substitute(style=_STYLE, error=err)


def terminal_page(*, ticket: str, font_size: int, token: str | None) -> str:
    """A page running one Textual session in xterm.js.

    ``token`` (a seat's page) is kept in the page's hidden reconnect form so that a
    dropped connection can be re-opened without putting the token in the address bar;
    ``None`` is the public board, which reconnects by reloading.
    """
    what = "the public board" if token is None else "your seat"
    method, action, fields = _reopen_form(token, font_size)
    return _TERMINAL.substitute(
        style=_STYLE,
        title="Wedge — " + ("public board" if token is None else "your seat"),
        what=what,
        reconnect_method=method,
        reconnect_action=action,
        reconnect_fields=fields,
        ticket=escape(ticket),
        font_size=font_size,
    )
