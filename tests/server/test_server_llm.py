"""A language-model seat in a networked game: a person at a terminal negotiates with it in
words, and the server keeps its reasons and its model calls with the game.

The server is a real ``wedge serve`` subprocess; India is an ``llm`` seat calling the
scripted chat-completions endpoint of tests/llm_endpoint.py on loopback (it plays from the
menu in its prompt and, in diplomacy, writes to the US); the US is played through the
Textual client (headless pilot), which types a message to India in the Diplomacy tab.
"""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from llm_endpoint import Server, playing
from server_helpers import screen_text
from textual.widgets import Input, Select
from wedge_testing import ROOT

from game.server.client import Client
from game.server.store import read_record
from tui.remote import RemoteApp, build_remote_app
from tui.screens.reveal import RevealScreen

CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
WORDS = "Hold off on the Russian oil deal and we lift the tariff - us-7f3a"


async def _negotiate_and_play(app: RemoteApp) -> dict[str, Any]:
    """Type a message to India in turn 1's diplomacy, then play the US to the end with keys
    (d = done, s + enter = seal an empty order); read the last reveal."""
    seen: dict[str, Any] = {"said": False, "reveal": ""}
    async with app.run_test(size=(160, 150)) as pilot:
        session = app.remote
        assert session is not None
        await pilot.pause(0.1)
        for _ in range(600):
            view = session.view("us")
            if view["phase"] == "over":
                break
            if isinstance(app.screen, RevealScreen):
                await pilot.press("enter")
                await pilot.pause()
                continue
            if not session.legal("us"):
                await pilot.pause(0.03)
                continue
            if view["phase"] == "diplomacy":
                if not seen["said"]:
                    await pilot.press("3", "m")
                    await pilot.pause()
                    app.screen.query_one("#dip-say-to", Select).value = "india"
                    app.screen.query_one("#dip-say-text", Input).focus()
                    await pilot.press(*WORDS, "enter")
                    await pilot.pause(0.2)
                    seen["said"] = True
                    await pilot.press("escape", "1")
                await pilot.press("d")
            else:
                await pilot.press("s")
                await pilot.pause()
                await pilot.press("enter")
            await pilot.pause(0.02)
        await pilot.pause(0.3)
        for _ in range(5):  # the last turn's reveal, then the results
            if isinstance(app.screen, RevealScreen):
                await pilot.press("enter")
                await pilot.pause(0.1)
        seen["view"] = view = session.view("us")
        seen["meta"] = session.meta
        seen["frames"] = [json.loads(f) for f in session.client.received]
        # Game over: a turn's reveal now shows the model seat's reasons (its history holds
        # only the US's commands, so the server sends each reason with its command).
        notes = seen["meta"].get("rationales", [])
        turns = sorted({n["turn"] for n in notes if ":play:" in n["command"]})
        seen["reveal_turn"] = turns[0] if turns else None
        if turns:
            app.push_screen(RevealScreen(app.catalog, view, turns[0]))
            await pilot.pause(0.3)
            seen["reveal"] = screen_text(app)
    return seen


def test_a_person_negotiates_with_a_model_seat_and_the_server_keeps_its_reasons_and_calls(
    servers: Any, llm_endpoint: Server, tmp_path: Path
) -> None:
    llm_endpoint.policy = playing
    db = tmp_path / "class.db"
    india = f"india=llm:model=test-model:base_url={llm_endpoint.base_url}:format=json_object"
    sp = servers(db, str(CLASSROOM), "--seats", f"us=human,russia=random,prc=random,{india}", "--seed", "11")
    app = build_remote_app(sp.url(), sp.tokens[sp.game]["us"], theme="textual-dark", record=True)
    facilitator: dict[str, Any] = {}

    async def play_and_facilitate() -> dict[str, Any]:
        gm = Client(sp.url(), sp.tokens[sp.game]["gm"], record=True)
        await gm.connect()
        try:
            seen = await _negotiate_and_play(app)
            await gm.wait_for(lambda c: c.view.get("phase") == "over", timeout=30)
            facilitator["frames"] = [json.loads(f) for f in gm.received]
            facilitator["reasons"] = list(gm.reasons)
        finally:
            await gm.close()
        return seen

    seen = asyncio.run(play_and_facilitate())

    # The person's words reached the model, as the other player's words in its prompt.
    prompts = [m["content"] for body in llm_endpoint.requests for m in body["messages"] if m["role"] == "user"]
    assert any(WORDS in text for text in prompts)
    # And the model's words reached the person: India's messages to the US, every turn.
    from_india = [m for m in seen["view"]["messages"] if m["from"] == "india"]
    assert from_india and all(re.fullmatch(r"note india>us t\d+ [0-9a-f]{10}", m["text"]) for m in from_india)
    assert {m["turn"] for m in from_india} == set(range(1, seen["view"]["turn"] + 1))

    # Once the game is over every seat gets the model seat's reasons, each with its command.
    reasons = seen["meta"]["rationales"]
    assert reasons and all(r["role"] == "india" and r["command"].startswith("india:") for r in reasons)
    assert all(re.fullmatch(r"india picks \d+", r["text"]) and r["source"] == "model" for r in reasons)
    # Never before: a seat's reasons are its private thinking while the game goes on.
    with_reasons = [f for f in seen["frames"] if f.get("reasons")]
    assert len(with_reasons) == 1 and with_reasons[0]["patch"]["phase"] == "over"
    # The facilitator, who sees every hand and order, gets each reason as it comes, once.
    assert facilitator["reasons"] == reasons
    during = [f for f in facilitator["frames"] if f.get("reasons") and f.get("patch", {}).get("phase") != "over"]
    assert len(during) >= len(reasons) - 2
    # The reveal of a turn in which India played a card shows why, under the card.
    assert seen["reveal_turn"] and "why: india picks" in seen["reveal"]

    assert sp.stop() == 0
    # The database keeps each reason with its command and every call made.
    game, record = read_record(db, sp.game)
    stored = record.meta["rationales"]
    assert [(r["index"], r["text"]) for r in stored] == [(r["index"], r["text"]) for r in reasons]
    assert all(record.commands[r["index"]] == r["command"] for r in reasons)
    calls = record.meta["llm_calls"]
    assert len(calls) == len({json.dumps(b, sort_keys=True) for b in llm_endpoint.requests})
    assert all(entry["request"]["model"] == "test-model" for entry in calls.values())

    # The debrief of the server's game has the seat's reasoning timeline.
    report = subprocess.run(
        [sys.executable, "-m", "game.cli", "report", str(db), "--format", "md", "--out", "-"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert report.returncode == 0, report.stderr
    assert "Why India chose what it did" in report.stdout and "india picks" in report.stdout

    # A restarted server resumes the game with its reasons: a late spectator gets them.
    requests = len(llm_endpoint.requests)
    sp2 = servers(db)

    async def watch() -> list[dict[str, Any]]:
        client = Client(sp2.url(game))
        await client.connect()
        try:
            return list(client.reasons)
        finally:
            await client.close()

    assert asyncio.run(watch()) == reasons
    assert len(llm_endpoint.requests) == requests  # the finished game made no call
    assert sp2.stop() == 0


def test_a_schema_1_database_is_read_as_it_is_and_upgraded_when_served(tmp_path: Path) -> None:
    """A database written before reasons and calls were kept: read_record reads it as it
    is (read-only), and opening it for serving adds the column and the table."""
    from game.compiled import compile_scenario
    from game.hashing import state_hash
    from game.rules import new_game
    from game.scenario.loader import load_scenario
    from game.server.server import scenario_json
    from game.server.store import Store

    sc = compile_scenario(load_scenario(CLASSROOM))
    db = tmp_path / "old.db"
    store = Store.open(db)
    store.create_game("g1", sc.content_hash, scenario_json(sc.model), 3, state_hash(new_game(sc, 3)), {}, {"us": "t"})
    store.close()
    con = sqlite3.connect(db)
    con.execute("DROP TABLE llm_calls")
    con.execute("ALTER TABLE commands DROP COLUMN note")
    con.execute("UPDATE meta SET value='1' WHERE key='schema'")
    con.commit()
    con.close()

    _, record = read_record(db, "g1")
    assert record.meta == {"server_game": "g1"}
    Store.open(db).close()
    con = sqlite3.connect(db)
    columns = {row[1] for row in con.execute("PRAGMA table_info(commands)")}
    tables = {row[0] for row in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    schema = con.execute("SELECT value FROM meta WHERE key='schema'").fetchone()[0]
    con.close()
    assert "note" in columns and "llm_calls" in tables and schema == "2"
