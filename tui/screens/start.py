"""The start menu of a bare ``wedge play``: a new game, the last autosave, or a save or replay.

* **New game** — a scenario (the ``scenarios/*.yaml`` files that load, validated), a seed
  (random, shown, editable), the seat this terminal plays (a role or the facilitator) and
  who plays each role (a person at this keyboard or a computer agent), and an optional
  facilitator passphrase for a game played at one keyboard.
* **Continue** — the autosave written last (``saves/autosave-*.json``), checked before it is
  offered: a save that no longer replays says why instead.
* **Open a save or replay** — any save file: resume playing it, or watch it in the replay
  viewer.

``wedge play SCENARIO`` (or ``--load``) starts a game directly, as before; the menu is only
for ``wedge play`` with neither. Its other options (``--as``, ``--seats``, ``--seed``,
``--gm``) fill in the new-game form.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from game.agents.registry import AgentSpecError, parse_named_seats
from tui.literal import literal
from tui.opening import (
    OpenError,
    ScenarioChoice,
    StartOptions,
    describe_save,
    find_scenarios,
    latest_autosave,
    new_seed,
    saves_in,
)
from tui.seats import GM, HUMAN, ai_kinds, default_ai
from tui.widgets.footer import KeyFooter

if TYPE_CHECKING:
    from tui.app import WedgeApp

NEW, CONTINUE, OPEN, QUIT = "new", "continue", "open", "quit"
FACILITATOR_LABEL = "The facilitator (the console; the seats below play)"


class _MenuScreen(Screen[None]):
    @property
    def wedge(self) -> WedgeApp:
        return cast("WedgeApp", self.app)

    def _failed(self, exc: OpenError) -> None:
        from tui.screens.dialogs import ErrorModal

        self.app.push_screen(ErrorModal(exc.title, exc.reason))


class StartScreen(_MenuScreen):
    """What to do: a new game, the last autosave, a save or a replay, or quit."""

    DEFAULT_CSS = """
    StartScreen { align: center middle; }
    StartScreen #start-box { width: 80; max-width: 100%; height: auto; max-height: 100%; padding: 0 1; }
    StartScreen #start-title { text-style: bold; margin-bottom: 1; }
    StartScreen #start-menu { height: auto; max-height: 14; }
    StartScreen #start-hint { color: $text-muted; margin-top: 1; }
    """
    BINDINGS = [
        Binding("n", "choose('new')", "New game"),
        Binding("c", "choose('continue')", "Continue"),
        Binding("o", "choose('open')", "Open…"),
        Binding("q", "app.quit", "Quit"),
    ]
    FOOTER_KEEP = ("choose('new')", "choose('continue')", "choose('open')")

    def __init__(self, options: StartOptions) -> None:
        super().__init__(id="start")
        self.options = options
        self.autosave: Path | None = latest_autosave(options.save_dir)
        self.autosave_problem = ""
        #: the autosave has been replayed and checked (just after the first frame)
        self.checked = False

    def compose(self) -> ComposeResult:
        with Vertical(id="start-box"):
            yield Static("Wedge — can the United States pry apart the Russia–PRC alignment?", id="start-title")
            yield OptionList(
                Option(Text.assemble(("New game", "bold"), "  choose the scenario, the seed and the seats"), id=NEW),
                Option(self._continue_label(), id=CONTINUE, disabled=self.autosave is None),
                Option(Text.assemble(("Open a save or replay…", "bold"), "  resume a saved game or watch it"), id=OPEN),
                Option(Text("Quit", style="bold"), id=QUIT),
                id="start-menu",
            )
            yield Static(
                "↑/↓ and Enter, or n / c / o. `wedge play SCENARIO` starts a game directly.", id="start-hint"
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        if self.autosave is not None:
            self.call_after_refresh(self._check_autosave)  # it is replayed: after the first frame

    def _continue_label(self, detail: str = "") -> Text:
        out = Text()
        out.append("Continue", style="bold")
        if self.autosave is None:
            out.append(f"  no autosave in {self.options.save_dir}/ yet", style="dim")
            return out
        out.append_text(literal(f"  {self.autosave.name}"))
        if detail:
            out.append("\n  ")
            out.append_text(literal(detail, style="dim"))
        return out

    def _check_autosave(self) -> None:
        """Replay the autosave (every state hash checked) and say what it holds, or why it cannot
        be continued (a save from an older engine, a file cut short)."""
        assert self.autosave is not None
        menu = self.query_one(OptionList)
        try:
            detail = describe_save(self.autosave)
        except OpenError as exc:
            self.autosave_problem = exc.reason
            menu.replace_option_prompt(CONTINUE, self._continue_label(f"cannot be continued: {exc.reason}"))
            menu.disable_option(CONTINUE)
        else:
            menu.replace_option_prompt(CONTINUE, self._continue_label(detail))
        self.checked = True

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.action_choose(event.option.id)

    def action_choose(self, what: str) -> None:
        if what == NEW:
            self.app.push_screen(NewGameScreen(self.options))
        elif what == CONTINUE:
            self._continue()
        elif what == OPEN:
            self.app.push_screen(OpenScreen(self.options))
        elif what == QUIT:
            self.app.exit(return_code=0)

    def _continue(self) -> None:
        if self.autosave is None:
            self.notify(f"No autosave in {self.options.save_dir}/ yet: start a new game.", severity="warning")
            return
        if self.autosave_problem:
            self._failed(OpenError(f"Cannot continue {self.autosave.name}", self.autosave_problem))
            return
        try:
            self.wedge.open_game(None, None, None, 0, load_path=self.autosave)
        except OpenError as exc:
            self._failed(exc)


class NewGameScreen(_MenuScreen):
    """Scenario, seed and seats of a new game."""

    DEFAULT_CSS = """
    NewGameScreen #new-form { padding: 0 1; }
    NewGameScreen .new-title { text-style: bold; margin-bottom: 1; }
    NewGameScreen .new-row { height: auto; margin-bottom: 0; }
    NewGameScreen .new-label { width: 28; padding: 0 1 0 0; }
    NewGameScreen .new-row > Select { width: 1fr; }
    NewGameScreen .new-row > Input { width: 1fr; }
    NewGameScreen .new-row > Button { width: auto; min-width: 8; margin: 0 0 0 1; }
    NewGameScreen #new-seed { width: 16; }
    NewGameScreen .new-note { color: $text-muted; padding: 0 0 0 28; height: auto; }
    NewGameScreen #new-seats { height: auto; }
    NewGameScreen #new-error { color: $error; text-style: bold; height: auto; }
    NewGameScreen #new-buttons { height: auto; margin-top: 1; }
    NewGameScreen #new-buttons > Button { margin: 0 2 0 0; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+s", "start", "Start"),
        Binding("ctrl+r", "reseed", "Another seed"),
    ]
    FOOTER_KEEP = ("start", "back", "reseed")

    def __init__(self, options: StartOptions) -> None:
        super().__init__(id="new-game")
        self.options = options
        self.scenarios, self.refused = find_scenarios(options.scenario_dirs)
        self.seed = options.seed if options.seed is not None else new_seed()

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="new-form"):
            yield Static("New game", classes="new-title")
            if not self.scenarios:
                yield Static("No scenario loads: see the reasons below.", id="new-error")
            choices = [(literal(s.label), str(i)) for i, s in enumerate(self.scenarios)]
            with Horizontal(classes="new-row"):
                yield Label("Scenario", classes="new-label")
                yield Select(choices, value="0" if choices else Select.NULL, allow_blank=not choices,
                             id="new-scenario", compact=True)
            yield Static(id="new-title", classes="new-note")
            with Horizontal(classes="new-row"):
                yield Label("Seed", classes="new-label")
                yield Input(str(self.seed), id="new-seed", type="integer", compact=True)
                yield Button("Another seed", id="new-reseed", compact=True)
            with Horizontal(classes="new-row"):
                yield Label("This keyboard plays", classes="new-label")
                yield Select(self._as_options(), allow_blank=True, id="new-as", compact=True)
            yield Vertical(id="new-seats")
            with Horizontal(classes="new-row", id="new-passphrase-row"):
                yield Label("Facilitator passphrase", classes="new-label")
                yield Input(password=True, placeholder="optional: opens the console (g) at this keyboard",
                            id="new-passphrase", compact=True)
            yield Static(id="new-error")
            with Horizontal(id="new-buttons"):
                yield Button("Start the game", id="new-start", variant="primary", compact=True)
                yield Button("Back", id="new-back", compact=True)
            if self.refused:
                skipped = "; ".join(f"{p.name} ({why.split(': ')[-1]})" for p, why in self.refused)
                yield Static(literal(f"Not offered (not scenarios that load): {skipped}"), classes="new-note",
                             id="new-refused")
        yield KeyFooter()

    async def on_mount(self) -> None:
        await self._fill_seats()
        self.query_one("#new-scenario", Select).focus()

    # -- the form --------------------------------------------------------------------
    @property
    def scenario(self) -> ScenarioChoice | None:
        value = self.query_one("#new-scenario", Select).value
        if value == Select.NULL or not self.scenarios:
            return None
        return self.scenarios[int(str(value))]

    def _as_options(self) -> list[tuple[Text, str]]:
        """Who this keyboard plays: each role of the scenario chosen, or the facilitator."""
        sc = self.scenario if self.is_mounted else (self.scenarios[0] if self.scenarios else None)
        if sc is None:
            return []
        return [(literal(name), rid) for rid, name in sc.roles] + [(literal(FACILITATOR_LABEL), GM)]

    def _prefilled(self, roles: list[str]) -> tuple[str, dict[str, str]]:
        """The seat and the controllers the command line asked for (``--as``, ``--seats``)."""
        named: dict[str, str] = {}
        if self.options.seats:
            try:
                named = {r: s.text for r, s in parse_named_seats(self.options.seats, tuple(roles), humans=True).items()}
            except AgentSpecError:
                named = {}
        mine = self.options.as_role
        if mine != GM and mine not in roles:
            humans = [r for r in roles if named.get(r) == HUMAN]
            mine = humans[0] if humans else ("us" if "us" in roles else roles[0])
        return mine or roles[0], named

    async def _fill_seats(self) -> None:
        """One row per role of the scenario: a person or a computer agent."""
        sc = self.scenario
        box = self.query_one("#new-seats", Vertical)
        await box.remove_children()
        as_select = self.query_one("#new-as", Select)
        if sc is None:
            as_select.set_options([])
            return
        roles = [r for r, _ in sc.roles]
        mine, named = self._prefilled(roles)
        with as_select.prevent(Select.Changed):
            as_select.set_options(self._as_options())
            as_select.value = mine
        kinds = [HUMAN, *ai_kinds()]
        default = default_ai()
        rows = []
        for rid, name in sc.roles:
            controller = named.get(rid, default)
            options = [(literal("a person at this keyboard" if k == HUMAN else f"the computer: {k}"), k) for k in kinds]
            if controller not in kinds:
                options.append((literal(f"the computer: {controller}"), controller))
            select = Select(options, value=controller, allow_blank=False, id=f"new-seat-{rid}", compact=True)
            rows.append(Horizontal(Label(literal(name), classes="new-label"), select, classes="new-row"))
        await box.mount_all(rows)
        self.query_one("#new-title", Static).update(literal(f"{sc.title}. The same seed gives the same game."))
        self._seat_changed()

    def _seat_changed(self) -> None:
        """The keyboard's own role is played by a person; the passphrase is for a shared keyboard."""
        sc = self.scenario
        if sc is None:
            return
        mine = self.query_one("#new-as", Select).value
        for rid, _ in sc.roles:
            select = self.query_one(f"#new-seat-{rid}", Select)
            if rid == mine:
                select.value = HUMAN
            select.disabled = rid == mine
        self.query_one("#new-passphrase-row").display = mine != GM

    def seats_spec(self) -> str:
        sc = self.scenario
        if sc is None:
            return ""
        return ",".join(f"{rid}={self.query_one(f'#new-seat-{rid}', Select).value}" for rid, _ in sc.roles)

    async def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "new-scenario":
            event.stop()
            await self._fill_seats()
        elif event.select.id == "new-as":
            event.stop()
            self._seat_changed()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "new-start":
            self.action_start()
        elif event.button.id == "new-reseed":
            self.action_reseed()
        elif event.button.id == "new-back":
            self.action_back()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_start()

    def action_reseed(self) -> None:
        self.query_one("#new-seed", Input).value = str(new_seed())

    def action_back(self) -> None:
        self.app.pop_screen()

    def _error(self, text: str) -> None:
        self.query_one("#new-error", Static).update(Text(f"✗ {text}", style="bold") if text else "")

    def action_start(self) -> None:
        sc = self.scenario
        if sc is None:
            self._error("choose a scenario")
            return
        text = self.query_one("#new-seed", Input).value.strip()
        try:
            seed = int(text)
        except ValueError:
            seed = -1
        if not 0 <= seed < 2**63:
            self._error(f"the seed must be a whole number from 0 (got {text!r})")
            self.query_one("#new-seed", Input).focus()
            return
        mine = str(self.query_one("#new-as", Select).value)
        passphrase = self.query_one("#new-passphrase", Input).value if mine != GM else ""
        try:
            self.wedge.open_game(sc.path, mine, self.seats_spec(), seed, gm_passphrase=passphrase or None)
        except OpenError as exc:
            self._error(f"{exc.title}: {exc.reason}")


class OpenScreen(_MenuScreen):
    """A save file: resume playing it, or watch it in the replay viewer."""

    DEFAULT_CSS = """
    OpenScreen #open-box { padding: 0 1; }
    OpenScreen .open-title { text-style: bold; margin-bottom: 1; }
    OpenScreen #open-files { height: auto; max-height: 10; }
    OpenScreen #open-path { margin-top: 1; }
    OpenScreen #open-about { height: auto; color: $text-muted; }
    OpenScreen #open-error { height: auto; color: $error; text-style: bold; }
    OpenScreen #open-buttons { height: auto; margin-top: 1; }
    OpenScreen #open-buttons > Button { margin: 0 2 0 0; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("ctrl+o", "open('play')", "Resume"),
        Binding("ctrl+r", "open('replay')", "Replay"),
    ]
    FOOTER_KEEP = ("open('play')", "open('replay')", "back")

    def __init__(self, options: StartOptions) -> None:
        super().__init__(id="open-save")
        self.options = options
        self.files = saves_in(options.save_dir)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="open-box"):
            yield Static("Open a save or replay", classes="open-title")
            if self.files:
                yield Static(literal(f"Saves in {self.options.save_dir}/, the latest first:"), classes="open-note")
                yield OptionList(*[Option(self._file_label(p), id=str(i)) for i, p in enumerate(self.files)],
                                 id="open-files")
            else:
                yield Static(literal(f"No saves in {self.options.save_dir}/: type a path below."), id="open-files")
            yield Input(str(self.files[0]) if self.files else "", placeholder="path of a save file (.json)",
                        id="open-path")
            yield Static(id="open-about")
            yield Static(id="open-error")
            with Horizontal(id="open-buttons"):
                yield Button("Resume playing", id="open-play", variant="primary", compact=True)
                yield Button("Watch the replay", id="open-replay", compact=True)
                yield Button("Back", id="open-back", compact=True)
        yield KeyFooter()

    @staticmethod
    def _file_label(path: Path) -> Text:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(path.stat().st_mtime))
        out = literal(path.name)
        out.append(f"  {when}", style="dim")
        return out

    def on_mount(self) -> None:
        target = self.query_one("#open-files") if self.files else self.query_one("#open-path")
        target.focus()
        if self.files:
            self._about(self.files[0])

    def _about(self, path: Path) -> bool:
        """Say what the save holds (or why it cannot be used); True if it loads."""
        about, error = self.query_one("#open-about", Static), self.query_one("#open-error", Static)
        try:
            about.update(literal(describe_save(path)))
        except OpenError as exc:
            about.update("")
            error.update(literal(f"✗ {exc.reason}"))
            return False
        error.update("")
        return True

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        if event.option.id is not None:
            path = self.files[int(event.option.id)]
            self.query_one("#open-path", Input).value = str(path)
            self._about(path)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open("play")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open("play")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "open-play":
            self.action_open("play")
        elif event.button.id == "open-replay":
            self.action_open("replay")
        elif event.button.id == "open-back":
            self.action_back()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_open(self, how: str) -> None:
        text = self.query_one("#open-path", Input).value.strip()
        if not text:
            self.query_one("#open-error", Static).update("✗ Choose a save or type its path.")
            return
        path = Path(text).expanduser()
        if not self._about(path):
            return
        try:
            if how == "replay":
                self.wedge.open_replay_file(path)
            else:
                self.wedge.open_game(None, None, None, 0, load_path=path)
        except OpenError as exc:
            self.query_one("#open-error", Static).update(literal(f"✗ {exc.title}: {exc.reason}"))
