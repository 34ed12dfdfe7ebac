"""What a batch with language-model seats costs, as the progress bar, the summary and the
end of ``wedge playtest`` / ``wedge experiment`` report it, and the shipped example
experiments that put a model in Russia's seat.

Model seats play against the scripted loopback endpoint (tests/llm_endpoint.py), which
reports 11 prompt and 7 completion tokens a call; the totals are checked against the sum
of the rows' own ``llm`` usage, which is what a user would add up by hand.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from llm_endpoint import Reply, Server, answer, menu, playing, seat
from rich.console import Console
from wedge_testing import ROOT

from game.agents.registry import canonical_agents
from game.engine import compiled
from game.playtest.directory import BatchSpec
from game.playtest.experiment import load_experiment
from game.playtest.progress import Bar, UsageColumn
from game.playtest.runner import run_playtest
from game.playtest.usage import Usage
from game.scenario.loader import load_scenario

CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
EXAMPLES = ROOT / "examples" / "experiments"
#: The endpoint the example experiments' model seats expect (docs/llm.md, "A local model server").
LOCAL_URL = "http://127.0.0.1:8080/v1"
#: ``N calls + H cached · T tokens (P prompt + C completion)``, as printed at the end of a batch.
EXACT = re.compile(r"([\d,]+) calls? \+ ([\d,]+) cached · ([\d,]+) tokens \(([\d,]+) prompt \+ ([\d,]+) completion\)")


def rows_of(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "games.jsonl").read_text(encoding="utf-8").splitlines()]


def summed(rows: list[dict[str, Any]]) -> tuple[int, int, int, int, int]:
    """(calls, cache hits, tokens, prompt tokens, completion tokens) over the rows' model seats."""
    seats = [stats for row in rows for stats in row["llm"].values()]
    prompt = sum(s["prompt_tokens"] for s in seats)
    completion = sum(s["completion_tokens"] for s in seats)
    return sum(s["calls"] for s in seats), sum(s["cache_hits"] for s in seats), prompt + completion, prompt, completion


def printed(text: str) -> tuple[int, ...]:
    m = EXACT.search(text)
    assert m is not None, text
    return tuple(int(x.replace(",", "")) for x in m.groups())


def model_seat(server: Server, role: str = "us") -> str:
    return f"{role}=llm:model=m:base_url={server.base_url}:timeout=5"


# ---------------------------------------------------------------- the progress bar


def usage_row(index: int, **seats: tuple[int, int, int, int]) -> str:
    stats = {role: {"calls": c, "cache_hits": h, "prompt_tokens": p, "completion_tokens": o, "seconds": 0.5,
                    "defaults": 0} for role, (c, h, p, o) in seats.items()}
    return json.dumps({"index": index, "llm": stats})


def test_the_bar_sums_the_model_usage_of_the_rows_it_is_given() -> None:
    out = io.StringIO()
    bar = Bar("games", 10, 2, enabled=True, llm=True, console=Console(file=out, width=200))
    assert bar.progress is not None
    task = bar.progress.tasks[0]
    assert UsageColumn().render(task).plain == "0 calls + 0 cached · 0 tokens"
    with bar:
        bar.advance(2, [usage_row(2, us=(300, 0, 1_150_000, 40_000), prc=(11, 40, 900, 100)),
                        usage_row(3, us=(1, 0, 20, 5))])
        assert UsageColumn().render(task).plain == "312 calls + 40 cached · 1.2M tokens"
        bar.advance(1, [json.dumps({"index": 4})])  # a row without model seats adds nothing
    assert UsageColumn().render(task).plain == "312 calls + 40 cached · 1.2M tokens"
    assert bar.usage == Usage(calls=312, cache_hits=40, prompt_tokens=1_150_920, completion_tokens=40_105)
    drawn = out.getvalue().strip().splitlines()[-1]
    assert "5/10" in drawn and drawn.endswith("312 calls + 40 cached · 1.2M tokens")


def test_a_bar_without_model_seats_is_unchanged() -> None:
    bar = Bar("games", 10, 0, enabled=True, console=Console(file=io.StringIO(), width=200))
    assert bar.progress is not None and bar.usage is None
    assert not any(isinstance(c, UsageColumn) for c in bar.progress.columns)
    bar.advance(1, [usage_row(0, us=(5, 0, 50, 5))])  # never read
    assert Bar("games", 10, 0, enabled=False, llm=True).usage is None  # nobody watching: nothing summed


@pytest.mark.parametrize(
    ("tokens", "text"), [(0, "0"), (999, "999"), (1000, "1.0k"), (999_949, "999.9k"), (999_950, "1.0M"),
                         (12_345_678, "12.3M")]
)
def test_compact_token_counts(tokens: int, text: str) -> None:
    assert Usage(prompt_tokens=tokens).compact() == f"0 calls + 0 cached · {text} tokens"


def test_the_runner_feeds_each_arriving_row_to_the_bar(
    llm_endpoint: Server, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    llm_endpoint.policy = playing
    monkeypatch.setenv("COLUMNS", "220")  # the captured stderr is not a terminal: rich's width comes from here
    model = load_scenario(CLASSROOM)
    agents = canonical_agents(f"{model_seat(llm_endpoint, 'india')},us=random,russia=random,prc=random",
                              compiled(model))
    result = run_playtest(BatchSpec(str(CLASSROOM), model, 3, agents), 2, tmp_path / "out", workers=1,
                          progress=True, plots=False)
    assert result.played == 2 and not result.interrupted
    calls, hits, tokens, _, _ = summed(rows_of(tmp_path / "out"))
    assert calls == len(llm_endpoint.requests) and hits == 0
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "2/2" in last and last.endswith(Usage(calls=calls, prompt_tokens=tokens).compact())


def test_a_batch_without_model_seats_has_no_usage_in_its_summary(tmp_path: Path) -> None:
    model = load_scenario(CLASSROOM)
    result = run_playtest(BatchSpec(str(CLASSROOM), model, 1, canonical_agents("random", compiled(model))), 2,
                          tmp_path / "out", workers=1, progress=False, plots=False)
    assert result.summary is not None and "llm" not in result.summary


# ---------------------------------------------------------------- the end of a batch


def test_wedge_playtest_prints_the_model_seats_totals(llm_endpoint: Server, tmp_path: Path, wedge) -> None:  # type: ignore[no-untyped-def]
    llm_endpoint.policy = playing
    out = tmp_path / "out"
    proc = wedge("playtest", CLASSROOM, "--agents", f"{model_seat(llm_endpoint)},russia=heuristic,prc=random,"
                 "india=heuristic", "--games", "2", "--workers", "2", "--no-plots", "--out", out,
                 "--llm-cache", tmp_path / "calls")
    assert proc.returncode == 0, proc.stderr
    rows = rows_of(out)
    calls, hits, tokens, prompt, completion = summed(rows)
    assert len(rows) == 2 and calls == len(llm_endpoint.requests) > 10 and hits == 0
    assert (prompt, completion) == (11 * calls, 7 * calls)  # what the endpoint reported, call by call
    line = next(x for x in proc.stdout.splitlines() if "model seats:" in x)
    assert printed(line) == (calls, hits, tokens, prompt, completion)
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["llm"] == {"calls": calls, "cache_hits": 0, "prompt_tokens": prompt,
                              "completion_tokens": completion, "defaults": 0, "tokens": tokens}
    # --summarize rebuilds the same line from the rows on disk.
    again = wedge("playtest", "--summarize", out, "--no-plots")
    assert again.returncode == 0, again.stderr
    assert printed(again.stdout) == (calls, hits, tokens, prompt, completion)


# ---------------------------------------------------------------- the example experiments


def playing_any_prompt(body: dict[str, Any]) -> Reply:
    """`playing`, also for ``prompt=short`` seats (the examples' small-model setting), whose
    menu spells each option in words instead of showing its command: any option but taking
    a card back, picked by the prompt's hash."""
    if menu(body):
        return playing(body)
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    options = re.findall(r"^(\d+)\. (.*)$", user.rpartition("Your options now")[2], flags=re.M)
    usable = [int(n) for n, text in options if "back out of your order" not in text]
    digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode()).hexdigest()
    choice = usable[int(digest[:8], 16) % len(usable)]
    return answer(choice, f"{seat(body)} picks {choice}")


def test_the_llm_example_experiment_runs_end_to_end(llm_endpoint: Server, tmp_path: Path, wedge) -> None:  # type: ignore[no-untyped-def]
    """The shipped file as it is, its model seat pointed elsewhere with --seats (as a user
    with another endpoint would)."""
    llm_endpoint.policy = playing_any_prompt
    path = EXAMPLES / "llm-russia-framing.yaml"
    file_seat = load_experiment(path).seats["a"]["russia"].text
    assert LOCAL_URL in file_seat
    seat = "russia=" + file_seat.replace(LOCAL_URL, llm_endpoint.base_url)
    out = tmp_path / "out"
    proc = wedge("experiment", path, "--games", "2", "--workers", "2", "--no-plots", "--quiet", "--out", out,
                 "--llm-cache", tmp_path / "calls", "--seats", seat)
    assert proc.returncode == 0, proc.stderr
    assert "llm-russia-framing — 2 paired games, seed 1" in proc.stdout
    removed = set(load_experiment(path).file.b.overlay.remove_cards)
    for side in "ab":
        rows = rows_of(out / side)
        assert sorted(r["index"] for r in rows) == [0, 1]
        assert all(r["end_reason"] in ("last turn", "crisis") and r["turns"] >= 1 for r in rows)
        for row in rows:
            assert set(row["llm"]) == {"russia"} and row["llm"]["russia"]["calls"] > 0
            assert row["rationales"] and {x["role"] for x in row["rationales"]} == {"russia"}
            assert all(x["source"] == "model" for x in row["rationales"])
        if side == "b":
            assert not removed & {card for r in rows for card in r["cards_played"]}
        calls, hits, tokens, prompt, completion = summed(rows)
        line = next(x for x in proc.stdout.splitlines() if f"model seats, {side.upper()}:" in x)
        assert printed(line) == (calls, hits, tokens, prompt, completion)
    report = json.loads((out / "experiment.json").read_text(encoding="utf-8"))
    assert report["pairs"] == 2
    assert report["sides"]["a"]["llm"]["calls"] + report["sides"]["b"]["llm"]["calls"] == len(llm_endpoint.requests)
    assert len(list((tmp_path / "calls").rglob("*.json"))) == len(llm_endpoint.requests)
