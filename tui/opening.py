"""Opening a game for the UI: a new game, a save, or a replay (save file or playtest game).

Every failure becomes :class:`OpenError` whose text is the engine's own precise reason
(``FILE:LINE:COL: ...`` for scenarios, ``FILE: ...`` for saves), shown on an error
screen — never a traceback.
"""

from __future__ import annotations

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
