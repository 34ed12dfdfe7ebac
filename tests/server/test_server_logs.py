"""The server's logging never blocks it, even when nobody reads its stderr (game/server/logs.py)."""

from __future__ import annotations

import logging
import os
import threading
import time

from game.server import logs


def test_a_full_stderr_pipe_never_blocks_the_logging_thread() -> None:
    read_fd, write_fd = os.pipe()
    stream = os.fdopen(write_fd, "w", buffering=1, encoding="utf-8")
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    try:
        handler = logs.install(stream)
        log = logging.getLogger("wedge.server")
        start = time.monotonic()
        for i in range(20_000):  # ~1.6 MB of lines into a 64 KiB pipe nobody reads
            log.warning("game %s: something went wrong, line %d", "g1", i)
        took = time.monotonic() - start
        assert took < 2.0, f"logging blocked for {took:.1f}s"
        assert handler.dropped > 0
        got: list[bytes] = []
        reader = threading.Thread(target=lambda: got.append(os.read(read_fd, 1 << 20)), daemon=True)
        reader.start()
        reader.join(5)
        assert got and b"wedge-server: WARNING game g1: something went wrong" in got[0]
        log.warning("after the drain")
        text = got[0]
        while b"after the drain" not in text:  # the writer reports the drops before going on
            text += os.read(read_fd, 1 << 20)
        assert b"log lines dropped (stderr was full)" in text
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])
