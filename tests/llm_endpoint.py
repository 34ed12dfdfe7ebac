"""A scripted chat-completions endpoint on loopback, for tests of language-model seats.

The server is stdlib ``ThreadingHTTPServer`` on port 0 in a thread, answering
``/v1/chat/completions`` from a script (one reply per request, or a policy that reads the
menu out of the prompt) and recording every request it gets. It stands in for the model
provider only: the agent's httpx client, timeouts, retries and fallbacks run for real.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Reply = tuple[int, dict[str, str], bytes, float]  # status, headers, body, seconds to wait first
Policy = Callable[[dict[str, Any]], Reply]


def completion(content: str, prompt_tokens: int = 11, completion_tokens: int = 7) -> Reply:
    body = {
        "id": "x",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens},
    }
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode(), 0.0


def answer(choice: int, rationale: str = "because", messages: list[dict[str, str]] | None = None) -> Reply:
    return completion(json.dumps({"choice": choice, "rationale": rationale, "messages": messages or []}))


def error(status: int, text: str, headers: dict[str, str] | None = None) -> Reply:
    return status, {"Content-Type": "application/json", **(headers or {})}, json.dumps({"error": text}).encode(), 0.0


@dataclass
class Server:
    """A loopback chat-completions endpoint: ``replies`` are used in order, then ``policy``."""

    replies: list[Reply] = field(default_factory=list)
    policy: Policy | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    httpd: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.httpd is not None
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def reply(self, body: dict[str, Any]) -> Reply:
        if self.replies:
            return self.replies.pop(0)
        assert self.policy is not None, "the script ran out of replies"
        return self.policy(body)

    def stop(self) -> None:
        self.stopping.set()
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
            self.httpd = None


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            body = json.loads(data)
            server.requests.append(body)
            server.headers.append({k.lower(): v for k, v in self.headers.items()})
            assert self.path == "/v1/chat/completions"
            status, headers, out, wait = server.reply(body)
            if wait and server.stopping.wait(wait):
                return
            try:
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)
            except OSError:  # the client gave up (a timeout test)
                pass

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture
def llm_endpoint() -> Iterator[Server]:
    s = Server()
    s.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(s))
    threading.Thread(target=s.httpd.serve_forever, daemon=True).start()
    yield s
    s.stop()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---------------------------------------------------------------- policies that play a game


def menu(body: dict[str, Any]) -> list[str]:
    """The command texts of the menu in the first user message, in order."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return re.findall(r"^\d+\. .*\[([^\]\s]+)\]$", user, flags=re.M)


def seat(body: dict[str, Any]) -> str:
    return re.search(r"\(role id (\w+)\)", body["messages"][0]["content"]).group(1)  # type: ignore[union-attr]


def playing(body: dict[str, Any]) -> Reply:
    """A deterministic player: a menu entry picked by the prompt's hash, never an unplay
    (which only lengthens games), and in diplomacy a message or two with unique words."""
    options = menu(body)
    digest = hashlib.sha256(json.dumps(body["messages"], sort_keys=True).encode()).hexdigest()
    usable = [i for i, text in enumerate(options, 1) if ":unplay:" not in text]
    choice = usable[int(digest[:8], 16) % len(usable)]
    me = seat(body)
    user = body["messages"][1]["content"]
    turn = re.search(r"^Turn (\d+) of", user, flags=re.M).group(1)  # type: ignore[union-attr]
    messages = []
    if "diplomacy phase" in user:
        targets = {"us": ["russia", "india"], "india": ["prc", "us"]}.get(me, [])
        messages = [{"to": to, "text": f"note {me}>{to} t{turn} {digest[:10]}"} for to in targets]
    return answer(choice, f"{me} picks {choice}", messages)
