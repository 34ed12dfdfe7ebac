"""Setup, legality and applying commands.

One source of legality: :func:`legal_actions` enumerates every enumerable command
a role may send now, and :func:`check` explains why any other command is refused.
Two ways to apply: :func:`apply` (checked; for humans, network and external
agents) and :func:`apply_fast` (trusts its input; for search and simulation, which
only ever pick from ``legal_actions``).
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import ValidationError

from game.commands import FACILITATOR, Command, parse
from game.compiled import KINDS, Compiled, compile_effects
from game.errors import IllegalCommand
from game.phases import advance, apply_shock, begin_turn, settle_unanswered
from game.scenario.models import Shock
from game.state import (
    ACCEPTED,
    DECLINED,
    DIPLOMACY,
    IN_DECK,
    ORDERS,
    OUT,
    OVER,
    PENDING,
    GameState,
    Message,
    Offer,
)
from game.work import Work

MAX_MESSAGE = 500
_ORDERS = GameState._fields.index("orders")
_READY = GameState._fields.index("ready")
_OFFERS = GameState._fields.index("offers")
_NEXT_OFFER = GameState._fields.index("next_offer")
_STATUS = Offer._fields.index("status")


def _answered(o: Offer, status: str) -> Offer:
    return _new_state(Offer, (*o[:_STATUS], status, *o[_STATUS + 1 :]))


_new_state = tuple.__new__


def _with(s: GameState, index: int, value: object) -> GameState:
    """One-field update, several times cheaper than ``_replace`` on the hot path."""
    return _new_state(GameState, (*s[:index], value, *s[index + 1 :]))


def new_game(sc: Compiled, seed: int, controllers: tuple[str, ...] | None = None) -> GameState:
    """§2 setup, then run automatic phases up to the first decision."""
    n = len(sc.role_ids)
    empty: tuple[tuple[int, ...], ...] = ((),) * n
    s = GameState(
        sc=sc,
        seed=seed,
        rng=0,
        turn=1,
        phase=sc.phases[0],
        tracks=sc.track_start,
        turn_start=sc.track_start,
        capital=sc.role_capital,
        hands=empty,
        decks=empty,
        discards=empty,
        removed=empty,
        orders=((),) * n,
        ready=(False,) * n,
        offers=(),
        next_offer=1,
        revealed=empty,
        flags=0,
        windows=(0,) * len(sc.window_ids),
        blocks=(),
        shock_status=tuple(IN_DECK if x else OUT for x in sc.shock_in_deck),
        shock_delta=(0,) * len(sc.shock_ids),
        shocks_this_turn=(),
        ledger=(),
        history=(),
        messages=(),
        paused=False,
        diplomacy_locked=False,
        controllers=controllers or ("human",) * n,
        end_reason="",
        checkpoints=(),
    )
    w = Work(s)
    w.phase = "setup"
    for role in range(n):
        deck = list(sc.cards_by_role[role])
        w.shuffle(deck)
        w.decks[role] = tuple(deck)
        w.draw(role, sc.role_hand_size[role])
    s = w.freeze(phase=sc.phases[0])
    return advance(begin_turn(s))


# ----------------------------------------------------------------------- legality


class _Menus:
    """Every enumerable command of a scenario, built once, so legal_actions only filters."""

    def __init__(self, sc: Compiled) -> None:
        ids = sc.role_ids
        self.done = tuple(Command(r, "done") for r in ids)
        self.seal = tuple(Command(r, "seal") for r in ids)
        self.play = tuple(
            tuple(Command(ids[sc.card_role[c]], "play", (cid, ids[t])) for t in sc.card_targets[c])
            or (Command(ids[sc.card_role[c]], "play", (cid,)),)
            for c, cid in enumerate(sc.card_ids)
        )
        # offers[role][give] -> ((to, command), ...) over every recipient's askable cards
        self.offers: tuple[dict[int, tuple[tuple[int, Command], ...]], ...] = tuple(
            {
                give: tuple(
                    (to, Command(ids[role], "offer", (ids[to], sc.card_ids[ask], sc.card_ids[give])))
                    for to, asks in enumerate(sc.askable_by_role)
                    if to != role
                    for ask in asks
                )
                for give in sc.cards_by_role[role]
            }
            for role in range(len(ids))
        )
        self.offer_cmds = tuple({g: tuple(c for _, c in pairs) for g, pairs in t.items()} for t in self.offers)
        self._menu_cache: dict[tuple[int, tuple[int, ...]], tuple[Command, ...]] = {}
        self._answers: dict[tuple[str, int], tuple[Command, Command]] = {}

    def answers(self, role: str, offer_id: int) -> tuple[Command, Command]:
        key = (role, offer_id)
        hit = self._answers.get(key)
        if hit is None:
            if len(self._answers) > 20000:
                self._answers.clear()
            oid = str(offer_id)
            hit = self._answers[key] = (Command(role, "accept", (oid,)), Command(role, "decline", (oid,)))
        return hit

    def offer_menu(self, role: int, hand: tuple[int, ...]) -> tuple[Command, ...]:
        """Every offer `role` can make holding `hand` (hands repeat a lot: cached)."""
        key = (role, tuple(sorted(hand)))
        hit = self._menu_cache.get(key)
        if hit is None:
            cmds = self.offer_cmds[role]
            hit = tuple(c for give in sorted(set(hand)) for c in cmds[give])
            if len(self._menu_cache) > 20000:
                self._menu_cache.clear()
            self._menu_cache[key] = hit
        return hit


_MENUS: dict[int, tuple[Compiled, _Menus]] = {}


def menus(sc: Compiled) -> _Menus:
    """The scenario's command tables (kept alive with the scenario they index)."""
    hit = _MENUS.get(id(sc))
    if hit is None or hit[0] is not sc:
        if len(_MENUS) > 64:
            _MENUS.clear()
        hit = _MENUS[id(sc)] = (sc, _Menus(sc))
    return hit[1]


def playable(s: GameState, role: int, card: int) -> str:
    """Why `role` may not add `card` to its order now ("" when it may), as 'rule: reason'."""
    sc = s.sc
    order = s.orders[role]
    if card not in s.hands[role]:
        return "6.1: that card is not in your hand"
    if any(c == card for c, _ in order):
        return "6.1: that card is already in your order"
    if len(order) >= sc.rules.max_cards_per_turn:
        return f"6.1: at most {sc.rules.max_cards_per_turn} cards per turn"
    spent = sum(sc.card_cost[c] for c, _ in order)
    cost = sc.card_cost[card]
    if spent + cost > s.capital[role]:
        return f"6.1: costs {cost} capital but only {s.capital[role] - spent} is left"
    req = sc.card_requires[card]
    if req is not None and not req(s):
        return "6.2: its requirement is not met"
    kind = sc.card_kind[card]
    for b_kind, b_role, last in s.blocks:
        if b_kind == kind and (b_role < 0 or b_role == role) and last >= s.turn:
            return f"6.3: {KINDS[kind]} cards are blocked through turn {last}"
    if sc.card_coercive[card] and s.tracks[sc.stability] <= sc.rules.coercive_blocked_at_or_below:
        return (
            f"6.4: coercive cards are blocked while {sc.track_ids[sc.stability]} is "
            f"{sc.rules.coercive_blocked_at_or_below} or lower"
        )
    return ""


def legal_actions(s: GameState, role: int) -> list[Command]:
    """Every enumerable command `role` may send now (free-text `say` is never listed)."""
    if s.phase == OVER or s.paused or s.ready[role]:
        return []
    sc = s.sc
    menu = menus(sc)
    if s.phase == DIPLOMACY:
        out: list[Command] = []
        if not s.diplomacy_locked:
            mine = [o.to for o in s.offers if o.frm == role]
            if len(mine) < sc.rules.max_offers_per_role:
                if mine:
                    table = menu.offers[role]
                    for give in sorted(set(s.hands[role])):
                        out.extend(cmd for to, cmd in table[give] if to not in mine)
                else:
                    out.extend(menu.offer_menu(role, s.hands[role]))
        out.append(menu.done[role])
        return out
    if s.phase == ORDERS:
        out = []
        me = sc.role_ids[role]
        for o in s.offers:
            if o.to == role and o.status == PENDING:
                out.extend(menu.answers(me, o.id))
        order = s.orders[role]
        if len(order) < sc.rules.max_cards_per_turn:
            left = s.capital[role] - sum(sc.card_cost[c] for c, _ in order)
            coercion_ok = s.tracks[sc.stability] > sc.rules.coercive_blocked_at_or_below
            chosen = {c for c, _ in order}
            for card in s.hands[role]:
                if (
                    sc.card_cost[card] <= left
                    and card not in chosen
                    and (coercion_ok or not sc.card_coercive[card])
                    and (sc.card_requires[card] is None or sc.card_requires[card](s))  # type: ignore[misc]
                    and not (s.blocks and _blocked(s, role, card))
                ):
                    out.extend(menu.play[card])
        out.append(menu.seal[role])
        return out
    return []


def _blocked(s: GameState, role: int, card: int) -> bool:
    kind = s.sc.card_kind[card]
    return any(k == kind and (r < 0 or r == role) and last >= s.turn for k, r, last in s.blocks)


def pending_roles(s: GameState) -> list[int]:
    """Roles whose input the game is waiting for."""
    if s.phase not in (DIPLOMACY, ORDERS) or s.paused:
        return []
    return [r for r, done in enumerate(s.ready) if not done]


# ---------------------------------------------------------------------- applying


def apply(s: GameState, command: Command | str) -> GameState:
    """Checked apply: refuses with IllegalCommand (state unchanged) or returns the new state."""
    cmd = parse(command) if isinstance(command, str) else command
    if cmd.actor == FACILITATOR:
        return _facilitator(s, cmd)
    role = _role(s, cmd)
    if cmd.verb == "say":
        _explain(s, role, cmd)
        return apply_fast(s, cmd)
    if cmd in legal_actions(s, role):  # legality is membership: one source of truth
        return apply_fast(s, cmd)
    _explain(s, role, cmd)
    raise _fail("3", cmd, f"not a legal command in the {s.phase} phase")


def check(s: GameState, command: Command | str) -> None:
    """Raise IllegalCommand if `command` would be refused; never changes anything."""
    apply(s, command)


def _fail(rule: str, cmd: Command, reason: str) -> IllegalCommand:
    return IllegalCommand(rule, cmd.text, reason)


def _role(s: GameState, cmd: Command) -> int:
    idx = s.sc.role_index.get(cmd.actor)
    if idx is None:
        raise _fail("3", cmd, f"unknown role {cmd.actor!r}; roles are {', '.join(s.sc.role_ids)}")
    return idx


def _explain(s: GameState, role: int, cmd: Command) -> None:  # noqa: C901
    """Raise the IllegalCommand that says which rule `cmd` breaks (for say: check it)."""
    sc = s.sc
    if s.phase == OVER:
        raise _fail("10", cmd, "the game is over")
    if s.paused:
        raise _fail("11", cmd, "the game is paused by the facilitator")
    verb = cmd.verb
    if verb == "say":
        if s.phase not in (DIPLOMACY, ORDERS):
            raise _fail("5.2", cmd, f"messages are sent in diplomacy or orders, not {s.phase}")
        if s.diplomacy_locked:
            raise _fail("5.3", cmd, "diplomacy is locked by the facilitator")
        to = sc.role_index.get(cmd.args[0])
        if to is None or to == role:
            raise _fail("5.2", cmd, f"a message goes to one other role ({', '.join(sc.role_ids)})")
        if len(cmd.args[1]) > MAX_MESSAGE:
            raise _fail("5.2", cmd, f"messages are at most {MAX_MESSAGE} characters")
        return
    if verb in ("offer", "done"):
        if s.phase != DIPLOMACY:
            raise _fail("5", cmd, f"{verb} belongs to the diplomacy phase; the phase is {s.phase}")
        if s.ready[role]:
            raise _fail("5.3", cmd, "you have already finished diplomacy this turn")
        if verb == "done":
            return
        if s.diplomacy_locked:
            raise _fail("5.3", cmd, "diplomacy is locked by the facilitator")
        to_id, ask_id, give_id = cmd.args
        to = sc.role_index.get(to_id)
        if to is None or to == role:
            raise _fail("5.1", cmd, f"an offer goes to one other role ({', '.join(sc.role_ids)})")
        mine = [o.to for o in s.offers if o.frm == role]
        if len(mine) >= sc.rules.max_offers_per_role:
            raise _fail("5.1", cmd, f"at most {sc.rules.max_offers_per_role} offer(s) per turn")
        if to in mine:
            raise _fail("5.1", cmd, f"you already made an offer to {to_id} this turn")
        ask = sc.card_index.get(ask_id)
        if ask is None or sc.card_role[ask] != to or ask not in sc.askable_by_role[to]:
            raise _fail("5.1", cmd, f"{ask_id!r} is not an askable card of {to_id}")
        give = sc.card_index.get(give_id)
        if give is None or give not in s.hands[role]:
            raise _fail("5.1", cmd, f"{give_id!r} is not in your hand")
        return
    if s.phase != ORDERS:
        raise _fail("6", cmd, f"{verb} belongs to the orders phase; the phase is {s.phase}")
    if s.ready[role]:
        raise _fail("6.7", cmd, "your order is already sealed")
    if verb in ("accept", "decline"):
        oid = cmd.args[0]
        if not any(str(o.id) == oid and o.to == role and o.status == PENDING for o in s.offers):
            raise _fail("6.6", cmd, f"there is no unanswered offer {oid} addressed to you")
        return
    if verb == "seal":
        return
    # play
    card = sc.card_index.get(cmd.args[0])
    if card is None or sc.card_role[card] != role:
        raise _fail("6.1", cmd, f"{cmd.args[0]!r} is not one of your cards")
    why = playable(s, role, card)
    if why:
        rule, _, reason = why.partition(": ")
        raise _fail(rule, cmd, reason)
    targets = sc.card_targets[card]
    target = cmd.args[1] if len(cmd.args) > 1 else ""
    if targets and sc.role_index.get(target) not in targets:
        names = ", ".join(sc.role_ids[t] for t in targets)
        raise _fail("6.5", cmd, f"this card needs a target: one of {names}")
    if not targets and target:
        raise _fail("6.5", cmd, "this card takes no target")


def apply_fast(s: GameState, cmd: Command) -> GameState:
    """Apply a role command known to be legal (from legal_actions). No checks."""
    sc = s.sc
    role = sc.role_index[cmd.actor]
    verb = cmd.verb
    if verb == "play":
        card = sc.card_index[cmd.args[0]]
        target = sc.role_index[cmd.args[1]] if len(cmd.args) > 1 else -1
        orders = list(s.orders)
        orders[role] = orders[role] + ((card, target),)
        return _with(s, _ORDERS, tuple(orders))
    if verb == "seal" or verb == "done":
        ready = list(s.ready)
        ready[role] = True
        s = _with(s, _READY, tuple(ready))
        if verb == "seal" and s.offers:
            s = _with(s, _OFFERS, settle_unanswered(s.offers, role))
        return advance(s) if all(ready) else s
    if verb == "offer":
        to, ask, give = sc.role_index[cmd.args[0]], sc.card_index[cmd.args[1]], sc.card_index[cmd.args[2]]
        offer = Offer(s.next_offer, s.turn, role, to, ask, give, PENDING, "")
        return _with(_with(s, _OFFERS, s.offers + (offer,)), _NEXT_OFFER, s.next_offer + 1)
    if verb == "accept" or verb == "decline":
        status = ACCEPTED if verb == "accept" else DECLINED
        oid = int(cmd.args[0])
        return _with(s, _OFFERS, tuple(_answered(o, status) if o.id == oid else o for o in s.offers))
    if verb == "say":
        msg = Message(s.turn, role, sc.role_index[cmd.args[0]], cmd.args[1])
        return s._replace(messages=s.messages + (msg,))
    raise ValueError(f"not a role command: {cmd.text}")


# ---------------------------------------------------------------------- facilitator


def _facilitator(s: GameState, cmd: Command) -> GameState:  # noqa: C901
    sc = s.sc
    verb, args = cmd.verb, cmd.args
    if verb == "pause":
        return s._replace(paused=True)
    if verb == "resume":
        return s._replace(paused=False)
    if verb == "lock":
        return s._replace(diplomacy_locked=True)
    if verb == "unlock":
        return s._replace(diplomacy_locked=False)
    if verb == "seat":
        role = sc.role_index.get(args[0])
        if role is None:
            raise _fail("11", cmd, f"unknown role {args[0]!r}")
        controllers = list(s.controllers)
        controllers[role] = args[1].strip()[:80]
        return s._replace(controllers=tuple(controllers))
    if verb == "rollback":
        if not (args[0].isascii() and args[0].isdigit()) or not 1 <= int(args[0]) <= min(s.turn, len(s.checkpoints)):
            raise _fail("11", cmd, f"roll back to a turn between 1 and {min(s.turn, len(s.checkpoints))}")
        n = int(args[0])
        target = s.checkpoints[n - 1]._replace(
            checkpoints=s.checkpoints[:n], controllers=s.controllers, paused=s.paused
        )
        return advance(target)
    if s.phase == OVER:
        raise _fail("10", cmd, "the game is over")
    if verb == "force":
        role = sc.role_index.get(args[0])
        if role is None:
            raise _fail("11", cmd, f"unknown role {args[0]!r}")
        if s.phase not in (DIPLOMACY, ORDERS) or s.ready[role]:
            raise _fail("11", cmd, f"{args[0]} is not being waited for")
        return apply_fast(s, Command(args[0], "seal" if s.phase == ORDERS else "done"))
    if verb == "set":
        subject, value, reason = args
        reason = reason.strip()
        try:
            v = int(value)
        except ValueError:
            raise _fail("11", cmd, f"value {value!r} is not an integer") from None
        w = Work(s)
        w.cause = "override:" + reason
        if subject.startswith("capital."):
            role = sc.role_index.get(subject.removeprefix("capital."))
            if role is None:
                raise _fail("11", cmd, f"unknown role in {subject!r}")
            if not 0 <= v <= sc.role_max_capital[role]:
                raise _fail("11", cmd, f"capital must be 0..{sc.role_max_capital[role]}")
            w.gain_capital(role, v - w.capital[role])
        else:
            i = sc.track_index.get(subject)
            if i is None:
                raise _fail("11", cmd, f"unknown track {subject!r}; tracks are {', '.join(sc.track_ids)}")
            if not sc.track_min[i] <= v <= sc.track_max[i]:
                raise _fail("11", cmd, f"{subject} must be within {sc.track_min[i]}..{sc.track_max[i]}")
            w.shift(i, v - w.tracks[i])
        return _after_facilitator(w)
    if verb in ("inject", "inject-custom"):
        w = Work(s)
        if verb == "inject":
            sh = sc.shock_index.get(args[0])
            if sh is None:
                raise _fail("11", cmd, f"unknown shock {args[0]!r}")
            apply_shock(w, sh, "inject:" + args[0])
        else:
            effects = _custom_shock(s, cmd)
            w.shocks_this_turn.append(effects[0])
            w.cause, w.owner, w.target = "inject:" + effects[0], -1, -1
            for f in effects[1]:
                f(w)
        return _after_facilitator(w)
    raise _fail("11", cmd, f"unknown facilitator command {verb!r}")


def _after_facilitator(w: Work) -> GameState:
    """An injected shock or an override can also bring on the crisis (§10.1)."""
    if w.crisis():
        return w.freeze(phase=OVER, end_reason="crisis")
    return w.freeze()


def _custom_shock(s: GameState, cmd: Command) -> tuple[str, tuple[Callable[[Work], None], ...]]:
    from game.scenario.references import check_references

    try:
        shock = Shock.model_validate(json.loads(cmd.args[0]))
    except (ValueError, ValidationError) as exc:
        first = str(exc).splitlines()[0][:200]
        raise _fail("11", cmd, f"custom shock is not valid: {first}") from None
    model = s.sc.model
    probe = model.model_copy(update={"shocks": [*model.shocks, shock]})
    problems = check_references(probe)
    if problems:
        raise _fail("11", cmd, f"custom shock is not valid: {problems[0][1]}")
    return shock.id, compile_effects(model, list(shock.effects))
