"""The engine's shortcuts on the simulation hot path change nothing.

legal_actions keeps per-role caches, the automatic phases batch their ledger
writes and reuse one working copy across a turn boundary, the random agent skips
the draw for a lone command. Each test compares a shortcut with the plain
definition it stands for, on states from real games and on states a facilitator
changed in the middle of a phase (where a stale cache would show).
"""

from __future__ import annotations

import ast
import random
from typing import Any

import pytest
from wedge_testing import ROOT

from game import accel, rng
from game.agents.random_agent import RandomAgent
from game.commands import Command
from game.compiled import Compiled, compile_scenario
from game.phases import begin_turn, run_adjudication, run_upkeep
from game.rules import apply, apply_fast, legal_actions, menus, new_game, playable
from game.scenario.loader import load_scenario
from game.simulate import play, random_agents
from game.state import ADJUDICATION, DIPLOMACY, ORDERS, OVER, PENDING, UPKEEP, GameState
from game.work import Work


def plain_legal_actions(s: GameState, role: int) -> list[Command]:
    """legal_actions spelled out from the rulebook checks (``playable``), no caches."""
    sc = s.sc
    menu = menus(sc)
    if s.phase == OVER or s.paused or s.ready[role]:
        return []
    me = sc.role_ids[role]
    answers: list[Command] = []
    for o in s.offers:  # §6.6: answered in diplomacy or orders, accepting needs the asked card
        if o.to == role and o.status == PENDING:
            if o.ask in s.hands[role]:
                answers.append(Command(me, "accept", (str(o.id),)))
            answers.append(Command(me, "decline", (str(o.id),)))
    if s.phase == DIPLOMACY:
        out: list[Command] = []
        if not s.diplomacy_locked:
            mine = [o.to for o in s.offers if o.frm == role]
            if len(mine) < sc.rules.max_offers_per_role:
                for give in sorted(set(s.hands[role])):
                    out += [cmd for to, cmd in menu.offers[role][give] if to not in mine]
        return [*answers, *out, menu.done[role]]
    if s.phase == ORDERS:
        out = [c for card in s.hands[role] if not playable(s, role, card) for c in menu.play[card]]
        unplay = [Command(me, "unplay", (sc.card_ids[c],)) for c, _ in s.orders[role]]  # §6.9
        return [*answers, *out, *unplay, menu.seal[role]]
    return []


def game_states(sc: Compiled, seed: int) -> list[GameState]:
    """Every state a random game passes through, plus facilitator edits made mid-phase."""
    agents = random_agents(sc, seed)
    pick = random.Random(seed)
    s = new_game(sc, seed)
    out = [s]
    while s.phase != OVER:
        role = s.ready.index(False)
        s = apply_fast(s, agents[role].act({}, legal_actions(s, role)))
        out.append(s)
        if s.phase == ORDERS and pick.random() < 0.15:
            stability = sc.track_ids[sc.stability]
            low = sc.rules.coercive_blocked_at_or_below
            edited = apply(s, f"gm:set:{stability}:{pick.choice([low, low + 1])}:test")
            edited = apply(edited, f"gm:inject:{pick.choice(sc.shock_ids)}")
            out += [edited] if edited.phase == ORDERS else []
    return out


@pytest.fixture(scope="module")
def classroom_sc() -> Compiled:
    return compile_scenario(load_scenario(ROOT / "scenarios" / "classroom.yaml"))


@pytest.mark.parametrize("which", ["standard", "mini", "classroom"])
def test_legal_actions_match_the_plain_rules_in_any_order(
    which: str, standard_sc: Compiled, mini_sc: Compiled, classroom_sc: Compiled
) -> None:
    sc = {"standard": standard_sc, "mini": mini_sc, "classroom": classroom_sc}[which]
    states = [s for seed in range(4) for s in game_states(sc, seed)]
    random.Random(1).shuffle(states)  # out of order: cached answers must never leak across states
    for s in states:
        for role in range(len(sc.role_ids)):
            assert legal_actions(s, role) == plain_legal_actions(s, role)


def test_override_in_the_orders_phase_updates_the_menu_at_once(standard_sc: Compiled) -> None:
    sc = standard_sc
    s = new_game(sc, 5)
    while s.phase != ORDERS:
        s = apply_fast(s, legal_actions(s, s.ready.index(False))[-1])
    us = sc.role_index["us"]
    coercive = [c for c in sc.cards_by_role[us] if sc.card_coercive[c]]
    hand = (*coercive[:3], *[c for c in sc.cards_by_role[us] if not sc.card_coercive[c]][:2])
    s = s._replace(hands=tuple(hand if r == us else h for r, h in enumerate(s.hands)), capital=(10,) * 4)

    def plays(state: GameState) -> set[int]:
        return {sc.card_index[c.args[0]] for c in legal_actions(state, us) if c.verb == "play"}

    assert plays(s) & set(coercive)
    low = apply(s, f"gm:set:{sc.track_ids[sc.stability]}:{sc.rules.coercive_blocked_at_or_below}:crisis talks")
    assert not plays(low) & set(coercive)
    assert plays(s) & set(coercive)  # the earlier state still gets its own answer


def _work_fields() -> list[str]:
    """Work's attributes, read from its source: a compiled Work has no ``__slots__``."""
    tree = ast.parse(accel.source_path("game.work").read_text())
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "Work")
    slots = next(n for n in cls.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__slots__")
    names = ast.literal_eval(slots.value)
    assert len(names) > 10
    return list(names)


def test_restarted_work_equals_a_fresh_copy(standard_sc: Compiled) -> None:
    checked = 0
    for s in game_states(standard_sc, 2):
        if s.phase != ORDERS or s.ready.count(False) != 1:
            continue
        sealed = s._replace(ready=(True,) * len(s.ready), phase=ADJUDICATION)
        w = Work(sealed)
        run_adjudication(w)
        w.phase = UPKEEP
        run_upkeep(w)
        if w.phase == OVER:
            continue
        nxt = begin_turn(w.freeze())
        w.restart(nxt)
        fresh = Work(nxt)
        for name in _work_fields():
            assert getattr(w, name) == getattr(fresh, name), name
        checked += 1
    assert checked >= 5


def _work(sc: Compiled) -> Work:
    w = Work(new_game(sc, 3))
    w.cause, w.roll_note = "card:x", "1d6=4"
    return w


def test_batched_shifts_write_what_single_shifts_write(standard_sc: Compiled) -> None:
    sc = standard_sc
    one, many = _work(sc), _work(sc)
    moves = [(i, amount) for i in range(len(sc.track_ids)) for amount in (7, -3, 150, -150, 1)]
    for i, amount in moves:
        one.shift(i, amount)
    many.shift_all(tuple((i, a, sc.track_min[i], sc.track_max[i], sc.track_ids[i]) for i, a in moves))
    assert many.tracks == one.tracks
    assert many.ledger == one.ledger


def test_batched_capital_writes_what_single_payments_write(standard_sc: Compiled) -> None:
    sc = standard_sc
    one, many = _work(sc), _work(sc)
    changes = [(0, -2, "cost:a"), (1, 0, "cost:b"), (-1, 3, "cost:c"), (2, 99, "income"), (3, -99, "income")]
    for role, amount, cause in changes:
        one.cause = cause
        one.gain_capital(role, amount)
    many.gain_capital_all(changes)
    assert many.capital == one.capital
    assert many.ledger == one.ledger
    assert many.cause == one.cause


def test_random_agent_uses_up_a_draw_on_a_lone_command() -> None:
    agent = RandomAgent(1234)
    legal = [Command("us", "play", (str(i),)) for i in range(7)]
    assert agent.act({}, legal[:1]) == legal[0]
    assert agent.act({}, legal) == legal[rng.draw(1234, 1) % 7]
    assert agent.index == 2


class _Chatty(RandomAgent):
    """Sends one message of its own making first: a command no menu lists."""

    def act(self, view: dict[str, Any], legal: list[Command]) -> Command:
        if self.index == 0 and legal[-1].verb == "done":
            self.index += 1
            return Command(legal[-1].actor, "say", ("prc" if legal[-1].actor != "prc" else "us", "hello"))
        return super().act(view, legal)


def test_recorded_texts_are_the_commands_texts(standard_sc: Compiled) -> None:
    agents = [_Chatty(s.seed) for s in random_agents(standard_sc, 8)]  # type: ignore[attr-defined]
    played = play(standard_sc, 8, agents)
    assert sum(t.split(":")[1] == "say" for t in played.commands) == 4
    replayed = new_game(standard_sc, 8)
    for text in played.commands:
        replayed = apply(replayed, text)
    assert replayed == played.state


@pytest.mark.parametrize("which", ["standard", "mini", "classroom"])
def test_every_own_option_is_legal_or_refused_with_its_rule(
    which: str, standard_sc: Compiled, mini_sc: Compiled, classroom_sc: Compiled
) -> None:
    """refusals() and legal_actions() split a role's options between them, never both and
    never neither, and each refusal names a rule that is not the catch-all rule 3."""
    from game.rules import menus, refusals

    sc = {"standard": standard_sc, "mini": mini_sc, "classroom": classroom_sc}[which]
    checked = 0
    for seed in range(3):
        for s in game_states(sc, seed):
            for role in range(len(sc.role_ids)):
                legal = set(legal_actions(s, role))
                refused = refusals(s, role)
                menu = menus(sc)
                options = [menu.play[c][0] for c in set(s.hands[role])]
                options += [menu.answers(role, o.id)[0] for o in s.offers if o.to == role and o.status == "pending"]
                for cmd in options:
                    assert (cmd in legal) != (cmd in refused), (cmd, s.phase)
                    if cmd in refused:
                        assert refused[cmd].rule != "3", refused[cmd]
                        checked += 1
    assert checked > 100
