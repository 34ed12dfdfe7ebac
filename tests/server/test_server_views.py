"""The server's view maker gives exactly ``game.views``' views, for every seat at every
state of a game (with offers, messages, facilitator acts and a rollback), and the
remote UI session derives the public board from a seat's view exactly."""

from __future__ import annotations

import json

from server_helpers import ROLES, rich_choice

from game.compiled import Compiled
from game.rules import apply, legal_actions, new_game
from game.server.audience import ViewMaker, view_of
from game.state import GameState
from game.views import facilitator_view, public_view, role_view
from tui.remote import PRIVATE_KEYS, public_part


def _states(sc: Compiled) -> list[GameState]:
    s = new_game(sc, 21)
    out = [s]
    extra = {30: "gm:set:alignment:60:ruling", 60: "gm:inject:galwan-border-clash", 90: "gm:rollback:3", 95: "gm:pause"}
    i = 0
    while s.phase != "over" and i < 400:
        i += 1
        if i in extra:
            s = apply(s, extra[i])
            out.append(s)
            continue
        if s.paused:
            s = apply(s, "gm:resume")
        for r, role in enumerate(ROLES):
            legal = [c.text for c in legal_actions(s, r)]
            if legal:
                s = apply(s, rich_choice(role, role_view(s, r), legal, 5))
                break
        out.append(s)
    assert out[-1].phase == "over"
    return out


def test_view_maker_equals_game_views_for_every_seat_and_state(standard_sc: Compiled) -> None:
    maker = ViewMaker()
    seats = [*ROLES, "gm", "public"]
    prev = None
    for i, s in enumerate(_states(standard_sc)):
        made = maker.views(s, seats)  # every state goes through the maker, in order, like on the server
        shared_changed = prev is None or prev.ledger is not s.ledger or prev.history is not s.history
        prev = s
        if not (shared_changed or i % 3 == 0 or s.phase == "over"):
            continue  # checking a third of the others is plenty; every change of the shared parts is checked
        for seat in seats:
            want = view_of(s, seat)
            assert made[seat] == want, (s.turn, s.phase, seat)
            # and it serialises to the same JSON a client would get from game.views
            assert json.dumps(made[seat], sort_keys=True) == json.dumps(want, sort_keys=True)


def test_the_public_part_of_a_seat_view_is_the_public_view(standard_sc: Compiled) -> None:
    for s in _states(standard_sc)[::15]:
        public = public_view(s)
        for r in ROLES:
            view = role_view(s, r)
            assert set(view) - set(public) <= PRIVATE_KEYS
            assert public_part(view) == public
        assert set(facilitator_view(s)) - set(public) <= PRIVATE_KEYS
        assert public_part(facilitator_view(s)) == public
