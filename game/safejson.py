"""One guarded JSON decoder for every piece of input that comes from outside the process.

Network frames, lines printed by external agent programs, save files and the JSON a
facilitator types into ``gm:inject-custom`` are all written by someone else. Plain
:func:`json.loads` fails in ways that are not :class:`json.JSONDecodeError`, so each
caller's "malformed input" path missed them and the user saw a traceback instead, and it
accepts values that are not JSON at all:

* deep nesting (``[[[[...``) makes the recursive decoder raise :class:`RecursionError`;
* an integer literal longer than Python's int-string limit (4,300 digits by default)
  raises a bare :class:`ValueError` from the int conversion;
* ``NaN``, ``Infinity`` and ``-Infinity`` (and ``1e999``, which becomes infinity) are
  accepted although JSON has no such numbers.

:func:`loads` turns every one of these into a single exception type,
:class:`JSONInputError`, with a one-line message a user can act on. Callers catch that
one type and answer through the refusal path they already have for malformed input.

Our own files (the accel build manifest, balance caches, database rows we wrote) keep
using :mod:`json` directly: they are not hostile, and their failures are bugs to see.
"""

from __future__ import annotations

import json
import math
import sys
from array import array
from itertools import accumulate
from typing import Any

#: Containers nested deeper than this are refused. Real inputs are far shallower (a save,
#: with its embedded scenario, nests 12 levels; a protocol frame 2), and 64 keeps every
#: caller's later recursive work (validation, hashing, printing) well clear of Python's
#: recursion limit.
MAX_DEPTH = 64

# The bytes that shape nesting: brackets, and quotes (which start and end strings).
_STRUCTURE = b'[]{}"'
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(_STRUCTURE)))
# Opening brackets become +1 and closing ones -1 (0xff, read as a signed byte): the running
# sum is the depth after each bracket.
_STEP = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")


class JSONInputError(ValueError):
    """Outside JSON that is refused, with a one-line reason.

    ``lineno`` and ``colno`` are set only when the text is not valid JSON at all; then
    ``reason`` is the decoder's own message (``Expecting value``) so a caller can put the
    location in its own format. Otherwise ``reason`` is the whole message.

    A :class:`ValueError`, so code that already refuses ``ValueError`` keeps working.
    """

    def __init__(self, reason: str, lineno: int | None = None, colno: int | None = None) -> None:
        self.reason = reason
        self.lineno = lineno
        self.colno = colno
        super().__init__(reason if lineno is None else f"not valid JSON: {reason} at line {lineno} column {colno}")


def _refuse_constant(name: str) -> float:
    """``NaN``, ``Infinity`` and ``-Infinity`` are refused: RFC 8259 has no such values,
    so other JSON tools (a browser's ``JSON.parse``, jq) reject what we would accept, and
    NaN is unequal to itself, which breaks comparisons, bounds checks and state hashes."""
    raise JSONInputError(f"{name} is not a JSON value (JSON numbers are finite)")


def _finite_float(literal: str) -> float:
    """A float literal too large for a double (``1e999``) would silently become infinity:
    refused for the same reasons as ``Infinity`` itself."""
    value = float(literal)
    if not math.isfinite(value):
        raise JSONInputError(f"number {literal[:20]}{'...' if len(literal) > 20 else ''} is too large")
    return value


# Built once: json.loads with hooks would build a new decoder (and C scanner) per call.
_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_refuse_constant)


def _depth(text: str) -> int:
    """The deepest nesting of ``[``/``{`` outside strings, in linear time and without
    recursion: every step is a C-level pass over bytes, a few nanoseconds per character.

    Escaped pairs go first (``\\\\`` before ``\\"``, so ``"\\\\"`` keeps its closing quote);
    then every remaining quote opens or closes a string, so after dropping all but brackets
    and quotes, splitting on quotes leaves the text outside strings at even positions.
    Multi-byte UTF-8 characters never contain these ASCII bytes.

    On invalid text this may count wrongly, but only after the first error, which the
    decoder stops at: brackets it would recurse into are always counted.
    """
    data = text.encode("utf-8", "surrogatepass").replace(b"\\\\", b"").replace(b'\\"', b"")
    outside = b"".join(data.translate(None, _NOT_STRUCTURE).split(b'"')[::2])
    return max(accumulate(array("b", outside.translate(_STEP))), default=0)


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int | None = None) -> Any:
    """Decode outside JSON, or raise :class:`JSONInputError` saying why it is refused.

    Bytes must be UTF-8 (RFC 8259 §8.1). With `max_bytes`, longer input is refused before
    any work; callers whose transport already bounds the size (websocket frames, agent
    lines, save files) leave it unset.

    The nesting check runs before the decoder: the decoder recurses once per level, so
    checking afterwards would be too late. Text with no more opening brackets than
    `max_depth` cannot nest deeper, which skips the scan for typical small frames.
    """
    if max_bytes is not None:
        size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
        if size > max_bytes:
            raise JSONInputError(f"JSON input is {size} bytes; the limit is {max_bytes}")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise JSONInputError(f"not UTF-8 text (bad byte at offset {exc.start})") from None
    if text.startswith("\ufeff"):  # as json.loads does: a clearer message than "Expecting value"
        raise JSONInputError("Unexpected UTF-8 BOM (decode using utf-8-sig)", 1, 1)
    if text.count("[") + text.count("{") > max_depth and _depth(text) > max_depth:
        raise JSONInputError(f"JSON nested deeper than {max_depth} levels")
    try:
        return _DECODER.decode(text)
    except JSONInputError:
        raise
    except json.JSONDecodeError as exc:
        raise JSONInputError(exc.msg, exc.lineno, exc.colno) from None
    except ValueError:
        # The decoder's only other ValueError: int() refusing a literal over the limit.
        raise JSONInputError(f"number too long (over {sys.get_int_max_str_digits()} digits)") from None
    except RecursionError:
        # Only if the caller was already deep in the stack: the depth check came first.
        raise JSONInputError("JSON nested too deeply to decode") from None
