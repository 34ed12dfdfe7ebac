"""The multiplayer server (``wedge serve``) and its client.

* :mod:`game.server.protocol` — the versioned wire messages (pydantic models);
* :mod:`game.server.store` — SQLite (WAL), the store of record;
* :mod:`game.server.host` — one game: seats, tokens, commands, what each seat sees,
  deadlines and AI seats; :mod:`game.server.audience` builds the views;
* :mod:`game.server.agents` — agents deciding off the event loop;
* :mod:`game.server.server` — the websocket server hosting many games;
* :mod:`game.server.client` — an asyncio client and a thread-backed sync wrapper;
* :mod:`game.server.commands` / :mod:`game.server.run` — ``wedge serve``, ``join``, ``watch``.

The protocol is documented in ``docs/protocol.md``.
"""
