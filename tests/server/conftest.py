"""Server tests: every server is a real subprocess; make sure none outlives its test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_helpers import ServerProc, start_server


@pytest.fixture(autouse=True)
def _pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    # The Textual client test draws headless; pin what it reads at start-up.
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")


os.environ.setdefault("TEXTUAL_THEME", "textual-dark")


@pytest.fixture
def servers() -> Iterator[Any]:
    """``servers(db, *args)`` starts a server; all are stopped at the end of the test."""
    started: list[ServerProc] = []

    def start(db: Path, *args: str, port: int = 0) -> ServerProc:
        sp = start_server(db, *args, port=port)
        started.append(sp)
        return sp

    yield start
    for sp in started:
        sp.stop()
