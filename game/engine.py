"""The engine's public face: open a scenario, start a game, ask what is legal, apply.

Most programs need only this::

    import game

    sc = game.open_scenario("scenarios/standard.yaml")
    s = game.new_game(sc, seed=7)
    while s.phase != "over":
        role = s.ready.index(False)
        s = game.apply(s, game.legal_actions(s, role)[0])

Behind it is the one cache of compiled scenarios the whole program shares: compiling
means validating the file, building closures and hashing the content, and the same
scenario is opened again and again (every saved game, every playtest worker, every
decision of a server's worker process). A compiled scenario is keyed by its content hash,
so two copies of the same scenario share one :class:`~game.compiled.Compiled`, and the
engine's per-scenario tables (legal-action menus, agent caches) are built once.
"""

from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from game.compiled import Compiled, compile_scenario, content_hash
from game.rules import apply, apply_fast, legal_actions, new_game, playable
from game.scenario.cache import load_scenario_cached
from game.scenario.models import Scenario
from game.state import GameState
from game.views import facilitator_view, public_view, role_view

__all__ = [
    "Compiled",
    "GameState",
    "apply",
    "apply_fast",
    "compiled",
    "compiled_json",
    "facilitator_view",
    "legal_actions",
    "new_game",
    "open_scenario",
    "playable",
    "public_view",
    "role_view",
]

#: Compiled scenarios kept (least recently used first out): a process rarely holds more
#: than a few (a scenario and its balance overlays).
CAPACITY = 32

_lock = threading.Lock()
_by_hash: OrderedDict[str, Compiled] = OrderedDict()
_by_file: dict[tuple[str, int, int], str] = {}


def _remember(key: str, build: Callable[[], Compiled]) -> Compiled:
    with _lock:
        hit = _by_hash.get(key)
        if hit is not None:
            _by_hash.move_to_end(key)
            return hit
    sc = build()  # outside the lock: compiling takes milliseconds, other threads go on
    with _lock:
        hit = _by_hash.setdefault(key, sc)
        _by_hash.move_to_end(key)
        while len(_by_hash) > CAPACITY:
            _by_hash.popitem(last=False)
        return hit


def remember(sc: Compiled) -> Compiled:
    """Keep `sc` in the cache (if no copy of it is there yet) and return the cached copy."""
    return _remember(sc.content_hash, lambda: sc)


def known(key: str) -> Compiled | None:
    """The compiled scenario of content hash `key`, if this process has it (unpickled
    view records find their scenario here: see :mod:`game.views`)."""
    with _lock:
        return _by_hash.get(key)


def compiled(model: Scenario) -> Compiled:
    """`model` compiled, shared with every other copy of the same scenario content."""
    return _remember(content_hash(model), lambda: compile_scenario(model))


def compiled_json(scenario_hash: str, scenario_json: str) -> Compiled:
    """A scenario sent as JSON with its content hash (a save, a server's worker process):
    validated and compiled only the first time that hash is seen."""
    return _remember(scenario_hash, lambda: compile_scenario(Scenario.model_validate(json.loads(scenario_json))))


def open_scenario(path: str | os.PathLike[str]) -> Compiled:
    """Load (validated, cached on disk: see :mod:`game.scenario.cache`) and compile a
    scenario file; an unchanged file is not even read again."""
    p = Path(path).resolve()
    st = p.stat()
    key = (str(p), st.st_mtime_ns, st.st_size)
    known = _by_file.get(key)
    if known is not None:
        with _lock:
            hit = _by_hash.get(known)
        if hit is not None:
            return hit
    sc = compiled(load_scenario_cached(p))
    if len(_by_file) > 4 * CAPACITY:
        _by_file.clear()
    _by_file[key] = sc.content_hash
    return sc
