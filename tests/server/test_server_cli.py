"""``wedge serve`` / ``join`` / ``watch`` on the command line: what the facilitator reads
at start-up, resuming on restart, and one-line errors for everything that can go wrong."""

from __future__ import annotations

import io
import re
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from server_helpers import ROLES, ROOT, Raw, ServerProc, wedge_cmd

from game.cli import main


def run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The real CLI in a subprocess."""
    return subprocess.run(
        wedge_cmd(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )


def run_here(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """The same entry point in this process (start-up failures need no subprocess to show)."""
    code = main(list(args))
    out = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, out.out, out.err)


def one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    assert proc.returncode != 0
    err = proc.stderr.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    for w in words:
        assert w in err, err
    return err


def test_serve_prints_how_everyone_joins_and_restarts_into_the_same_games(
    servers: Callable[..., ServerProc], tmp_path: Path
) -> None:
    db = tmp_path / "class.db"
    sp = servers(db, "--seed", "9", "--seats", "india=heuristic")
    text = "\n".join(sp.lines)
    assert re.search(rf"^Wedge server on ws://127\.0\.0\.1:{sp.port} ", text, re.M)  # the real port, not 0
    tokens = sp.tokens[sp.game]
    assert set(tokens) == {*ROLES, "gm"}
    assert len(set(tokens.values())) == 5 and all(len(t) >= 20 and not t.startswith("-") for t in tokens.values())
    assert f"  projector    wedge watch {sp.url()}" in sp.lines
    india = next(line for line in sp.lines if line.lstrip().startswith("india"))
    assert "(now played by the server: heuristic)" in india
    # each printed command really opens its seat
    for seat_name, token in tokens.items():
        raw = Raw(sp.url())
        assert raw.hello(token)["seat"] == seat_name
        raw.close()
    raw = Raw(sp.url())
    raw.hello(tokens["us"])
    assert raw.request({"type": "command", "id": 1, "command": "us:say:prc:remember me", "key": "a"})["type"] == "ack"
    raw.close()
    assert sp.stop() == 0
    again = servers(db)  # no --seed, no --seats: the stored game is resumed, nothing new is created
    assert again.tokens == sp.tokens
    raw = Raw(again.url())
    welcome = raw.hello(tokens["us"])
    assert welcome["commands"] == ["gm:seat:india:heuristic", "us:say:prc:remember me"]
    dup = raw.request({"type": "command", "id": 2, "command": "us:say:prc:remember me", "key": "a"})
    assert dup["duplicate"] is True
    raw.close()


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--db", "/nonexistent-dir/x.db"), ("cannot open database", "does not exist")),
        (("--seats", "us=banana"), ("unknown agent 'banana'",)),
        (("--seats", "mars=human"), ("unknown role 'mars'",)),
        (("--on-deadline", "external:./x"), ("--on-deadline",)),
        (("--port", "70000"), ("--port 70000",)),
        (("--deadline", "-3"), ("--deadline",)),
    ],
)
def test_bad_serve_arguments_get_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]
) -> None:
    proc = run_here(capsys, "serve", "--port", "0", "--db", str(tmp_path / "x.db"), *args)
    one_line_error(proc, *words)


def test_a_database_that_is_not_one_or_is_a_directory(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("these are my notes, not a database\n" * 20)
    one_line_error(run_here(capsys, "serve", "--port", "0", "--db", str(bad)), "file is not a database")
    one_line_error(run_here(capsys, "serve", "--port", "0", "--db", str(tmp_path)), "is a directory")


def test_port_in_use_and_database_in_use(
    capsys: pytest.CaptureFixture[str], servers: Callable[..., ServerProc], tmp_path: Path
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = run_here(capsys, "serve", "--port", str(port), "--db", str(tmp_path / "a.db"))
        one_line_error(proc, f"cannot listen on 127.0.0.1:{port}", "in use")
    with sqlite3.connect(tmp_path / "a.db") as con:  # and it left no game behind
        assert con.execute("SELECT count(*) FROM games").fetchone() == (0,)
    sp = servers(tmp_path / "b.db")
    proc = run("serve", "--port", "0", "--db", str(sp.db))
    one_line_error(proc, "in use by another server")
    assert sp.proc.poll() is None  # the first server is untouched


def test_join_and_watch_need_a_terminal_and_join_a_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    one_line_error(run_here(capsys, "join", "ws://127.0.0.1:1/g/x", "--token", "t"), "terminal")
    one_line_error(run_here(capsys, "watch", "ws://127.0.0.1:1/g/x"), "terminal")
    monkeypatch.delenv("WEDGE_TOKEN", raising=False)
    one_line_error(run_here(capsys, "join", "ws://127.0.0.1:1/g/x"), "--token", "WEDGE_TOKEN")
    monkeypatch.setenv("WEDGE_TOKEN", "from-the-environment")
    one_line_error(run_here(capsys, "join", "ws://127.0.0.1:1/g/x"), "terminal")  # the token was found


def _catches_sigterm(pid: int) -> bool:
    """Has process `pid` installed a handler for SIGTERM yet? (Linux: SigCgt in /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_sigterm_while_starting_is_a_clean_stop(tmp_path: Path) -> None:
    """SIGTERM as soon as ``wedge serve`` can catch it — it is still importing the server,
    long before it listens — stops it cleanly: exit code 0, database closed."""
    db = tmp_path / "early.db"
    proc = subprocess.Popen(
        wedge_cmd("serve", "--port", "0", "--db", str(db), "--games", "3"),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        end = time.monotonic() + 30
        while not _catches_sigterm(proc.pid) and proc.poll() is None and time.monotonic() < end:
            time.sleep(0.002)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, (out, err)
    assert "Server stopped" in out and "Traceback" not in err
    with sqlite3.connect(db) as con:  # not left locked; whatever was created is readable
        con.execute("SELECT count(*) FROM games").fetchone()


def test_a_stop_requested_during_start_up_starts_nothing(tmp_path: Path) -> None:
    """A signal that came before the event loop ran is honoured before listening or
    creating games (the same path, without the timing of a real signal)."""
    from game.cli import build_parser
    from game.server.commands import StopRequest
    from game.server.run import serve_main

    stop = StopRequest()
    stop(signal.SIGTERM, None)  # what the handler does when the signal arrives
    db = tmp_path / "stopped.db"
    out = io.StringIO()
    args = build_parser().parse_args(["serve", "--port", "0", "--db", str(db), "--games", "2"])
    assert serve_main(args, out, stop) == 0
    assert "Wedge server on" not in out.getvalue() and "Server stopped" in out.getvalue()
    with sqlite3.connect(db) as con:  # closed (not locked) and no game was created
        assert con.execute("SELECT count(*) FROM games").fetchone() == (0,)
