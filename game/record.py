"""Game records: save files and verified replay.

A game is scenario + seed + the ordered commands. A save file is versioned JSON
holding the scenario itself (so a save replays even if the YAML later changes),
its content hash, the seed, every accepted command, and the state hash after
each command so that replay can point at the first command whose result differs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from game import safejson
from game.compiled import Compiled, content_hash
from game.engine import compiled
from game.errors import IllegalCommand, WedgeError
from game.hashing import state_hash
from game.rules import apply, new_game
from game.scenario.models import Scenario
from game.state import GameState

SAVE_FORMAT = "wedge-save"
#: 2: the header records the command count and the final state hash (a save cut short
#: after its last complete command would otherwise still verify). Version 1 saves load.
SAVE_VERSION = 2
MAX_SAVE_BYTES = 64 * 1024 * 1024


class SaveError(WedgeError):
    """A save file that cannot be used, with the file and the problem in one line."""


class ReplayMismatch(WedgeError):
    def __init__(self, index: int, command: str, expected: str, actual: str) -> None:
        self.index, self.command, self.expected, self.actual = index, command, expected, actual
        super().__init__(f"command {index + 1} ({command}): state hash {actual} differs from the recorded {expected}")


class SaveFile(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    format: Literal["wedge-save"]
    version: int = Field(ge=1)
    scenario: dict[str, Any]
    scenario_hash: str
    seed: int = Field(ge=0, lt=2**63)
    commands: list[str]
    hashes: list[str]
    initial_hash: str
    length: int | None = Field(None, ge=0)  # version 2: the number of commands
    final_hash: str | None = None  # version 2: the state hash after the last command
    meta: dict[str, Any] = Field(default_factory=dict)


@dataclass
class GameRecord:
    """A live game: the compiled scenario, seed, accepted commands and their hashes."""

    sc: Compiled
    seed: int
    commands: list[str]
    hashes: list[str]
    initial_hash: str
    meta: dict[str, Any]

    @classmethod
    def start(cls, sc: Compiled, seed: int, meta: dict[str, Any] | None = None) -> tuple[GameRecord, GameState]:
        s = new_game(sc, seed)
        return cls(sc, seed, [], [], state_hash(s), dict(meta or {})), s

    def accept(self, s: GameState, command: str) -> GameState:
        """Checked apply; on success the command and its state hash join the record."""
        out = apply(s, command)
        self.commands.append(command)
        self.hashes.append(state_hash(out))
        return out

    def to_json(self) -> str:
        save = SaveFile(
            format="wedge-save",
            version=SAVE_VERSION,
            scenario=self.sc.model.model_dump(mode="json", by_alias=True, exclude_defaults=False),
            scenario_hash=self.sc.content_hash,
            seed=self.seed,
            commands=self.commands,
            hashes=self.hashes,
            initial_hash=self.initial_hash,
            length=len(self.commands),
            final_hash=self.hashes[-1] if self.hashes else self.initial_hash,
            meta=self.meta,
        )
        return save.model_dump_json(indent=1) + "\n"

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write atomically: a crash mid-write leaves the previous save intact."""
        p = Path(path)
        tmp = p.with_name(p.name + ".tmp")
        tmp.write_text(self.to_json(), encoding="utf-8")
        os.replace(tmp, p)


def record_from_commands(
    sc: Compiled, seed: int, commands: list[str], meta: dict[str, Any] | None = None
) -> GameRecord:
    rec, s = GameRecord.start(sc, seed, meta)
    for c in commands:
        s = rec.accept(s, c)
    return rec


def load_save(path: str | os.PathLike[str]) -> GameRecord:
    p = Path(path)
    name = str(path)
    try:
        size = p.stat().st_size
        if size > MAX_SAVE_BYTES:
            raise SaveError(f"{name}: file is {size} bytes; the limit is {MAX_SAVE_BYTES}")
        raw = p.read_bytes()
    except OSError as exc:
        raise SaveError(f"{name}: cannot read: {exc.strerror or exc}") from None
    return parse_save(raw, name)


def parse_save(raw: bytes | str, name: str = "<save>") -> GameRecord:
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            raise SaveError(f"{name}: truncated (the file ends inside a character)") from None
        raise SaveError(f"{name}: not a Wedge save (not UTF-8 text at byte {exc.start})") from None
    if not text.strip():
        raise SaveError(f"{name}: empty file, not a Wedge save")
    try:
        data = safejson.loads(text)
    except safejson.JSONInputError as exc:
        if exc.lineno is None:  # valid JSON we refuse: nested too deep, a number too long, NaN
            raise SaveError(f"{name}: not a Wedge save: {exc}") from None
        # A whole save always ends with its closing brace; anything else was cut short.
        hint = "truncated" if text.lstrip().startswith("{") and not text.rstrip().endswith("}") else "not valid JSON"
        raise SaveError(f"{name}:{exc.lineno}:{exc.colno}: {hint}: {exc.reason}") from None
    if not isinstance(data, dict) or data.get("format") != SAVE_FORMAT:
        raise SaveError(f'{name}: not a Wedge save (no "format": "{SAVE_FORMAT}")')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SaveError(f"{name}: version must be a whole number, not {version!r}")
    if version > SAVE_VERSION:
        raise SaveError(f"{name}: save version {data['version']} is newer than this Wedge reads ({SAVE_VERSION})")
    try:
        save = SaveFile.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise SaveError(f"{name}: {where}: {err['msg']}") from None
    try:
        model = Scenario.model_validate(save.scenario)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"])
        raise SaveError(f"{name}: scenario.{where}: {err['msg']}") from None
    if content_hash(model) != save.scenario_hash:
        raise SaveError(f"{name}: the embedded scenario does not match its hash (the save was edited)")
    if len(save.hashes) != len(save.commands):
        raise SaveError(f"{name}: {len(save.commands)} commands but {len(save.hashes)} hashes (the save was edited)")
    _check_header(save, name)
    return GameRecord(compiled(model), save.seed, save.commands, save.hashes, save.initial_hash, save.meta)


def _check_header(save: SaveFile, name: str) -> None:
    """Version 2: the header's command count and final hash match the file, so a save cut
    short after a complete command (still valid JSON, every hash matching) is refused."""
    if save.version < 2:
        return
    if save.length is None or save.final_hash is None:
        raise SaveError(f"{name}: the header's command count or final state hash is missing (the save was edited)")
    last = save.hashes[-1] if save.hashes else save.initial_hash
    if save.length != len(save.commands) or save.final_hash != last:
        raise SaveError(
            f"{name}: truncated or edited: the header records {save.length} commands ending in state "
            f"{save.final_hash[:12]}, the file holds {len(save.commands)} ending in {last[:12]}"
        )


def replay(rec: GameRecord, verify: bool = True) -> Iterator[tuple[int, str, GameState]]:
    """Yield (index, command, state after it); with `verify`, raise ReplayMismatch at the
    first state whose hash differs from the record (index -1 is the initial state)."""
    s = new_game(rec.sc, rec.seed)
    if verify and state_hash(s) != rec.initial_hash:
        raise ReplayMismatch(-1, "(setup)", rec.initial_hash, state_hash(s))
    for i, command in enumerate(rec.commands):
        try:
            s = apply(s, command)
        except IllegalCommand as exc:
            raise SaveError(f"command {i + 1} ({command}) is refused on replay: {exc}") from None
        if verify:
            h = state_hash(s)
            if h != rec.hashes[i]:
                raise ReplayMismatch(i, command, rec.hashes[i], h)
        yield i, command, s


def final_state(rec: GameRecord, verify: bool = True) -> GameState:
    last = new_game(rec.sc, rec.seed)
    for _, _, state in replay(rec, verify):
        last = state
    return last
