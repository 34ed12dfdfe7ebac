"""The ``wedge web`` server: one Textual process per browser tab, chosen per tab.

textual-serve runs a Textual app in a subprocess per websocket and relays it to
xterm.js in the browser, but its :class:`~textual_serve.server.Server` runs one fixed
shell command for every visitor. Wedge needs a different command per tab (``wedge
join URL --token T`` for a seat, ``wedge watch URL`` for the projector), so this
module extends it in the smallest way that keeps the rest of textual-serve (the
browser client, the resize/focus/input relay, file downloads):

* :class:`SessionService` (an :class:`~textual_serve.app_service.AppService`) starts
  its process from an argument list with ``exec`` instead of a shell string, so a
  token can never be interpreted by a shell, and the token is redacted from anything
  the process prints. Its read loop also notices a process that exits before its UI
  starts (a wrong token, an unreachable game server) and sends the browser to an
  error page that says why, instead of leaving the tab on a blank page.
* :class:`WebSeats` (a :class:`~textual_serve.server.Server`) serves Wedge's own
  pages. Before it hands out a game page it asks the game server whether the tab
  would get in (:func:`~tui.web.refusals.check_game`), so that a wrong token, an
  unknown game or an unreachable server is an HTML error page with its HTTP status
  (403, 404, 502...), not a terminal. A seat page never puts the token in a websocket
  address: it gets a single-use *ticket* that the websocket presents, and the token
  stays in the server's memory. The access log prints paths without query strings or
  tickets, and textual-serve's console logging (which prints local variables in
  tracebacks) is not installed, so no token reaches the log.

Seat tabs and public-board tabs (``/watch``, which needs no token) have separate
limits (``--max-sessions`` and ``--max-watchers``), and separate ticket pools, so
that anyone who can reach the port and opens public boards cannot take a student's
place: a full public board refuses more boards, never a seat.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import secrets
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager
from textual_serve.server import Server, to_int

from tui.web.pages import error_page, landing_page, terminal_page
from tui.web.refusals import REFUSALS, check_game, kind_of_exit
from tui.web.tab import TOKEN_ENV

log = logging.getLogger("wedge.web")

#: Seconds a seat page's ticket stays valid before its websocket must connect.
TICKET_TTL = 120.0
#: Most tickets of one kind (seat, watch) waiting at once: a page reloaded in a loop cannot
#: grow memory, and public-board pages asked for in a loop cannot push out a seat's ticket.
MAX_TICKETS = 1000
#: Seconds a session's process gets to quit after the tab closes before it is killed.
STOP_GRACE = 5.0
#: Bytes of a process's stderr kept to explain a failed start.
STDERR_KEEP = 16 * 1024
#: Lines a Textual process may print before its "ready" line (``__GANGLION__``).
PRELUDE_LINES = 50
MAX_TOKEN = 128
_TOKEN_RE = re.compile(r"[!-~]+")  # printable ASCII, no spaces
_PASTED_JOIN = re.compile(r"--token[= ]\s*(\S+)")

#: Asks the game server whether a tab with this token (None: the public board) would get
#: in: None if so, else the refusal's kind (a key of REFUSALS) and the server's reason.
GameCheck = Callable[[str | None], Awaitable[tuple[str, str] | None]]


def open_url_message(kind: str) -> str:
    """The message that sends textual.js's page to the error page for refusal ``kind``."""
    return json.dumps(["open_url", {"url": f"/refused/{kind}", "new_tab": False}])


@dataclass(frozen=True)
class Launch:
    """A process to start for a tab: its arguments and extra environment variables."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


SeatLaunch = Callable[[str], Launch]


def wedge_commands(server_url: str) -> tuple[SeatLaunch, Launch]:
    """What a seat tab and the projector tab run: ``wedge join`` and ``wedge watch``.

    Through :mod:`tui.web.tab`, which passes the token in the environment
    rather than on the command line; with this interpreter (not a ``wedge`` found on
    ``PATH``) so that a tab always runs the same installation as the web server.
    """
    tab = (sys.executable, "-m", "tui.web.tab")

    def seat(token: str) -> Launch:
        return Launch((*tab, "seat", server_url), ((TOKEN_ENV, token),))

    return seat, Launch((*tab, "watch", server_url))


def parse_token(text: str) -> str | None:
    """The seat token in what a student typed or pasted, or None if it cannot be one.

    Accepts the bare token or a whole ``wedge join URL --token T`` line.
    """
    text = text.strip()
    if m := _PASTED_JOIN.search(text):
        text = m.group(1)
    if not text or len(text) > MAX_TOKEN or not _TOKEN_RE.fullmatch(text):
        return None
    return text


def redact(text: str, secret: str | None) -> str:
    return text.replace(secret, "<token>") if secret else text


@dataclass(frozen=True)
class Ticket:
    """What one websocket may start: a seat (with its token) or the public board."""

    launch: Launch
    kind: str  # "seat" or "watch"
    secret: str | None
    expires: float


class SessionService(AppService):
    """One browser tab's Textual process, started from an argv (see module docstring)."""

    def __init__(
        self,
        launch: Launch,
        secret: str | None,
        *,
        write_bytes: Callable[[bytes], Awaitable[None]],
        write_str: Callable[[str], Awaitable[None]],
        close: Callable[[], Awaitable[object]],
        download_manager: DownloadManager,
    ) -> None:
        # ``command`` is only a label here: the process is started from ``argv``.
        super().__init__(
            launch.argv[0],
            write_bytes=write_bytes,
            write_str=write_str,
            close=close,  # type: ignore[arg-type]
            download_manager=download_manager,
        )
        self.launch = launch
        self.secret = secret
        self.finished = asyncio.Event()
        self.started = False
        self.stderr_text = ""
        self.returncode: int | None = None
        #: why the process ended before its UI (a key of REFUSALS), or None
        self.refusal: str | None = None

    async def _open_app_process(self, width: int = 80, height: int = 24) -> asyncio.subprocess.Process:
        env = self._build_environment(width=width, height=height)
        env.update(self.launch.env)
        self._process = process = await asyncio.create_subprocess_exec(
            *self.launch.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the process's output to the browser until it exits.

        The Textual web driver prints ``__GANGLION__`` when its UI starts, then writes
        frames: one type byte (``D`` data, ``M`` meta, ``P`` packed), a 4-byte
        big-endian length, the payload.
        """
        process = self._process
        assert process is not None and process.stdout is not None and process.stderr is not None
        stderr_task = asyncio.create_task(self._collect_stderr(process.stderr))
        stdout = process.stdout
        try:
            for _ in range(PRELUDE_LINES):
                line = await stdout.readline()
                if not line:
                    break
                if line == b"__GANGLION__\n":
                    self.started = True
                    break
            while self.started:
                header = await stdout.readexactly(5)
                payload = await stdout.readexactly(int.from_bytes(header[1:], "big"))
                kind = header[:1]
                if kind == b"D":
                    await self.on_data(payload)
                elif kind == b"M":
                    await self.on_meta(payload)
                elif kind == b"P":
                    await self.on_packed(payload)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass  # the process closed its output: it has exited
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(stderr_task), 2.0)
            stderr_task.cancel()
            if not self.started:
                await self._explain_failure()
            self.finished.set()

    async def _collect_stderr(self, stderr: asyncio.StreamReader) -> None:
        kept = bytearray()
        while chunk := await stderr.read(4096):
            kept += chunk[: max(0, STDERR_KEEP - len(kept))]
            self.stderr_text = redact(kept.decode("utf-8", "replace"), self.secret)

    async def _explain_failure(self) -> None:
        """The process ended before its UI came up: send the tab to the page that says why.

        The process's exit code says which refusal it was (:mod:`tui.web.tab`); its
        reason, token masked, goes to the log.
        """
        process = self._process
        if process is not None:
            with contextlib.suppress(TimeoutError):
                self.returncode = await asyncio.wait_for(process.wait(), 2.0)
        reason = self.last_error() or f"the game client exited (code {self.returncode})"
        self.refusal = kind_of_exit(self.returncode)
        log.warning("session did not start (%s): %s", self.refusal, reason)
        with contextlib.suppress(Exception):
            await self.remote_write_str(open_url_message(self.refusal))
        with contextlib.suppress(Exception):
            await self.remote_close()

    async def stop(self) -> None:
        """Ask the process to quit; kill it if it has not within :data:`STOP_GRACE`."""
        with contextlib.suppress(TimeoutError, ConnectionError, RuntimeError):
            await asyncio.wait_for(super().stop(), STOP_GRACE)
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            # Its output has ended, so it is exiting: let asyncio reap it. Killing first would
            # reap it behind asyncio's back (Popen.send_signal polls) and lose the exit code.
            try:
                await asyncio.wait_for(process.wait(), 2.0)
            except TimeoutError:
                self.kill()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(process.wait(), 2.0)
        self.returncode = process.returncode

    def last_error(self) -> str:
        """The last line the process wrote to stderr (token masked), or ''."""
        lines = [ln for ln in self.stderr_text.strip().splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    def kill(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()


class QuietAccessLogger(AbstractAccessLogger):
    """One line per request: client, method, path and status; never a query string,
    a form body or a websocket ticket."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        path = request.path
        if path.startswith("/ws/"):
            path = "/ws/…"
        if path.startswith("/static/"):
            return  # scripts, styles and fonts: noise in a classroom log
        self.logger.info("%s %s %s %s", request.remote, request.method, path, response.status)


class WebSeats(Server):
    """``wedge web``: seat pages, the public board, and their websockets."""

    def __init__(
        self,
        *,
        seat_launch: SeatLaunch,
        watch_launch: Launch,
        server_url: str,
        host: str = "127.0.0.1",
        port: int = 8000,
        max_sessions: int = 40,
        max_watchers: int = 32,
        check: GameCheck | None = None,
    ) -> None:
        super().__init__("wedge", host=host, port=port, title="Wedge")
        self.seat_launch = seat_launch
        self.watch_launch = watch_launch
        self.server_url = server_url
        self.max_sessions = max_sessions
        self.max_watchers = max_watchers
        #: asked before a game page is handed out (tests replace it)
        self.check: GameCheck = check or (lambda token: check_game(server_url, token))
        self.tickets: dict[str, Ticket] = {}
        #: running seat tabs (at most ``max_sessions``) and public boards (``max_watchers``)
        self.sessions: set[SessionService] = set()
        self.watchers: set[SessionService] = set()
        self.bound_port: int | None = None

    # --- pages -----------------------------------------------------------------

    async def _make_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024)
        app.add_routes(
            [
                web.get("/", self.handle_landing),
                web.post("/seat", self.handle_seat_form),
                web.get("/seat", self.handle_landing),
                web.get("/watch", self.handle_watch),
                web.get("/refused/{kind}", self.handle_refused),
                web.get("/ws/{ticket}", self.handle_websocket),
                web.get("/download/{key}", self.handle_download),
                web.get("/favicon.ico", self.handle_no_content),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        return app

    def _issue(self, launch: Launch, kind: str, secret: str | None) -> str:
        now = time.monotonic()
        for key in [k for k, t in self.tickets.items() if t.expires < now]:
            del self.tickets[key]
        same_kind = [k for k, t in self.tickets.items() if t.kind == kind]
        if len(same_kind) >= MAX_TICKETS:
            del self.tickets[same_kind[0]]  # the oldest of its own kind
        ticket = secrets.token_urlsafe(18)
        self.tickets[ticket] = Ticket(launch, kind, secret, now + TICKET_TTL)
        return ticket

    @staticmethod
    def _font_size(request: web.Request, form: dict[str, str] | None = None) -> int:
        raw = (form or {}).get("fontsize") or request.query.get("fontsize", "16")
        return min(48, max(8, to_int(raw, 16)))

    @staticmethod
    def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # no-store: a seat page holds its token (in the reconnect form).
        return web.Response(
            text=text,
            status=status,
            content_type="text/html",
            headers={
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Frame-Options": "DENY",  # a seat page must not be framed by another site
                "X-Content-Type-Options": "nosniff",
                **(headers or {}),
            },
        )

    def _refused(self, kind: str, detail: str = "", again: tuple[str | None, int] | None = None) -> web.Response:
        """The error page for refusal ``kind``, with its HTTP status."""
        refusal = REFUSALS[kind]
        headers = {"Retry-After": str(refusal.retry_after)} if refusal.retry_after else None
        return self._html(error_page(refusal, detail=detail, again=again), refusal.status, headers)

    def _running(self, kind: str) -> set[SessionService]:
        return self.watchers if kind == "watch" else self.sessions

    def _no_room(self, kind: str) -> tuple[str, str] | None:
        """Why no more tabs of ``kind`` (seat or watch) may start now, or None if one may.

        Each kind counts against its own limit only: public boards never fill the seats.
        """
        if kind == "watch":
            if len(self.watchers) >= self.max_watchers:
                return "watch-full", f"{len(self.watchers)} public boards open, at most {self.max_watchers}"
        elif len(self.sessions) >= self.max_sessions:
            return "full", f"{len(self.sessions)} seat tabs open, at most {self.max_sessions}"
        return None

    async def _game_page(self, token: str | None, font_size: int) -> web.Response:
        """A seat's page (``token``) or the public board's, if the game server lets the tab in."""
        kind = "watch" if token is None else "seat"
        refusal = self._no_room(kind) or await self.check(token)
        if refusal is not None:
            reason, detail = refusal[0], redact(refusal[1], token)
            log.warning("refused a %s page (%s): %s", kind, reason, detail)
            return self._refused(reason, detail, again=(token, font_size))
        launch = self.watch_launch if token is None else self.seat_launch(token)
        ticket = self._issue(launch, kind, token)
        return self._html(terminal_page(ticket=ticket, font_size=font_size, token=token))

    async def _seat_page(self, request: web.Request, raw: str, form: dict[str, str] | None = None) -> web.Response:
        token = parse_token(raw)
        if token is None:
            error = (
                "That does not look like a seat token: check it and try again,"
                " or ask the facilitator for your seat's link."
            )
            return self._html(landing_page(error), 400)
        return await self._game_page(token, self._font_size(request, form))

    async def handle_landing(self, request: web.Request) -> web.Response:
        """``/`` — the token form, or a seat directly from a link ``/?token=T``."""
        if "token" in request.query:
            return await self._seat_page(request, request.query["token"])
        return self._html(landing_page())

    async def handle_seat_form(self, request: web.Request) -> web.Response:
        """``POST /seat`` — the landing form (the token travels in the body, not the address)."""
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        return await self._seat_page(request, form.get("token", ""), form)

    async def handle_watch(self, request: web.Request) -> web.Response:
        """``/watch`` — the public board for a projector (``?fontsize=24`` for a big room)."""
        return await self._game_page(None, self._font_size(request))

    async def handle_refused(self, request: web.Request) -> web.Response:
        """``/refused/KIND`` — where a tab's page is sent when its websocket is refused."""
        kind = request.match_info["kind"]
        if kind not in REFUSALS:
            raise web.HTTPNotFound()
        return self._refused(kind)

    async def handle_no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    # --- sessions --------------------------------------------------------------

    async def _refuse(self, websocket: web.WebSocketResponse, kind: str) -> web.WebSocketResponse:
        """Send the tab to the error page for refusal ``kind`` and close its websocket."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            await websocket.send_str(open_url_message(kind))
        await websocket.close()
        return websocket

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """Start the ticket's process and relay it until the tab or the process goes."""
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=64 * 1024)
        ticket = self.tickets.pop(request.match_info["ticket"], None)
        await websocket.prepare(request)
        if ticket is None or ticket.expires < time.monotonic():
            return await self._refuse(websocket, "expired")
        if full := self._no_room(ticket.kind):
            log.warning("refused a %s session (%s): %s", ticket.kind, *full)
            return await self._refuse(websocket, full[0])
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        service = SessionService(
            ticket.launch,
            ticket.secret,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        running = self._running(ticket.kind)
        running.add(service)
        log.info("%s session opened (%d running)", ticket.kind, len(running))
        try:
            await service.start(width, height)
            relay = asyncio.create_task(self._relay(websocket, service))
            ended = asyncio.create_task(service.finished.wait())
            await asyncio.wait({relay, ended}, return_when=asyncio.FIRST_COMPLETED)
            relay.cancel()
            ended.cancel()
        except (asyncio.CancelledError, ConnectionError):
            pass
        except Exception as error:  # a broken tab must not take the server down
            reason = redact(f"{type(error).__name__}: {error}", ticket.secret)
            log.warning("%s session failed: %s", ticket.kind, reason)
        finally:
            await service.stop()
            running.discard(service)
            with contextlib.suppress(Exception):
                await websocket.close()
            if service.started and service.returncode not in (0, None):
                log.warning("%s session exited with code %s: %s", ticket.kind, service.returncode, service.last_error())
            log.info("%s session closed (%d running)", ticket.kind, len(running))
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, service: SessionService) -> None:
        """Browser → process: keystrokes, resizes, focus; a malformed frame is skipped."""
        try:
            await self._process_messages(websocket, service)
        except (ValueError, AssertionError, LookupError, TypeError, AttributeError):
            log.warning("closed a tab that sent a malformed frame")

    async def on_shutdown(self, app: web.Application) -> None:
        for service in [*self.sessions, *self.watchers]:
            service.kill()

    # --- running ---------------------------------------------------------------

    def urls(self) -> dict[str, str]:
        """The addresses to hand out, once the server is listening."""
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = "THIS-MACHINE"
        elif ":" in host:
            host = f"[{host}]"
        base = f"http://{host}:{self.bound_port}"
        return {"seats": base + "/", "seat_link": base + "/?token=TOKEN", "watch": base + "/watch"}

    def announce(self) -> None:
        u = self.urls()
        lines = [
            f"Wedge web seats for {self.server_url}",
            f"  students:  {u['seats']}   (each enters the seat token from `wedge serve`)",
            f"             {u['seat_link']}   (or hand out one such link per seat)",
            f"  projector: {u['watch']}",
        ]
        if "THIS-MACHINE" in u["seats"]:
            lines.append(
                "  Listening on every interface: use this machine's LAN address. Traffic is NOT encrypted;"
                " use only on a network you trust."
            )
        lines.append("Press Ctrl+C to stop.")
        print("\n".join(lines), flush=True)

    async def listen(self) -> web.AppRunner:
        """Start listening (``bound_port`` is then the real port); ``cleanup()`` the result to stop."""
        runner = web.AppRunner(await self._make_app(), access_log_class=QuietAccessLogger, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host, self.port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self.bound_port = int(runner.addresses[0][1]) if runner.addresses else self.port
        return runner

    async def _serve(self) -> None:
        runner = await self.listen()
        self.announce()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    def run(self) -> int:
        """Serve until Ctrl+C or SIGTERM; the process exit code."""
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
        logging.getLogger("aiohttp.access").setLevel(logging.INFO)
        try:
            asyncio.run(self._serve())
        except OSError as exc:
            print(f"wedge web: cannot listen on {self.host}:{self.port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        return 0
