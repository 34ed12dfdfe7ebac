"""Server logging that can never block the server.

The server logs to stderr. A process whose stderr is a pipe nobody reads (a supervisor
that does not drain it, a detached terminal) blocks on its next write once the pipe is
full, and a server whose event loop blocks stops accepting handshakes. So records go
through a bounded queue to one writer thread: the event loop only ever puts a record
(or drops it when the queue is full, counted and reported once the writer catches up),
and only the writer thread can be stuck on the pipe.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import TextIO

#: Records waiting for the writer; beyond this they are dropped and counted.
CAPACITY = 1000
FORMAT = "wedge-server: %(levelname)s %(message)s"


class _Dropping(logging.Handler):
    """Queues records for the writer thread; never waits."""

    def __init__(self, q: queue.Queue[logging.LogRecord | None]) -> None:
        super().__init__()
        self.queue = q
        self.dropped = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            record.msg = self.format(record)  # formatted here: the writer needs no state
            record.args, record.exc_info, record.exc_text = None, None, None
            self.queue.put_nowait(record)
        except queue.Full:
            self.dropped += 1


def _write(q: queue.Queue[logging.LogRecord | None], stream: TextIO, handler: _Dropping) -> None:
    reported = 0
    while True:
        record = q.get()
        if record is None:
            return
        try:
            if handler.dropped > reported:
                lost = handler.dropped - reported
                stream.write(f"wedge-server: WARNING {lost} log lines dropped (stderr was full)\n")
                reported = handler.dropped
            stream.write(f"{record.msg}\n")
            stream.flush()
        except (OSError, ValueError):  # stderr closed: nothing more can be said
            return


def install(stream: TextIO, level: int = logging.WARNING) -> _Dropping:
    """Route the root logger through a non-blocking handler writing to `stream`."""
    q: queue.Queue[logging.LogRecord | None] = queue.Queue(maxsize=CAPACITY)
    handler = _Dropping(q)
    handler.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    threading.Thread(target=_write, args=(q, stream, handler), name="wedge-log", daemon=True).start()
    return handler
