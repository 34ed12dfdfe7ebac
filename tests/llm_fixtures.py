"""The ``local_model`` fixture: a real language model server (game/agents/local_model.py).

Imported by ``conftest.py``. One server per test process (under xdist, per worker that runs
a test asking for it); skipped with the reason when ``make llm-server`` could not install it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from game.agents import local_model as lm


@pytest.fixture(scope="session")
def local_model() -> Iterator[lm.LocalServer]:
    reason = lm.available()
    if reason is not None:
        pytest.skip(reason)
    with lm.start_server() as server:
        yield server
