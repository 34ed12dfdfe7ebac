"""Recorded chat-completion calls, addressed by what was asked.

A language-model seat is the one part of a game that is neither free nor repeatable: the
same request can cost money, take seconds and come back different. Recording every answer
under a key computed from the request makes a seat's play repeatable and free to re-run:
an agent that finds its request here uses the recorded answer and makes no call, so a game
whose calls were all recorded plays again identically with the endpoint down.

The key is the SHA-256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the request
fields that decide the answer: ``model``, ``messages``, ``response_format``,
``temperature``, ``max_tokens`` and ``seed``. Nothing else (the URL, the API key, headers)
enters it, so a recording made against one server replays against another and holds no
secret.

Two stores share one interface (``get``, ``put``, ``entries``):

* :class:`CallCache`, in memory, whose ``entries`` can be embedded in a save and read back
  with :meth:`CallCache.from_entries`;
* :class:`DirCache`, one JSON file per key under ``path/ab/<key>.json``, for playtest
  reruns: writes are atomic (a temporary file, then :func:`os.replace`), so several
  processes can share a directory and a reader never sees half a file.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from game import safejson

#: The request fields that decide the answer, and so make up the key.
KEY_FIELDS = ("model", "messages", "response_format", "temperature", "max_tokens", "seed")
#: A recorded file larger than this is not read (it cannot be one of ours).
MAX_ENTRY_BYTES = 4 * 1024 * 1024


def canonical(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, non-ASCII kept as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def request_key(request: Mapping[str, Any]) -> str:
    """The cache key of a chat-completions request body (see the module docstring)."""
    fields = {name: request[name] for name in KEY_FIELDS if name in request}
    return hashlib.sha256(canonical(fields).encode("utf-8")).hexdigest()


def _is_key(key: str) -> bool:
    return len(key) == 64 and all(c in "0123456789abcdef" for c in key)


def _entry(request: Mapping[str, Any], response: Mapping[str, Any]) -> dict[str, Any]:
    """A stored entry: plain copies, so later changes to the caller's dicts cannot reach it."""
    return {"request": json.loads(canonical(request)), "response": json.loads(canonical(response))}


class CallCache:
    """Recorded calls in memory, keyed by :func:`request_key`; safe to share between threads."""

    def __init__(self) -> None:
        self._entries: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_entries(cls, entries: Mapping[str, Any]) -> CallCache:
        """A cache holding `entries` (as :attr:`entries` gave them, e.g. read from a save).

        Entries that are not ``{"request": {...}, "response": {...}}`` under a well-formed
        key are skipped: a save is outside input."""
        cache = cls()
        for key, entry in entries.items():
            if not (isinstance(key, str) and _is_key(key) and isinstance(entry, Mapping)):
                continue
            request, response = entry.get("request"), entry.get("response")
            if isinstance(request, Mapping) and isinstance(response, Mapping):
                cache._entries[key] = _entry(request, response)
        return cache

    def get(self, key: str) -> dict[str, Any] | None:
        """The recorded response to the request with this key, or None."""
        with self._lock:
            entry = self._entries.get(key)
        return None if entry is None else json.loads(canonical(entry["response"]))

    def put(self, key: str, request: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        """Record `response` as the answer to `request` (whose key is `key`)."""
        entry = _entry(request, response)
        with self._lock:
            self._entries[key] = entry

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        """Every recorded call, key -> ``{"request": ..., "response": ...}`` (a copy, JSON-ready)."""
        with self._lock:
            copy: dict[str, dict[str, Any]] = json.loads(canonical(self._entries))
            return copy

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class DirCache:
    """Recorded calls as files, ``path/ab/<key>.json``, shared safely between processes.

    Each file is ``{"request": ..., "response": ...}``. A file that cannot be read or is not
    such an object counts as a miss (the call is made again and the file rewritten)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def _file(self, key: str) -> Path:
        if not _is_key(key):
            raise ValueError(f"not a cache key: {key!r}")
        return self.path / key[:2] / f"{key}.json"

    def _read(self, file: Path) -> dict[str, Any] | None:
        try:
            with open(file, "rb") as f:
                data = f.read(MAX_ENTRY_BYTES + 1)
            entry = safejson.loads(data, max_bytes=MAX_ENTRY_BYTES)
        except (OSError, safejson.JSONInputError):
            return None
        if not isinstance(entry, dict):
            return None
        request, response = entry.get("request"), entry.get("response")
        if not (isinstance(request, dict) and isinstance(response, dict)):
            return None
        return {"request": request, "response": response}

    def get(self, key: str) -> dict[str, Any] | None:
        entry = self._read(self._file(key))
        return None if entry is None else entry["response"]

    def put(self, key: str, request: Mapping[str, Any], response: Mapping[str, Any]) -> None:
        """Write the entry atomically: a reader (in any process) sees the old file, no file or
        the whole new one; two writers of the same key write the same answer's key, and the
        last one wins."""
        file = self._file(key)
        file.parent.mkdir(parents=True, exist_ok=True)
        text = canonical(_entry(request, response))
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:8]}-", suffix=".tmp", dir=file.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(tmp, file)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @property
    def entries(self) -> dict[str, dict[str, Any]]:
        """Every readable recorded call in the directory (to embed in a save)."""
        out: dict[str, dict[str, Any]] = {}
        for file in sorted(self.path.glob("??/*.json")):
            key = file.stem
            if _is_key(key) and file.parent.name == key[:2]:
                entry = self._read(file)
                if entry is not None:
                    out[key] = entry
        return out

    def __len__(self) -> int:
        return len(self.entries)


#: Either store: what an agent's ``cache`` may hold.
Cache = CallCache | DirCache
