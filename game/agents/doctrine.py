"""The doctrine file: the heuristic agent's strategy as data, and its loader.

The format (see :mod:`game.agents.heuristic` for what each part means): a mapping
``roles`` of role id -> ``summary``, thresholds, and rule lists ``cards``, ``offers``,
``accept`` and ``reserve``, each rule with an optional ``when`` in the scenario's own
condition language. Loading reports every problem as ``FILE:LINE:COL: field: message``,
like the scenario loader it shares its YAML parsing with; checking a doctrine against a
scenario (unknown cards, roles, tracks) is the agent's part.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from game.errors import WedgeError
from game.scenario import models as m
from game.scenario.loader import Problem, ScenarioError, _parse, _problem

DEFAULT_DOCTRINE = Path(__file__).resolve().parents[2] / "scenarios" / "doctrine.yaml"
MAX_DOCTRINE_BYTES = 1024 * 1024

# ------------------------------------------------------------------ the file format


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class CardRule(_Strict):
    """Adds `score` to playing `card` (a card id or a kind) when `when` holds."""

    card: str
    score: float = Field(ge=-100, le=100)
    when: m.Condition | None = None
    target: str | None = None
    with_: str | None = Field(None, alias="with")
    why: str = ""


class OfferRule(_Strict):
    """Adds `score` to offering `give` (mine) for `ask` (the recipient's; id or kind)."""

    to: str | None = None
    ask: str
    give: str
    score: float = Field(ge=-100, le=100)
    when: m.Condition | None = None
    why: str = ""


class AcceptRule(_Strict):
    """Adds `score` to accepting an offer that asks for `ask` (mine) and gives `give`."""

    from_: str | None = Field(None, alias="from")
    ask: str
    give: str | None = None
    score: float = Field(ge=-100, le=100)
    when: m.Condition | None = None
    why: str = ""


class ReserveRule(_Strict):
    """Keep `keep` capital unspent while `when` holds (the largest matching `keep` counts)."""

    keep: int = Field(ge=0, le=20)
    when: m.Condition | None = None
    why: str = ""


class RoleDoctrine(_Strict):
    summary: str
    play_above: float = 0.0
    offer_above: float = 0.0
    max_cards: int | None = Field(None, ge=0, le=10)
    keep_promise: float = Field(3.0, ge=0, le=100)
    reserve: list[ReserveRule] = Field(default_factory=list)
    cards: list[CardRule] = Field(default_factory=list)
    offers: list[OfferRule] = Field(default_factory=list)
    accept: list[AcceptRule] = Field(default_factory=list)


class Doctrine(_Strict):
    scenario: str | None = None
    description: str = ""
    roles: dict[str, RoleDoctrine]


class DoctrineError(WedgeError, ValueError):
    """A doctrine file that cannot be read, parsed, validated or matched to the scenario."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# ------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class LoadedDoctrine:
    name: str
    doctrine: Doctrine
    tree: Any  # line/column positions of every node (from the scenario loader)

    def problem(self, loc: Sequence[str | int], message: str) -> Problem:
        return _problem(self.tree, self.name, loc, message, tags=False)


def load_doctrine(path: str | os.PathLike[str]) -> LoadedDoctrine:
    """Read and validate a doctrine file; raises :class:`DoctrineError` naming file, line and field."""
    name = os.fspath(path)
    try:
        info = os.stat(path)
    except OSError as e:
        raise DoctrineError([Problem(name, 1, 1, "", f"cannot read doctrine: {e.strerror or e}")]) from None
    return load_version(name, info.st_mtime_ns, info.st_size)


@lru_cache(maxsize=16)
def load_version(name: str, mtime: int, size: int) -> LoadedDoctrine:
    """The file `name` as it was at (`mtime`, `size`): read once per version, so the many
    agents of a playtest share one parse, and an edited file is read again."""
    try:
        if size > MAX_DOCTRINE_BYTES:
            raise DoctrineError([Problem(name, 1, 1, "", f"file is {size} bytes; the limit is {MAX_DOCTRINE_BYTES}")])
        with open(name, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as e:
        raise DoctrineError([Problem(name, 1, 1, "", f"cannot read doctrine: {e}")]) from None
    if not text.strip():
        raise DoctrineError([Problem(name, 1, 1, "", "file is empty; expected a mapping with 'roles'")])
    try:
        data, tree = _parse(text, name)
    except ScenarioError as e:
        raise DoctrineError(e.problems) from None
    try:
        doctrine = Doctrine.model_validate(data)
    except ValidationError as e:
        raise DoctrineError([_pydantic_problem(err, tree, name) for err in e.errors(include_url=False)]) from None
    return LoadedDoctrine(name, doctrine, tree)


def _pydantic_problem(err: Any, tree: Any, name: str) -> Problem:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return _problem(tree, name, loc, f"unknown field {loc[-1]!r}{hint}", tags=True, key=True)
    if kind == "missing":
        message = f"missing required field {loc[-1]!r}"
    else:
        got = err.get("input")
        shown = f" (got {got!r})" if isinstance(got, str | int | float) and len(repr(got)) <= 40 else ""
        message = str(err["msg"]).removeprefix("Value error, ") + shown
    return _problem(tree, name, loc, message, tags=True)


def _allowed_keys(loc: Sequence[str | int]) -> list[str] | None:
    """The keys a doctrine mapping at `loc` may have (for 'unknown field' hints)."""
    tp: Any = Doctrine
    for part in loc:
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            fields = {f.alias or k: f.annotation for k, f in tp.model_fields.items()}
            if part not in fields:
                return None
            tp = fields[part]
        elif get_origin(tp) in (list, dict):
            tp = get_args(tp)[-1]
        else:
            return None
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [f.alias or k for k, f in tp.model_fields.items()]
    return None
