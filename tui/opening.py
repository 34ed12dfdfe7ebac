"""Opening a game for the UI: a new game, a save, or a replay (save file or playtest game).

Every failure becomes :class:`OpenError` whose text is the engine's own precise reason
(``FILE:LINE:COL: ...`` for scenarios, ``FILE: ...`` for saves), shown on an error
screen — never a traceback.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from game.errors import WedgeError
from game.record import GameRecord, load_save, record_from_commands
from tui.seats import Seats, resolve_seats
from tui.session import LocalSession, ReplaySession, default_save_path


class OpenError(Exception):
    """A game that could not be opened; ``title`` says what was being opened, ``str()`` why."""

    def __init__(self, title: str, reason: str) -> None:
        self.title = title
        self.reason = reason
        super().__init__(reason)


def open_play(
    scenario_path: str | Path,
    as_role: str | None,
    seats_spec: str | None,
    seed: int,
    load_path: str | Path | None,
    save_dir: str | Path = "saves",
) -> tuple[LocalSession, Seats]:
    """A LocalSession (new or loaded) and its seats; raises OpenError."""
    save_path = default_save_path(save_dir)
    if load_path is not None:
        try:
            session = LocalSession.from_save(load_path, save_path)
        except WedgeError as exc:
            raise OpenError(f"Cannot load the save {load_path}", str(exc)) from None
    else:
        try:
            session = LocalSession.new(scenario_path, seed, save_path)
        except WedgeError as exc:
            raise OpenError(f"Cannot load the scenario {scenario_path}", str(exc)) from None
    try:
        seats = resolve_seats(session.compiled, as_role, seats_spec, session.view("public"))
    except WedgeError as exc:
        raise OpenError("Bad seats", str(exc)) from None
    return session, seats


def open_replay(path: str | Path, game_index: int | None = None) -> ReplaySession:
    """A replay of a save file, or of game `game_index` of a playtest directory; raises OpenError."""
    p = Path(path)
    try:
        if p.is_dir():
            record = _playtest_record(p, game_index or 0)
            title = f"{p} — game {game_index or 0}"
        else:
            record = load_save(p)
            title = str(p)
        return ReplaySession(record, title)
    except WedgeError as exc:
        raise OpenError(f"Cannot replay {path}", str(exc)) from None


def _playtest_record(path: Path, index: int) -> GameRecord:
    from game.playtest.directory import PlaytestDir

    store = PlaytestDir(path)
    meta = store.read_meta()
    row = store.find(index)
    sc = store.compiled(meta)
    record = record_from_commands(
        sc, int(row["seed"]), list(row["commands"]), {"playtest": str(path), "game": index, "agents": meta.agents}
    )
    want = row.get("state_hash")
    got = record.hashes[-1] if record.hashes else record.initial_hash
    if want and want != got:
        raise OpenError(
            f"Cannot replay {path}", f"{path}: game {index} replays to state {got[:12]}, not the recorded {want[:12]}"
        )
    return record


# ------------------------------------------------------------------------ the start menu

#: where ``wedge play`` finds its scenarios: the repository's (next to the package), and the
#: working directory's ``scenarios/`` when it is another one
PACKAGE_SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@dataclass(frozen=True)
class StartOptions:
    """What a bare ``wedge play`` opens the start menu with: the command line's other options
    (a seat, seats, a seed, a facilitator passphrase) pre-fill the new-game form."""

    as_role: str | None = None
    seats: str | None = None
    seed: int | None = None
    gm_passphrase: str | None = None
    ask_gm_passphrase: bool = False
    save_dir: Path = Path("saves")
    scenario_dirs: tuple[Path, ...] = (PACKAGE_SCENARIOS, Path("scenarios"))


@dataclass(frozen=True)
class ScenarioChoice:
    """A scenario file that loads (validated), as the new-game form offers it."""

    path: Path
    title: str
    turns: int
    #: (role id, role name), in the scenario's order
    roles: tuple[tuple[str, str], ...]

    @property
    def label(self) -> str:
        return f"{self.path.name} ({self.turns} turns)"


def find_scenarios(dirs: Sequence[Path]) -> tuple[list[ScenarioChoice], list[tuple[Path, str]]]:
    """The ``*.yaml`` files of `dirs` that load as scenarios (validated, through the cache), and
    the others with the first line of the reason (a doctrine file, a scenario with an error)."""
    from game.scenario.cache import load_scenario_cached

    found: list[ScenarioChoice] = []
    refused: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.yaml")):
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            try:
                sc = load_scenario_cached(path)
            except (WedgeError, OSError) as exc:
                refused.append((path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
                continue
            roles = tuple((r.id, r.name) for r in sc.roles)
            found.append(ScenarioChoice(path, sc.scenario.title, sc.rules.turns, roles))
    # the standard scenario first: it is what `wedge play SCENARIO` defaults to
    found.sort(key=lambda s: (s.path.name != "standard.yaml", s.path.name))
    return found, refused


def saves_in(save_dir: Path) -> list[Path]:
    """The save files (``*.json``) of `save_dir`, the most recently written first."""
    if not save_dir.is_dir():
        return []
    files = [p for p in save_dir.glob("*.json") if p.is_file()]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)


def latest_autosave(save_dir: Path) -> Path | None:
    """The autosave written last (``autosave-*.json``): the game played most recently."""
    return next((p for p in saves_in(save_dir) if p.name.startswith("autosave-")), None)


def describe_save(path: Path) -> str:
    """One line about a save — scenario, turn and phase, seed, commands — or OpenError with the
    engine's reason (every state hash is checked)."""
    from game.record import final_state

    try:
        record = load_save(path)
        state = final_state(record, verify=True)
    except WedgeError as exc:
        raise OpenError(f"Cannot load the save {path}", str(exc)) from None
    model = record.sc.model
    phase = "game over" if state.over else state.phase
    return (
        f"{model.scenario.title} · turn {state.turn}/{model.rules.turns} {phase} · "
        f"seed {record.seed} · {len(record.commands)} commands"
    )


def new_seed() -> int:
    """A fresh seed for a new game (as ``wedge play`` picks when --seed is not given)."""
    return secrets.randbelow(1_000_000) + 1
