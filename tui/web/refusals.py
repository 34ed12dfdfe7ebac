"""Why a browser tab gets an error page instead of a game, and what to tell the student.

A tab is refused in one of two places, and either way the browser ends on an ordinary
HTML page with an HTTP status and one paragraph saying what went wrong and what to do,
never on a terminal:

* when the page is asked for: ``wedge web`` says hello to the game server with the
  seat's token (:func:`check_game`, a few milliseconds) and answers a refusal (a wrong
  token, an unknown game, an unreachable server) with the error page itself; a full
  server is refused there too;
* after the page has loaded, when its websocket cannot start a game (the page expired,
  the server filled up meanwhile, the tab's process stopped before its UI): the browser
  is sent to ``/refused/KIND``. A tab's process tells why it stopped by its exit code
  (:attr:`Refusal.exit_code`, see :mod:`tui.web.tab`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from game.server import protocol as p
from game.server.client import Client

#: Seconds the game server gets to answer a page's hello before the page is refused.
CHECK_TIMEOUT = 10.0


@dataclass(frozen=True)
class Refusal:
    """One reason a tab cannot open: its HTTP status and what the page says."""

    status: int
    title: str
    advice: str
    #: the exit code by which a tab's process reports this refusal (0: none does)
    exit_code: int = 0
    #: the page offers a "Try again" button (the same request again may work)
    retry: bool = False
    #: seconds for a ``Retry-After`` header
    retry_after: int | None = None


REFUSALS: dict[str, Refusal] = {
    "token": Refusal(
        403,
        "This seat token was not accepted",
        "The game server does not know this token: it may be mistyped or cut short, or it belongs to another"
        " game. Check it and enter it again on the start page, or ask the facilitator for your seat's link.",
        exit_code=3,
    ),
    "no-game": Refusal(
        404,
        "This game is not on the game server",
        "The game server is running but does not have the game this page is set up for: the game may have been"
        " removed, or wedge web was started with another game's address. Ask the facilitator to check the game"
        " address given to wedge web.",
        exit_code=4,
    ),
    "expired": Refusal(
        410,
        "This page has expired",
        "A game page connects once, within two minutes of being opened, and this one has already connected or"
        " waited too long. Open it again: your seat's link, or your token on the start page (the public board"
        " is at /watch).",
    ),
    "failed": Refusal(
        500,
        "This game page could not be opened",
        "The game program for this tab stopped before it could show the game. Try again; if it keeps happening,"
        " tell the facilitator: the log of wedge web says why.",
        retry=True,
    ),
    "unreachable": Refusal(
        502,
        "The game server is not answering",
        "wedge web could not reach the game server: it may not have started yet, or it has stopped. Try again in"
        " a minute; if it keeps happening, ask the facilitator to check that wedge serve is running.",
        exit_code=5,
        retry=True,
    ),
    "version": Refusal(
        502,
        "The game server runs another version of Wedge",
        "wedge web and wedge serve must come from the same version of Wedge. Ask the facilitator to run both"
        " from the same installation.",
        exit_code=6,
    ),
    "full": Refusal(
        503,
        "Too many game tabs are open",
        "This server runs a limited number of seat tabs at once, and all of them are in use. Close any Wedge tab"
        " you no longer need and try again in a minute; if it keeps happening, ask the facilitator (wedge web"
        " --max-sessions sets the limit).",
        retry=True,
        retry_after=30,
    ),
    "watch-full": Refusal(
        503,
        "Too many public boards are open",
        "This server shows the public board in a limited number of tabs at once, and all of them are in use."
        " Seats are not affected: with a seat token, take your seat from the start page. Close any public board"
        " you no longer need and try again in a minute; if it keeps happening, ask the facilitator (wedge web"
        " --max-watchers sets the limit).",
        retry=True,
        retry_after=30,
    ),
}

_BY_CODE = {p.AUTH: "token", p.NO_GAME: "no-game", p.PROTOCOL_VERSION: "version", "connection": "unreachable"}


def refusal_kind(error: BaseException) -> str:
    """The kind of refusal (a key of :data:`REFUSALS`) that ``error`` from the game client means."""
    if isinstance(error, TimeoutError):
        return "unreachable"
    return _BY_CODE.get(str(getattr(error, "code", "")), "failed")


def kind_of_exit(code: int | None) -> str:
    """The refusal a tab's process reported by exiting with ``code`` before its UI started."""
    for kind, refusal in REFUSALS.items():
        if refusal.exit_code and refusal.exit_code == code:
            return kind
    return "failed"


async def check_game(url: str, token: str | None, timeout: float = CHECK_TIMEOUT) -> tuple[str, str] | None:
    """Say hello to the game server as the tab would (``token`` None: the public board).

    None if the server would let the tab in, else the refusal's kind and the server's
    reason. The connection is closed at once: the server keeps nothing of it.
    """
    client = Client(url, token, reconnect=False, name="wedge-web-check")
    try:
        await client.connect(timeout)
        if client.game is None or client.scenario is None:
            return "no-game", f"{url} names no game: it must be the ws://HOST:PORT/g/GAME address of the game"
    except TimeoutError:
        return "unreachable", f"no answer from {url} within {timeout:g} s"
    except Exception as error:  # anything else (not a Wedge server?): a refusal the page explains
        message = getattr(error, "message", "") or str(error) or type(error).__name__
        return refusal_kind(error), message
    finally:
        with contextlib.suppress(Exception):
            await client.close()
    return None
