"""The Wedge terminal UI: ``run_play`` (a game) and ``run_replay`` (the replay viewer).

The app holds a :class:`~tui.session.Session` and re-reads its views whenever the
session reports a change (coalesced: a burst of AI moves costs one repaint, and
repaints are spaced by three times what the last one took, so that a stream of
moves leaves the UI thread free for keys). AI seats play from a thread worker
(:mod:`tui.ai`); hot-seat hand-offs, the phase timer and the facilitator console
live here too. The engine's state object never reaches the UI: only views.

The facilitator is a seat: ``--as gm`` (the console is the whole screen), or, in a game
played at one keyboard, a passphrase set when the game starts (``--gm-passphrase`` or
``--gm``; only a hash of it is kept, in memory). Nobody else can open the console.
With ``--as gm`` and computer seats the game starts paused (``gm:pause``) and the console
sets the AI seats' pace: run, one phase at a time, or hold (UI-side: never in the game).
Whatever the first frame does not need waits until it is on screen
(:meth:`WedgeApp._after_first_frame`). Key presses are kept cheap: the cyclic garbage
collector is kept off the keys (:mod:`tui.heap`) and the tab underline does not animate
(each animation frame is a repaint competing with the next key; ``TEXTUAL_ANIMATIONS``
still decides when it is set).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.message import Message
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker

from game.errors import IllegalCommand, WedgeError
from tui.ai import AIDriver
from tui.catalog import PHASE_LABELS, Catalog
from tui.heap import HeapKeeper
from tui.opening import OpenError, StartOptions, open_play, open_replay
from tui.screens.game import GameScreen
from tui.seats import GM, GMLock, Seats, is_human
from tui.session import LocalSession, ReplaySession, Session, StateChanged
from tui.timer import DeadlineClock, PhaseTimer

DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "standard.yaml"
HIGH_CONTRAST = Theme(
    name="wedge-high-contrast",
    primary="#FFFF00",
    secondary="#00FFFF",
    accent="#FF00FF",
    warning="#FFA500",
    error="#FF4040",
    success="#40FF40",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#202020",
    boost="#303030",
    dark=True,
)
DEFAULT_THEME = "textual-dark"
REFRESH_DELAY = 0.03
#: A repaint that took d seconds is followed by the next one no sooner than this many d
#: later, so that a stream of AI moves keeps the UI thread mostly free for keys.
REFRESH_SPACING = 3.0
MAX_REFRESH_DELAY = 0.25
#: GIL hand-over interval while the app runs. A CPU-bound agent thread otherwise keeps the
#: GIL for 5 ms each time the UI loop releases it, which adds up to hundreds of ms per key.
SWITCH_INTERVAL = 0.001
#: The AI seats' pace, set from the facilitator console (UI-side only, never in the game):
#: play freely, play until the phase changes (then hold), or wait.
AI_RUN, AI_STEP, AI_HOLD = "run", "step", "hold"
#: the screen mode of a game opened from the start menu (the menu is the default mode)
GAME_MODE = "game"


class SessionChanged(Message):
    """Posted (thread-safely) for every session notification."""

    def __init__(self, event: StateChanged) -> None:
        self.event = event
        super().__init__()


class WedgeApp(App[int]):
    CSS_PATH = "styles/app.tcss"
    TITLE = "Wedge"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (120, "-wide")]
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f2", "toggle_contrast", "High contrast", show=False),
    ]

    def __init__(
        self,
        session: Session | None = None,
        seats: Seats | None = None,
        error: OpenError | None = None,
        theme: str | None = None,
        gm_passphrase: str | None = None,
        ask_gm_passphrase: bool = False,
        menu: StartOptions | None = None,
    ) -> None:
        super().__init__()
        self.register_theme(HIGH_CONTRAST)
        self.theme = theme or DEFAULT_THEME
        if "TEXTUAL_ANIMATIONS" not in os.environ:
            self.animation_level = "none"
        self.heap = HeapKeeper()
        self.error = error
        #: the start menu's options (a bare ``wedge play``): the menu is shown until a game opens
        self.menu = menu
        self.session: Session | None = None
        self.seats: Seats | None = None
        self.catalog: Catalog | None = None
        #: the clock this terminal shows: the facilitator's phase timer (a networked player's
        #: or projector's terminal shows the server's deadline instead, see tui.remote)
        self.timer: PhaseTimer | DeadlineClock = PhaseTimer()
        #: the facilitator seat of a game played at one keyboard (a passphrase, hashed)
        self.gm_lock = GMLock(gm_passphrase)
        self._ask_gm_passphrase = ask_gm_passphrase and not self.gm_lock.is_set
        self.ai_pace = AI_RUN
        self._step_from: tuple[int, str] | None = None
        self.started_paused = False
        self.seat: str | None = None
        self.ai: AIDriver | None = None
        self._refresh_scheduled = False
        self._refresh_timer: Timer | None = None
        self._refresh_due = 0.0
        self._refresh_delay = REFRESH_DELAY
        self._started = False
        self._handoff_open = False
        self._results_shown = False
        self._unsubscribe: Callable[[], None] | None = None
        self.refreshes = 0
        self._switch_interval = sys.getswitchinterval()
        self._live = False  # mounted (a session opened later subscribes at once)
        if session is not None:
            self._take_session(session, seats)

    def _take_session(self, session: Session, seats: Seats | None) -> None:
        """Take `session` (and, for local play, its seats) as this app's game."""
        self.session = session
        self.seats = seats
        self.catalog = Catalog(session.scenario)
        if isinstance(session, LocalSession) and seats is not None:
            self._apply_seats(session, seats)
            self.ai = AIDriver(self, session)
            self.ai.hold = self.ai_held
            humans = seats.humans
            if seats.as_role == GM:
                self.seat = GM
                self.started_paused = self._start_paused(session)
            elif len(humans) <= 1:
                self.seat = seats.as_role
            if session.view("public")["phase"] == "over":
                self._results_shown = True  # a finished game loaded for the debrief
        if self._live:  # opened from the start menu: follow it from now on
            self._unsubscribe = session.subscribe(self._on_state_changed)

    @staticmethod
    def _apply_seats(session: LocalSession, seats: Seats) -> None:
        """Record who plays each seat as ``gm:seat`` commands (so saves and replays know)."""
        view = session.view("public")
        for role, controller in seats.controllers.items():
            if view["roles"][role]["controller"] != controller:
                session.submit(GM, f"gm:seat:{role}:{controller}")

    @staticmethod
    def _start_paused(session: LocalSession) -> bool:
        """``--as gm`` with computer seats: pause (an ordinary ``gm:pause``) before they play,
        so that the facilitator watches the game from its start and steers it."""
        view = session.view("public")
        ai = any(not is_human(str(r["controller"])) for r in view["roles"].values())
        if not ai or view["paused"] or view["phase"] == "over":
            return False
        session.submit(GM, "gm:pause")
        return True

    # -- startup ------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        """``play``, ``replay``, ``menu`` (the start menu, before a game is open) or ``error``."""
        if self.error is not None:
            return "error"
        if self.session is None:
            return "menu" if self.menu is not None else "error"
        return "replay" if isinstance(self.session, ReplaySession) else "play"

    @property
    def game(self) -> Session:
        """The session of the game on screen (screens that show a game exist only with one)."""
        if self.session is None:
            raise RuntimeError("no game is open")
        return self.session

    def get_default_screen(self) -> Screen[Any]:
        # Screens other than the player's are imported when first needed: each import is
        # time before the first frame.
        if self.mode == "menu" and self.menu is not None:
            from tui.screens.start import StartScreen

            return StartScreen(self.menu)
        if self.mode == "error" or self.catalog is None:
            from tui.screens.dialogs import ErrorScreen

            err = self.error or OpenError("Nothing to show", "no game was given")
            return ErrorScreen(err.title, err.reason)
        if isinstance(self.session, ReplaySession):
            from tui.screens.replay import ReplayScreen

            return ReplayScreen(self.catalog, self.session)
        if self.seat == GM:
            from tui.screens.facilitator import FacilitatorScreen

            return FacilitatorScreen(self.catalog, full_view=True)
        return GameScreen(self.catalog)

    def on_mount(self) -> None:
        self._live = True
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL))
        if self.session is not None:
            self._unsubscribe = self.session.subscribe(self._on_state_changed)
        self.set_interval(1.0, self._tick)
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        """Work that the first frame does not need: hot-seat hand-off, AI seats (their first
        repaint, which starts the AI worker), settling the heap once every screen is built.
        ``--gm`` asks for the facilitator's passphrase first."""
        if self._ask_gm_passphrase and self.mode != "menu":  # from the menu: once the game is chosen
            self._ask_gm_passphrase = False
            self._set_gm_passphrase()
            return
        self._started = True
        if self.session is not None:
            self._schedule_refresh()
        self._settle_heap()

    def _settle_heap(self) -> None:
        if all(getattr(screen, "ready", True) for screen in self.screen_stack):
            self.heap.settle()
        else:  # the hidden tabs are still being mounted
            self.set_timer(0.05, self._settle_heap)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown)):
            self.heap.input_seen()
        await super().on_event(event)

    async def action_quit(self) -> None:
        self.exit(return_code=1 if self.mode == "error" else 0)

    # -- the start menu (a bare `wedge play`) ----------------------------------------------
    def open_game(
        self,
        scenario: str | Path | None,
        as_role: str | None,
        seats_spec: str | None,
        seed: int,
        load_path: str | Path | None = None,
        gm_passphrase: str | None = None,
    ) -> None:
        """Open a new game (or resume a save) chosen in the start menu and show it in place of
        the menu; raises OpenError with the engine's reason (nothing changes then)."""
        save_dir = self.menu.save_dir if self.menu is not None else Path("saves")
        session, seats = open_play(scenario or DEFAULT_SCENARIO, as_role, seats_spec, seed, load_path, save_dir)
        if seats.as_role != GM and gm_passphrase:
            self.gm_lock.set(gm_passphrase)
        self._take_session(session, seats)
        ask = self._ask_gm_passphrase and seats.as_role != GM and not self.gm_lock.is_set
        if ask:  # `wedge play --gm`: the passphrase first, then play (and hand-offs), as without the menu
            self._ask_gm_passphrase = False
            self._started = False  # nothing is refreshed until it is chosen (_after_first_frame)
        self._show_game()
        if ask:
            self._set_gm_passphrase()

    def open_replay_file(self, path: str | Path) -> None:
        """Open a save in the replay viewer from the start menu; raises OpenError."""
        self._take_session(open_replay(path), None)
        self._show_game()

    def _show_game(self) -> None:
        """The game's screen replaces the menu: a screen mode of its own, so that the game's
        stack starts at its screen as when ``wedge play SCENARIO`` opens it (Esc on the
        facilitator console, say, never leads back to the menu)."""
        self.add_mode(GAME_MODE, self.get_default_screen)
        self.switch_mode(GAME_MODE)
        self._schedule_refresh()

    def on_unmount(self) -> None:
        sys.setswitchinterval(self._switch_interval)
        self.heap.release()
        if self.ai is not None:
            self.ai.close()
        if self._unsubscribe is not None:
            self._unsubscribe()

    # -- session changes -------------------------------------------------------------------
    def _on_state_changed(self, event: StateChanged) -> None:
        """The session's listener (called from whichever thread changed the game)."""
        self.post_message(SessionChanged(event))

    def on_session_changed(self, message: SessionChanged) -> None:
        event = message.event
        # What the person at the keyboard did is shown at once; other seats' moves (AI) wait
        # for the spacing that keeps the UI thread free.
        self._schedule_refresh(urgent=event.kind != "command" or event.actor in (self.seat, GM))

    def _schedule_refresh(self, urgent: bool = True) -> None:
        if not self._started:
            return
        delay = REFRESH_DELAY if urgent else self._refresh_delay
        due = time.monotonic() + delay
        if self._refresh_timer is not None:
            if due >= self._refresh_due:
                return
            self._refresh_timer.stop()
        self._refresh_scheduled = True
        self._refresh_due = due
        self._refresh_timer = self.set_timer(delay, self._refresh_now)

    def _refresh_now(self) -> None:
        self._refresh_scheduled = False
        self._refresh_timer = None
        if self.session is None:
            return
        started = time.perf_counter()
        try:
            self._refresh_screens()
        finally:
            spent = time.perf_counter() - started
            self._refresh_delay = min(MAX_REFRESH_DELAY, max(REFRESH_DELAY, REFRESH_SPACING * spent))

    def _refresh_screens(self) -> None:
        self.refreshes += 1
        game = self.game
        if self.catalog is not None:
            self.catalog.learn(game.history)  # custom shocks' titles (tui/catalog.py)
        if self.mode == "play":
            self._follow_game(game.view("public"))
            self._update_seat()
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_game", None)
            if callable(refresh) and screen.is_mounted:
                refresh()
        if self.mode == "play":
            view = game.view("public")
            if view["phase"] == "over" and not self._results_shown and self.catalog is not None:
                from tui.screens.reveal import GameOverScreen  # results + the report hint, no toast over it

                self._results_shown = True
                self.push_screen(GameOverScreen(self.catalog, view))
            if self.ai is not None:
                self.ai.kick()

    @property
    def thinking(self) -> str:
        return self.ai.thinking if self.ai is not None else ""

    @property
    def save_note(self) -> str:
        s = self.session
        if isinstance(s, LocalSession):
            if s.save_error:
                return s.save_error
            if s.save_path is not None and s.history:
                return "autosaved"
        return ""

    def settled(self) -> bool:
        """No AI is deciding, no repaint is pending and every screen is fully mounted (for tests
        and measurements)."""
        return (
            self._started
            and not self._refresh_scheduled
            and not (self.ai is not None and self.ai.running)
            and all(getattr(screen, "ready", True) for screen in self.screen_stack)
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if self.ai is not None:
            self.ai.on_worker_state(event.worker)

    def _follow_game(self, view: dict[str, Any]) -> None:
        """The UI-side state that follows the game: the phase timer stands still while the
        game is paused; a one-phase step of the AI seats ends when the phase changes."""
        hold = getattr(self.timer, "hold", None)
        if callable(hold):
            hold(bool(view["paused"]))
        if self.ai_pace == AI_STEP and (view["turn"], view["phase"]) != self._step_from:
            self.ai_pace = AI_HOLD

    # -- AI pace (facilitator) ---------------------------------------------------------------
    def ai_held(self) -> bool:
        """Whether the AI seats must wait now (read by the AI worker before each decision)."""
        pace = self.ai_pace
        if pace == AI_HOLD:
            return True
        if pace == AI_STEP and self.session is not None:
            view = self.session.view("public")
            return (view["turn"], view["phase"]) != self._step_from
        return False

    def set_ai_pace(self, pace: str) -> None:
        """Run, step (play until the phase changes, then hold) or hold the AI seats. UI-side
        only: nothing of it enters the game (a game pause is ``gm:pause``)."""
        if pace not in (AI_RUN, AI_STEP, AI_HOLD):
            raise ValueError(f"unknown AI pace {pace!r}")
        if pace == AI_STEP and self.session is not None:
            view = self.session.view("public")
            self._step_from = (view["turn"], view["phase"])
        self.ai_pace = pace
        if self.ai is not None and not self.ai_held():
            self.ai.kick()

    # -- hot seat -------------------------------------------------------------------------
    def humans(self) -> list[str]:
        view = self.game.view("public")
        return [r for r, v in view["roles"].items() if is_human(str(v["controller"]))]

    def _update_seat(self) -> None:
        if self.seats is None or self.seats.as_role == GM or self._handoff_open:
            return
        humans = self.humans()
        if len(humans) <= 1:
            if self.seat is None:
                self.seat = humans[0] if humans else self.seats.as_role
            return
        cur = self.seat
        game = self.game
        if cur is not None and cur in humans and game.legal(cur):
            return
        roles = list(game.roles)
        start = roles.index(cur) + 1 if cur in roles else 0
        for r in roles[start:] + roles[:start]:
            if r in humans and r != cur and game.legal(r):
                self._start_handoff(r)
                return

    def _start_handoff(self, role: str) -> None:
        """Blank every private panel first, then cover the screen until `role` confirms."""
        assert self.catalog is not None
        self.seat = None
        self._handoff_open = True
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_game", None)
            if callable(refresh) and screen.is_mounted:
                refresh()
        phase = PHASE_LABELS.get(self.game.view("public")["phase"], "next").lower()

        def confirmed(who: str | None) -> None:
            self._handoff_open = False
            self.seat = who
            self._schedule_refresh()

        from tui.screens.dialogs import HandoffScreen

        self.push_screen(HandoffScreen(self.catalog, role, phase), confirmed)

    def action_next_seat(self) -> None:
        if self.mode != "play" or self._handoff_open:
            return
        humans = self.humans()
        if len(humans) <= 1:
            self.notify("Only one human seat: nobody to hand off to.")
            return
        cur = self.seat
        i = humans.index(cur) + 1 if cur in humans else 0
        self._start_handoff(humans[i % len(humans)])

    # -- timer --------------------------------------------------------------------------
    def _tick(self) -> None:
        self.heap.tick()
        if self.session is None:
            return
        if self.timer.tick():
            self.notify("Time is up for this phase.", severity="warning", timeout=10)
            if self.timer.auto_force and self.mode == "play":
                self._force_waiting()
        if self.timer.running or self.timer.expired:
            for screen in self.screen_stack:
                tick = getattr(screen, "tick", None)
                if callable(tick) and screen.is_mounted:
                    # A screen pushed this instant may not have composed its widgets yet
                    # (or one popped may have lost them): its next tick will show the clock.
                    with contextlib.suppress(NoMatches):
                        tick()

    def _force_waiting(self) -> None:
        game = self.game
        view = game.view("public")
        if view["phase"] not in ("diplomacy", "orders"):
            return
        for role, r in view["roles"].items():
            if not r["ready"]:
                try:
                    game.submit(GM, f"gm:force:{role}")
                except IllegalCommand as exc:
                    self.notify(f"force {role}: {exc.reason}", severity="error", markup=False)

    # -- actions --------------------------------------------------------------------------
    @property
    def facilitator_reachable(self) -> bool:
        """Whether this terminal may open the facilitator console: it holds the facilitator
        seat (``--as gm``, or the facilitator's ``wedge join``), or it is a game at one
        keyboard whose facilitator set a passphrase (which the console then asks for)."""
        if self.mode != "play":
            return False
        return self.seat == GM or (isinstance(self.session, LocalSession) and self.gm_lock.is_set)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "facilitator":  # `g` is neither shown nor live for the players' seats
            return self.facilitator_reachable
        return True

    def action_facilitator(self) -> None:
        from tui.screens.facilitator import FacilitatorScreen

        if self.mode != "play" or self.catalog is None or isinstance(self.screen, FacilitatorScreen):
            return
        if self.seat == GM:
            self.push_screen(FacilitatorScreen(self.catalog, full_view=True))
        elif self.facilitator_reachable:
            catalog = self.catalog
            # At one keyboard the console shows the public board only: the screen is shared.

            def console() -> None:
                self.push_screen(FacilitatorScreen(catalog, full_view=False))

            self._as_facilitator(console)
        else:
            self.notify("The facilitator console belongs to the facilitator's seat.", severity="warning")

    def _as_facilitator(self, then: Callable[[], None]) -> None:
        """Ask for the facilitator's passphrase; run `then` if it is right."""
        from tui.screens.dialogs import PassphraseScreen

        def entered(passphrase: str | None) -> None:
            if passphrase is None:
                return
            if self.gm_lock.check(passphrase):
                then()
            else:
                self.notify("Wrong passphrase: only the facilitator can do that.", severity="error")

        self.push_screen(
            PassphraseScreen("Facilitator's passphrase", "Enter to go on, Esc to cancel."),
            entered,
        )

    def _set_gm_passphrase(self) -> None:
        """``--gm``: the facilitator chooses the passphrase (typed twice, not shown) before play."""
        from tui.screens.dialogs import PassphraseScreen

        def chosen(passphrase: str | None) -> None:
            if passphrase:
                self.gm_lock.set(passphrase)
                self.notify("Facilitator seat set: g opens the console with this passphrase.", timeout=8)
            else:
                self.notify("No facilitator passphrase: nobody can open the console in this game.", timeout=8)
            for screen in self.screen_stack:
                screen.refresh_bindings()
            self._after_first_frame()

        self.push_screen(
            PassphraseScreen(
                "Facilitator: choose a passphrase",
                "Type it twice. It opens the facilitator console (g) at this keyboard and is kept only "
                "in memory, never in the save. Esc: play without a facilitator seat.",
                confirm=True,
            ),
            chosen,
        )

    def action_projector(self) -> None:
        from tui.screens.projector import ProjectorScreen

        if self.mode != "play" or self.catalog is None or isinstance(self.screen, ProjectorScreen):
            return
        self.push_screen(ProjectorScreen(self.catalog))

    def action_rules(self) -> None:
        from tui.screens.rules import RulesScreen  # the Markdown widget is slow to import: on demand

        if not isinstance(self.screen, RulesScreen):
            self.push_screen(RulesScreen())

    def action_report(self) -> None:
        from tui.screens.report import open_report  # Markdown widget and report builder: on demand

        open_report(self)

    def action_toggle_contrast(self) -> None:
        self.theme = DEFAULT_THEME if self.theme == HIGH_CONTRAST.name else HIGH_CONTRAST.name

    def action_save(self) -> None:
        from tui.screens.dialogs import ErrorModal

        s = self.session
        if isinstance(s, LocalSession) and s.save_path is not None:
            try:
                s.save(s.save_path)
            except OSError as exc:
                self.push_screen(ErrorModal("Cannot save", f"{s.save_path}: {exc.strerror or exc}"))
                return
            self.notify(f"Saved to {s.save_path}", markup=False)

    def action_save_as(self) -> None:
        from tui.screens.dialogs import ErrorModal, PromptScreen

        s = self.session
        if not isinstance(s, LocalSession):
            return

        def chosen(path: str | None) -> None:
            if not path:
                return
            try:
                s.save(path)
            except OSError as exc:
                self.push_screen(ErrorModal("Cannot save", f"{path}: {exc.strerror or exc}"))
                return
            self.notify(f"Saved to {path}", markup=False)

        self.push_screen(PromptScreen("Save the game as", "saves/my-game.json"), chosen)

    def action_load(self) -> None:
        from tui.screens.dialogs import PromptScreen

        s = self.session
        if not isinstance(s, LocalSession):
            return

        def chosen(path: str | None) -> None:
            if path:
                self.load_game(path)

        def ask() -> None:
            self.push_screen(PromptScreen("Load a saved game", "saves/autosave-….json"), chosen)

        if self.gm_lock.is_set and self.seat != GM:  # replacing the game is the facilitator's call
            self._as_facilitator(ask)
        else:
            ask()

    def load_game(self, path: str) -> bool:
        """Replace the game by a save; a bad save shows its one-line reason and changes nothing."""
        from tui.screens.dialogs import ErrorModal

        s = self.session
        if not isinstance(s, LocalSession):
            return False
        try:
            s.load(path)
        except WedgeError as exc:
            self.push_screen(ErrorModal(f"Cannot load {path}", str(exc)))
            return False
        self._results_shown = s.view("public")["phase"] == "over"
        return True

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.mode == "play":
            for tab, title in (
                ("board", "Board"),
                ("hand", "Hand & Orders"),
                ("diplomacy", "Diplomacy"),
                ("ledger", "Ledger"),
            ):
                if isinstance(screen, GameScreen):
                    yield SystemCommand(
                        f"Show {title}", f"Switch to the {title} tab", lambda t=tab: screen.action_tab(t)
                    )
            if isinstance(screen, GameScreen):
                yield SystemCommand("Seal my order", "Confirm and seal this turn's order", screen.action_seal)
                yield SystemCommand("Done with diplomacy", "Finish the diplomacy phase", screen.action_done)
            if self.facilitator_reachable:
                yield SystemCommand(
                    "Facilitator console",
                    "Pause, AI pace, timer, shocks, overrides, rollback, seats"
                    + ("" if self.seat == GM else " (asks for the facilitator's passphrase)"),
                    self.action_facilitator,
                )
            yield SystemCommand("Projector board", "The public board only, for a projector", self.action_projector)
            yield SystemCommand(
                "Hand off (hot seat)", "Pass the keyboard to the next human player", self.action_next_seat
            )
            yield SystemCommand("Save game", "Write the save file now", self.action_save)
            yield SystemCommand("Save game as…", "Write the game to a file of your choice", self.action_save_as)
            yield SystemCommand("Load game…", "Replace this game by a saved one", self.action_load)
        if self.mode in ("play", "replay"):
            yield SystemCommand("After-action report", "The debrief: outcome, levers, prompts (r)", self.action_report)
        yield SystemCommand("Rules", "The rulebook", self.action_rules)
        yield SystemCommand("High-contrast theme", "Toggle the high-contrast colours (F2)", self.action_toggle_contrast)


# ---------------------------------------------------------------------------- entry points


def build_play_app(
    scenario_path: str | Path | None = None,
    as_role: str | None = None,
    seats_spec: str | None = None,
    seed: int = 1,
    load_path: str | Path | None = None,
    save_dir: str | Path = "saves",
    theme: str | None = None,
    gm_passphrase: str | None = None,
    ask_gm_passphrase: bool = False,
) -> WedgeApp:
    """The app for ``wedge play`` (an error screen if the game cannot be opened).

    `gm_passphrase` (or `ask_gm_passphrase`: asked for in the UI before play) makes a
    facilitator seat in a game that is not ``--as gm``: the console asks for it."""
    try:
        session, seats = open_play(scenario_path or DEFAULT_SCENARIO, as_role, seats_spec, seed, load_path, save_dir)
    except OpenError as exc:
        return WedgeApp(error=exc, theme=theme)
    if seats.as_role == GM:  # the facilitator's own terminal: the seat needs no passphrase
        gm_passphrase, ask_gm_passphrase = None, False
    return WedgeApp(session, seats, theme=theme, gm_passphrase=gm_passphrase, ask_gm_passphrase=ask_gm_passphrase)


def build_replay_app(path: str | Path, game_index: int | None = None, theme: str | None = None) -> WedgeApp:
    try:
        session = open_replay(path, game_index)
    except OpenError as exc:
        return WedgeApp(error=exc, theme=theme)
    return WedgeApp(session, theme=theme)


def run_play(
    scenario_path: str | Path | None,
    as_role: str | None,
    seats_spec: str | None,
    seed: int,
    load_path: str | Path | None,
    gm_passphrase: str | None = None,
    ask_gm_passphrase: bool = False,
) -> int:
    """``wedge play``: returns the process exit code (1 if the game could not be opened)."""
    app = build_play_app(
        scenario_path,
        as_role,
        seats_spec,
        seed,
        load_path,
        gm_passphrase=gm_passphrase,
        ask_gm_passphrase=ask_gm_passphrase,
    )
    app.run()
    return app.return_code or 0


def build_menu_app(options: StartOptions | None = None, theme: str | None = None) -> WedgeApp:
    """The app for a bare ``wedge play``: the start menu (new game, continue the autosave,
    open a save or a replay), then the game chosen."""
    options = options or StartOptions()
    return WedgeApp(
        theme=theme, menu=options, gm_passphrase=options.gm_passphrase, ask_gm_passphrase=options.ask_gm_passphrase
    )


def run_menu(options: StartOptions | None = None) -> int:
    """A bare ``wedge play``: the start menu, then the game chosen there."""
    app = build_menu_app(options)
    app.run()
    return app.return_code or 0


def run_replay(path_or_playtest_dir: str | Path, game_index: int | None = None) -> int:
    """``wedge replay FILE`` / ``wedge replay DIR --game N`` in the viewer."""
    app = build_replay_app(path_or_playtest_dir, game_index)
    app.run()
    return app.return_code or 0
