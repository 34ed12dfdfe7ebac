"""Commands: the only way a game changes.

A command is a small hashable value with one canonical text form, e.g.
``us:play:us-secondary-sanctions-banks:prc`` or ``gm:set:alignment:60:ruling on the summit``.
The text form is what logs, saves, the network protocol and agents exchange;
``parse(text).text == text`` for every valid command.

Actors are role ids, or ``gm`` for the facilitator (the white cell).
"""

from __future__ import annotations

from typing import NamedTuple

from game.errors import CommandSyntaxError

FACILITATOR = "gm"

#: verb -> (number of fixed args, whether a final free-text argument follows)
ROLE_VERBS: dict[str, tuple[int, bool]] = {
    "play": (1, False),  # play:CARD   or play:CARD:TARGET (target optional -> handled below)
    "offer": (3, False),  # offer:TO:ASK:GIVE
    "accept": (1, False),  # accept:OFFER_ID
    "decline": (1, False),
    "done": (0, False),
    "seal": (0, False),
    "unplay": (1, False),  # unplay:CARD (take a card back out of the order before sealing)
    "say": (1, True),  # say:TO:free text
}
GM_VERBS: dict[str, tuple[int, bool]] = {
    "pause": (0, False),
    "resume": (0, False),
    "lock": (0, False),
    "unlock": (0, False),
    "inject": (1, False),  # inject:SHOCK_ID
    "inject-custom": (0, True),  # inject-custom:{json shock}
    "set": (2, True),  # set:TRACK|capital.ROLE:VALUE:reason
    "rollback": (1, False),  # rollback:TURN
    "seat": (1, True),  # seat:ROLE:controller
    "force": (1, False),  # force:ROLE  (seal/finish for an absent role)
}


class Command(NamedTuple):
    actor: str
    verb: str
    args: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return ":".join((self.actor, self.verb, *self.args))

    def __str__(self) -> str:
        return self.text


def parse(text: str) -> Command:
    """Parse canonical text; raises CommandSyntaxError naming what is wrong."""
    if not isinstance(text, str):
        raise CommandSyntaxError(repr(text)[:80], "a command must be text")
    if len(text) > 4096:
        raise CommandSyntaxError(text[:60] + "...", "command longer than 4096 characters")
    parts = text.split(":", 2)
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise CommandSyntaxError(text, "expected ACTOR:VERB[:ARGS]")
    actor, verb = parts[0], parts[1]
    rest = parts[2] if len(parts) == 3 else None
    table = GM_VERBS if actor == FACILITATOR else ROLE_VERBS
    if verb not in table:
        raise CommandSyntaxError(text, f"unknown verb {verb!r}; expected one of {', '.join(table)}")
    fixed, free = table[verb]
    if actor != FACILITATOR and verb == "play":
        args = tuple(rest.split(":")) if rest else ()
        if len(args) not in (1, 2) or not all(args):
            raise CommandSyntaxError(text, "expected ROLE:play:CARD or ROLE:play:CARD:TARGET")
        return Command(actor, verb, args)
    if fixed == 0 and not free:
        if rest is not None:
            raise CommandSyntaxError(text, f"{verb} takes no arguments")
        return Command(actor, verb)
    if rest is None:
        raise CommandSyntaxError(text, f"{verb} needs arguments")
    pieces = rest.split(":", fixed) if free else rest.split(":")
    want = fixed + (1 if free else 0)
    if len(pieces) != want or not all(pieces[:fixed]) or (free and not pieces[-1].strip()):
        raise CommandSyntaxError(text, f"{verb} expects {want} argument(s)")
    return Command(actor, verb, tuple(pieces))
