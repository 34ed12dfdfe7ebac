"""`wedge balance`: the balance: schema, the pass agent, legal chances and every check.

Most figures are known by construction of tests/fixtures/balance-tiny.yaml (see its
header): a track nothing touches, a track pinned at its max by the only shock, a card
that is never legal, a lever whose removal can only lower a track. One in-process run
of a section with every kind of target feeds most tests; the CLI's exit codes are
checked in subprocesses.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from wedge_testing import ROOT, STANDARD

from game.agents.pass_agent import PassAgent
from game.agents.registry import AgentSpecError, parse_seat, parse_seats
from game.balance.checks import CHECKS
from game.balance.figures import batch_figures, replay_figures
from game.balance.plan import Options, make_plan
from game.cli import main
from game.compiled import compile_scenario, content_hash
from game.scenario import balance as bm
from game.scenario import models
from game.scenario.loader import ScenarioError, load_scenario, load_scenario_text
from game.simulate import play

TINY = ROOT / "tests" / "fixtures" / "balance-tiny.yaml"
DOCTRINE = ROOT / "tests" / "fixtures" / "doctrine-balance-tiny.yaml"

FULL = f"""
balance:
  seed: 1
  mixes:
    rnd: {{agents: random, games: 30}}
    idle: {{agents: pass, games: 5}}
    doc: {{agents: "heuristic:doctrine={DOCTRINE}", games: 5}}
  baseline_games: 5
  no_shock_agents: random
  levers:
    - {{id: push, remove_cards: [a-push], track: score, direction: up, agents: [random], games: [30]}}
    - {{id: pushdown, remove_cards: [a-push], track: score, direction: down, agents: [random], games: [30]}}
  windows: {{track: drifty, agents: random, games: 10}}
  targets:
    - {{check: win_rate, mixes: [idle], min: 0.0, max: 1.0}}
    - {{check: no_play_win_rate, max: 0.1}}
    - {{check: no_play_drift, track: drifty, max: 3}}
    - {{check: window_effect, min: 1}}
    - {{check: lever_effect}}
    - {{check: deal_kept, ask: b-calm, give: a-push, mix: doc, min: 2, max: 2}}
    - {{check: card_success, card: a-push, track: score, under_offer: true, mix: doc, min: 1}}
    - {{check: card_pick_rate, mix: idle, min: 0.0, max: 1.0}}
    - {{check: card_pick_rate, mix: rnd, min: 0.01, max: 1.0}}
    - {{check: track_at_start, mix: rnd, max: 0.3}}
    - {{check: pinned, track: heat, bound: max, mix: rnd, max: 0.5}}
    - {{check: crisis_never_helps, mixes: [rnd]}}
    - {{check: skill_gain, min: 0.1}}
    - {{check: doctrine_bans, max: 2, doctrine: {DOCTRINE}}}
    - {{check: doctrine_bans, max: 1, doctrine: {DOCTRINE}}}
"""


def tiny_with(tmp_path: Path, section: str, name: str = "tiny.yaml") -> Path:
    path = tmp_path / name
    path.write_text(TINY.read_text(encoding="utf-8") + section, encoding="utf-8")
    return path


def run_main(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("balance")
    path = tiny_with(tmp, FULL)
    out = tmp / "out"
    code, stdout, stderr = run_main("balance", path, "--out", out, "--workers", "1", "--quiet")
    report = json.loads((out / "balance.json").read_text(encoding="utf-8"))
    return {"code": code, "stdout": stdout, "stderr": stderr, "report": report, "out": out, "path": path}


def lines(report: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return [x for t in report["targets"] if t["check"] == check for x in t["lines"]]


def line(report: dict[str, Any], check: str, subject: str) -> dict[str, Any]:
    found = [x for x in lines(report, check) if x["subject"] == subject]
    assert len(found) == 1, (subject, lines(report, check))
    return found[0]


# --------------------------------------------------------------------- schema


def test_balance_models_share_the_scenario_models_config() -> None:
    assert bm.Strict.model_config == models.Strict.model_config


def test_every_check_kind_has_a_model_and_a_function() -> None:
    kinds = {t.model_fields["check"].annotation.__args__[0] for t in bm.AnyTarget.__origin__.__args__}  # type: ignore[attr-defined]
    assert kinds == set(bm.CHECK_KINDS) == set(CHECKS)


def test_balance_section_is_not_game_content(tmp_path: Path) -> None:
    """Targets can be edited without invalidating saves or playtest directories."""
    plain = load_scenario(TINY)
    with_section = load_scenario(tiny_with(tmp_path, FULL))
    assert with_section.balance is not None and plain.balance is None
    assert "balance" not in with_section.model_dump(mode="json", by_alias=True)
    assert content_hash(with_section) == content_hash(plain)


def _problem_line(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the `nth` line containing `needle`."""
    hits = [i for i, x in enumerate(text.splitlines(), 1) if needle in x]
    return hits[nth - 1]


@pytest.mark.parametrize(
    ("section", "needle", "message"),
    [
        ("  levers:\n    - {id: x, remove_cards: [a-pusj], track: score, direction: up}\n",
         "a-pusj", "balance.levers[0].remove_cards[0]: unknown card 'a-pusj'; did you mean 'a-push'?"),
        ("  targets:\n    - {check: pinned, track: hot, bound: max, mix: m, max: 0.5}\n",
         "track: hot", "balance.targets[0].track: unknown track 'hot'"),
        ("  targets:\n    - {check: lever_grows, levers: [nope]}\n",
         "nope", "balance.targets[0].levers[0]: unknown lever 'nope'"),
        ("  targets:\n    - {check: win_rate, mixes: [m], min: 0.1, mx: 0.2}\n",
         "mx:", "balance.targets[0].mx: unknown field 'mx'"),
        ("  targets:\n    - {check: win_rates, mixes: [m]}\n",
         "win_rates", "balance.targets[0].check: unknown check 'win_rates'"),
        ("  mixes:\n    m: {agents: 'us=random', games: 5}\n",
         "us=random", "balance.mixes.m.agents: unknown role 'us'"),
        ("  mixes:\n    m: {agents: random, gamez: 5}\n",
         "gamez", "balance.mixes.m.gamez: unknown field 'gamez'; did you mean 'games'?"),
        ("  targets:\n    - {check: deal_kept, ask: a-push, give: b-calm, mix: m, min: 1}\n",
         "deal_kept", "balance.targets[0].ask: card 'a-push' is not askable"),
        ("  levers:\n    - {id: x, remove_cards: [a-push], track: score, direction: up, agents: [random, pass],"
         " games: [5]}\n", "agents: [random", "balance.levers[0]: games lists 1 count(s) for 2 agent spec(s)"),
    ],
)
def test_balance_errors_name_file_and_line(tmp_path: Path, section: str, needle: str, message: str) -> None:
    text = TINY.read_text(encoding="utf-8") + "balance:\n" + section
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text, "tiny.yaml")
    first = str(caught.value).splitlines()[0]
    m = re.match(r"^tiny\.yaml:(\d+):(\d+): (.*)$", first)
    assert m, first
    assert int(m[1]) == _problem_line(text, needle), first
    assert m[3].startswith(message), first


def test_balance_cli_unknown_card_is_a_located_usage_error(wedge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tiny_with(tmp_path, "balance:\n  levers:\n    - {id: x, remove_cards: [a-nope], track: score, "
                               "direction: up}\n")
    proc = wedge("balance", path, "--out", tmp_path / "out")
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: balance\.levers\[0\]\.remove_cards\[0\]: unknown card 'a-nope'",
                    proc.stderr), proc.stderr
    assert not (tmp_path / "out").exists()


# ----------------------------------------------------------------- pass agent


def test_pass_agent_plays_nothing() -> None:
    sc = compile_scenario(load_scenario(TINY))
    seats = parse_seats("", sc, default="pass")
    assert {s.kind for s in seats.values()} == {"pass"}
    played = play(sc, 7, [PassAgent(1), PassAgent(2)])
    assert played.state.over and played.state.turn == 2
    assert all(not order for rec in played.state.history for order in rec.orders)
    assert all(not rec.offers for rec in played.state.history)
    assert {c.split(":")[1] for c in played.commands} == {"done", "seal"}


def test_pass_agent_declines_offers_and_takes_no_parameters() -> None:
    sc = compile_scenario(load_scenario(TINY))
    from game.agents.random_agent import RandomAgent

    # random offers from `a` now and then; the pass agent in `b` declines every one it answers
    answered = 0
    for seed in range(20):
        played = play(sc, seed, [RandomAgent(seed), PassAgent(0)])
        for rec in played.state.history:
            for o in rec.offers:
                assert o.status == "declined"
                answered += 1
        assert all(not rec.orders[1] for rec in played.state.history)
    assert answered > 0
    with pytest.raises(AgentSpecError, match="no parameter"):
        parse_seat("pass:foo=1")


def test_pass_is_an_ai_kind_for_seats() -> None:
    from game.server.agents import check_network_controller
    from tui.seats import ai_kinds

    assert "pass" in ai_kinds()
    assert check_network_controller("pass") == ""


# ------------------------------------------------------------- legal chances


def test_legal_chances_hand_computed() -> None:
    """Role a starts with 2 capital (+1 a turn); a-big costs 3; a-never needs a flag nothing sets.

    Nobody plays: a has 3 capital at turn 2, so a-big has exactly one chance. A plays a-push
    (cost 1) in turn 1: 2 - 1 + 1 = 2 capital at turn 2, so a-big never has one.
    """
    sc = compile_scenario(load_scenario(TINY))
    idle = ["a:done", "b:done", "a:seal", "b:seal"] * 2
    figures, _ = replay_figures(sc, 0, 3, idle)
    assert figures.chances == {"a-push": 2, "a-idle": 2, "a-big": 1, "b-calm": 2, "b-wait": 2}
    assert figures.plays == () and figures.shocks == 2
    push = ["a:done", "b:done", "a:play:a-push", "a:seal", "b:seal", "a:done", "b:done", "a:seal", "b:seal"]
    figures, _ = replay_figures(sc, 0, 3, push)
    assert figures.chances == {"a-push": 2, "a-idle": 2, "b-calm": 2, "b-wait": 2}
    assert [(p.turn, p.card, p.changed) for p in figures.plays] == [(1, "a-push", ("score",))]


def test_pass_mix_chances_are_turns_times_games(full: dict[str, Any]) -> None:
    cards = full["report"]["mixes"]["idle"]["cards"]
    games = full["report"]["mixes"]["idle"]["games"]
    assert games == 5
    assert cards["a-idle"] == {**cards["a-idle"], "plays": 0, "chances": 2 * games, "rate": 0.0, "never_played": True}
    assert cards["a-big"]["chances"] == games  # turn 2 only
    assert cards["a-never"]["chances"] == 0
    flagged = line(full["report"], "card_pick_rate", "idle / a-idle")
    assert flagged["status"] == "FAIL"
    assert "never played" in flagged["detail"] and "10 legal chances" in flagged["detail"]


def test_never_legal_card_is_flagged(full: dict[str, Any]) -> None:
    x = line(full["report"], "card_pick_rate", "rnd / a-never")
    assert x["status"] == "FAIL" and x["data"]["chances"] == 0 and x["data"]["plays"] == 0
    assert "never even legal" in x["detail"]
    assert line(full["report"], "card_pick_rate", "rnd / a-push")["status"] == "PASS"


def test_plays_never_exceed_chances(full: dict[str, Any]) -> None:
    for mix in full["report"]["mixes"].values():
        for card in mix["cards"].values():
            assert card["plays"] <= card["chances"]


def test_figures_cache_is_reused_and_checked(full: dict[str, Any]) -> None:
    key = next(b["key"] for b in full["report"]["batches"]
               if b["variant"] == "plain" and b["agents"] == "a=random,b=random")
    directory = full["out"] / key
    cache = directory / "balance-figures.jsonl"
    before = cache.read_text(encoding="utf-8")
    assert len(before.splitlines()) == 30
    again = batch_figures(directory, 30)
    assert cache.read_text(encoding="utf-8") == before  # nothing replayed
    assert [f.index for f in again] == list(range(30))


# ---------------------------------------------------------------- the checks


def test_full_run_exit_code_and_table(full: dict[str, Any]) -> None:
    assert full["code"] == 1
    assert "Traceback" not in full["stderr"]
    assert re.search(r"^FAIL\s+track_at_start\s+rnd / still\s+1\.000", full["stdout"], re.M)
    assert "SOME TARGETS FAIL" in full["stdout"]


def test_track_nothing_touches_fails_track_at_start(full: dict[str, Any]) -> None:
    x = line(full["report"], "track_at_start", "rnd / still")
    assert x["status"] == "FAIL" and x["data"]["share"] == 1.0
    assert line(full["report"], "track_at_start", "rnd / heat")["status"] == "PASS"


def test_pinned_track_and_pinned_notes(full: dict[str, Any]) -> None:
    x = line(full["report"], "pinned", "rnd / heat at max (10)")
    assert x["status"] == "FAIL" and x["data"]["share"] == 1.0
    notes = [y for y in lines(full["report"], "pinned") if y["status"] == "NOTE"]
    assert [y["subject"] for y in notes] == ["rnd / stability at max (5)"]
    tracks = full["report"]["mixes"]["rnd"]["tracks"]
    assert tracks["heat"]["at_max"] == 1.0 and tracks["stability"]["at_max"] == 1.0


def test_no_play_baseline_draws_no_shocks(full: dict[str, Any]) -> None:
    report = full["report"]
    no_play = next(b for b in report["batches"] if b["agents"] == "a=pass,b=pass" and b["variant"] == "no-shocks")
    figures = batch_figures(Path(no_play["dir"]), 5)
    assert [f.shocks for f in figures] == [0] * 5
    assert all(not f.plays for f in figures)
    assert report["baselines"]["no-play"]["tracks"]["heat"]["at_start"] == 1.0
    assert report["mixes"]["idle"]["shocks_per_game"] == 2.0  # the same agents with shocks on


def test_no_play_figures(full: dict[str, Any]) -> None:
    drift = line(full["report"], "no_play_drift", "drifty")
    assert drift["status"] == "PASS" and drift["data"]["drift"] == 2.0  # +1 a turn, no window
    assert line(full["report"], "no_play_win_rate", "a")["status"] == "PASS"
    b = line(full["report"], "no_play_win_rate", "b")
    assert b["status"] == "FAIL" and b["data"]["win_rate"] == 1.0


def test_window_effect(full: dict[str, Any]) -> None:
    x = line(full["report"], "window_effect", "drifty")
    assert x["status"] == "PASS"
    assert x["data"]["diff"] == 2.0 and x["data"]["a"] == 4.0 and x["data"]["b"] == 2.0
    assert x["data"]["suspension_lifted"] == ["drifty"]


def test_lever_effect_sign(full: dict[str, Any]) -> None:
    up = line(full["report"], "lever_effect", "push [random]")
    down = line(full["report"], "lever_effect", "pushdown [random]")
    assert up["status"] == "PASS" and up["data"]["diff"] > 0 and up["data"]["diff_ci95"][0] > 0
    assert up["data"]["b"] == 0.0  # without a-push nothing moves the score
    assert down["status"] == "FAIL" and down["data"]["diff"] == up["data"]["diff"]


def test_lever_pairs_share_seeds(full: dict[str, Any]) -> None:
    """Side A of the lever is the random mix itself: one batch, paired game by game with B."""
    report = full["report"]
    plain = [b for b in report["batches"] if b["variant"] == "plain" and b["agents"] == "a=random,b=random"]
    assert len(plain) == 1 and plain[0]["games"] == 30
    a = [json.loads(x) for x in (Path(plain[0]["dir"]) / "games.jsonl").read_text().splitlines()]
    lever = next(b for b in report["batches"] if b["variant"] == "lever-push")
    b = [json.loads(x) for x in (Path(lever["dir"]) / "games.jsonl").read_text().splitlines()]
    seeds_a = {r["index"]: r["seed"] for r in a}
    seeds_b = {r["index"]: r["seed"] for r in b}
    assert seeds_a == seeds_b
    finals_a = {r["index"]: r["final_tracks"]["score"] for r in a}
    assert all(finals_a[r["index"]] >= r["final_tracks"]["score"] == 0 for r in b)


def test_deal_and_card_success(full: dict[str, Any]) -> None:
    deal = lines(full["report"], "deal_kept")[0]
    assert deal["status"] == "PASS" and deal["data"]["per_game"] == 2.0 and deal["data"]["kept"] == 10
    success = lines(full["report"], "card_success")[0]
    assert success["status"] == "PASS" and success["data"]["plays"] == 10 and success["data"]["share"] == 1.0


def test_crisis_check_skips_without_crises(full: dict[str, Any]) -> None:
    (x,) = lines(full["report"], "crisis_never_helps")
    assert x["status"] == "SKIP" and "0 crisis games" in x["detail"]


def test_unconfigured_target_fails_saying_what_is_missing(full: dict[str, Any]) -> None:
    (x,) = lines(full["report"], "skill_gain")
    assert x["status"] == "FAIL" and "balance.skill" in x["detail"]


def test_doctrine_bans(full: dict[str, Any]) -> None:
    two, one = (t for t in full["report"]["targets"] if t["check"] == "doctrine_bans")
    assert two["status"] == "PASS" and one["status"] == "FAIL"
    assert two["lines"][0]["data"]["banned"] == ["a-big", "b-wait"]


def test_html_report_is_self_contained(full: dict[str, Any]) -> None:
    page = (full["out"] / "balance.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"""(src|href)\s*=|<script|@import|url\(""", page)
    assert 'class="FAIL"' in page and 'class="PASS"' in page
    assert "a-never" in page and "rnd / still" in page


# ------------------------------------------------------------------ planning


def test_plan_plays_only_what_the_selected_checks_need(tmp_path: Path) -> None:
    model = load_scenario(tiny_with(tmp_path, FULL))
    plan = make_plan("tiny.yaml", model, tmp_path / "out", Options(only=("win_rate",)))
    assert list(plan.mixes) == ["idle"]
    assert [b.key for b in plan.batches.values()] == ["plain/pass"]
    plan = make_plan("tiny.yaml", model, tmp_path / "out", Options(only=("window_effect",), games=7))
    assert sorted(b.key for b in plan.batches.values()) == ["plain/random", "windows-off/random"]
    assert {b.games for b in plan.batches.values()} == {7}


def test_plan_baselines_turn_every_shock_off(tmp_path: Path) -> None:
    """Neither the per-turn draw nor the extra draw at low stability can happen."""
    model = load_scenario(tiny_with(tmp_path, FULL))
    plan = make_plan("tiny.yaml", model, tmp_path / "out", Options(only=("no_play_drift",)))
    assert plan.no_play is not None and plan.no_shock is not None
    no_play, no_shock = plan.batches[plan.no_play[0]], plan.batches[plan.no_shock[0]]
    assert no_play.spec.agents == "a=pass,b=pass" and no_shock.spec.agents == "a=random,b=random"
    for batch in (no_play, no_shock):
        rules = batch.spec.model.rules
        assert rules.shocks_per_turn == 0 and rules.extra_shock_at_or_below == 0  # stability's min is 1
        assert batch.variant == "no-shocks" and batch.games == 5
    assert not plan.mixes


def test_plan_agents_override_and_skill(tmp_path: Path) -> None:
    section = FULL + "  skill: {base: pass, challenger: random, games: 20}\n"
    model = load_scenario(tiny_with(tmp_path, section))
    plan = make_plan("tiny.yaml", model, tmp_path / "out", Options(agents="random", only=("win_rate", "skill_gain")))
    assert list(plan.mixes) == ["custom"] and plan.mix_name("idle") == "custom"
    agents = {b.spec.agents for b in plan.batches.values()}
    assert agents == {"a=random,b=random", "a=pass,b=pass", "a=random,b=pass", "a=pass,b=random"}
    assert plan.skill_roles["a"].a == "plain/a-random_b-pass"


def test_plan_adapts_heuristic_doctrine_on_lever_side(tmp_path: Path) -> None:
    """Heuristic seats on the side without the lever's cards get the doctrine minus their rules."""
    section = ("balance:\n  levers:\n    - {id: l1, remove_cards: [us-tariff-carrot], track: alignment, "
               "direction: down, agents: [heuristic], games: [10]}\n  targets:\n    - {check: lever_effect}\n")
    path = tmp_path / "standard.yaml"
    own = STANDARD.read_text(encoding="utf-8").split("\nbalance:\n")[0]  # the scenario's own section replaced
    path.write_text(own.rstrip("\n") + "\n\n" + section, encoding="utf-8")
    plan = make_plan(str(path), load_scenario(path), tmp_path / "out", Options())
    a, b = plan.levers[("l1", 0)].a, plan.levers[("l1", 0)].b
    assert "doctrine=" not in plan.batches[a].spec.agents
    derived = tmp_path / "out" / "lever-l1" / "doctrine.yaml"
    assert f"heuristic:doctrine={derived}" in plan.batches[b].spec.agents
    assert "us-tariff-carrot" not in derived.read_text(encoding="utf-8").split("\n", 2)[2]


def test_shipped_scenarios_balance_sections_plan(tmp_path: Path) -> None:
    """Every balance: section shipped in scenarios/ plans: agent specs parse, overlays apply,
    heuristic doctrines adapt to the levers (no games are played)."""
    planned = 0
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        if path.name.startswith("doctrine"):
            continue
        model = load_scenario(path)
        if model.balance is None:
            continue
        plan = make_plan(str(path), model, tmp_path / path.stem, Options())
        planned += 1
        assert plan.batches and len(plan.targets) == len(model.balance.targets)
        for lever in model.balance.levers:
            for k in range(len(lever.agents)):
                pair = plan.levers[(lever.id, k)]
                removed = {c.id for c in plan.batches[pair.a].spec.model.cards}
                removed -= {c.id for c in plan.batches[pair.b].spec.model.cards}
                assert removed == set(lever.remove_cards)
    assert planned >= 1  # the standard scenario ships one


# ----------------------------------------------------------------------- CLI


def test_cli_failing_target_exits_1(wedge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tiny_with(tmp_path, "balance:\n  mixes:\n    rnd: {agents: random, games: 6}\n  targets:\n"
                               "    - {check: track_at_start, mix: rnd, max: 0.3, tracks: [still, heat]}\n")
    proc = wedge("balance", path, "--out", tmp_path / "out", "--workers", "1")
    assert proc.returncode == 1, (proc.stdout, proc.stderr)
    assert re.search(r"^FAIL\s+track_at_start\s+rnd / still", proc.stdout, re.M), proc.stdout
    assert re.search(r"^PASS\s+track_at_start\s+rnd / heat", proc.stdout, re.M), proc.stdout
    assert (tmp_path / "out" / "balance.html").is_file()


def test_cli_all_pass_exits_0_and_resumes(wedge, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tiny_with(tmp_path, "balance:\n  mixes:\n    idle: {agents: pass, games: 3}\n  baseline_games: 3\n"
                               "  no_shock_agents: null\n  targets:\n"
                               "    - {check: win_rate, mixes: [idle], min: 0, max: 1}\n"
                               "    - {check: no_play_drift, track: drifty, max: 2}\n")
    out = tmp_path / "out"
    proc = wedge("balance", path, "--out", out, "--workers", "1")
    assert proc.returncode == 0, (proc.stdout, proc.stderr)
    assert "all targets pass" in proc.stdout and "FAIL" not in proc.stdout
    report = json.loads((out / "balance.json").read_text(encoding="utf-8"))
    assert report["passed"] is True and report["counts"]["PASS"] == 3
    meta = json.loads((out / "plain" / "pass" / "meta.json").read_text(encoding="utf-8"))
    code, _, _ = run_main("balance", path, "--out", out, "--workers", "1", "--quiet")
    assert code == 0
    meta2 = json.loads((out / "plain" / "pass" / "meta.json").read_text(encoding="utf-8"))
    assert len(meta2["runs"]) == len(meta["runs"]) + 1 and meta2["runs"][-1]["played"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--only", "win_rat"), "--only win_rat: no such check"),
        (("--only", "skill_gain"), "no skill_gain target"),
        (("--games", "0"), "--games must be at least 1"),
        (("--agents", "rondom"), "unknown agent 'rondom'"),
        (("--agents", "heuristic"), "--agents (OUT/plain/heuristic): cannot build the agents a=heuristic,b=heuristic"),
    ],
)
def test_cli_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    path = tiny_with(tmp_path, "balance:\n  mixes:\n    idle: {agents: pass, games: 3}\n  targets:\n"
                               "    - {check: win_rate, mixes: [idle], min: 0, max: 1}\n")
    code, stdout, stderr = run_main("balance", path, "--out", tmp_path / "out", *args)
    assert code == 2 and message.replace("OUT", str(tmp_path / "out")) in stderr, stderr
    assert "Traceback" not in stderr and stderr.count("\n") == 1, stderr


def test_cli_scenario_without_section_exits_2(tmp_path: Path) -> None:
    code, _, stderr = run_main("balance", TINY, "--out", tmp_path / "out")
    assert code == 2 and "has no balance: section" in stderr
