"""Playing a game hosted by ``wedge serve``: a :class:`~tui.session.Session` over the network.

:class:`RemoteSession` keeps what the server sends this terminal's seat (its own view,
legal commands, why each card in hand cannot be added now, and the log entries the seat
may see) and forwards commands to the server, so ``wedge join`` runs the very same
screens as local play. It can only ever show what the server sent — and the server
sends a seat nothing its view does not entitle it to: another role's view is not
available here, and :attr:`history` holds this seat's own commands and the
facilitator's, not the other roles' hidden orders. The game's seed stays on the server.

``wedge watch`` is the same with no token: the public board on the projector screen.

A game served with ``--deadline`` has a time limit per phase: the server sends it (seconds
left, paused or not) with each change, and every terminal shows it counting down — the
players' status line, the projector's title and the facilitator's console
(:class:`~tui.timer.DeadlineClock`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from textual.screen import Screen

from game.commands import FACILITATOR, Command, parse
from game.errors import IllegalCommand, WedgeError
from game.scenario.models import Scenario
from game.server.client import Client, RemoteError, SyncClient
from game.server.protocol import PUBLIC_SEAT
from tui.app import WedgeApp
from tui.opening import OpenError
from tui.screens.projector import ProjectorScreen
from tui.session import Listener, StateChanged
from tui.timer import DeadlineClock

#: Keys a role's or the facilitator's view adds to the public view (see game.views).
PRIVATE_KEYS = frozenset({"role", "hand", "my_order", "offers", "messages", "hands", "pending_orders"})


def public_part(view: dict[str, Any]) -> dict[str, Any]:
    """The public view contained in a role's or the facilitator's view."""
    return {k: v for k, v in view.items() if k not in PRIVATE_KEYS}


class RemoteSession:
    """One seat of a server game (a role, ``gm``, or ``public`` without a token)."""

    def __init__(self, url: str, token: str | None = None, timeout: float = 15.0, record: bool = False) -> None:
        self.url = url
        self._sync = SyncClient(url, token, timeout=timeout, record=record)
        client = self._sync.client
        if client.game is None or client.scenario is None:
            self._sync.close()
            raise RemoteError(
                "no-game", f"{url} names no game: use the ws://HOST:PORT/g/GAME address printed by the server"
            )
        self._client: Client = client
        self._scenario = Scenario.model_validate(client.scenario)
        self._lock = threading.Lock()
        self._version = 0
        self._legal_src: list[str] | None = None
        self._legal: list[Command] = []
        self._listeners: list[Listener] = []
        #: the server's latest phase deadline and the local (monotonic) time it arrived
        self._deadline_seen: tuple[Any, float] = (client.deadline, time.monotonic())
        self._unsubscribe = client.subscribe(self._on_event)

    # -- who and what ------------------------------------------------------------------
    @property
    def seat(self) -> str:
        """The seat this terminal holds: a role id, ``gm``, or ``public``."""
        return self._client.seat or PUBLIC_SEAT

    @property
    def game(self) -> str:
        return self._client.game or ""

    @property
    def status(self) -> str:
        """'' while connected, else what is going on (shown in the status line)."""
        c = self._client
        if c.fatal is not None:
            return f"disconnected: {c.fatal.message}"
        return "" if c.connected else "reconnecting…"

    @property
    def deadline(self) -> Any:
        return self._client.deadline

    def deadline_status(self) -> tuple[Any, float]:
        """The latest ``Deadline`` the server sent (or None) and when it arrived (time.monotonic)."""
        return self._deadline_seen

    @property
    def client(self) -> Client:
        """The underlying protocol client (received frames, connection state)."""
        return self._client

    # -- Session ---------------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._scenario

    @property
    def roles(self) -> tuple[str, ...]:
        return tuple(self._client.roles)

    @property
    def seed(self) -> int:
        """Always 0 here: the seed would let players predict the decks, so it never leaves the server."""
        return 0

    @property
    def version(self) -> int:
        return self._version

    @property
    def meta(self) -> dict[str, Any]:
        """What the server shares of the record's meta: the computer seats' reasons, once
        the game is over (each with the command it explains, since this seat's history
        holds only its own commands)."""
        reasons = self._client.reasons
        return {"rationales": list(reasons)} if reasons else {}

    @property
    def history(self) -> list[str]:
        """The log entries this seat may see: its own commands and the facilitator's."""
        return list(self._client.commands)

    def view(self, seat: str) -> dict[str, Any]:
        view = self._client.view
        if seat == self.seat:
            return view
        if seat == PUBLIC_SEAT:
            return public_part(view)
        raise KeyError(f"this terminal holds the {self.seat} seat; the {seat} view stays on the server")

    def legal(self, seat: str) -> list[Command]:
        if seat != self.seat:
            return []
        with self._lock:
            src = self._client.legal
            if src is not self._legal_src:
                self._legal_src, self._legal = src, [parse(t) for t in src]
            return list(self._legal)

    def explain(self, seat: str, command: str) -> IllegalCommand | None:
        try:
            cmd = parse(command)
        except IllegalCommand as exc:
            return exc
        if seat != self.seat or (cmd.actor != seat and not (seat == FACILITATOR and cmd.actor == FACILITATOR)):
            return IllegalCommand("3", command, f"the {self.seat} seat cannot send commands for {cmd.actor}")
        if command in self._client.legal:
            return None
        hint = self._client.hints.get(command)
        if hint is not None:
            return IllegalCommand(hint.rule, command, hint.reason)
        try:
            problem = self._sync.check(command)
        except RemoteError as exc:
            return IllegalCommand(exc.code, command, exc.message)
        return None if problem is None else IllegalCommand(problem.rule, command, problem.reason)

    def submit(self, seat: str, command: str) -> None:
        """Send `command`; returns once the server has stored it and this seat's view shows it."""
        if seat != self.seat:
            raise IllegalCommand("3", command, f"this terminal holds the {self.seat} seat, not {seat}")
        try:
            self._sync.submit(command)
        except RemoteError as exc:
            raise IllegalCommand(exc.code, command, exc.message) from None

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _on_event(self, event: str, payload: Any) -> None:
        """Client thread: turn server messages into the UI's StateChanged notifications."""
        deadline = self._client.deadline
        if deadline is not self._deadline_seen[0]:
            self._deadline_seen = (deadline, time.monotonic())
        if event == "update":
            fresh = getattr(payload, "commands", None) or []
            last = fresh[-1] if fresh else ""
            kind, actor = "command", last.split(":", 1)[0] if last else ""
        elif event in ("welcome", "disconnected", "closed"):
            kind, actor, last = "load", "", ""
        else:
            return
        self._version += 1
        change = StateChanged(self._version, kind, actor, last)
        for listener in list(self._listeners):
            listener(change)

    def close(self) -> None:
        self._unsubscribe()
        self._sync.close()


class RemoteApp(WedgeApp):
    """The local-play app on a RemoteSession: the seat's screen, or the projector for ``public``.

    Only the facilitator's token opens the console; the players' and the projector's
    terminals show the server's phase deadline where local play shows the phase timer."""

    def __init__(
        self, session: RemoteSession | None = None, error: OpenError | None = None, theme: str | None = None
    ) -> None:
        super().__init__(session=session, error=error, theme=theme)
        self.remote = session
        self.server_clock: DeadlineClock | None = None
        if session is not None:
            self.seat = None if session.seat == PUBLIC_SEAT else session.seat
            self.sub_title = f"{session.seat} · {session.url}"
            own = session.seat
            self.server_clock = DeadlineClock(session.deadline_status, lambda: session.view(own))
            if session.seat != FACILITATOR:  # the facilitator keeps its own phase timer too
                self.timer = self.server_clock

    def get_default_screen(self) -> Screen[Any]:
        if self.remote is not None and self.catalog is not None and self.remote.seat == PUBLIC_SEAT:
            return ProjectorScreen(self.catalog)
        return super().get_default_screen()

    @property
    def save_note(self) -> str:
        """The status line's note: the game is saved on the server; say when the link is down."""
        if self.remote is None:
            return ""
        return self.remote.status or "on the server"

    def action_next_seat(self) -> None:
        self.notify("Each player has their own terminal in a server game: no hand-off here.")

    def on_unmount(self) -> None:
        super().on_unmount()
        if self.remote is not None:
            self.remote.close()


def build_remote_app(url: str, token: str | None = None, theme: str | None = None, record: bool = False) -> RemoteApp:
    """The app for ``wedge join`` / ``wedge watch`` (an error screen if the server refuses)."""
    try:
        session = RemoteSession(url, token, record=record)
    except WedgeError as exc:
        return RemoteApp(error=OpenError(f"Cannot join {url}", str(exc)), theme=theme)
    return RemoteApp(session, theme=theme)


def _run(app: RemoteApp) -> int:
    app.run()
    return app.return_code or 0


def run_join(url: str, token: str) -> int:
    return _run(build_remote_app(url, token))


def run_watch(url: str) -> int:
    return _run(build_remote_app(url, None))
