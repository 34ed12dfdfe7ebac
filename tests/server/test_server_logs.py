"""The server's logging never blocks it, even when nobody reads its stderr (game/server/logs.py)."""

from __future__ import annotations

import fcntl
import logging
import os
import struct
import sys
import termios
import threading
import time
from pathlib import Path

from server_helpers import Raw, start_server

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
        got = bytearray()

        def drain() -> None:  # a reader at last: everything queued goes out
            while chunk := os.read(read_fd, 1 << 20):
                got.extend(chunk)

        threading.Thread(target=drain, daemon=True).start()
        deadline = time.monotonic() + 10
        while not handler.queue.empty() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert handler.queue.empty(), "the writer did not catch up with a reader on the pipe"
        log.warning("after the drain")  # queued now that there is room: not dropped
        while b"after the drain" not in got and time.monotonic() < deadline:
            time.sleep(0.01)
        text = bytes(got)
        assert b"wedge-server: WARNING game g1: something went wrong" in text
        assert b"after the drain" in text
        # the writer reports the drops before going on
        assert b"log lines dropped (stderr was full)" in text.split(b"after the drain")[0]
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved[0]:
            root.addHandler(h)
        root.setLevel(saved[1])


#: ``wedge serve`` with one extra log line per frame it reads: the real server logs nothing
#: for a client's mistakes (they get an error reply), so this stands for any chatty log.
#: Everything else (the event loop, logs.install on sys.stderr) is the real server's.
CHATTY_SERVE = """
import logging, sys
from game.cli import main
from game.server import protocol
parse = protocol.parse_client
log = logging.getLogger("wedge.server")
def logged(frame):
    log.warning("frame of %d characters: %s", len(frame), frame)
    return parse(frame)
protocol.parse_client = logged
sys.exit(main(sys.argv[1:]))
"""


def _pipe_bytes(fd: int) -> int:
    """Bytes written into a pipe and not read yet (without reading them)."""
    got = fcntl.ioctl(fd, termios.FIONREAD, bytes(4))
    return int(struct.unpack("i", got)[0])


def _pipe_size(fd: int) -> int:
    return int(fcntl.fcntl(fd, getattr(fcntl, "F_GETPIPE_SZ", 1032))) if sys.platform == "linux" else 16 * 1024


def _threads_writing_a_pipe(pid: int) -> int | None:
    """How many threads of process ``pid`` wait in a write to a pipe (None: cannot tell)."""
    try:
        waits = [(task / "wchan").read_text() for task in Path(f"/proc/{pid}/task").iterdir()]
    except OSError:
        return None
    if not any(w not in ("", "0") for w in waits):
        return None  # the kernel hides where threads wait
    return sum(w.endswith("pipe_write") for w in waits)  # pipe_write, or anon_pipe_write


def _timed_hello(url: str, token: str | None = None) -> float:
    """Seconds for a new client to connect, be welcomed and get a pong."""
    start = time.monotonic()
    raw = Raw(url)
    try:
        raw.send({"type": "hello", "protocol": 1, **({"token": token} if token else {})})
        assert raw.recv(timeout=2.0)["type"] == "welcome"
        raw.send({"type": "ping", "id": 1})
        assert raw.recv(timeout=2.0) == {"type": "pong", "id": 1}
    finally:
        raw.close()
    return time.monotonic() - start


def test_a_server_whose_stderr_nobody_reads_keeps_answering(tmp_path: Path) -> None:
    """The real server with stderr a pipe the test never reads: it logs about 1.3 MB (the
    pipe holds 64 KiB), and new clients still get in and are answered within 2 s each.

    Were the log written to stderr on the event loop, its first write into the full pipe
    would block the loop for good, and the pongs and the handshakes below would time out."""
    sp = start_server(
        tmp_path / "games.db", "--seed", "3", launcher=[sys.executable, "-c", CHATTY_SERVE], read_stderr=False
    )
    try:
        assert sp.proc.stderr is not None
        err_fd = sp.proc.stderr.fileno()
        pad = " " * 1000
        # 25 connections x 50 frames (within the burst of 60): 1,250 lines of ~1 KB, 20 times
        # what the pipe holds, and more than the writer's queue holds (some are dropped).
        connections, frames = 25, 50
        assert connections * frames > logs.CAPACITY
        for c in range(connections):
            raw = Raw(sp.base)
            try:
                assert raw.hello()["type"] == "welcome"
                for i in range(frames):
                    raw.send(f'{{"type": "ping", "id": {i}}}{pad}')
                for i in range(frames):
                    assert raw.recv(timeout=2.0) == {"type": "pong", "id": i}, f"connection {c}, ping {i}"
            finally:
                raw.close()
        # the pipe is full: what it holds stops growing, and the server's log writer waits in a
        # write to it (a pipe of 16 pages holds about 3 lines of 1 KB a page: ~52 KB)
        held, deadline = -1, time.monotonic() + 5
        while (now := _pipe_bytes(err_fd)) != held and time.monotonic() < deadline:
            held = now
            time.sleep(0.5)
        assert held == now and held >= _pipe_size(err_fd) // 2, (held, now, _pipe_size(err_fd))
        assert _threads_writing_a_pipe(sp.proc.pid) in (None, 1)
        # handshakes, lobby and a seat of the game, each answered promptly
        took = [_timed_hello(sp.base) for _ in range(5)]
        took += [_timed_hello(sp.url(), sp.tokens[sp.game][seat]) for seat in ("us", "russia", "gm")]
        assert max(took) < 2.0, took
    finally:
        if sp.proc.stderr is not None:
            sp.proc.stderr.close()  # the log writer's blocked write fails now: the server can stop
        sp.stop()
