"""The PettingZoo environment (game/rl): API conformance, seeding, rewards, masks and secrecy."""

from __future__ import annotations

import random
import time
import warnings
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("pettingzoo")

from pettingzoo.test import api_test, seed_test  # type: ignore[import-untyped]  # noqa: E402

from game.commands import Command  # noqa: E402
from game.compiled import Compiled  # noqa: E402
from game.hashing import state_hash  # noqa: E402
from game.rl import ActionTable, IllegalActionError, ObservationEncoder, WedgeEnv, env  # noqa: E402
from game.rl.env import STANDARD_SCENARIO  # noqa: E402
from game.rules import apply_fast, legal_actions, menus, new_game, pending_roles  # noqa: E402
from game.state import DIPLOMACY, ORDERS, GameState  # noqa: E402
from game.victory import evaluate, scores  # noqa: E402
from game.views import role_record  # noqa: E402


@pytest.fixture(scope="module")
def raw(standard_sc: Compiled) -> WedgeEnv:
    return WedgeEnv(scenario=standard_sc)


def random_game(e: WedgeEnv, seed: int, rnd: random.Random) -> Iterator[GameState]:
    """Play one game with uniformly random legal actions, yielding every state an agent acts in."""
    e.reset(seed=seed)
    for _agent in e.agent_iter():
        obs, _, term, trunc, _ = e.last()
        if term or trunc:
            e.step(None)
            continue
        assert e.game is not None
        yield e.game
        legal = np.flatnonzero(obs["action_mask"])
        e.step(int(legal[rnd.randrange(len(legal))]))


def play_out(e: WedgeEnv, seed: int, rnd: random.Random) -> tuple[dict[str, float], int]:
    """Random masked play to the end: (reward summed from last() per agent, steps taken)."""
    e.reset(seed=seed)
    total: dict[str, float] = dict.fromkeys(e.possible_agents, 0.0)
    steps = 0
    for agent in e.agent_iter():
        obs, reward, term, trunc, _ = e.last()
        total[agent] += reward
        if term or trunc:
            e.step(None)
            continue
        legal = np.flatnonzero(obs["action_mask"])
        e.step(int(legal[rnd.randrange(len(legal))]))
        steps += 1
    return total, steps


# ------------------------------------------------------------------ PettingZoo tests


def test_api_test_wrapped_and_raw(standard_sc: Compiled) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # agent names are role ids, not "player_0": a naming advice only
        api_test(env(scenario=standard_sc), num_cycles=1000)
        api_test(WedgeEnv(scenario=standard_sc), num_cycles=1000)


def test_api_and_seed_test_on_a_two_role_scenario(mini_sc: Compiled) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api_test(env(scenario=mini_sc), num_cycles=1000)
    seed_test(lambda: env(scenario=mini_sc), num_cycles=500)
    total, _ = play_out(WedgeEnv(scenario=mini_sc), 3, random.Random(3))
    assert set(total) == {"us", "prc"}


def test_seed_test(standard_sc: Compiled) -> None:
    seed_test(lambda: env(scenario=standard_sc), num_cycles=500)
    seed_test(lambda: WedgeEnv(scenario=standard_sc), num_cycles=500)


def test_metadata_and_spaces(raw: WedgeEnv) -> None:
    assert raw.metadata["name"] == "wedge_v0"
    assert raw.metadata["is_parallelizable"] is False
    assert raw.possible_agents == list(raw.sc.role_ids)
    n = raw.actions.size
    for agent in raw.possible_agents:
        assert raw.action_space(agent).n == n  # type: ignore[attr-defined]
        assert raw.observation_space(agent)["observation"].shape == (raw.encoder.size,)  # type: ignore[index]
        assert raw.observation_space(agent)["action_mask"].shape == (n,)  # type: ignore[index]
    assert raw.state_space.shape == (raw.encoder.public_size,)


def test_default_scenario_is_the_standard_one(standard_sc: Compiled) -> None:
    e = WedgeEnv()
    assert e.sc.content_hash == standard_sc.content_hash
    assert WedgeEnv(STANDARD_SCENARIO).sc is e.sc  # compiled once per file version


# ---------------------------------------------------------------------- seeding


def test_reset_seed_is_new_game_with_that_seed(raw: WedgeEnv, standard_sc: Compiled) -> None:
    for seed in (0, 7, 2**40 + 3):
        raw.reset(seed=seed)
        assert raw.game is not None
        assert state_hash(raw.game) == state_hash(new_game(standard_sc, seed))


def test_reset_without_seed_draws_from_the_envs_own_stream(standard_sc: Compiled) -> None:
    a, b = WedgeEnv(scenario=standard_sc), WedgeEnv(scenario=standard_sc)
    a.reset(seed=5)
    b.reset(seed=5)
    hashes = []
    for _ in range(3):
        a.reset()
        b.reset()
        assert a.game is not None and b.game is not None
        assert state_hash(a.game) == state_hash(b.game)
        hashes.append(a.game.seed)
    assert len(set(hashes)) == 3


# ----------------------------------------------------------------------- rewards


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_masked_game_rewards_are_the_final_scores(raw: WedgeEnv, seed: int) -> None:
    total, steps = play_out(raw, seed, random.Random(seed))
    assert raw.game is not None and raw.game.over
    assert not raw.agents  # every agent stepped out after termination
    assert total == {r: float(x) for r, x in scores(raw.game).items()}
    assert steps > 50


def test_normalized_rewards_and_final_infos(standard_sc: Compiled) -> None:
    e = WedgeEnv(scenario=standard_sc, normalize_rewards=True)
    e.reset(seed=11)
    rnd = random.Random(0)
    for agent in e.agent_iter():
        obs, reward, term, trunc, info = e.last()
        if term:
            assert e.game is not None
            result = evaluate(e.game)[agent]
            assert reward == pytest.approx(result["score"] / result["max_score"])
            assert info == {
                "score": result["score"],
                "max_score": result["max_score"],
                "won": result["won"],
                "end_reason": e.game.end_reason,
            }
            e.step(None)
            continue
        assert reward == 0.0 and not trunc
        legal = np.flatnonzero(obs["action_mask"])
        e.step(int(legal[rnd.randrange(len(legal))]))


# ---------------------------------------------------------------------- actions


def test_action_table_covers_every_enumerable_command(standard_sc: Compiled) -> None:
    table = ActionTable(standard_sc)
    menu = menus(standard_sc)
    expected: set[Command] = {c for cmds in menu.play for c in cmds}
    expected |= {c for per_role in menu.offer_cmds for cmds in per_role.values() for c in cmds}
    expected |= set(menu.done) | set(menu.seal) | set(menu.unplay)
    fixed = {c for c in table.fixed if c is not None}
    assert fixed == expected
    n = len(standard_sc.role_ids)
    assert sum(1 for c in table.fixed if c is None) == n * (n - 1) * 2  # accept/decline per sender
    assert len(set(table.labels)) == table.size
    assert table.role_range[0][0] == 0 and table.role_range[-1][1] == table.size
    for role, (start, stop) in enumerate(table.role_range):
        assert set(table.role_of[start:stop]) == {role}


def test_action_masks_equal_the_legal_actions_mapping(raw: WedgeEnv) -> None:
    table = raw.actions
    seen_answers = 0
    for seed in range(6):
        for s in random_game(raw, seed, random.Random(seed)):
            for role in range(len(s.sc.role_ids)):
                legal = legal_actions(s, role)
                mask = raw.observe(raw.possible_agents[role])["action_mask"]
                indices = [table.encode(s, cmd) for cmd in legal]
                assert len(set(indices)) == len(legal)  # one action per command
                assert set(np.flatnonzero(mask)) == set(indices)
                start, stop = table.role_range[role]
                assert all(start <= i < stop for i in indices)
                for i, cmd in zip(indices, legal):
                    assert table.decode(s, role, i) == cmd
                    seen_answers += cmd.verb in ("accept", "decline")
                if role not in pending_roles(s):
                    assert not mask.any()
    assert seen_answers > 0  # offers were answered, so the sender-numbered slots were exercised


def test_agent_selection_cycles_over_pending_roles(raw: WedgeEnv) -> None:
    rnd = random.Random(4)
    prev: GameState | None = None
    prev_role = -1
    for s in random_game(raw, 4, rnd):
        role = raw.agent_name_mapping[raw.agent_selection]
        pending = pending_roles(s)
        assert role in pending
        if prev is not None and prev.phase == s.phase and prev.turn == s.turn:
            after = [r for r in pending if r > prev_role]
            assert role == (after[0] if after else pending[0])
        else:
            assert role == pending[0]
        prev, prev_role = s, role


def test_illegal_actions_raise_on_the_raw_env(raw: WedgeEnv) -> None:
    raw.reset(seed=3)
    agent = raw.agent_selection
    mask = raw.observe(agent)["action_mask"]
    illegal = int(np.flatnonzero(mask == 0)[0])
    with pytest.raises(IllegalActionError, match="not legal now|belongs to"):
        raw.step(illegal)
    with pytest.raises(IllegalActionError, match="outside"):
        raw.step(raw.actions.size)
    start, stop = raw.actions.role_range[(raw.agent_name_mapping[agent] + 1) % len(raw.possible_agents)]
    with pytest.raises(IllegalActionError, match="belongs to"):
        raw.step(start)
    assert raw.agent_selection == agent  # nothing changed


def test_wrapped_env_ends_the_game_on_an_illegal_action(standard_sc: Compiled) -> None:
    e = env(scenario=standard_sc)
    e.reset(seed=3)
    agent = e.agent_selection
    obs, *_ = e.last()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        e.step(int(np.flatnonzero(obs["action_mask"] == 0)[0]))
    assert all(e.terminations.values())
    assert e.rewards[agent] == -1.0


# ------------------------------------------------------------------ observations


def _alternatives(s: GameState, viewer: int, rnd: random.Random) -> Iterator[tuple[str, GameState]]:
    """States differing from `s` only in what `viewer` may not see."""
    sc = s.sc
    for q in range(len(sc.role_ids)):
        if q == viewer:
            continue
        hands = list(s.hands)
        hand = list(hands[q])
        rnd.shuffle(hand)
        hands[q] = tuple(hand)
        yield f"{sc.role_ids[q]}'s hand permuted", s._replace(hands=tuple(hands))
        pool = list(s.hands[q] + s.decks[q])
        rnd.shuffle(pool)
        hands, decks = list(s.hands), list(s.decks)
        hands[q], decks[q] = tuple(pool[: len(s.hands[q])]), tuple(pool[len(s.hands[q]) :])
        yield f"{sc.role_ids[q]}'s hand swapped with its deck", s._replace(hands=tuple(hands), decks=tuple(decks))
        orders = list(s.orders)
        picks = rnd.sample(hands[q], min(len(hands[q]), sc.rules.max_cards_per_turn))
        orders[q] = tuple((c, sc.card_targets[c][0] if sc.card_targets[c] else -1) for c in picks)
        yield (
            f"{sc.role_ids[q]}'s pending order",
            s._replace(hands=tuple(hands), decks=tuple(decks), orders=tuple(orders)),
        )
    yield "offers between others", s._replace(offers=tuple(o for o in s.offers if viewer in (o.frm, o.to)))
    yield "seed and stream", s._replace(seed=rnd.randrange(2**63), rng=rnd.randrange(10**6))


def test_observation_never_shows_what_is_hidden_from_the_role(raw: WedgeEnv, standard_sc: Compiled) -> None:
    enc, table = raw.encoder, raw.actions
    fresh = ObservationEncoder(standard_sc, table)  # no cache shared with the env
    rnd = random.Random(0)
    checked = 0
    for seed in range(3):
        for s in random_game(raw, seed, random.Random(seed)):
            if s.phase not in (DIPLOMACY, ORDERS):
                continue
            for viewer in range(len(standard_sc.role_ids)):
                mine = enc.encode(role_record(s, viewer))
                mask = table.mask(s, viewer)
                for what, alt in _alternatives(s, viewer, rnd):
                    assert np.array_equal(enc.encode(role_record(alt, viewer)), mine), f"observation shows {what}"
                    fresh._cache = None
                    assert np.array_equal(fresh.encode(role_record(alt, viewer)), mine), f"observation shows {what}"
                    assert np.array_equal(table.mask(alt, viewer), mask), f"action mask shows {what}"
                    checked += 1
    assert checked > 1000


def test_observation_does_show_the_roles_own_hand_and_order(raw: WedgeEnv) -> None:
    raw.reset(seed=9)
    s = raw.game
    assert s is not None
    role = raw.agent_name_mapping[raw.agent_selection]
    hand_seg, order_seg = raw.encoder.seg["hand"], raw.encoder.seg["my_order"]
    obs = raw.encoder.encode(role_record(s, role))
    assert set(np.flatnonzero(obs[hand_seg.start : hand_seg.stop])) == set(s.hands[role])
    alt = s._replace(hands=tuple(h[1:] if r == role else h for r, h in enumerate(s.hands)))
    assert not np.array_equal(raw.encoder.encode(role_record(alt, role)), obs)
    # add a card to the order in the orders phase
    while s.phase != ORDERS:
        s = apply_fast(s, Command(s.sc.role_ids[pending_roles(s)[0]], "done"))
    play = next(c for c in legal_actions(s, role) if c.verb == "play")
    after = apply_fast(s, play)
    vec = raw.encoder.encode(role_record(after, role))
    assert vec[order_seg.start : order_seg.stop].sum() == 1
    assert not np.array_equal(vec, raw.encoder.encode(role_record(s, role)))


def test_observations_stay_in_bounds_and_state_is_the_public_part(raw: WedgeEnv) -> None:
    space = raw.observation_space(raw.possible_agents[0])
    pub = raw.encoder.public_size
    for s in random_game(raw, 21, random.Random(21)):
        obs = raw.observe(raw.agent_selection)
        assert space.contains(obs)
        state = raw.state()
        assert raw.state_space.contains(state)
        for agent in raw.possible_agents:
            assert np.array_equal(raw.observe(agent)["observation"][:pub], state)
        assert s is raw.game


def test_layout_segments_tile_the_vector(raw: WedgeEnv) -> None:
    segs = raw.encoder.segments
    assert segs[0].start == 0 and segs[-1].stop == raw.encoder.size
    assert all(a.stop == b.start for a, b in zip(segs, segs[1:]))
    assert [x.public for x in segs] == sorted((x.public for x in segs), reverse=True)


def test_render_ansi(standard_sc: Compiled) -> None:
    e = WedgeEnv(scenario=standard_sc, render_mode="ansi")
    e.reset(seed=2)
    text = e.render()
    assert isinstance(text, str) and "turn 1/8" in text and "capital" in text
    with pytest.raises(ValueError, match="render_mode"):
        WedgeEnv(scenario=standard_sc, render_mode="rgb_array")


def test_random_game_is_fast(raw: WedgeEnv) -> None:
    rnd = random.Random(0)
    play_out(raw, 0, rnd)  # warm the tables
    games = 10
    start = time.process_time()
    steps = sum(play_out(raw, seed, rnd)[1] for seed in range(games))
    per_game = (time.process_time() - start) / games
    # ~10 ms per game on a developer machine; the bound leaves room for slow CI runners.
    assert per_game < 0.1, f"{per_game * 1000:.1f} ms per game ({steps / games:.0f} steps)"
