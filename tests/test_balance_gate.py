"""The standard scenario's balance gate: a reduced `wedge balance` run inside `make test`.

The full check (`make bench-balance`, thousands of games and search agents) takes far too long
for a test suite, but a card edit that quietly breaks the balance should still fail CI. So this
runs the same command on the same scenario with fewer games, heuristic agents only and a fixed
seed — it is deterministic, so it cannot be flaky — against bands widened from the targets by
about two standard errors of the full run (win rates ±0.05 around 15–35%; the levers need only
their sign). Its section replaces the scenario's own `balance:` in a temporary copy.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from wedge_testing import ROOT, wedge_command

STANDARD = ROOT / "scenarios" / "standard.yaml"

GATE = """
balance:
  seed: 7
  mixes:
    heuristic: {agents: heuristic, games: 500}
  baseline_games: 200
  no_shock_agents: null
  levers:
    - {id: lever1, remove_cards: [us-secondary-sanctions-banks, us-tariff-carrot, us-entity-list-designations],
       track: alignment, direction: down, agents: [heuristic], games: [1000]}
    - {id: lever2, remove_cards: [us-arms-waiver-india], track: alignment, direction: down,
       agents: [heuristic], games: [1000]}
    - {id: lever3, remove_cards: [us-far-east-framing, us-arctic-framing, us-arms-control-contact,
                                  us-nonproliferation-dialogue, us-leaders-summit],
       track: alignment, direction: down, agents: [heuristic], games: [1000]}
  targets:
    - {check: win_rate, mixes: [heuristic], min: 0.10, max: 0.40}
    - {check: no_play_drift, track: alignment, max: 3}
    - {check: no_play_win_rate, max: 0.05}
    - {check: lever_effect}
    - {check: lever_grows, levers: [lever2, lever3]}
    - {check: deal_kept, ask: prc-curb-dual-use-exports, give: us-tariff-carrot, mix: heuristic, min: 0.4}
    - {check: card_success, card: us-tariff-carrot, track: tariff, under_offer: true, mix: heuristic, min: 0.5}
    - {check: doctrine_bans, max: 2}
"""


@pytest.fixture(scope="module")
def gate(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], dict]:
    tmp = tmp_path_factory.mktemp("gate")
    own = STANDARD.read_text(encoding="utf-8").split("\nbalance:\n")[0]
    scenario = tmp / "standard.yaml"
    scenario.write_text(own.rstrip("\n") + "\n" + GATE, encoding="utf-8")
    out = tmp / "out"
    proc = subprocess.run(
        [*wedge_command(), "balance", str(scenario), "--out", str(out), "--workers", "2"],
        capture_output=True, text=True, encoding="utf-8", cwd=ROOT, timeout=600,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    report = json.loads((out / "balance.json").read_text(encoding="utf-8")) if (out / "balance.json").exists() else {}
    return proc, report


def test_standard_scenario_passes_its_balance_gate(gate: tuple[subprocess.CompletedProcess[str], dict]) -> None:
    proc, _ = gate
    failing = [line for line in proc.stdout.splitlines() if line.startswith("FAIL")]
    assert proc.returncode == 0 and not failing, "\n".join(failing) or proc.stderr or proc.stdout
    sys.stdout.write(proc.stdout)
