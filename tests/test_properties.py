"""Property tests over random walks through real games.

A walk is a seed plus a list of integers. Each integer picks a pending role and one
of its legal commands; some integers instead inject a command that must be refused
(another role's card, a verb of the wrong phase, an over-cost play, garbage text ...)
or a free-text message. Every visited state is checked for:

* ranges: every track in [min, max], capital in [0, max_capital];
* card conservation: hand + deck + discard + removed is a permutation of the role's cards;
* one source of legality: checked ``apply`` accepts exactly ``legal_actions`` (plus
  ``say``) and gives the same state as ``apply_fast``; a refused command raises
  IllegalCommand and changes nothing;
* secrecy: a role's view does not change when everything hidden from that role is
  changed (other hands, pending orders, offers and messages between others, deck
  order, seed, stream position); refusal messages never name another role's hidden
  cards;
* replay: the recorded commands rebuild every state hash, through a save file too.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from game.commands import ROLE_VERBS, Command, parse
from game.compiled import Compiled
from game.errors import CommandSyntaxError, IllegalCommand
from game.hashing import state_hash
from game.record import parse_save, record_from_commands, replay
from game.rules import apply, apply_fast, legal_actions, new_game, pending_roles
from game.state import DIPLOMACY, ORDERS, OVER, GameState
from game.views import (
    FIELDS,
    PublicView,
    audience,
    facilitator_view,
    public_record,
    public_view,
    role_record,
    role_view,
)

FORBIDDEN_KEYS = {"hands", "pending_orders", "seed", "rng", "checkpoints", "decks"}

# Step kinds, chosen by ``step % 20``.
ILLEGAL_KINDS = (
    "foreign_card",
    "foreign_give",
    "wrong_phase",
    "over_cost",
    "not_waiting",
    "bad_target",
    "bad_offer_id",
    "unknown_role",
    "repeat_card",
)


# --------------------------------------------------------------------- invariants


def check_invariants(s: GameState) -> None:
    sc = s.sc
    for i, v in enumerate(s.tracks):
        assert sc.track_min[i] <= v <= sc.track_max[i], (sc.track_ids[i], v)
    for i, v in enumerate(s.turn_start):
        assert sc.track_min[i] <= v <= sc.track_max[i], (sc.track_ids[i], v)
    for r, cap in enumerate(s.capital):
        assert 0 <= cap <= sc.role_max_capital[r], (sc.role_ids[r], cap)
    for r in range(len(sc.role_ids)):
        piles = s.hands[r] + s.decks[r] + s.discards[r] + s.removed[r]
        assert sorted(piles) == sorted(sc.cards_by_role[r]), f"cards of {sc.role_ids[r]} not conserved"
        assert len(set(piles)) == len(piles)
        order = [c for c, _ in s.orders[r]]
        assert len(set(order)) == len(order)
        if s.phase in (DIPLOMACY, ORDERS):
            assert set(order) <= set(s.hands[r]), "a pending order holds a card not in hand"
            assert len(order) <= sc.rules.max_cards_per_turn
            assert sum(sc.card_cost[c] for c in order) <= s.capital[r]
    assert 1 <= s.turn <= sc.rules.turns
    assert (s.phase == OVER) == bool(s.end_reason)
    if not s.over:
        assert s.phase in (DIPLOMACY, ORDERS), "the engine stopped in an automatic phase"
        assert pending_roles(s), "nobody can act in a running game"


def _keys(obj: Any) -> set[str]:
    if isinstance(obj, dict):
        out = set(obj)
        for v in obj.values():
            out |= _keys(v)
        return out
    if isinstance(obj, list | tuple):
        out = set()
        for v in obj:
            out |= _keys(v)
        return out
    return set()


def dump(view: dict[str, Any]) -> str:
    return json.dumps(view, sort_keys=True)


def hide_from(s: GameState, viewer: int, q: int, rnd: random.Random) -> GameState:
    """`s` with everything hidden from `viewer` changed: q's hand and pending order swapped
    for other cards of q, deck orders shuffled, offers and messages between other roles
    dropped, seed and stream position changed."""
    sc = s.sc
    hands, decks, orders = list(s.hands), list(s.decks), list(s.orders)
    if q != viewer:
        pool = list(s.hands[q] + s.decks[q])
        rnd.shuffle(pool)
        size = len(s.hands[q])
        hands[q], decks[q] = tuple(pool[:size]), tuple(pool[size:])
        size = rnd.randint(0, min(len(hands[q]), sc.rules.max_cards_per_turn))
        picks = rnd.sample(hands[q], size)
        orders[q] = tuple((c, sc.card_targets[c][-1] if sc.card_targets[c] else -1) for c in picks)
    for r in range(len(decks)):
        deck = list(decks[r])
        rnd.shuffle(deck)
        decks[r] = tuple(deck)
    return s._replace(
        hands=tuple(hands),
        decks=tuple(decks),
        orders=tuple(orders),
        offers=tuple(o for o in s.offers if viewer in (o.frm, o.to)),
        messages=tuple(m for m in s.messages if viewer in (m.frm, m.to)),
        seed=rnd.randrange(2**63),
        rng=rnd.randrange(10**6),
    )


def check_views(s: GameState, viewer: int, rnd: random.Random, alter: bool = True) -> None:
    sc = s.sc
    pv = public_view(s)
    assert "hand" not in pv and "my_order" not in pv and "offers" not in pv and "messages" not in pv
    public = dump(pv)
    v = role_view(s, viewer)
    if alter or s.over:
        assert not _keys(pv) & FORBIDDEN_KEYS
        assert not _keys(v) & FORBIDDEN_KEYS
    mine = dump(v)
    if s.seed >= 10**6:
        assert str(s.seed) not in mine and str(s.seed) not in public
        assert str(s.seed) not in dump(facilitator_view(s))
    assert {o["id"] for o in v["offers"]} == {o.id for o in s.offers if viewer in (o.frm, o.to)}
    if not alter or s.phase not in (DIPLOMACY, ORDERS):
        return
    record = _fields(role_record(s, viewer))
    public_fields = _fields(public_record(s))
    for q in range(len(sc.role_ids)):
        alt = hide_from(s, viewer, q, rnd)
        assert dump(public_view(alt)) == public, f"public view shows something hidden of {sc.role_ids[q]}"
        assert _fields(public_record(alt)) == public_fields, f"public record holds something hidden of {q}"
        if q != viewer:
            assert dump(role_view(alt, viewer)) == mine, (
                f"{sc.role_ids[viewer]}'s view shows something hidden of {sc.role_ids[q]}"
            )
            # the typed record too, field by field (it has fields the JSON does not show)
            assert _fields(role_record(alt, viewer)) == record, (
                f"{sc.role_ids[viewer]}'s view record holds something hidden of {sc.role_ids[q]}"
            )


def _fields(view: PublicView) -> dict[str, object]:
    return {name: getattr(view, name) for name in FIELDS[audience(view)]}


_hidden_cache: dict[int, set[str]] = {}
_hidden_state: list[GameState] = []


def hidden_cards(s: GameState, viewer: int) -> set[str]:
    """Card ids in other roles' hands or pending orders that `viewer` cannot see (cached
    for the most recent state: refusals are checked many times against one state)."""
    if not _hidden_state or _hidden_state[0] is not s:
        _hidden_state[:] = [s]
        _hidden_cache.clear()
    if viewer not in _hidden_cache:
        _hidden_cache[viewer] = _hidden_cards(s, viewer)
    return _hidden_cache[viewer]


def _hidden_cards(s: GameState, viewer: int) -> set[str]:
    sc = s.sc
    visible = dump(role_view(s, viewer))
    out = set()
    for q in range(len(sc.role_ids)):
        if q == viewer:
            continue
        for c in s.hands[q] + tuple(c for c, _ in s.orders[q]):
            cid = sc.card_ids[c]
            if f'"{cid}"' not in visible:
                out.add(cid)
    return out


def check_refusal(s: GameState, role: int | None, text: str, exc: IllegalCommand) -> None:
    assert isinstance(exc, IllegalCommand)
    assert exc.rule and exc.reason
    if role is None:
        return
    msg = str(exc).replace(exc.command, " ")
    for cid in hidden_cards(s, role):
        if cid in text:
            continue  # the sender wrote it
        assert cid not in msg or not re.search(rf"(?<![\w-]){re.escape(cid)}(?![\w-])", msg), (
            f"refusal to {s.sc.role_ids[role]} names hidden card {cid}: {exc}"
        )


def must_refuse(s: GameState, role: int | None, text: str) -> None:
    before = state_hash(s)
    with pytest.raises(IllegalCommand) as info:
        apply(s, text)
    assert state_hash(s) == before
    check_refusal(s, role, text, info.value)


# ----------------------------------------------------------------- illegal commands


def illegal_command(s: GameState, role: int, kind: str, pick: int) -> str | None:  # noqa: C901
    """A command `role` may not send now, of the given sort (None if none exists here)."""
    sc = s.sc
    me = sc.role_ids[role]
    others = [q for q in range(len(sc.role_ids)) if q != role]
    q = others[pick % len(others)] if others else role
    qcards = list(s.hands[q]) or list(sc.cards_by_role[q])
    foreign = sc.card_ids[qcards[pick % len(qcards)]]
    hand = s.hands[role]
    if kind == "foreign_card":
        target = sc.card_targets[sc.card_index[foreign]]
        return f"{me}:play:{foreign}" + (f":{sc.role_ids[target[0]]}" if target and pick % 2 else "")
    if kind == "foreign_give":
        if not others:
            return None
        to = sc.role_ids[q]
        asks = sc.askable_by_role[q] or sc.cards_by_role[q]
        return f"{me}:offer:{to}:{sc.card_ids[asks[pick % len(asks)]]}:{foreign}"
    if kind == "wrong_phase":
        if s.phase == DIPLOMACY:
            own = sc.card_ids[hand[pick % len(hand)]] if hand else sc.card_ids[sc.cards_by_role[role][0]]
            return [f"{me}:seal", f"{me}:play:{own}", f"{me}:unplay:{own}"][pick % 3]
        if not others:
            return f"{me}:done"
        ask = (sc.askable_by_role[q] or sc.cards_by_role[q])[0]
        give = sc.card_ids[hand[0]] if hand else sc.card_ids[sc.cards_by_role[role][0]]
        return [f"{me}:done", f"{me}:offer:{sc.role_ids[q]}:{sc.card_ids[ask]}:{give}"][pick % 2]
    if kind == "over_cost":
        if s.phase != ORDERS:
            return None
        left = s.capital[role] - sum(sc.card_cost[c] for c, _ in s.orders[role])
        dear = [c for c in hand if sc.card_cost[c] > left]
        if not dear:
            return None
        c = dear[pick % len(dear)]
        targets = sc.card_targets[c]
        return f"{me}:play:{sc.card_ids[c]}" + (f":{sc.role_ids[targets[0]]}" if targets else "")
    if kind == "not_waiting":
        ready = [r for r in range(len(sc.role_ids)) if s.ready[r]]
        if not ready:
            return None
        who = sc.role_ids[ready[pick % len(ready)]]
        return f"{who}:{'seal' if s.phase == ORDERS else 'done'}"
    if kind == "bad_target":
        own = sc.cards_by_role[role]
        c = own[pick % len(own)]
        cid = sc.card_ids[c]
        if sc.card_targets[c]:
            wrong = [t for t in sc.role_ids if sc.role_index[t] not in sc.card_targets[c]]
            return f"{me}:play:{cid}" + (f":{wrong[pick % len(wrong)]}" if wrong and pick % 2 else "")
        return f"{me}:play:{cid}:{sc.role_ids[pick % len(sc.role_ids)]}"
    if kind == "bad_offer_id":
        bad = [str(s.next_offer + pick % 5), "0", "-1", "x"][pick % 4]
        return f"{me}:{'accept' if pick % 2 else 'decline'}:{bad}"
    if kind == "unknown_role":
        return ["nobody:done", "US:seal", "white:play:x", f"{me}x:done"][pick % 4]
    if kind == "repeat_card":
        if s.phase != ORDERS or not s.orders[role]:
            return None
        c, t = s.orders[role][pick % len(s.orders[role])]
        return f"{me}:play:{sc.card_ids[c]}" + (f":{sc.role_ids[t]}" if t >= 0 else "")
    raise AssertionError(kind)


def candidates(s: GameState, role: int, rnd: random.Random) -> set[str]:
    """A wide net of commands `role` might try now: all its plays with every target
    spelling, a sample of offers (legal or not), accept/decline of every offer id."""
    sc = s.sc
    me = sc.role_ids[role]
    out = {f"{me}:done", f"{me}:seal"}
    for c in sc.cards_by_role[role]:
        cid = sc.card_ids[c]
        out.add(f"{me}:play:{cid}")
        out.update(f"{me}:play:{cid}:{t}" for t in sc.role_ids)
    for c in rnd.sample(range(len(sc.card_ids)), min(6, len(sc.card_ids))):
        out.add(f"{me}:play:{sc.card_ids[c]}")
    gives = list(s.hands[role]) + rnd.sample(range(len(sc.card_ids)), 2)
    for _ in range(30):
        to = rnd.randrange(len(sc.role_ids))
        asks = sc.cards_by_role[to]
        ask = asks[rnd.randrange(len(asks))]
        give = gives[rnd.randrange(len(gives))]
        out.add(f"{me}:offer:{sc.role_ids[to]}:{sc.card_ids[ask]}:{sc.card_ids[give]}")
    for oid in range(0, s.next_offer + 1):
        out.add(f"{me}:accept:{oid}")
        out.add(f"{me}:decline:{oid}")
    return out


def check_legality(s: GameState, role: int, legal: list[Command], rnd: random.Random) -> None:
    """Checked apply accepts exactly the legal commands, each with apply_fast's result."""
    texts = {c.text for c in legal}
    assert len(texts) == len(legal), "legal_actions lists a command twice"
    for cmd in legal:
        assert parse(cmd.text) == cmd
        assert apply(s, cmd.text) == apply_fast(s, cmd), f"checked and fast apply differ on {cmd.text}"
    before = state_hash(s)
    for text in candidates(s, role, rnd) - texts:
        try:
            apply(s, text)
        except IllegalCommand as exc:
            check_refusal(s, role, text, exc)
        else:
            raise AssertionError(f"{text} is accepted but not in legal_actions")
    assert state_hash(s) == before


# ------------------------------------------------------------------------ the walk


SAFE_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=40
)


@st.composite
def walks(draw: st.DrawFn) -> tuple[int, list[int], list[str]]:
    seed = draw(st.one_of(st.integers(0, 1000), st.integers(10**9, 2**63 - 1)))
    n = draw(st.integers(0, 360))
    steps = draw(st.lists(st.integers(0, 2**16 - 1), min_size=n, max_size=n))
    texts = draw(st.lists(SAFE_TEXT, min_size=1, max_size=6))
    return seed, steps, texts


def walk(sc: Compiled, seed: int, steps: list[int], texts: list[str]) -> GameState:
    rnd = random.Random(seed ^ len(steps))
    s = new_game(sc, seed)
    check_invariants(s)
    commands: list[str] = []
    hashes: list[str] = []
    garbage_used = 0
    n = len(sc.role_ids)
    # The expensive checks (every candidate command, every view alteration) run on a
    # sample of states so that long walks stay fast.
    every = 1 if len(steps) < 60 else 3
    deep = lambda k: k % every == 0
    for k, step in enumerate(steps):
        if s.over:
            break
        roles = pending_roles(s)
        role = roles[step % len(roles)]
        me = sc.role_ids[role]
        kind = (step >> 8) % 20
        pick = step & 0xFF
        if kind < 3:
            text = illegal_command(s, role, ILLEGAL_KINDS[(pick + kind) % len(ILLEGAL_KINDS)], pick)
            if text is not None:
                must_refuse(s, role, text)
            continue
        if kind == 3:
            garbage = texts[garbage_used % len(texts)]
            garbage_used += 1
            verb = list(ROLE_VERBS)[pick % len(ROLE_VERBS)]
            text = [garbage, f"{me}:{garbage}", f"{me}:{verb}:{garbage}"][pick % 3]
            try_garbage(s, text)
            continue
        if kind == 4 and n > 1:
            to = sc.role_ids[[q for q in range(n) if q != role][pick % (n - 1)]]
            body = texts[pick % len(texts)][:500]
            text = f"{me}:say:{to}:{body}"
            if not body.strip():
                must_refuse(s, role, text)
                continue
            out = apply(s, text)
            assert out == apply_fast(s, parse(text))
            assert out.messages[-1].text == body
        else:
            legal = legal_actions(s, role)
            assert legal, f"{me} is pending but has no legal command"
            assert any(c.verb in ("done", "seal") for c in legal), "a pending role can always finish"
            if deep(k):
                check_legality(s, role, legal, rnd)
            cmd = legal[(step >> 2) % len(legal)]
            text = cmd.text
            out = apply(s, text)
            assert state_hash(out) == state_hash(apply_fast(s, cmd))
        commands.append(text)
        hashes.append(state_hash(out))
        s = out
        check_invariants(s)
        check_views(s, k % n, rnd, alter=deep(k))
    check_views(s, 0, rnd)
    check_replay(sc, seed, commands, hashes)
    return s


def try_garbage(s: GameState, text: str) -> None:
    """Garbage is refused with IllegalCommand (state unchanged), or it happens to be legal."""
    before = state_hash(s)
    try:
        cmd = parse(text)
    except CommandSyntaxError as exc:
        check_refusal(s, None, text, exc)
        with pytest.raises(CommandSyntaxError):
            apply(s, text)
        return
    if cmd.actor == "gm":
        return  # facilitator commands are not garbage for a role
    role = s.sc.role_index.get(cmd.actor)
    try:
        out = apply(s, text)
    except IllegalCommand as exc:
        assert state_hash(s) == before
        check_refusal(s, role, text, exc)
        return
    assert role is not None
    assert cmd.verb == "say" or cmd in legal_actions(s, role), f"{text!r} accepted but not legal"
    assert out == apply_fast(s, cmd)


def check_replay(sc: Compiled, seed: int, commands: list[str], hashes: list[str]) -> None:
    rec = record_from_commands(sc, seed, commands, {"test": "properties"})
    assert rec.commands == commands
    assert rec.hashes == hashes
    assert rec.initial_hash == state_hash(new_game(sc, seed))
    assert [state_hash(x) for _, _, x in replay(rec, verify=True)] == hashes
    back = parse_save(rec.to_json(), "walk.json")
    assert back.sc.content_hash == sc.content_hash
    assert (back.seed, back.commands, back.hashes, back.initial_hash, back.meta) == (
        seed,
        commands,
        hashes,
        rec.initial_hash,
        {"test": "properties"},
    )
    assert [state_hash(x) for _, _, x in replay(back, verify=True)] == hashes
    assert back.to_json() == rec.to_json()


SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@SETTINGS
@given(walks())
def test_random_walks_standard(standard_sc: Compiled, w: tuple[int, list[int], list[str]]) -> None:
    walk(standard_sc, *w)


@settings(SETTINGS, max_examples=50)
@given(walks())
def test_random_walks_mini(mini_sc: Compiled, w: tuple[int, list[int], list[str]]) -> None:
    walk(mini_sc, *w)


@pytest.mark.parametrize("seed", [0, 4, 10**12 + 7])
def test_full_games_reach_the_end(standard_sc: Compiled, seed: int) -> None:
    """A fixed set of full-length walks, so every run covers whole games (upkeep, reshuffles,
    game end) even when hypothesis happens to draw short lists."""
    rnd = random.Random(seed)
    end = walk(standard_sc, seed, [rnd.randrange(2**16) for _ in range(600)], ["hello", "a:b:c", " x "])
    assert end.over


# ------------------------------------------------------- targeted engine checks
#
# States the random walk above never reaches (facilitator commands, card effects the
# shipped scenarios do not use), checked against the same properties.


def _to_orders(s: GameState) -> GameState:
    for r in s.sc.role_ids:
        s = apply(s, f"{r}:done")
    assert s.phase == ORDERS
    return s


CRISIS_SHOCK = (
    'gm:inject-custom:{"id": "boom", "title": "Boom", "weight": 1, "text": "t", "source": "test",'
    ' "effects": [{"op": "shift", "track": "stability", "amount": -10}]}'
)


def test_injected_crisis_does_not_reveal_pending_orders(standard_sc: Compiled) -> None:
    """A crisis injected during orders ends the game before any reveal: the pending orders
    of that turn must stay out of every other role's view and the public view."""
    s = _to_orders(new_game(standard_sc, 1))
    prc = standard_sc.role_index["prc"]
    play = next(c for c in legal_actions(s, prc) if c.verb == "play")
    s = apply(s, play.text)
    s = apply(s, CRISIS_SHOCK)
    assert s.over and s.end_reason == "crisis"
    assert not s.history, "no reveal happened this turn"
    card = play.args[0]
    for viewer in ("us", "russia", "india"):
        assert card not in dump(role_view(s, viewer))
    assert card not in dump(public_view(s))


def test_injected_crisis_views_have_no_secrets(standard_sc: Compiled) -> None:
    """After an injected crisis, other roles' hands stay out of every role's view."""
    s = _to_orders(new_game(standard_sc, 1))
    s = apply(s, CRISIS_SHOCK)
    assert s.over
    for r in range(len(standard_sc.role_ids)):
        v = role_view(s, r)
        assert not _keys(v) & FORBIDDEN_KEYS
        text = dump(v)
        for q in range(len(standard_sc.role_ids)):
            if q != r:
                for c in s.hands[q]:
                    cid = standard_sc.card_ids[c]
                    if cid not in dump(public_view(s)):
                        assert f'"{cid}"' not in text


@pytest.mark.parametrize("turn", ["²", "¹"])
def test_rollback_to_a_unicode_digit_is_refused(standard_sc: Compiled, turn: str) -> None:
    """'²'.isdigit() is true but int('²') fails: the refusal must still be IllegalCommand."""
    s = new_game(standard_sc, 1)
    before = state_hash(s)
    with pytest.raises(IllegalCommand):
        apply(s, f"gm:rollback:{turn}")
    assert state_hash(s) == before


@pytest.mark.parametrize("turn", ["0", "9", "x", "-1", "01x", "٠", "1½"])
def test_rollback_to_a_bad_turn_is_refused(standard_sc: Compiled, turn: str) -> None:
    s = new_game(standard_sc, 1)
    before = state_hash(s)
    with pytest.raises(IllegalCommand):
        apply(s, f"gm:rollback:{turn}")
    assert state_hash(s) == before


def test_rollback_restores_the_turn_start(standard_sc: Compiled) -> None:
    from game.simulate import play_random

    game = play_random(standard_sc, 3)
    s0 = new_game(standard_sc, 3)
    s = s0
    starts = {1: state_hash(s0)}
    for c in game.commands:
        s = apply(s, c)
        if s.phase == DIPLOMACY and s.turn not in starts and not any(s.ready):
            starts[s.turn] = state_hash(s)
        if s.turn == 4 and s.phase == ORDERS:
            break
    for turn, h in starts.items():
        back = apply(s, f"gm:rollback:{turn}")
        check_invariants(back)
        assert state_hash(back) == h, f"rollback to turn {turn}"


PURGE = """\
  - id: prc-purge
    title: Purge
    kind: framing
    role: prc
    cost: 0
    effects: [{op: discard, role: us, count: 4}]
    text: The US discards four cards.
    source: test
"""


@pytest.fixture(scope="module")
def purge_sc() -> Compiled:
    """The mini scenario plus a PRC framing card (resolves before arms sales) that makes the
    US discard its whole hand."""
    from pathlib import Path

    from game.compiled import compile_scenario
    from game.scenario.loader import load_scenario_text

    text = (Path(__file__).parent / "fixtures" / "mini.yaml").read_text(encoding="utf-8")
    text = text.replace("shocks:\n", PURGE + "shocks:\n", 1)
    return compile_scenario(load_scenario_text(text, "mini-purge.yaml"))


def _purge_game(sc: Compiled) -> GameState:
    arms, purge = sc.card_index["us-arms"], sc.card_index["prc-purge"]
    for seed in range(500):
        s = new_game(sc, seed)
        if arms in s.hands[0] and purge in s.hands[1]:
            s = _to_orders(s)
            s = apply(s, "us:play:us-arms")
            s = apply(s, "us:seal")
            return apply(s, "prc:play:prc-purge")
    raise AssertionError("no seed deals both cards")


def test_discard_effect_conserves_cards(purge_sc: Compiled) -> None:
    s = _purge_game(purge_sc)
    s = apply(s, "prc:seal")
    check_invariants(s)
    assert s.history[-1].orders[0] == ((purge_sc.card_index["us-arms"], -1),)


def test_discard_during_adjudication_spares_the_sealed_order(purge_sc: Compiled) -> None:
    """§9 discard never takes a card of the sealed order, in adjudication too; so a played
    remove_after_use card is removed (§7.2), not discarded and reshuffled."""
    s = _purge_game(purge_sc)
    arms = purge_sc.card_index["us-arms"]
    s = apply(s, "prc:seal")
    assert arms in s.removed[0], "a played remove_after_use card must leave the game"
    assert arms not in s.hands[0] + s.decks[0] + s.discards[0]


def test_a_view_is_its_own_data(standard_sc: Compiled) -> None:
    """Whatever a receiver does to its view (agents may annotate it) reaches no other view:
    ledger entries are converted once and cached, and every view gets copies."""
    from game.simulate import play_random

    s = play_random(standard_sc, 9).state
    first = role_view(s, "us")
    pristine = json.dumps(public_view(s), sort_keys=True)
    assert first["ledger"], "a finished game has a ledger"
    for entry in first["ledger"]:
        entry["after"] = -999
        entry["cause"] = "scribbled"
    first["ledger"].clear()
    assert json.dumps(public_view(s), sort_keys=True) == pristine
    again = role_view(s, "russia")["ledger"]
    assert [e["cause"] for e in again] == [e.cause for e in s.ledger]
    assert again == [e._asdict() for e in s.ledger]
