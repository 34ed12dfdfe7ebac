"""Wedge's engine. Importing the package switches the hot-path modules to their
compiled build when one of the current sources exists (see :mod:`game.accel`).

The engine's public face (:mod:`game.engine`) is reachable from here —
``game.open_scenario``, ``game.new_game``, ``game.legal_actions``, ``game.apply``,
``game.role_view`` … — and imported only when first used, so ``import game`` stays cheap.
"""

from typing import Any

from game import accel as _accel

_accel.install()

_FACADE = frozenset(
    {
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
    }
)


def __getattr__(name: str) -> Any:
    if name in _FACADE:
        from game import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'game' has no attribute {name!r}")
