"""The server's store of record: one SQLite database in WAL mode.

A game is its scenario (stored whole, by content hash, so it resumes even if the
YAML file changes), its seed, its seat tokens and the ordered commands with the state
hash after each one. A command counts as accepted only once its transaction has
committed with ``synchronous=FULL``, so an acknowledged command survives a crash of
the server process (or of the machine). Restarting replays every game from the
commands and checks each state hash.

All database work runs on one writer thread, which keeps the event loop free while
SQLite waits for the disk. Appends queued while a commit is in progress are written
together in the next transaction (group commit): one disk flush acknowledges many
commands from many games. The database is opened in exclusive locking mode, so a
second server cannot write to it at the same time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from game.errors import WedgeError
from game.record import GameRecord

SCHEMA_VERSION = 1
T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS scenarios(hash TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS games(
    id TEXT PRIMARY KEY,
    scenario_hash TEXT NOT NULL REFERENCES scenarios(hash),
    seed INTEGER NOT NULL,
    initial_hash TEXT NOT NULL,
    config TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS seats(
    game_id TEXT NOT NULL REFERENCES games(id),
    seat TEXT NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY(game_id, seat)
);
CREATE TABLE IF NOT EXISTS commands(
    game_id TEXT NOT NULL REFERENCES games(id),
    idx INTEGER NOT NULL,
    command TEXT NOT NULL,
    state_hash TEXT NOT NULL,
    seat TEXT NOT NULL,
    source TEXT NOT NULL,
    key TEXT,
    PRIMARY KEY(game_id, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS commands_key ON commands(game_id, seat, key) WHERE key IS NOT NULL;
"""


class StoreError(WedgeError):
    """The database cannot be opened or written; one line naming the file."""


@dataclass
class StoredCommand:
    idx: int
    command: str
    state_hash: str
    seat: str
    source: str
    key: str | None


@dataclass
class StoredGame:
    id: str
    scenario_hash: str
    scenario_json: str
    seed: int
    initial_hash: str
    config: dict[str, Any]
    created: float
    tokens: dict[str, str]
    commands: list[StoredCommand] = field(default_factory=list)


_STOP = object()
Op = Callable[[sqlite3.Connection], Any]
Row = tuple[str, int, str, str, str, str, str | None]  # a command: game, idx, text, hash, seat, source, key
_INSERT = "INSERT INTO commands(game_id, idx, command, state_hash, seat, source, key) VALUES(?,?,?,?,?,?,?)"
Done = Callable[[Any, BaseException | None], None]


class Store:
    """One database, one writer thread. Use :meth:`open`; call :meth:`close` at the end."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._queue: queue.Queue[object] = queue.Queue()
        self._thread: threading.Thread | None = None
        self.commits = 0
        self.appended = 0

    # -- lifecycle ----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Store:
        """Open (creating if needed) and lock the database; raises StoreError in one line."""
        store = cls(Path(path))
        ready: Future[None] = Future()
        store._thread = threading.Thread(target=store._run, args=(ready,), name="wedge-store", daemon=True)
        store._thread.start()
        ready.result()
        return store

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join(timeout=10)
        self._thread = None

    def _connect(self) -> sqlite3.Connection:
        p = self.path
        name = str(p)
        if p.is_dir():
            raise StoreError(f"cannot open database {name}: it is a directory")
        if not p.parent.exists():
            raise StoreError(f"cannot open database {name}: directory {p.parent} does not exist")
        new = not p.exists()
        try:
            con = sqlite3.connect(name, isolation_level=None, check_same_thread=True, timeout=0.2)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {name}: {exc}") from None
        try:
            if new:
                with contextlib.suppress(OSError):
                    os.chmod(name, 0o600)  # it holds the seat tokens
            con.execute("PRAGMA locking_mode=EXCLUSIVE")
            mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"cannot open database {name}: WAL mode is not available here")
            con.execute("PRAGMA synchronous=FULL")
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("BEGIN IMMEDIATE")  # takes the exclusive lock now, not at the first command
            for stmt in _SCHEMA.strip().split(";"):
                if stmt.strip():
                    con.execute(stmt)
            row = con.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                con.execute("INSERT INTO meta(key, value) VALUES('schema', ?)", (str(SCHEMA_VERSION),))
            elif int(row[0]) > SCHEMA_VERSION:
                raise StoreError(f"{name}: database schema {row[0]} is newer than this Wedge reads ({SCHEMA_VERSION})")
            con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            con.close()
            text = str(exc)
            if "locked" in text or "busy" in text:
                raise StoreError(f"cannot open database {name}: it is in use by another server") from None
            raise StoreError(f"cannot open database {name}: {text}") from None
        except StoreError:
            con.close()
            raise
        return con

    # -- writer thread ------------------------------------------------------------
    def _run(self, ready: Future[None]) -> None:
        try:
            con = self._connect()
        except StoreError as exc:
            ready.set_exception(exc)
            return
        ready.set_result(None)
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    return
                batch = [item]
                while True:  # group commit: everything queued meanwhile goes in this transaction
                    try:
                        nxt = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is _STOP:
                        self._queue.put(_STOP)
                        break
                    batch.append(nxt)
                self._transaction(con, batch)  # type: ignore[arg-type]
        finally:
            con.close()

    def _transaction(self, con: sqlite3.Connection, batch: list[tuple[Op | Row, Done]]) -> None:
        """One transaction for the whole batch. Appended commands go in with one
        ``executemany``: every SQLite call releases and retakes the interpreter lock, and
        under load each retake can wait for the event loop's turn, so fewer calls is faster."""
        rows = [item for item, _ in batch if isinstance(item, tuple)]
        results: list[tuple[Any, BaseException | None]] = []
        try:
            con.execute("BEGIN IMMEDIATE")
            bulk_ok = True
            if rows:
                con.execute("SAVEPOINT bulk")
                try:
                    con.executemany(_INSERT, rows)
                    con.execute("RELEASE bulk")
                except sqlite3.Error:
                    con.execute("ROLLBACK TO bulk")
                    con.execute("RELEASE bulk")
                    bulk_ok = False  # find the bad row(s) one by one below
            for i, (item, _) in enumerate(batch):
                if isinstance(item, tuple) and bulk_ok:
                    results.append((None, None))
                    continue
                con.execute(f"SAVEPOINT op{i}")
                try:
                    value = con.execute(_INSERT, item) if isinstance(item, tuple) else item(con)
                    results.append((None if isinstance(item, tuple) else value, None))
                    con.execute(f"RELEASE op{i}")
                except sqlite3.Error as exc:
                    con.execute(f"ROLLBACK TO op{i}")
                    con.execute(f"RELEASE op{i}")
                    results.append((None, StoreError(f"{self.path}: {exc}")))
            con.execute("COMMIT")
            self.commits += 1
            stored = [item for (item, _), (_, err) in zip(batch, results) if isinstance(item, tuple) and not err]
            self.appended += len(stored)
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            failure = StoreError(f"{self.path}: cannot write: {exc}")
            results = [(None, failure)] * len(batch)
        for (_, done), (value, error) in zip(batch, results):
            done(value, error)

    # -- submitting work -------------------------------------------------------------
    def run(self, op: Op) -> Any:
        """Run `op` in its own (group-committed) transaction and wait for it (blocking)."""
        fut: Future[Any] = Future()

        def done(value: Any, error: BaseException | None) -> None:
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(value)

        self._queue.put((op, done))
        return fut.result()

    def submit(self, op: Op | Row) -> asyncio.Future[Any]:
        """Run `op` (or insert a command row) in a transaction; the future resolves once it has committed."""
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()

        def resolve(value: Any, error: BaseException | None) -> None:
            if fut.done():
                return
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(value)

        def done(value: Any, error: BaseException | None) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(resolve, value, error)

        self._queue.put((op, done))
        return fut

    # -- operations ---------------------------------------------------------------------
    def append(
        self, game_id: str, idx: int, command: str, state_hash: str, seat: str, source: str, key: str | None
    ) -> asyncio.Future[Any]:
        """Store one accepted command; the future resolves once it is committed."""
        return self.submit((game_id, idx, command, state_hash, seat, source, key))

    def create_game(
        self,
        game_id: str,
        scenario_hash: str,
        scenario_json: str,
        seed: int,
        initial_hash: str,
        config: dict[str, Any],
        tokens: dict[str, str],
    ) -> asyncio.Future[Any]:
        return self.submit(_create_op(game_id, scenario_hash, scenario_json, seed, initial_hash, config, tokens))

    def create_game_sync(
        self,
        game_id: str,
        scenario_hash: str,
        scenario_json: str,
        seed: int,
        initial_hash: str,
        config: dict[str, Any],
        tokens: dict[str, str],
    ) -> None:
        self.run(_create_op(game_id, scenario_hash, scenario_json, seed, initial_hash, config, tokens))

    def meta(self, key: str) -> str | None:
        row = self.run(lambda con: con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone())
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.run(lambda con: con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", (key, value)))

    def load_games(self) -> list[StoredGame]:
        """Every game with its commands in order (for resuming at start-up)."""
        return list(self.run(_load_all))


def _create_op(
    game_id: str,
    scenario_hash: str,
    scenario_json: str,
    seed: int,
    initial_hash: str,
    config: dict[str, Any],
    tokens: dict[str, str],
) -> Op:
    def op(con: sqlite3.Connection) -> None:
        con.execute("INSERT OR IGNORE INTO scenarios(hash, body) VALUES(?,?)", (scenario_hash, scenario_json))
        con.execute(
            "INSERT INTO games(id, scenario_hash, seed, initial_hash, config, created) VALUES(?,?,?,?,?,?)",
            (game_id, scenario_hash, seed, initial_hash, json.dumps(config, sort_keys=True), time.time()),
        )
        con.executemany(
            "INSERT INTO seats(game_id, seat, token) VALUES(?,?,?)", [(game_id, s, t) for s, t in tokens.items()]
        )

    return op


def _load_all(con: sqlite3.Connection) -> list[StoredGame]:
    scenarios = dict(con.execute("SELECT hash, body FROM scenarios").fetchall())
    games: dict[str, StoredGame] = {}
    for gid, sh, seed, ih, config, created in con.execute(
        "SELECT id, scenario_hash, seed, initial_hash, config, created FROM games ORDER BY created, id"
    ):
        games[gid] = StoredGame(gid, sh, scenarios.get(sh, ""), int(seed), ih, json.loads(config), created, {})
    for gid, seat, token in con.execute("SELECT game_id, seat, token FROM seats ORDER BY rowid"):
        if gid in games:
            games[gid].tokens[seat] = token
    for gid, idx, command, h, seat, source, key in con.execute(
        "SELECT game_id, idx, command, state_hash, seat, source, key FROM commands ORDER BY game_id, idx"
    ):
        if gid in games:
            games[gid].commands.append(StoredCommand(idx, command, h, seat, source, key))
    return list(games.values())


def read_commands(path: str | os.PathLike[str], game_id: str) -> list[str]:
    """The commands of one game, read directly (for tools and tests; the server must be stopped)."""
    con = sqlite3.connect(str(path))
    try:
        rows = con.execute("SELECT command FROM commands WHERE game_id=? ORDER BY idx", (game_id,)).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def read_record(path: str | os.PathLike[str], game_id: str | None = None) -> tuple[str, GameRecord]:
    """One stored game as a :class:`GameRecord` (verified on replay by whoever uses it).

    For tools such as ``wedge report`` that read a server's database. A running server
    holds its database exclusively (so that two servers can never write one game), so
    this works once the server is stopped; the error says so. `game_id` may be omitted
    when the database holds exactly one game; otherwise the error lists the ids.
    """
    from game.compiled import compile_scenario
    from game.scenario.models import Scenario

    name = os.fspath(path)
    try:
        con = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
        try:
            games = _load_all(con)
        finally:
            con.close()
    except sqlite3.Error as exc:
        if "locked" in str(exc):
            raise StoreError(f"{name}: in use by a running wedge serve; stop the server (Ctrl-C) first") from None
        raise StoreError(f"{name}: not a readable Wedge server database ({exc})") from None
    ids = [g.id for g in games]
    if game_id is None:
        if len(games) != 1:
            raise StoreError(f"{name}: holds {len(games)} games; name one with --game ({', '.join(ids) or 'none'})")
        game_id = ids[0]
    stored = next((g for g in games if g.id == game_id), None)
    if stored is None:
        raise StoreError(f"{name}: no game {game_id!r}; the games are: {', '.join(ids) or 'none'}")
    try:
        sc = compile_scenario(Scenario.model_validate(json.loads(stored.scenario_json)))
    except ValueError as exc:
        raise StoreError(f"{name}: game {game_id}: the stored scenario cannot be read ({exc})") from None
    record = GameRecord(
        sc,
        stored.seed,
        [c.command for c in stored.commands],
        [c.state_hash for c in stored.commands],
        stored.initial_hash,
        {"server_game": game_id},
    )
    return game_id, record
