"""`wedge report` reads a server's database: the debrief of a networked class game."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from wedge_testing import ROOT

from game.server.store import read_record
from game.state import OVER

ALL_AI = "us=random,russia=random,prc=random,india=random"


def _report(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "game.cli", "report", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def _wait_for_the_end(sp: Any, timeout: float = 60.0) -> None:
    """Watch the game as the projector until its public view says it is over."""
    from game.server.client import SyncClient

    client = SyncClient(sp.url())
    try:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if (client.client.view or {}).get("phase") == OVER:
                return
            time.sleep(0.2)
    finally:
        client.close()
    raise AssertionError("the all-AI server game did not finish")


def test_report_of_a_running_servers_game_equals_the_report_of_its_save(servers: Any, tmp_path: Path) -> None:
    db = tmp_path / "class.db"
    sp = servers(db, "--seats", ALL_AI, "--seed", "5")
    _wait_for_the_end(sp)
    busy = _report(str(db), "--format", "md", "--out", "-")
    assert busy.returncode == 1 and "stop the server" in busy.stderr
    sp.stop()
    live = _report(str(db), "--format", "md", "--out", "-")
    assert live.returncode == 0, live.stderr
    _, rec = read_record(db, sp.game)
    save = tmp_path / "same.json"
    rec.save(save)
    from_save = _report(str(save), "--format", "md", "--out", "-")
    assert from_save.returncode == 0, from_save.stderr
    assert live.stdout == from_save.stdout
    assert "Lever scorecard" in live.stdout or "scorecard" in live.stdout.lower()
    html = _report(str(db), "--game", sp.game)
    assert html.returncode == 0, html.stderr
    assert (tmp_path / f"class-{sp.game}.report.html").is_file()


def test_report_names_the_games_of_a_database(servers: Any, tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    sp = servers(db, "--games", "2", "--seats", ALL_AI)
    games = sorted(sp.tokens)
    assert len(games) == 2
    sp.stop()
    proc = _report(str(db))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "--game" in proc.stderr and all(g in proc.stderr for g in games)
    proc = _report(str(db), "--game", "nope")
    assert proc.returncode == 1 and "no game 'nope'" in proc.stderr and games[0] in proc.stderr


def test_game_option_on_a_save_is_refused(tmp_path: Path) -> None:
    save = tmp_path / "g.json"
    subprocess.run(
        [sys.executable, "-m", "game.cli", "simulate", "--seed", "3", "--save", str(save)],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    proc = _report(str(save), "--game", "g1")
    assert proc.returncode == 1 and "server database" in proc.stderr
