"""Load a scenario file into a validated :class:`Scenario`, or explain why not.

Scenario files are written by hand, so every failure must point at a line and
column of the file and name the field in YAML terms (``cards[3].effects[0].amount``).
No input, however malformed or hostile, may escape as anything but
:class:`ScenarioError`: the facilitator UI shows ``str(exc)`` and nothing else.

The pipeline is: size limit -> UTF-8 decode -> YAML compose (with line tracking,
duplicate-key, alias and depth limits) -> pydantic validation -> cross-reference
checks (:mod:`game.scenario.references`). Each stage stops the pipeline when it
finds problems, because later stages would only report confusing echoes of them.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Protocol, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, Event
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from game.errors import WedgeError
from game.scenario.models import Scenario, resolve_fields
from game.scenario.references import check_references

__all__ = ["MAX_SCENARIO_BYTES", "Problem", "ScenarioError", "load_scenario", "load_scenario_text"]

MAX_SCENARIO_BYTES = 2 * 1024 * 1024
#: Alias limits: shared snippets are useful, exponential expansion ("billion laughs") is not.
MAX_ALIASES = 100
MAX_ALIAS_NODES = 10_000
#: Deeper than any sensible scenario; keeps PyYAML's recursive composer off the recursion limit.
MAX_DEPTH = 100
#: YAML nodes in one file: the standard scenario has about 6,000; the byte limit alone let
#: a 2 MB file of 290,000 empty list items through, whose problems took 3 GB to report.
MAX_NODES = 100_000
#: Problems reported for one file; the rest are counted ("... and N more").
MAX_PROBLEMS = 100

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(_TAG + t for t in ("null", "bool", "int", "float", "str"))
_MAP, _SEQ, _MERGE, _VALUE = (_TAG + t for t in ("map", "seq", "merge", "value"))
_DISCRIMINATORS = ("op", "test", "check")  # effects, conditions, balance targets
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, located for a human (1-based line/col)."""

    file: str
    line: int
    col: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}:"
        return f"{where} {self.path}: {self.message}" if self.path else f"{where} {self.message}"


class ScenarioError(WedgeError):
    """Raised with every problem found; ``str()`` is one problem per line, in file order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        unique = list(dict.fromkeys(problems))
        ordered = sorted(unique, key=lambda p: (p.line, p.col))
        self.problems: list[Problem] = ordered[:MAX_PROBLEMS]
        #: Problems found beyond the first MAX_PROBLEMS (not listed).
        self.more = len(ordered) - len(self.problems)
        lines = [str(p) for p in self.problems]
        if self.more:
            name = self.problems[-1].file
            lines.append(f"{name}: ... and {self.more} more problem{'s' if self.more != 1 else ''}")
        super().__init__("\n".join(lines))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        return (type(self), (self.problems,))


# ------------------------------------------------------------------ entry points


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file; raises :class:`ScenarioError`."""
    name = os.fspath(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if info.st_size > MAX_SCENARIO_BYTES:
            raise ScenarioError([_too_big(name, info.st_size)])
        with open(path, "rb") as f:
            # Read one byte past the limit: special files (pipes, /dev/zero) report size 0.
            data = f.read(MAX_SCENARIO_BYTES + 1)
    except OSError as e:
        raise ScenarioError([Problem(name, 1, 1, "", f"cannot read: {e.strerror or e}")]) from None
    if len(data) > MAX_SCENARIO_BYTES:
        message = f"file is more than {MAX_SCENARIO_BYTES} bytes; the limit is {MAX_SCENARIO_BYTES}"
        raise ScenarioError([Problem(name, 1, 1, "", message)])
    return load_scenario_text(data, name)


def load_scenario_text(text: str | bytes, name: str = "<string>") -> Scenario:
    """Validate scenario source given in memory; raises :class:`ScenarioError`."""
    if isinstance(text, bytes):
        if len(text) > MAX_SCENARIO_BYTES:
            raise ScenarioError([_too_big(name, len(text))])
        text = _decode(text, name)
    else:
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > MAX_SCENARIO_BYTES:
            raise ScenarioError([_too_big(name, size)])
        _check_encodable(text, name)
    data, tree = _parse(text, name)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as e:
        raise ScenarioError(_pydantic_problems(e, tree, name)) from None
    found = check_references(scenario)
    if found:
        raise ScenarioError(_problem(tree, name, loc, msg, tags=False) for loc, msg in found)
    return scenario


def _too_big(name: str, size: int) -> Problem:
    return Problem(name, 1, 1, "", f"file is {size} bytes; the limit is {MAX_SCENARIO_BYTES}")


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        good = data[: e.start].decode("utf-8")
        line, col = _line_col(good, len(good))
        bad = data[e.start]
        raise ScenarioError([Problem(name, line, col, "", f"not valid UTF-8 (byte 0x{bad:02x})")]) from None


def _check_encodable(text: str, name: str) -> None:
    """A ``str`` may hold lone surrogates, which no file can; libyaml would raise UnicodeEncodeError."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        line, col = _line_col(text, e.start)
        message = f"unacceptable character #x{ord(text[e.start]):04x}: lone surrogates are not text"
        raise ScenarioError([Problem(name, line, col, "", message)]) from None


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based position of ``text[index]``, counting line breaks the way YAML marks do."""
    line, start = 1, 0
    for m in _LINE_BREAK.finditer(text, 0, index):
        line, start = line + 1, m.end()
    return line, index - start + 1


# ------------------------------------------------------------------------- YAML


class _Mark(Protocol):
    """What we use of a PyYAML mark (pure-Python and libyaml marks differ in type)."""

    line: int
    column: int


@dataclass
class _Pos:
    """Where a node of the document sits, plus its children's positions (the "line tree")."""

    line: int
    col: int
    children: dict[str | int, _Pos] = field(default_factory=dict)
    keys: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: The node's ``op``/``test`` value, so union tags in pydantic locs can be recognised.
    tag: str | None = None


class _LimitError(Exception):
    """A safety limit was hit while composing; carries the offending mark."""

    def __init__(self, mark: _Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _Limits(Composer):
    """Composer mixin that bounds alias expansion and nesting depth.

    Aliases are counted while composing because the composer shares one node
    object between anchor and alias: a "billion laughs" bomb only goes off later,
    when the shared graph is turned into a tree. Depth is bounded because the
    composer is recursive and a ``[[[[...`` file would otherwise hit RecursionError.
    """

    #: Whether ReaderError.position counts UTF-8 bytes (libyaml) or characters (PyYAML).
    byte_positions = False
    # No implicit timestamps: `version: 2024-05-01` should stay the string the author wrote.
    yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in resolvers if tag != _TAG + "timestamp"]
        for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def _init_limits(self) -> None:
        self.alias_uses = 0
        self.alias_nodes = 0
        self.node_count = 0
        self.depth = 0
        self.anchor_sizes: dict[str, int] = {}
        self.nested: set[str] = set()
        self.in_progress: set[str] = set()

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            self._check_alias(event)
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _LimitError(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
        if self.node_count >= MAX_NODES:
            raise _LimitError(event.start_mark, f"more than {MAX_NODES} YAML nodes; a scenario needs far fewer")
        anchor: str | None = getattr(event, "anchor", None)
        uses, count = self.alias_uses, self.node_count
        self.node_count += 1
        if anchor is not None:
            self.in_progress.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self.in_progress.discard(anchor)
            self.anchor_sizes[anchor] = self.node_count - count
            if self.alias_uses > uses:
                self.nested.add(anchor)
        self.depth -= 1
        return node

    def _check_alias(self, event: AliasEvent) -> None:
        anchor = str(event.anchor)
        self.alias_uses += 1
        self.alias_nodes += self.anchor_sizes.get(anchor, 1)
        if anchor in self.in_progress:
            raise _LimitError(event.start_mark, f"recursive YAML alias *{anchor} (refers to a node containing it)")
        if anchor in self.nested:
            raise _LimitError(
                event.start_mark,
                f"nested alias expansion: *{anchor} refers to a node that itself contains aliases",
            )
        if self.alias_uses > MAX_ALIASES:
            raise _LimitError(event.start_mark, f"too many YAML aliases (more than {MAX_ALIASES})")
        if self.alias_nodes > MAX_ALIAS_NODES:
            raise _LimitError(event.start_mark, f"YAML aliases expand to more than {MAX_ALIAS_NODES} nodes")


class _PyLoader(_Limits, yaml.SafeLoader):
    """Pure-Python SafeLoader with limits: the reference behaviour, used without libyaml."""

    def __init__(self, stream: str) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._init_limits()


_LOADER: type[_PyLoader] | type[_CLoader] = _PyLoader
try:
    from yaml._yaml import CParser

    class _CLoader(_Limits, CParser, SafeConstructor, Resolver):
        """Same composer and limits, fed by libyaml's scanner and parser (several times faster)."""

        byte_positions = True

        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._init_limits()

    _LOADER = _CLoader
except ImportError:  # PyYAML built without libyaml
    pass


def _parse(text: str, name: str) -> tuple[Any, _Pos]:
    """Compose ``text`` and build plain data plus its position tree, or raise."""
    loader: _PyLoader | _CLoader | None = None
    try:
        try:
            loader = _LOADER(text)
            root = loader.get_single_node()
        except _LimitError as e:
            raise ScenarioError([_at(name, e.mark, e.message)]) from None
        except yaml.MarkedYAMLError as e:
            raise ScenarioError([_yaml_problem(name, e)]) from None
        except yaml.reader.ReaderError as e:
            raise ScenarioError([_reader_problem(name, text, e, _LOADER.byte_positions)]) from None
        except (RecursionError, yaml.YAMLError) as e:
            raise ScenarioError([Problem(name, 1, 1, "", f"cannot parse YAML: {_first_line(str(e))}")]) from None
        if root is None:
            empty = "file is empty; expected a mapping with scenario, rules, tracks, ..."
            raise ScenarioError([Problem(name, 1, 1, "", empty)])
        if not isinstance(root, MappingNode):
            kind = "a list" if isinstance(root, SequenceNode) else f"a {_scalar_kind(root)}"
            message = f"top level must be a mapping (key: value pairs), not {kind}"
            raise ScenarioError([_at(name, root.start_mark, message)])
        builder = _Builder(loader, name)
        data, tree = builder.build(root)
    finally:
        if loader is not None:
            loader.dispose()
    if builder.problems:
        raise ScenarioError(builder.problems)
    return data, tree


def _reader_problem(name: str, text: str, e: yaml.reader.ReaderError, byte_positions: bool) -> Problem:
    index = e.position
    if byte_positions:
        index = len(text.encode("utf-8")[:index].decode("utf-8", "ignore"))
    line, col = _line_col(text, index)
    char = e.character if isinstance(e.character, int) else ord(e.character)
    return Problem(name, line, col, "", f"unacceptable character #x{char:04x}: {e.reason}")


def _scalar_kind(node: Node) -> str:
    tag = str(node.tag)
    kind = tag[len(_TAG):] if tag.startswith(_TAG) else "scalar"
    return {"str": "string", "int": "number", "float": "number", "bool": "boolean"}.get(kind, kind)


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "unknown error"


def _at(name: str, mark: _Mark | None, message: str) -> Problem:
    if mark is None:
        return Problem(name, 1, 1, "", message)
    return Problem(name, mark.line + 1, mark.column + 1, "", message)


def _yaml_problem(name: str, e: yaml.MarkedYAMLError) -> Problem:
    mark = e.problem_mark or e.context_mark
    problem = _first_line(e.problem or "invalid YAML")
    context = _first_line(e.context) if e.context else ""
    if context and not context.startswith("while"):
        message = f"{context}, {problem}"  # e.g. "expected a single document ..., but found another"
    elif context:
        where = f" at line {e.context_mark.line + 1}" if e.context_mark is not None else ""
        message = f"{problem} ({context}{where})"
    else:
        message = problem
    return _at(name, mark, message)


class _Builder:
    """Turns a composed node graph into plain data and a :class:`_Pos` tree.

    Rejects what the schema can never want and PyYAML would otherwise accept
    silently: duplicate keys (last one wins), merge keys, non-string keys and
    exotic tags.
    """

    def __init__(self, loader: _PyLoader | _CLoader, name: str) -> None:
        self.loader = loader
        self.name = name
        self.problems: list[Problem] = []

    def problem(self, mark: _Mark, message: str) -> None:
        self.problems.append(_at(self.name, mark, message))

    def build(self, node: Node) -> tuple[Any, _Pos]:
        pos = _Pos(node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, MappingNode):
            return self._mapping(node, pos), pos
        if isinstance(node, SequenceNode):
            if node.tag != _SEQ:
                self.problem(node.start_mark, f"unsupported YAML tag {_show_tag(node.tag)!r}")
            items = []
            for i, child in enumerate(node.value):
                value, pos.children[i] = self.build(child)
                items.append(value)
            return items, pos
        return self._scalar(node), pos

    def _scalar(self, node: Node) -> Any:
        if node.tag == _VALUE:  # a bare "=" is just text here
            return node.value
        if node.tag not in _SCALAR_TAGS:
            self.problem(node.start_mark, f"unsupported YAML tag {_show_tag(node.tag)!r}")
            return None
        try:
            return self.loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, ArithmeticError, LookupError):  # int("5"*5000), !!int ""
            text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
            self.problem(node.start_mark, f"invalid {_scalar_kind(node)} {text!r}")
            return None

    def _mapping(self, node: MappingNode, pos: _Pos) -> dict[str, Any]:
        if node.tag != _MAP:
            self.problem(node.start_mark, f"unsupported YAML tag {_show_tag(node.tag)!r}")
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            mark = key_node.start_mark
            if not isinstance(key_node, ScalarNode):
                self.problem(mark, "mapping keys must be plain strings, not lists or mappings")
                continue
            if key_node.tag == _MERGE:
                self.problem(mark, "merge keys ('<<') are not supported; write the keys out or use a plain alias")
                continue
            key = str(key_node.value)
            if key in pos.keys:
                self.problem(mark, f"duplicate key {key!r} (first at line {pos.keys[key][0]})")
                continue
            pos.keys[key] = (mark.line + 1, mark.column + 1)
            out[key], pos.children[key] = self.build(value_node)
        for key in _DISCRIMINATORS:
            if isinstance(out.get(key), str):
                pos.tag = out[key]
        return out


# ----------------------------------------------------------- locating problems


def _problem(
    tree: _Pos, name: str, loc: Sequence[str | int], message: str, *, tags: bool, key: bool = False
) -> Problem:
    """Map a loc path onto the deepest existing node of the position tree.

    With ``tags``, a string that is not a real key but equals the node's
    ``op``/``test`` value is a pydantic discriminated-union tag and is dropped
    (at most once per node: ``{op: flag, flag: x}`` has loc ``(..., 'flag', 'flag')``).
    With ``key``, the result points at the last key itself rather than its value.
    """
    node, path = tree, []
    line, col = tree.line, tree.col
    found = True
    skipped = False
    for i, part in enumerate(loc):
        if not found:
            path.append(part)
            continue
        if tags and not skipped and isinstance(part, str) and part == node.tag:
            skipped = True
            continue
        child = node.children.get(part)
        if child is None:
            found = False
            path.append(part)
            continue
        if key and isinstance(part, str) and i == len(loc) - 1:
            line, col = node.keys[part]
        else:
            line, col = child.line, child.col
        node, skipped = child, False
        path.append(part)
    return Problem(name, line, col, _format_path(path), message)


def _format_path(parts: Iterable[str | int]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _pydantic_problems(exc: ValidationError, tree: _Pos, name: str) -> list[Problem]:
    problems = []
    for err in exc.errors(include_url=False):
        loc: tuple[str | int, ...] = tuple(err["loc"])
        kind = err["type"]
        ctx: Mapping[str, Any] = err.get("ctx") or {}
        if kind == "extra_forbidden":
            message = _unknown_field(loc)
            problems.append(_problem(tree, name, loc, message, tags=True, key=True))
            continue
        if kind == "missing":
            message = f"missing required field {loc[-1]!r}" if loc else "missing required field"
        elif kind == "union_tag_invalid":
            disc = str(ctx.get("discriminator", "")).strip("'")
            loc = loc + (disc,)
            message = f"unknown {disc} {ctx.get('tag')!r}; expected one of: {_tags(ctx.get('expected_tags'))}"
        elif kind == "union_tag_not_found":
            disc = str(ctx.get("discriminator", "")).strip("'")
            message = f"missing required field {disc!r}"
            loc = loc + (disc,)
        elif kind in ("model_type", "model_attributes_type", "dict_type"):
            message = "expected a mapping (key: value pairs)" + _got(err)
        elif kind == "string_pattern_mismatch" and ctx.get("pattern") == "^[a-z][a-z0-9_-]*$":
            message = "ids must start with a lowercase letter and use only a-z, 0-9, '_' and '-'" + _got(err)
        else:
            message = _clean(err["msg"]) + _got(err)
        problems.append(_problem(tree, name, loc, message, tags=True))
    return problems


def _clean(msg: str) -> str:
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            return msg[len(prefix):]
    return msg


def _got(err: Mapping[str, Any]) -> str:
    """Echo a short scalar input in YAML spelling, so the author sees what was parsed."""
    value = err.get("input")
    if value is None:
        return " (got an empty value)"
    if isinstance(value, bool):
        return f" (got {str(value).lower()})"
    if not isinstance(value, (str, int, float)):
        return ""
    text = repr(value)
    return f" (got {text})" if len(text) <= 40 else ""


def _tags(expected: Any) -> str:
    return ", ".join(t.strip(" '") for t in str(expected or "").split(","))


def _unknown_field(loc: tuple[str | int, ...]) -> str:
    bad = str(loc[-1]) if loc else "?"
    message = f"unknown field {bad!r}"
    try:
        allowed = _fields_at(loc[:-1])
    except (TypeError, AttributeError, IndexError, KeyError):  # only a hint; never hide the problem
        allowed = None
    if not allowed:
        return message
    close = difflib.get_close_matches(bad, allowed, n=1)
    if close:
        return f"{message}; did you mean {close[0]!r}?"
    return f"{message}; expected one of: {', '.join(allowed)}"


def _fields_at(loc: Sequence[str | int]) -> list[str] | None:
    """YAML keys allowed at ``loc`` (a pydantic loc), by walking the model types."""
    resolve_fields()  # models build lazily; their forward references must be resolved to walk them
    tp: Any = Scenario
    for part in loc:
        members = _members(tp)
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if isinstance(part, int):
            lists = [get_args(m)[0] for m in members if get_origin(m) is list]
            if not lists:
                return None
            tp = lists[0]
        elif not models and any(get_origin(m) is dict for m in members):
            tp = next(get_args(m)[1] for m in members if get_origin(m) is dict)  # a mapping's value, by any key
        elif len(models) == 1:
            fields = _keys(models[0])
            if part not in fields:
                return None
            tp = fields[part]
        else:
            tagged = [m for m in models if any(_literal_is(_keys(m).get(d), part) for d in _DISCRIMINATORS)]
            if len(tagged) != 1:
                return None
            tp = tagged[0]
    models = [m for m in _members(tp) if isinstance(m, type) and issubclass(m, BaseModel)]
    return list(_keys(models[0])) if len(models) == 1 else None


def _members(tp: Any) -> list[Any]:
    """Flatten Annotated / Union / Optional into the concrete alternatives."""
    origin = get_origin(tp)
    if origin is Annotated:
        return _members(get_args(tp)[0])
    if origin is Union or type(tp).__name__ == "UnionType":
        return [m for arg in get_args(tp) for m in _members(arg) if m is not type(None)]
    return [tp]


def _keys(model: type[BaseModel]) -> dict[str, Any]:
    return {f.alias or n: f.annotation for n, f in model.model_fields.items()}


def _literal_is(tp: Any, value: str) -> bool:
    return get_origin(tp) is Literal and get_args(tp) == (value,)

