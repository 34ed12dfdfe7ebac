"""State hashes for replay verification.

The hash covers every field that affects the future of the game (and the public
record), in a fixed order, through ``repr`` of tuples of ints and strings — which
is stable across processes and PYTHONHASHSEED values. Checkpoints are excluded:
they are earlier states, already covered by earlier hashes.
"""

from __future__ import annotations

import hashlib

from game.state import GameState

_FIELDS = (
    "seed",
    "rng",
    "turn",
    "phase",
    "tracks",
    "turn_start",
    "capital",
    "hands",
    "decks",
    "discards",
    "removed",
    "orders",
    "ready",
    "offers",
    "next_offer",
    "revealed",
    "flags",
    "windows",
    "blocks",
    "shock_status",
    "shock_delta",
    "shocks_this_turn",
    "history",
    "messages",
    "paused",
    "diplomacy_locked",
    "controllers",
    "end_reason",
)


def state_hash(s: GameState) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(s.sc.content_hash.encode())
    for name in _FIELDS:
        h.update(repr(getattr(s, name)).encode())
    h.update(repr(len(s.ledger)).encode())
    h.update(repr(s.ledger[-64:]).encode())
    return h.hexdigest()
