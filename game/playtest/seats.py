"""Agent specs for whole batches: one kind for every seat, or per-seat specs.

``random`` or ``heuristic`` (no ``role=``) seats that agent everywhere; otherwise the
text is the registry's seat spec (``us=ismcts:iterations=400,russia=heuristic``) with
unnamed roles defaulting to ``random``. The canonical text (every role spelled out,
parameters sorted) is what a playtest directory records, so that ``random`` and
``us=random,russia=random,prc=random,india=random`` are recognised as the same run.
"""

from __future__ import annotations

from game.agents.registry import SeatSpec, parse_seats, seats_text
from game.compiled import Compiled


def parse_agents(text: str, sc: Compiled) -> dict[str, SeatSpec]:
    """Seat specs per role; raises AgentSpecError with the registry's message."""
    text = text.strip()
    if not text:
        return parse_seats("", sc)
    head = text.split(",", 1)[0].split("=", 1)[0].strip()
    if head in sc.role_ids:
        return parse_seats(text, sc)
    return parse_seats("", sc, default=text)


def canonical_agents(text: str, sc: Compiled) -> str:
    """The spelled-out seat spec stored in meta.json and every row."""
    return seats_text(parse_agents(text, sc))
