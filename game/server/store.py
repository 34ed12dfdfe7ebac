"""The server's store of record: one SQLite database in WAL mode.

A game is its scenario (stored whole, by content hash, so it resumes even if the
YAML file changes), its seed, its seat tokens and the ordered commands with the state
hash after each one. A command counts as accepted only once its transaction has
committed with ``synchronous=FULL``, so an acknowledged command survives a crash of
the server process (or of the machine). Restarting replays every game from the
commands and checks each state hash.

Accepted commands are written in group commits: :meth:`Store.append` queues one, and
at the event loop's next turn everything queued meanwhile — from every game — goes to
a writer thread as one transaction (one disk flush in WAL mode). When its COMMIT has
returned, the writer hands the whole batch back to the loop with a single call, which
tells each game which of its commands are on disk; only then are they applied,
published and acknowledged. The disk wait never blocks the loop, and one hand-over
(not one per command) stands between a commit and its acknowledgements. The database
is opened in exclusive locking mode, so a second server cannot write to it at the same
time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from game.engine import compiled
from game.errors import WedgeError
from game.record import GameRecord

log = logging.getLogger("wedge.server")

#: 2 added ``commands.note`` (a computer seat's stated reason) and ``llm_calls``.
SCHEMA_VERSION = 2

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
    note TEXT,
    PRIMARY KEY(game_id, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS commands_key ON commands(game_id, seat, key) WHERE key IS NOT NULL;
CREATE TABLE IF NOT EXISTS llm_calls(
    game_id TEXT NOT NULL REFERENCES games(id),
    key TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY(game_id, key)
);
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
    note: str | None = None  # JSON {"turn", "text", "source"}: why a computer seat sent it


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
    llm_calls: dict[str, Any] = field(default_factory=dict)  # request key -> {"request", "response"}

    def meta(self) -> dict[str, Any]:
        """The record's ``meta`` as local play keeps it: the computer seats' reasons
        (``rationales``) and their recorded model calls (``llm_calls``), when there are any."""
        reasons = []
        for c in self.commands:
            if c.note is None:
                continue
            try:
                note = json.loads(c.note)
            except ValueError:
                continue
            if isinstance(note, dict):
                reasons.append({"index": c.idx, "role": c.seat, **note})
        out: dict[str, Any] = {}
        if reasons:
            out["rationales"] = reasons
        if self.llm_calls:
            out["llm_calls"] = dict(self.llm_calls)
        return out


Op = Callable[[sqlite3.Connection], Any]
Row = tuple[str, int, str, str, str, str, str | None, str | None]  # game, idx, text, hash, seat, source, key, note
_INSERT = "INSERT INTO commands(game_id, idx, command, state_hash, seat, source, key, note) VALUES(?,?,?,?,?,?,?,?)"


class Sink(Protocol):
    """Who appended commands (a game): told once per flush how many of them were written."""

    def stored(self, count: int, error: StoreError | None) -> Callable[[], object] | None:
        """`count` of its oldest unreported commands committed (error None) or were not stored.

        May return more work, done once every sink of the same commit has heard."""
        ...


class Store:
    """One database: commands are written by a writer thread in group commits, other
    operations run at once on the caller's thread. Use :meth:`open`; call :meth:`close`
    at the end.

    The event loop and the writer share one connection, never at the same time (a lock).
    The loop queues accepted commands with :meth:`append`; at its next turn everything
    queued goes to the writer as one batch (one transaction, one disk flush), and while
    that batch is being written, newly accepted commands wait for the next one. When the
    COMMIT has returned, the writer hands the batch back to the loop with a single call,
    which tells each game (:class:`Sink`) what was stored: the disk wait never blocks
    the loop, and only one hand-over stands between a commit and its acknowledgements."""

    def __init__(self, path: Path, con: sqlite3.Connection) -> None:
        self.path = path
        self._con: sqlite3.Connection | None = con
        self._lock = threading.Lock()  # one user of the connection at a time
        self._pending: list[tuple[Row, Sink]] = []  # accepted, not yet handed to the writer
        self._flight = False  # a batch is with the writer
        self._send_handle: asyncio.Handle | None = None
        self._waiters: list[asyncio.Future[None]] = []
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._writer, name="wedge-store", daemon=True)
        self._thread.start()
        self.commits = 0
        self.appended = 0

    # -- lifecycle ----------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Store:
        """Open (creating if needed) and lock the database; raises StoreError in one line."""
        p = Path(path)
        return cls(p, _connect(p))

    def close(self) -> None:
        """Stop the writer (after the batch it has), write what is still queued, release the database."""
        if self._con is None:
            return
        if self._send_handle is not None:
            self._send_handle.cancel()
        self._jobs.put(None)
        self._thread.join(timeout=30)
        if self._pending and not self._thread.is_alive():  # accepted but never acknowledged: keep them anyway
            batch, self._pending = self._pending, []
            with contextlib.suppress(Exception), self._lock:
                self._write([row for row, _ in batch], _groups(batch))
        self._con.close()
        self._con = None

    @property
    def con(self) -> sqlite3.Connection:
        if self._con is None:
            raise StoreError(f"{self.path}: the database is closed")
        return self._con

    # -- commands: group commit -------------------------------------------------------
    def append(self, row: Row, sink: Sink) -> None:
        """Queue one accepted command for the next group commit; `sink` hears when it is durable.

        The batch leaves at the loop's next turn (or when the writer finishes the batch it
        has), after every message that arrived with this one has been handled."""
        self._pending.append((row, sink))
        if not self._flight and self._send_handle is None:
            self._send_handle = asyncio.get_running_loop().call_soon(self._send)

    def discard(self, sink: Sink) -> None:
        """Forget `sink`'s queued rows that are not written yet (they depended on a failed commit)."""
        self._pending = [item for item in self._pending if item[1] is not sink]

    async def drain(self) -> None:
        """Wait until every queued command has been written and reported."""
        loop = asyncio.get_running_loop()
        while self._flight or self._pending:
            if not self._flight:
                self._send()
            fut: asyncio.Future[None] = loop.create_future()
            self._waiters.append(fut)
            await fut

    def _send(self) -> None:
        self._send_handle = None
        if self._flight or not self._pending:
            return
        batch, self._pending = self._pending, []
        self._flight = True
        self._jobs.put((batch, asyncio.get_running_loop()))

    def _writer(self) -> None:
        """The writer thread: one transaction per batch, then one call back to the loop."""
        while True:
            job = self._jobs.get()
            if job is None:
                return
            batch, loop = job
            groups = _groups(batch)
            with self._lock:
                errors = self._write([row for row, _ in batch], groups)
            try:
                loop.call_soon_threadsafe(self._finish, groups, errors)
            except RuntimeError:  # the loop is gone: nobody is waiting any more
                return

    def _finish(self, groups: dict[Sink, list[Row]], errors: dict[Sink | None, StoreError]) -> None:
        """On the loop, once a batch's COMMIT has returned: report to each sink.

        A sink hears only then, so nothing it does in answer (publishing, acknowledging)
        can get ahead of the disk. The next batch leaves as soon as every sink has heard
        (a failed game has dropped its later rows by then), before the work the sinks
        left for later (see :class:`Sink`): acknowledgements first, other updates after.
        If the transaction failed as a whole, every sink hears the error; if only some
        game's rows were refused (a constraint), that game hears it and the others are
        written."""
        self._flight = False
        later: list[Callable[[], object]] = []
        for sink, rows in groups.items():
            try:
                rest = sink.stored(len(rows), errors.get(sink, errors.get(None)))
            except Exception:  # one game's bug must not keep the others waiting
                log.exception("error while finishing a commit")
                continue
            if rest is not None:
                later.append(rest)
        self._send()
        for rest in later:
            try:
                rest()
            except Exception:
                log.exception("error while finishing a commit")
        waiters, self._waiters = self._waiters, []
        for fut in waiters:
            if not fut.done():
                fut.set_result(None)

    def _write(self, rows: list[Row], groups: dict[Sink, list[Row]]) -> dict[Sink | None, StoreError]:
        """Insert `rows` in one transaction: {} when all committed; otherwise which sinks
        failed (None = all). Every SQLite call releases and retakes the interpreter lock,
        so the common case is three calls."""
        con = self.con
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                con.executemany(_INSERT, rows)
            except (sqlite3.Error, ValueError):  # ValueError: text SQLite cannot encode
                con.execute("ROLLBACK")
                return self._write_apart(groups)
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            return {None: StoreError(f"{self.path}: cannot write: {exc}")}
        self.commits += 1
        self.appended += len(rows)
        return {}

    def _write_apart(self, groups: dict[Sink, list[Row]]) -> dict[Sink | None, StoreError]:
        """The slow path after a refused row: each game's rows in their own savepoint."""
        con = self.con
        errors: dict[Sink | None, StoreError] = {}
        written = 0
        con.execute("BEGIN IMMEDIATE")
        for i, (sink, rows) in enumerate(groups.items()):
            con.execute(f"SAVEPOINT g{i}")
            try:
                con.executemany(_INSERT, rows)
                con.execute(f"RELEASE g{i}")
                written += len(rows)
            except (sqlite3.Error, ValueError) as exc:
                con.execute(f"ROLLBACK TO g{i}")
                con.execute(f"RELEASE g{i}")
                errors[sink] = StoreError(f"{self.path}: {exc}")
        con.execute("COMMIT")
        self.commits += 1
        self.appended += written
        return errors

    # -- other operations (each its own transaction, at once) ----------------------------
    def run(self, op: Op) -> Any:
        """Run `op` in its own transaction now (waiting for the writer's current batch, if
        any); raises StoreError if it cannot be written."""
        with self._lock:
            return self._run(op)

    def _run(self, op: Op) -> Any:
        con = self.con
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                value = op(con)
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                con.execute("ROLLBACK")
            raise StoreError(f"{self.path}: cannot write: {exc}") from None
        self.commits += 1
        return value

    def create_game(
        self,
        game_id: str,
        scenario_hash: str,
        scenario_json: str,
        seed: int,
        initial_hash: str,
        config: dict[str, Any],
        tokens: dict[str, str],
    ) -> None:
        """Store a new game (committed when this returns)."""
        self.run(_create_op(game_id, scenario_hash, scenario_json, seed, initial_hash, config, tokens))

    def meta(self, key: str) -> str | None:
        row = self.run(lambda con: con.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone())
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        self.run(lambda con: con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?,?)", (key, value)))

    def add_calls(self, game_id: str, entries: dict[str, Any]) -> None:
        """Keep a game's recorded model calls (key -> ``{"request", "response"}``); written
        before the command they led to is accepted, so none is lost to a crash."""
        rows = [(game_id, k, json.dumps(v, sort_keys=True, separators=(",", ":"))) for k, v in entries.items()]
        self.run(lambda con: con.executemany("INSERT OR IGNORE INTO llm_calls(game_id, key, body) VALUES(?,?,?)", rows))

    def load_games(self) -> list[StoredGame]:
        """Every game with its commands in order (for resuming at start-up)."""
        return list(self.run(_load_all))


_Job = tuple[list[tuple[Row, Sink]], asyncio.AbstractEventLoop]


def _groups(batch: list[tuple[Row, Sink]]) -> dict[Sink, list[Row]]:
    """Each sink's rows, sinks in order of their first row."""
    out: dict[Sink, list[Row]] = {}
    for row, sink in batch:
        out.setdefault(sink, []).append(row)
    return out


def _connect(p: Path) -> sqlite3.Connection:
    name = str(p)
    if p.is_dir():
        raise StoreError(f"cannot open database {name}: it is a directory")
    if not p.parent.exists():
        raise StoreError(f"cannot open database {name}: directory {p.parent} does not exist")
    new = not p.exists()
    try:
        con = sqlite3.connect(name, isolation_level=None, check_same_thread=False, timeout=0.2)
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
        if row is not None and int(row[0]) > SCHEMA_VERSION:
            raise StoreError(f"{name}: database schema {row[0]} is newer than this Wedge reads ({SCHEMA_VERSION})")
        if "note" not in _columns(con, "commands"):  # schema 1: the new table came with _SCHEMA
            con.execute("ALTER TABLE commands ADD COLUMN note TEXT")
        con.execute("INSERT OR REPLACE INTO meta(key, value) VALUES('schema', ?)", (str(SCHEMA_VERSION),))
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


def _columns(con: sqlite3.Connection, table: str) -> set[str]:
    return {str(row[1]) for row in con.execute(f"PRAGMA table_info({table})")}


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
    # A schema-1 database read in place (read_record opens it read-only) has no notes or calls.
    note = "note" if "note" in _columns(con, "commands") else "NULL"
    for gid, idx, command, h, seat, source, key, why in con.execute(
        f"SELECT game_id, idx, command, state_hash, seat, source, key, {note} FROM commands ORDER BY game_id, idx"
    ):
        if gid in games:
            games[gid].commands.append(StoredCommand(idx, command, h, seat, source, key, why))
    if _columns(con, "llm_calls"):
        for gid, key, body in con.execute("SELECT game_id, key, body FROM llm_calls ORDER BY game_id, key"):
            if gid in games:
                with contextlib.suppress(ValueError):
                    games[gid].llm_calls[key] = json.loads(body)
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
        sc = compiled(Scenario.model_validate(json.loads(stored.scenario_json)))
    except ValueError as exc:
        raise StoreError(f"{name}: game {game_id}: the stored scenario cannot be read ({exc})") from None
    record = GameRecord(
        sc,
        stored.seed,
        [c.command for c in stored.commands],
        [c.state_hash for c in stored.commands],
        stored.initial_hash,
        {"server_game": game_id, **stored.meta()},
    )
    return game_id, record
