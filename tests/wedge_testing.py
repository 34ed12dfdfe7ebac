"""Paths and the CLI entry point shared by tests, as a plain module.

Test files import these from here rather than from ``conftest``: several test folders
have their own ``conftest.py``, and which one a bare ``import conftest`` finds depends
on collection order (and so on xdist's worker assignment).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STANDARD = ROOT / "scenarios" / "standard.yaml"
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"


def wedge_command() -> list[str]:
    """The installed console script when present, else the module (same entry point)."""
    script = Path(sys.executable).with_name("wedge")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "game.cli"]
