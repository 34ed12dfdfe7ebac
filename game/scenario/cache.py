"""A cache of validated scenarios, so that opening an unchanged scenario skips validation.

Checking a scenario file (YAML with positions, pydantic, cross references) takes a
good part of the time before the terminal UI can draw its first frame, and the file is
almost always the one validated last time. :func:`load_scenario_cached` keeps each
validated :class:`Scenario` in the user's cache directory under a key made of

* the SHA-256 of the file's bytes (any edit is a different key),
* the source of the modules that define what "valid" means (``models.py``, ``fields.py``,
  ``balance.py``, ``loader.py``, ``references.py`` and every module of :mod:`game.kinds`)
  and the Python and pydantic
  versions (a new version of Wedge or of pydantic never reads an older entry).

Only files that passed every check are stored; a file with problems is validated (and
reported, ``FILE:LINE:COL``) every time exactly as by :func:`load_scenario`. An entry
that cannot be read for any reason is ignored and rewritten, so the directory is always
safe to delete. Entries are pickles: the directory is the user's own (created ``0700``,
files ``0600``), as trusted as their home directory.

``WEDGE_CACHE_DIR`` moves the cache (default ``$XDG_CACHE_HOME/wedge`` or
``~/.cache/wedge``); ``WEDGE_NO_CACHE=1`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sys
import tempfile
from pathlib import Path

import pydantic
import pydantic_core

from game.scenario import loader
from game.scenario.models import Scenario

FORMAT = b"wedge-scenario-cache-1"
#: Entries kept; older ones are removed when a new one is written.
MAX_ENTRIES = 32
_SOURCES = ("models.py", "fields.py", "balance.py", "loader.py", "references.py")
_code_digest: bytes | None = None


def cache_dir() -> Path | None:
    """Where entries live, or None when caching is off."""
    if os.environ.get("WEDGE_NO_CACHE", "") not in ("", "0"):
        return None
    explicit = os.environ.get("WEDGE_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) / "scenarios" if explicit else None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "wedge" / "scenarios"


def _code() -> bytes:
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256(FORMAT)
        h.update(f"{sys.version_info[:2]}|{pydantic.VERSION}|{pydantic_core.__version__}".encode())
        here = Path(__file__).resolve().parent
        for name in _SOURCES:
            h.update((here / name).read_bytes())
        # Every effect and condition kind validates and checks itself (game/kinds): a new
        # or edited kind is a new meaning of "valid".
        for kind in sorted((here.parent / "kinds").glob("*.py")):
            h.update(kind.name.encode() + b"\0" + kind.read_bytes())
        _code_digest = h.digest()
    return _code_digest


def cache_key(data: bytes) -> str:
    """The entry name for a scenario file's bytes (content and validating code)."""
    return hashlib.sha256(_code() + hashlib.sha256(data).digest()).hexdigest()


def load_scenario_cached(path: str | os.PathLike[str]) -> Scenario:
    """:func:`~game.scenario.loader.load_scenario`, served from the cache when the file is unchanged."""
    directory = cache_dir()
    if directory is None:
        return loader.load_scenario(path)
    try:
        with open(path, "rb") as f:
            data = f.read(loader.MAX_SCENARIO_BYTES + 1)
    except OSError:
        return loader.load_scenario(path)  # raises the precise one-line reason
    if len(data) > loader.MAX_SCENARIO_BYTES:
        return loader.load_scenario(path)
    entry = directory / (cache_key(data) + ".pickle")
    hit = _read(entry)
    if hit is not None:
        return hit
    scenario = loader.load_scenario_text(data, os.fspath(path))  # the bytes that were hashed
    _write(directory, entry, scenario)
    return scenario


def _read(entry: Path) -> Scenario | None:
    try:
        with open(entry, "rb") as f:
            obj = pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception:  # a damaged entry is a miss; it is rewritten below
        return None
    return obj if isinstance(obj, Scenario) else None


def _write(directory: Path, entry: Path, scenario: Scenario) -> None:
    """Store atomically; a cache that cannot be written (read-only home, full disk) is just skipped."""
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".pickle")
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(scenario, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _prune(directory)
    except (OSError, pickle.PicklingError):
        pass


def _prune(directory: Path) -> None:
    entries = sorted(directory.glob("*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[MAX_ENTRIES:]:
        with contextlib.suppress(OSError):
            old.unlink()
