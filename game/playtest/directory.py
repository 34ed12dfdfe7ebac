"""The playtest output directory: ``meta.json`` plus one JSON line per finished game.

``meta.json`` pins what the batch *is* — the scenario (embedded, with its content
hash, so replays work even after the YAML changes), the master seed and the
canonical seat spec — plus a log of the runs that filled it. ``games.jsonl`` gets
whole lines appended as games finish, in completion order, so a killed run loses at
most the chunks in flight; a torn last line (power cut, ``kill -9``) is cut off the
next time the directory is opened. Re-running into the same directory resumes:
games already on disk (by index) are skipped, and a different scenario, seed or
seat spec is refused rather than silently mixing two batches.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from game.compiled import Compiled, content_hash
from game.engine import compiled
from game.playtest.errors import PlaytestError
from game.scenario.models import Scenario

META, GAMES, CSV, SUMMARY = "meta.json", "games.jsonl", "games.csv", "summary.json"
FORMAT: Literal["wedge-playtest"] = "wedge-playtest"
VERSION = 1


def wedge_version() -> str:
    try:
        return metadata.version("wedge")
    except metadata.PackageNotFoundError:
        return "unknown"


class RunLog(BaseModel):
    """One invocation that added games to the directory."""

    started: str
    games_requested: int
    games_before: int
    played: int = 0
    backend: str
    workers: int
    interrupted: bool = False
    seconds: float = 0.0


class Meta(BaseModel):
    model_config = ConfigDict(extra="allow")

    format: Literal["wedge-playtest"]
    version: int = Field(ge=1)
    scenario_path: str
    scenario_hash: str
    scenario: dict[str, Any]
    seed: int = Field(ge=0, lt=2**63)
    agents: str
    wedge_version: str
    games: int = Field(ge=0)
    runs: list[RunLog] = Field(default_factory=list)
    doctrine_hash: str = ""  # heuristic seats' doctrine files (absent in directories made before it)


@dataclass(frozen=True)
class BatchSpec:
    """What makes two batches the same batch (and so resumable into one directory)."""

    scenario_path: str
    model: Scenario
    seed: int
    agents: str  # canonical

    @property
    def scenario_hash(self) -> str:
        return content_hash(self.model)

    def doctrine_hash(self) -> str:
        """SHA-256 of the doctrine files the batch's heuristic seats read ("" when none).

        A doctrine is strategy kept outside the scenario and the seat spec: without this, a
        batch resumed after a doctrine edit would mix games of two strategies unnoticed."""
        from game.agents.heuristic import doctrine_for
        from game.agents.registry import parse_agents

        sc = compiled(self.model)
        seats = parse_agents(self.agents, sc).values()
        paths = sorted(
            {s.params.get("doctrine") or s.arg or str(doctrine_for(sc)) for s in seats if s.kind == "heuristic"}
        )
        if not paths:
            return ""
        h = hashlib.sha256()
        for path in paths:
            try:
                h.update(Path(path).read_bytes())
            except OSError:  # the agent itself reports an unreadable doctrine
                h.update(path.encode())
        return h.hexdigest()


class PlaytestDir:
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    @property
    def meta_path(self) -> Path:
        return self.path / META

    @property
    def games_path(self) -> Path:
        return self.path / GAMES

    # ------------------------------------------------------------------ meta

    def read_meta(self) -> Meta:
        if not self.path.is_dir():
            raise PlaytestError(f"{self.path}: no such playtest directory")
        try:
            raw = self.meta_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise PlaytestError(f"{self.path}: not a playtest directory (no {META})") from None
        except OSError as exc:
            raise PlaytestError(f"{self.meta_path}: cannot read: {exc.strerror or exc}") from None
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise PlaytestError(f"{self.meta_path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise PlaytestError(f"{self.meta_path}: not a Wedge playtest (no \"format\": \"{FORMAT}\")")
        try:
            meta = Meta.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise PlaytestError(f"{self.meta_path}: {where}: {err['msg']}") from None
        if meta.version > VERSION:
            raise PlaytestError(f"{self.meta_path}: playtest version {meta.version} is newer than this Wedge reads")
        return meta

    def write_meta(self, meta: Meta) -> None:
        """Atomically: an interrupted write leaves the previous meta.json intact."""
        tmp = self.meta_path.with_name(META + ".tmp")
        tmp.write_text(meta.model_dump_json(indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, self.meta_path)

    def scenario_model(self, meta: Meta | None = None) -> Scenario:
        meta = meta or self.read_meta()
        try:
            model = Scenario.model_validate(meta.scenario)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(x) for x in err["loc"])
            raise PlaytestError(f"{self.meta_path}: scenario.{where}: {err['msg']}") from None
        if content_hash(model) != meta.scenario_hash:
            raise PlaytestError(f"{self.meta_path}: the embedded scenario does not match its hash (edited?)")
        return model

    def compiled(self, meta: Meta | None = None) -> Compiled:
        return compiled(self.scenario_model(meta))

    def prepare(self, spec: BatchSpec, games: int, backend: str, workers: int) -> tuple[Meta, set[int]]:
        """Create the directory, or check it holds the same batch; return meta and the indices done."""
        doctrine = spec.doctrine_hash()
        new = {
            "scenario hash": spec.scenario_hash[:12],
            "seed": str(spec.seed),
            "agents spec": spec.agents,
            "doctrine (heuristic seats' file contents)": doctrine[:12],
        }
        if self.meta_path.exists():
            meta = self.read_meta()
            # Directories made before doctrines were recorded carry no hash: nothing to compare.
            recorded = meta.doctrine_hash if "doctrine_hash" in meta.model_fields_set else doctrine
            old = {"scenario hash": meta.scenario_hash[:12], "seed": str(meta.seed), "agents spec": meta.agents,
                   "doctrine (heuristic seats' file contents)": recorded[:12]}
            for what in new:
                if old[what] != new[what]:
                    raise PlaytestError(
                        f"{self.path} was made with a different {what} ({old[what]!r}, not {new[what]!r}); "
                        "resume with the original settings or choose another --out"
                    )
            done = self.scan()
            meta.games = max(meta.games, games)
        else:
            if self.path.exists() and not self.path.is_dir():
                raise PlaytestError(f"{self.path}: exists and is not a directory")
            if self.path.is_dir() and any(self.path.iterdir()):
                raise PlaytestError(f"{self.path}: directory is not empty and holds no {META}; choose another --out")
            self.path.mkdir(parents=True, exist_ok=True)
            meta = Meta(
                format=FORMAT,
                version=VERSION,
                scenario_path=spec.scenario_path,
                scenario_hash=spec.scenario_hash,
                scenario=spec.model.model_dump(mode="json", by_alias=True),
                seed=spec.seed,
                agents=spec.agents,
                wedge_version=wedge_version(),
                games=games,
                doctrine_hash=doctrine,
            )
            done = set()
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        meta.runs.append(
            RunLog(started=now, games_requested=games, games_before=len(done), backend=backend, workers=workers)
        )
        self.write_meta(meta)
        return meta, done

    # ----------------------------------------------------------------- games

    def repair_tail(self) -> None:
        """Cut a torn last line (a write interrupted by a crash) so appends stay line-aligned."""
        p = self.games_path
        try:
            size = p.stat().st_size
        except FileNotFoundError:
            return
        if size == 0:
            return
        with open(p, "rb+") as f:
            f.seek(size - 1)
            if f.read(1) == b"\n":
                return
            step = 1 << 16
            pos = size
            while pos > 0:
                start = max(0, pos - step)
                f.seek(start)
                block = f.read(pos - start)
                cut = block.rfind(b"\n")
                if cut >= 0:
                    f.truncate(start + cut + 1)
                    return
                pos = start
            f.truncate(0)

    def lines(self) -> Iterator[tuple[int, str]]:
        """(line number, text) of each whole line in games.jsonl."""
        try:
            f = open(self.games_path, encoding="utf-8")  # noqa: SIM115 - closed below; a generator
        except FileNotFoundError:
            return
        with f:
            for n, line in enumerate(f, 1):
                if line.endswith("\n") and line.strip():
                    yield n, line

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every row on disk, in file (completion) order, each index once."""
        seen: set[int] = set()
        for n, line in self.lines():
            try:
                row = json.loads(line)
                index = int(row["index"])
            except (json.JSONDecodeError, KeyError, TypeError, ValueError):
                raise PlaytestError(f"{self.games_path}:{n}: not a game row") from None
            if index in seen:
                continue
            seen.add(index)
            yield row

    def scan(self) -> set[int]:
        """Indices of the games on disk (after cutting a torn last line)."""
        self.repair_tail()
        return {int(row["index"]) for row in self.rows()}

    def find(self, index: int) -> dict[str, Any]:
        for row in self.rows():
            if row["index"] == index:
                return row
        done = self.scan()
        have = f"{len(done)} games on disk, indices {min(done)}–{max(done)}" if done else "no games on disk"
        raise PlaytestError(f"{self.path}: no game {index} ({have})")

    def appender(self) -> Appender:
        self.repair_tail()
        return Appender(self.games_path)


class Appender:
    """Appends whole lines with one ``os.write`` per chunk, so lines never interleave or tear
    (short of a crash mid-syscall, which the next open repairs)."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, lines: list[str]) -> None:
        data = "".join(lines).encode("utf-8")
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
