"""The store's group commit, on a real SQLite database and a real event loop.

What the server's promise rests on: a game hears that a command is stored only after
its COMMIT has returned; commands from many games in one turn of the loop share one
transaction; a row the database refuses fails only its own game; nothing queued is
lost by a drain or a close.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

from game.server.store import Row, Store, StoreError, read_commands


class Game:
    """A Sink: records what the store reports and what the database held at that moment."""

    def __init__(self, store: Store, game_id: str) -> None:
        self.store, self.id = store, game_id
        self.reports: list[tuple[int, StoreError | None, int]] = []
        self.later: list[str] = []

    def stored(self, count: int, error: StoreError | None) -> Callable[[], object] | None:
        # read on the loop's thread, outside any transaction: the writer has handed the batch back
        con = self.store.con
        on_disk = con.execute("SELECT count(*) FROM commands WHERE game_id=?", (self.id,)).fetchone()[0]
        self.reports.append((count, error, on_disk))
        return lambda: self.later.append(f"after {count}")

    def row(self, idx: int, key: str | None = None) -> Row:
        return (self.id, idx, f"us:play:card{idx}", f"hash{idx}", "us", "player", key, None)


def _create(store: Store, game_id: str) -> None:
    store.create_game(game_id, "sh", "{}", 1, "h0", {}, {"us": "t-" + game_id})


def test_one_turn_of_the_loop_is_one_transaction_and_reports_come_after_the_commit(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    try:
        for gid in ("a", "b"):
            _create(store, gid)
        a, b = Game(store, "a"), Game(store, "b")

        async def main() -> None:
            commits = store.commits
            for i in range(3):
                store.append(a.row(i), a)
            store.append(b.row(0), b)
            assert a.reports == [] and b.reports == []  # nothing is reported before the commit
            await store.drain()
            assert store.commits == commits + 1, "four commands, two games, one transaction"
            # each game hears once, with everything of its own that the commit held, already on disk
            assert a.reports == [(3, None, 3)] and b.reports == [(1, None, 1)]
            assert a.later == ["after 3"] and b.later == ["after 1"]

        asyncio.run(main())
        assert store.appended == 4
    finally:
        store.close()
    assert read_commands(tmp_path / "s.db", "a") == ["us:play:card0", "us:play:card1", "us:play:card2"]


def test_a_refused_row_fails_only_its_own_game(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    try:
        _create(store, "good")
        good, ghost = Game(store, "good"), Game(store, "ghost")  # "ghost" was never created: its rows break a key

        async def main() -> None:
            store.append(good.row(0), good)
            store.append(ghost.row(0), ghost)
            store.append(good.row(1), good)
            await store.drain()

        asyncio.run(main())
        assert good.reports == [(2, None, 2)]
        [(count, error, on_disk)] = ghost.reports
        assert count == 1 and isinstance(error, StoreError) and on_disk == 0
        assert "FOREIGN KEY" in str(error)
    finally:
        store.close()


def test_commands_queued_while_a_batch_is_written_go_in_the_next_one(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    try:
        _create(store, "g")
        g = Game(store, "g")

        async def main() -> None:
            store.append(g.row(0), g)
            await asyncio.sleep(0)  # the first batch leaves for the writer
            store.append(g.row(1), g)
            store.append(g.row(2), g)
            await store.drain()

        asyncio.run(main())
        assert sum(count for count, _, _ in g.reports) == 3
        assert all(error is None for _, error, _ in g.reports)
        # reports are cumulative and in order: whatever a game heard was on disk by then
        seen = 0
        for count, _, on_disk in g.reports:
            seen += count
            assert on_disk == seen
    finally:
        store.close()


def test_close_writes_what_is_still_queued(tmp_path: Path) -> None:
    """A command queued in the very last turn of the loop is written by close(), not dropped."""
    store = Store.open(tmp_path / "s.db")
    _create(store, "g")
    g = Game(store, "g")

    async def main() -> None:
        store.append(g.row(0), g)
        store.append(g.row(1), g)

    asyncio.run(main())  # the loop ends before its next turn: the batch never left
    store.close()
    assert read_commands(tmp_path / "s.db", "g") == ["us:play:card0", "us:play:card1"]


def test_a_second_store_cannot_open_a_database_in_use(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "s.db")
    try:
        try:
            Store.open(tmp_path / "s.db")
        except StoreError as exc:
            assert "in use by another server" in str(exc)
        else:
            raise AssertionError("two stores opened one database")
    finally:
        store.close()


def test_a_failed_commit_refuses_every_command_checked_against_it(tmp_path: Path, standard_sc) -> None:
    """Commands of one game are checked against the game as it will be once the earlier
    ones are stored. If the disk refuses an earlier one, the later ones (checked against
    a game that never happened) are refused too, and the game stays as it was on disk."""
    from game.server.host import Refused
    from game.server.server import WedgeServer

    store = Store.open(tmp_path / "s.db")

    async def main() -> None:
        server = WedgeServer.open(store, standard_sc)
        host = await server.create_game(seats="", seed=5)
        before = host.state
        store.run(
            lambda con: con.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON commands WHEN NEW.idx = 0 "
                "BEGIN SELECT RAISE(ABORT, 'the disk says no'); END"
            )
        )
        first = host.submit("us", "us:done")
        await asyncio.sleep(0)  # `first` is with the writer now
        second = host.submit("russia", "russia:done")  # checked against the game after `first`, queued
        assert host.record.commands == []
        for fut in (first, second):
            try:
                await fut
            except Refused as exc:
                assert "could not store the command" in exc.message
            else:
                raise AssertionError("a command the disk refused was acknowledged")
        assert host.state is before and host.record.commands == []
        store.run(lambda con: con.execute("DROP TRIGGER refuse"))
        assert await host.submit("russia", "russia:done") == ("russia:done", False)
        assert host.record.commands == ["russia:done"]
        await server.close()

    try:
        asyncio.run(main())
    finally:
        store.close()
    assert read_commands(tmp_path / "s.db", host_id(tmp_path / "s.db")) == ["russia:done"]


def host_id(db: Path) -> str:
    import sqlite3

    con = sqlite3.connect(str(db))
    try:
        [(gid,)] = con.execute("SELECT id FROM games").fetchall()
    finally:
        con.close()
    return str(gid)
