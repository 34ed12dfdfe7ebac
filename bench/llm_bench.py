"""Language-model seat figures with the local model (prints numbers; asserts nothing).

One classroom game with two model seats (US and PRC) against the heuristic doctrine,
played against the ``llm-server`` extra's SmolLM2-135M in its own process; then the same
game again from its recorded calls with the model server stopped. Prints, per model
decision, the seconds spent waiting for the endpoint and the prompt and completion
tokens; the defaults taken; and how much faster the replay from recorded calls is.

    make llm-server && .venv/bin/python bench/llm_bench.py [--seed N] [--prompt short|full]

Several minutes on 2 cores: the model reads about 1,700 prompt tokens per decision.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from game.agents import local_model as lm  # noqa: E402
from game.agents.base import Agent  # noqa: E402
from game.agents.llm import LLMAgent  # noqa: E402
from game.agents.llm_cache import CallCache  # noqa: E402
from game.agents.registry import build_agents, parse_agents  # noqa: E402
from game.compiled import Compiled  # noqa: E402
from game.engine import open_scenario  # noqa: E402
from game.simulate import play  # noqa: E402

MODEL_SEATS = ("us", "prc")


def seats(sc: Compiled, seed: int, base_url: str, model: str, prompt: str, cache: CallCache) -> list[Agent]:
    spec = f"llm:model={model}:base_url={base_url}:format=json_object:prompt={prompt}:max_tokens=96:timeout=25"
    named = ",".join(f"{r}={spec}" for r in MODEL_SEATS)
    agents = build_agents(sc, parse_agents(f"{named},russia=heuristic,india=heuristic", sc), seed)
    for agent in agents:
        if isinstance(agent, LLMAgent):
            agent.cache = cache  # every call recorded, as a game's save keeps them
    return agents


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--prompt", choices=("short", "full"), default="short")
    args = ap.parse_args()
    reason = lm.available()
    if reason is not None:
        print(f"no local model server: {reason}")
        return 0
    sc = open_scenario(ROOT / "scenarios" / "classroom.yaml")
    cache = CallCache()
    with lm.start_server() as server:
        base_url, model = server.base_url, server.model
        agents = seats(sc, args.seed, base_url, model, args.prompt, cache)
        started = time.monotonic()
        played = play(sc, args.seed, agents)
        wall = time.monotonic() - started
    llm = [a for a in agents if isinstance(a, LLMAgent)]
    decisions = sum(a.decision for a in llm)
    total = {k: sum(a.stats[k] for a in llm) for k in ("calls", "prompt_tokens", "completion_tokens", "seconds")}
    defaults = sum(a.stats["defaults"] for a in llm)
    print(f"classroom game, seed {args.seed}, prompt={args.prompt}, {model}: {len(played.commands)} commands")
    print(f"  {decisions} model decisions, {total['calls']} calls, {defaults} defaults taken; {wall:.0f} s in all")
    print(
        f"  per decision: {total['seconds'] / decisions:.1f} s waiting for the endpoint, "
        f"{total['prompt_tokens'] / decisions:,.0f} prompt + {total['completion_tokens'] / decisions:,.0f} "
        "completion tokens"
    )
    # What went wrong on the way (a default is taken after a second bad answer, a timeout,
    # a spent turn budget...): see the llm module's docstring for each kind.
    events = Counter(e["kind"] for a in llm for e in a.events)
    print("  events: " + (", ".join(f"{kind} {n}" for kind, n in events.most_common()) or "none"))
    again = seats(sc, args.seed, base_url, model, args.prompt, CallCache.from_entries(cache.entries))
    started = time.perf_counter()
    replayed = play(sc, args.seed, again)
    replay = time.perf_counter() - started
    hits = sum(a.stats["cache_hits"] for a in again if isinstance(a, LLMAgent))
    same = "the same commands" if replayed.commands == played.commands else "DIFFERENT commands"
    print(f"  again from recorded calls, model server stopped: {replay:.2f} s, {hits} answers recorded, {same}")
    print(f"  ratio: {wall / replay:,.0f}x faster than with the model")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
