"""TUI tests: headless, pinned theme and no colour so snapshots are stable anywhere."""

from __future__ import annotations

import os

import pytest

# Textual reads TEXTUAL_THEME at import and pops NO_COLOR in every App(): pin both.
os.environ["TEXTUAL_THEME"] = "textual-dark"
os.environ["NO_COLOR"] = "1"


@pytest.fixture(autouse=True)
def _pinned_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TEXTUAL_THEME", "textual-dark")
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
