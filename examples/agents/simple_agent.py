#!/usr/bin/env python3
"""A simple Wedge agent that runs as a separate program: a template for your own.

Put it in a seat with the seat spec (see game/agents/registry.py and docs/agents.md)::

    us=external:python3 examples/agents/simple_agent.py:timeout=2

It uses only the Python standard library. Wedge talks to it with JSON Lines: one
JSON object per line on stdin, one per line on stdout (the full protocol is in
docs/agents.md):

    Wedge -> agent  {"type": "hello", "protocol": 1, "role": "us", "scenario": {...}, "seed": 42}
    agent -> Wedge  {"type": "ready", "name": "simple"}                 (optional)
    Wedge -> agent  {"type": "act", "id": 7, "view": {...}, "legal": ["us:play:...", "us:seal"]}
    agent -> Wedge  {"type": "command", "id": 7, "command": "us:seal"}  (must be one of "legal")
    Wedge -> agent  {"type": "end", "results": {...}}                   (then stdin closes)

Rules of thumb for any agent:

* Answer every "act" with exactly one "command" line carrying the same "id", and pick the
  command string verbatim from "legal". Anything else (no answer within the timeout, a
  command that isn't legal, a line that isn't JSON) makes Wedge use a default command
  (seal / done) for that decision.
* Flush stdout after every line (print(..., flush=True)).
* Never print anything else on stdout; write debugging output to stderr.
* Be deterministic given the "seed" in hello if you want games to be reproducible.

This agent's strategy, which is deliberately simple:

* diplomacy: make no offers, say "done";
* orders: accept every offer made to it; then, once per turn, play the card an accepted
  offer asked of it if it can, otherwise its cheapest playable card; then seal.
"""

from __future__ import annotations

import json
import sys
from typing import Any

# Filled in from the hello message.
ROLE = ""
CARD_COST: dict[str, int] = {}


def send(message: dict[str, Any]) -> None:
    """Write one JSON object as one line and flush, so Wedge sees it at once."""
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def parts(command: str) -> list[str]:
    """'us:play:card-id:prc' -> ['us', 'play', 'card-id', 'prc'] (actor, verb, arguments)."""
    return command.split(":")


def choose(view: dict[str, Any], legal: list[str]) -> str:
    """Pick one command from `legal`. Whatever happens, return an element of `legal`."""
    by_verb: dict[str, list[str]] = {}
    for command in legal:
        by_verb.setdefault(parts(command)[1], []).append(command)

    # Orders phase: answer offers first. An offer reads "if you play ASK, I play GIVE".
    if "accept" in by_verb:
        return by_verb["accept"][0]

    # Play at most one card per turn: only if our order (hidden from others) is still empty.
    plays = by_verb.get("play", [])
    if plays and not view.get("my_order"):
        asked = {
            offer["ask"]
            for offer in view.get("offers", [])
            if offer.get("to") == ROLE and offer.get("status") == "accepted" and offer.get("turn") == view.get("turn")
        }
        # Keep our word if we can, otherwise the cheapest card (ties broken by card id).
        kept = [c for c in plays if parts(c)[2] in asked]
        if kept:
            return kept[0]
        return min(plays, key=lambda c: (CARD_COST.get(parts(c)[2], 99), c))

    # Otherwise end our part of the phase: "seal" in orders, "done" in diplomacy.
    for verb in ("seal", "done"):
        if verb in by_verb:
            return by_verb[verb][0]
    return legal[-1]  # never reached with the standard rules, but always a legal answer


def main() -> None:
    global ROLE
    for line in sys.stdin:  # one message per line; the loop ends when Wedge closes stdin
        if not line.strip():
            continue
        message = json.loads(line)
        kind = message.get("type")
        if kind == "hello":
            ROLE = message["role"]
            for card in message["scenario"]["cards"]:
                CARD_COST[card["id"]] = card["cost"]
            send({"type": "ready", "name": "simple-agent"})
        elif kind == "act":
            command = choose(message["view"], message["legal"])
            send({"type": "command", "id": message["id"], "command": command})
        elif kind == "end":
            results = message.get("results") or {}
            mine = results.get(ROLE, {})
            print(f"simple-agent ({ROLE}): game over, score {mine.get('score')}", file=sys.stderr)
            break
        # Unknown message types are ignored, so newer Wedge versions don't break the agent.


if __name__ == "__main__":
    main()
