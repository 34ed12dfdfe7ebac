"""Shared fixtures: the compiled standard and mini scenarios, paths and a CLI runner."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings
from llm_endpoint import llm_endpoint  # noqa: F401  (a scripted chat-completions endpoint on loopback)
from llm_fixtures import local_model  # noqa: F401  (a real local model server, for tests that ask for it)
from wedge_testing import MINI, ROOT, STANDARD, wedge_command

from game.compiled import Compiled, compile_scenario
from game.scenario.loader import load_scenario

__all__ = ["MINI", "ROOT", "STANDARD", "wedge_command"]

# The validated-scenario cache of this test run, not the user's ~/.cache (subprocesses inherit it).
os.environ.setdefault("WEDGE_CACHE_DIR", tempfile.mkdtemp(prefix="wedge-test-cache-"))
RULEBOOK = ROOT / "rulebook.md"

# CI (`.ci/run` sets WEDGE_CI=1) explores the same examples on every run, so a change is
# judged on its own merits and not on a lucky or unlucky draw. `make test` anywhere else
# draws fresh examples each time: that is where new counterexamples turn up, to be fixed
# and pinned as regression tests.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("WEDGE_CI", "") not in ("", "0"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def standard_sc() -> Compiled:
    return compile_scenario(load_scenario(STANDARD))


@pytest.fixture(scope="session")
def mini_sc() -> Compiled:
    return compile_scenario(load_scenario(MINI))


def run_wedge(
    *args: str | os.PathLike[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    return subprocess.run(
        [*wedge_command(), *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=full_env,
        cwd=cwd or ROOT,
        timeout=120,
    )


@pytest.fixture(scope="session")
def wedge():
    """Call as ``wedge("simulate", "--seed", "3", env={...})``; returns the CompletedProcess."""
    return run_wedge


@pytest.fixture(scope="session")
def standard_path() -> Path:
    return STANDARD


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return MINI


@pytest.fixture(scope="session")
def rulebook_path() -> Path:
    return RULEBOOK
