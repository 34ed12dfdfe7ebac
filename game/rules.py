"""Setup, legality and applying commands.

One source of legality: :func:`legal_actions` enumerates every enumerable command
a role may send now, and :func:`check` explains why any other command is refused.
Two ways to apply: :func:`apply` (checked; for humans, network and external
agents) and :func:`apply_fast` (trusts its input; for search and simulation, which
only ever pick from ``legal_actions``).
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from game import safejson
from game.causes import inject_cause, override_cause
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

_new_state = tuple.__new__  # builds a NamedTuple from one sequence, skipping its argument parsing


#: Longest seat controller (rule 11.6): room for an agent spec with a URL and its parameters.
MAX_CONTROLLER = 400

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
        flags=sc.flag_start,
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
    w.phase = sc.phases[0]
    return advance(begin_turn(w.freeze()))


# ----------------------------------------------------------------------- legality


_Eligible = tuple[int, int, tuple[Command, ...]]  # card, cost, its play commands


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
        self.unplay = tuple(Command(ids[sc.card_role[c]], "unplay", (cid,)) for c, cid in enumerate(sc.card_ids))
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
        self.answer_cache: dict[tuple[int, int], tuple[Command, Command]] = {}
        self.role_ids = ids
        # Canonical text of every command above (and of answers as they are made):
        # a dict lookup is several times cheaper than Command.text's join.
        self.text: dict[Command, str] = {c: c.text for c in (*self.done, *self.seal)}
        self.text.update((c, c.text) for cmds in self.play for c in cmds)
        self.text.update((c, c.text) for c in self.unplay)
        self.text.update((c, c.text) for t in self.offer_cmds for cmds in t.values() for c in cmds)
        self.max_cards = sc.rules.max_cards_per_turn
        self.max_offers = sc.rules.max_offers_per_role
        # One-entry cache per role (see eligible): a game asks the same question of
        # the same role several times in a row within a phase.
        self.eligible_cache: list[tuple[object, tuple[_Eligible, ...]]] = [(None, ())] * len(ids)

    def answers(self, role: int, offer_id: int) -> tuple[Command, Command]:
        """`role`'s accept and decline of offer `offer_id` (built once; legal_actions
        looks in ``answer_cache`` itself first)."""
        key = (role, offer_id)
        hit = self.answer_cache.get(key)
        if hit is None:
            if len(self.answer_cache) > 20000:
                for pair in self.answer_cache.values():
                    for c in pair:
                        del self.text[c]
                self.answer_cache.clear()
            me, oid = self.role_ids[role], str(offer_id)
            hit = self.answer_cache[key] = (Command(me, "accept", (oid,)), Command(me, "decline", (oid,)))
            self.text.update((c, c.text) for c in hit)
        return hit

    def diplomacy_menu(self, role: int, hand: tuple[int, ...]) -> tuple[Command, ...]:
        """Every offer `role` can make holding `hand`, then its ``done`` (hands repeat a lot: cached)."""
        key = (role, tuple(sorted(hand)))
        hit = self._menu_cache.get(key)
        if hit is None:
            cmds = self.offer_cmds[role]
            hit = (*(c for give in sorted(set(hand)) for c in cmds[give]), self.done[role])
            if len(self._menu_cache) > 20000:
                self._menu_cache.clear()
            self._menu_cache[key] = hit
        return hit

    def eligible(self, s: GameState, role: int, key: tuple[object, ...]) -> tuple[_Eligible, ...]:
        """The cards of `role`'s hand that pass §6.2-6.4 (requirement, blocks,
        coercion) now, in hand order, each with its cost and play commands. The
        per-order checks (cost against what is left, a card already chosen) stay in
        legal_actions.

        `key` holds everything these checks read from `s`: the hand, and what a
        card requirement (a compiled condition: tracks, turn_start, flags, windows,
        turn, revealed — see game.compiled) and §6.3-6.4 (blocks, turn, the
        stability track) read. None of it changes while orders are written, so the
        last answer per role is kept in ``eligible_cache`` and reused for as long
        as the key stays equal (legal_actions checks that before calling)."""
        hit = self.eligible_cache[role]
        if hit[0] == key:
            return hit[1]
        sc = s.sc
        coercion_ok = s.tracks[sc.stability] > sc.rules.coercive_blocked_at_or_below
        out = []
        for card in s.hands[role]:
            req = sc.card_requires[card]
            if (
                (coercion_ok or not sc.card_coercive[card])
                and (req is None or req(s))
                and not (s.blocks and _blocked(s, role, card))
            ):
                out.append((card, sc.card_cost[card], self.play[card]))
        result = tuple(out)
        self.eligible_cache[role] = (key, result)
        return result


_MENUS: dict[int, tuple[Compiled, _Menus]] = {}
_last_menus: tuple[Compiled | None, _Menus | None] = (None, None)


def menus(sc: Compiled) -> _Menus:
    """The scenario's command tables (kept alive with the scenario they index)."""
    global _last_menus
    last_sc, last = _last_menus
    if last_sc is sc and last is not None:  # the common case: one scenario per process
        return last
    hit = _MENUS.get(id(sc))
    if hit is None or hit[0] is not sc:
        if len(_MENUS) > 64:
            _MENUS.clear()
        hit = _MENUS[id(sc)] = (sc, _Menus(sc))
    _last_menus = hit
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


def legal_actions(s: GameState, role: int) -> list[Command]:  # noqa: C901 - one branch per phase, kept inline for speed
    """Every enumerable command `role` may send now (free-text `say` is never listed).

    This runs before every command of every simulated game, so it is written for
    speed: plain loops (a comprehension costs a function call), no helper calls in
    the common cases, and per-scenario tables from :class:`_Menus`."""
    phase = s.phase
    if phase == OVER or s.paused or s.ready[role]:
        return []
    sc = s.sc
    last_sc, menu = _last_menus  # menus(sc), without the call in the common case
    if last_sc is not sc or menu is None:
        menu = menus(sc)
    out: list[Command] = []
    if phase == DIPLOMACY:
        mine: list[int] = []  # recipients of this role's offers so far
        if s.offers:
            hand = s.hands[role]
            for o in s.offers:
                if o.frm == role:
                    mine.append(o.to)
                elif o.to == role and o.status == PENDING:  # §6.6: answered as soon as made
                    pair = menu.answer_cache.get((role, o.id))  # menu.answers, without the call
                    if pair is None:
                        pair = menu.answers(role, o.id)
                    if o.ask in hand:
                        out += pair
                    else:  # §6.6: only a role holding the asked card may accept
                        out.append(pair[1])
        if s.diplomacy_locked:
            out.append(menu.done[role])
            return out
        if len(mine) >= menu.max_offers:
            out.append(menu.done[role])
            return out
        if not mine:
            if not out:
                return list(menu.diplomacy_menu(role, s.hands[role]))
            out.extend(menu.diplomacy_menu(role, s.hands[role]))
            return out
        table = menu.offers[role]
        for give in sorted(set(s.hands[role])):
            out.extend(cmd for to, cmd in table[give] if to not in mine)
        out.append(menu.done[role])
        return out
    if phase == ORDERS:
        if s.offers:  # §6.6: offers not answered in diplomacy are answered now
            hand = s.hands[role]
            for o in s.offers:
                if o.to == role and o.status == PENDING:
                    pair = menu.answer_cache.get((role, o.id))
                    if pair is None:
                        pair = menu.answers(role, o.id)
                    if o.ask in hand:
                        out += pair
                    else:
                        out.append(pair[1])
        order = s.orders[role]
        if len(order) < menu.max_cards:
            # menu.eligible(s, role, key), its cache checked here to save the call
            key = (s.hands[role], s.tracks, s.turn_start, s.flags, s.windows, s.turn, s.revealed, s.blocks)
            hit = menu.eligible_cache[role]
            cards = hit[1] if hit[0] == key else menu.eligible(s, role, key)
            left = s.capital[role]
            if order:
                cost = sc.card_cost
                chosen = []
                for c, _ in order:
                    chosen.append(c)
                    left -= cost[c]
                for card, price, cmds in cards:
                    if price <= left and card not in chosen:
                        out += cmds
            else:
                for _, price, cmds in cards:
                    if price <= left:
                        out += cmds
        if order:  # §6.9: a card can be taken back before sealing
            unplay = menu.unplay
            for c, _ in order:
                out.append(unplay[c])
        out.append(menu.seal[role])
        return out
    return []


def trailing_unplays(legal: list[Command]) -> int:
    """How many ``unplay`` commands a legal_actions list holds. They always come last but
    for ``seal`` (one per card in the order), so an agent that never takes a card back can
    skip them by index, without building a filtered list on the hot path."""
    n, k = len(legal), 0
    while k + 2 <= n and legal[n - 2 - k].verb == "unplay":
        k += 1
    return k


def _blocked(s: GameState, role: int, card: int) -> bool:
    kind = s.sc.card_kind[card]
    return any(k == kind and (r < 0 or r == role) and last >= s.turn for k, r, last in s.blocks)


def refusals(s: GameState, role: int) -> dict[Command, IllegalCommand]:
    """Why each of `role`'s own options that is not legal now is refused, with its rule:
    every card in its hand (played at its first target) and an acceptance of every offer
    addressed to it. Legal options are left out.

    The one place the UI and the server learn why a card cannot be played (they used to
    format a command and catch the exception); the reasons are :func:`_explain`'s, and a
    property test checks that an option is either in :func:`legal_actions` or here."""
    sc = s.sc
    legal = set(legal_actions(s, role))
    menu = menus(sc)
    candidates: list[Command] = [menu.play[card][0] for card in dict.fromkeys(s.hands[role])]
    candidates += [menu.answers(role, o.id)[0] for o in s.offers if o.to == role and o.status == PENDING]
    out: dict[Command, IllegalCommand] = {}
    for cmd in candidates:
        if cmd in legal:
            continue
        try:
            _explain(s, role, cmd)
        except IllegalCommand as exc:
            out[cmd] = exc
        else:  # _explain found nothing: a rule only legal_actions knows (a bug: see the tests)
            out[cmd] = _fail("3", cmd, f"not a legal command in the {s.phase} phase")
    return out


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
    if verb in ("accept", "decline") and s.phase == DIPLOMACY:
        if s.ready[role]:
            raise _fail("6.6", cmd, "you have finished diplomacy: answer offers in the orders phase")
    elif s.phase != ORDERS:
        raise _fail("6", cmd, f"{verb} belongs to the orders phase; the phase is {s.phase}")
    elif s.ready[role]:
        raise _fail("6.7", cmd, "your order is already sealed")
    if verb in ("accept", "decline"):
        oid = cmd.args[0]
        offer = next((o for o in s.offers if str(o.id) == oid and o.to == role and o.status == PENDING), None)
        if offer is None:
            raise _fail("6.6", cmd, f"there is no unanswered offer {oid} addressed to you")
        if verb == "accept" and offer.ask not in s.hands[role]:
            asked = sc.card_ids[offer.ask]
            raise _fail("6.6", cmd, f"offer {oid} asks for {asked!r}, which is not in your hand: you can only decline")
        return
    if verb == "seal":
        return
    if verb == "unplay":
        card = sc.card_index.get(cmd.args[0])
        if card is None or all(c != card for c, _ in s.orders[role]):
            raise _fail("6.9", cmd, f"{cmd.args[0]!r} is not in your order")
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
    """Apply a role command known to be legal (from legal_actions). No checks.

    Every simulated command passes through here, so each verb builds its one new
    state by tuple surgery — the fields copied into a list, the changed ones set,
    ``tuple.__new__`` back — several times cheaper than ``_replace``."""
    actor, verb, args = cmd
    sc = s.sc
    role = sc.role_index[actor]
    if verb == "play":
        orders = list(s.orders)
        orders[role] += ((sc.card_index[args[0]], sc.role_index[args[1]] if len(args) > 1 else -1),)
        fields = list(s)
        fields[_ORDERS] = tuple(orders)
        return _new_state(GameState, fields)
    if verb == "unplay":
        card = sc.card_index[args[0]]
        orders = list(s.orders)
        orders[role] = tuple(x for x in orders[role] if x[0] != card)
        fields = list(s)
        fields[_ORDERS] = tuple(orders)
        return _new_state(GameState, fields)
    if verb == "seal" or verb == "done":
        ready = list(s.ready)
        ready[role] = True
        fields = list(s)  # one new state even when sealing also settles offers
        fields[_READY] = tuple(ready)
        if verb == "seal" and s.offers:
            fields[_OFFERS] = settle_unanswered(s.offers, role)
        s = _new_state(GameState, fields)
        return advance(s) if all(ready) else s
    if verb == "offer":
        number = s.next_offer
        to, ask, give = sc.role_index[args[0]], sc.card_index[args[1]], sc.card_index[args[2]]
        fields = list(s)
        fields[_OFFERS] = (*s.offers, _new_state(Offer, (number, s.turn, role, to, ask, give, PENDING, "")))
        fields[_NEXT_OFFER] = number + 1
        return _new_state(GameState, fields)
    if verb == "accept" or verb == "decline":
        status = ACCEPTED if verb == "accept" else DECLINED
        oid = int(args[0])
        offers = list(s.offers)
        for i, o in enumerate(offers):
            if o.id == oid:
                offers[i] = _new_state(Offer, (*o[:_STATUS], status, *o[_STATUS + 1 :]))
        fields = list(s)
        fields[_OFFERS] = tuple(offers)
        return _new_state(GameState, fields)
    if verb == "say":
        msg = Message(s.turn, role, sc.role_index[args[0]], args[1])
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
        controller = args[1].strip()
        if len(controller) > MAX_CONTROLLER:
            # refused, never cut: a cut seat spec would silently drop its last parameters
            raise _fail("11.6", cmd, f"a seat controller is at most {MAX_CONTROLLER} characters")
        controllers = list(s.controllers)
        controllers[role] = controller
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
        w.cause = override_cause(reason)
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
            apply_shock(w, sh, inject_cause(args[0]))
        else:
            effects = _custom_shock(s, cmd)
            w.shocks_this_turn.append(effects[0])
            w.cause, w.owner, w.target = inject_cause(effects[0]), -1, -1
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
        shock = Shock.model_validate(safejson.loads(cmd.args[0]))
    except (ValueError, ValidationError) as exc:  # safejson.JSONInputError is a ValueError
        first = str(exc).splitlines()[0][:200]
        raise _fail("11", cmd, f"custom shock is not valid: {first}") from None
    model = s.sc.model
    probe = model.model_copy(update={"shocks": [*model.shocks, shock]})
    problems = check_references(probe)
    if problems:
        raise _fail("11", cmd, f"custom shock is not valid: {problems[0][1]}")
    return shock.id, compile_effects(model, list(shock.effects))
