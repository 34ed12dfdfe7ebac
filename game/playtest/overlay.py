"""Scenario overlays: small, checked edits of a base scenario for experiments.

An overlay is written inside an experiment file::

    overlay:
      remove_cards: [us-tariff-carrot, us-secondary-sanctions-banks]
      remove_shocks: [eo-14114-bank-sanctions]
      set:
        rules.turns: 6
        tracks.alignment.start: 80
        cards.us-far-east-framing.cost: 1
        roles.us.capital: 8

``set`` paths are dotted; inside a list an element is named by its ``id`` (or by
its position, ``tracks.0.start``). Keys are the scenario file's own keys. The
overlay is applied to the base scenario's full model dump, and the result goes
through the same validation as a scenario file (pydantic models, then cross
references), so an overlay can never produce a scenario the engine would refuse
— and every problem is reported in one line naming the experiment file, the
overlay and the offending key or id (with a "did you mean" when one is close).
"""

from __future__ import annotations

import copy
import difflib
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from game.playtest.errors import PlaytestError
from game.scenario.models import Scenario
from game.scenario.references import check_references


class OverlayError(PlaytestError):
    """An overlay that does not apply to its base scenario."""


class Overlay(BaseModel):
    model_config = ConfigDict(extra="forbid")

    remove_cards: list[str] = Field(default_factory=list, description="card ids to take out of the game")
    remove_shocks: list[str] = Field(default_factory=list, description="shock ids to take out of the game")
    set: dict[str, Any] = Field(default_factory=dict, description="dotted path -> new value")

    @property
    def empty(self) -> bool:
        return not (self.remove_cards or self.remove_shocks or self.set)


def _hint(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"; expected one of: {shown}"


def _remove(data: dict[str, Any], section: str, ids: list[str], where: str) -> None:
    items: list[dict[str, Any]] = data[section]
    known = [str(x["id"]) for x in items]
    for item_id in ids:
        if item_id not in known:
            what = section[:-1]
            raise OverlayError(f"{where}: remove_{section}: unknown {what} {item_id!r}{_hint(item_id, known)}")
    drop = set(ids)
    data[section] = [x for x in items if x["id"] not in drop]


def _set(data: dict[str, Any], path: str, value: Any, where: str) -> None:
    parts = path.split(".")
    if not path or any(not p for p in parts):
        raise OverlayError(f"{where}: set: bad path {path!r}; write keys separated by dots, e.g. 'rules.turns'")
    node: Any = data
    walked: list[str] = []
    for k, part in enumerate(parts):
        last = k == len(parts) - 1
        here = ".".join(walked) or "the scenario"
        if isinstance(node, dict):
            if part not in node:
                raise OverlayError(f"{where}: set {path!r}: unknown key {part!r} in {here}{_hint(part, list(node))}")
            if last:
                node[part] = value
                return
            node = node[part]
        elif isinstance(node, list):
            ids = [str(x.get("id")) for x in node if isinstance(x, dict) and "id" in x]
            pos = next((i for i, x in enumerate(node) if isinstance(x, dict) and x.get("id") == part), None)
            if pos is None and part.isdigit() and int(part) < len(node):
                pos = int(part)
            if pos is None:
                raise OverlayError(
                    f"{where}: set {path!r}: no {part!r} in {here}"
                    + (_hint(part, ids) if ids else f" (it has {len(node)} items)")
                )
            if last:
                node[pos] = value
                return
            node = node[pos]
        else:
            raise OverlayError(f"{where}: set {path!r}: {here} is a single value, not a mapping or list")
        walked.append(part)


def _readable(data: dict[str, Any], loc: tuple[str | int, ...]) -> str:
    """A pydantic/reference loc as a path with ids (``cards[us-tariff-carrot].effects[0]``),
    dropping discriminated-union tags that are not real keys."""
    node: Any = data
    out = ""
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part not in node:
            if part in (node.get("op"), node.get("test")):
                continue
            out += f".{part}" if out else part
            node = None
            continue
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            item = node[part]
            label = item.get("id") if isinstance(item, dict) and "id" in item else part
            out += f"[{label}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def _msg(text: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if text.startswith(prefix):
            return text[len(prefix):]
    return text


def apply_overlay(base: Scenario, overlay: Overlay, where: str) -> Scenario:
    """The base scenario with `overlay` applied and re-validated; `where` prefixes every error."""
    if overlay.empty:
        return base
    data = copy.deepcopy(base.model_dump(mode="json", by_alias=True))
    _remove(data, "cards", overlay.remove_cards, where)
    _remove(data, "shocks", overlay.remove_shocks, where)
    for path, value in overlay.set.items():
        _set(data, path, value, where)
    try:
        model = Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        others = len(exc.errors()) - 1
        extra = f" (and {others} more problem{'s' if others > 1 else ''})" if others else ""
        at = _readable(data, tuple(err["loc"]))
        raise OverlayError(f"{where}: the overlaid scenario is invalid: {at}: {_msg(err['msg'])}{extra}") from None
    found = check_references(model)
    if found:
        loc, msg = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        removed = overlay.remove_cards or overlay.remove_shocks
        cause = " — a removed card or shock is still referenced" if removed else ""
        raise OverlayError(
            f"{where}: the overlaid scenario is invalid{cause}: {_readable(data, tuple(loc))}: {msg}{more}"
        )
    return model
