"""Refusals are explained inline with the engine's reason; broken files get a one-line reason screen."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tui_helpers import THEME, play_app, screen_text, settle

from game.record import SaveError, load_save
from game.scenario.loader import ScenarioError, load_scenario
from tui.app import build_play_app, build_replay_app
from tui.screens.dialogs import ErrorModal, ErrorScreen
from tui.screens.game import GameScreen


def test_illegal_choice_shows_engine_reason_inline(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            assert app.session.view("us")["phase"] == "diplomacy"
            await pilot.press("2", "a")  # add a card during diplomacy: refused by rule 6
            await pilot.pause()
            card = app.session.view("us")["hand"][0]
            expected = app.session.explain("us", f"us:play:{card}")
            assert expected is not None
            error = str(app.screen.query_one("#hand-error").render())
            assert f"rule {expected.rule}" in error and expected.reason in error
            assert expected.reason[:40] in screen_text(app)
            assert app.session.view("us")["my_order"] == []  # nothing changed

    asyncio.run(run())


def test_card_refused_in_orders_shows_rule_inline(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=3)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await pilot.press("d")
            await settle(pilot, app)
            assert app.session.view("us")["phase"] == "orders"
            # fill the order to the card limit, so every other card is refused under §6.1
            for _ in range(app.catalog.scenario.rules.max_cards_per_turn):
                plays = [c for c in app.session.legal("us") if c.verb == "play"]
                if plays:
                    app.session.submit("us", plays[0].text)
            await settle(pilot, app)
            view = app.session.view("us")
            in_order = {o["card"] for o in view["my_order"]}
            row = next(i for i, c in enumerate(view["hand"]) if c not in in_order)
            card = view["hand"][row]
            expected = app.session.explain("us", f"us:play:{card}")
            assert expected is not None and expected.rule.startswith("6")
            await pilot.press("2", "home", *(["down"] * row), "a")
            await pilot.pause()
            error = str(app.screen.query_one("#hand-error").render())
            assert error == f"✗ Refused (rule {expected.rule}): {expected.reason}"
            assert app.session.view("us")["my_order"] == view["my_order"]

    asyncio.run(run())


def test_corrupt_save_shows_one_line_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "wedge-save", "version": 1, "scenario": {', encoding="utf-8")
    try:
        load_save(bad)
    except SaveError as exc:
        reason = str(exc)
    else:  # pragma: no cover
        raise AssertionError("the save should be refused")

    async def run() -> None:
        app = build_play_app(load_path=bad, save_dir=tmp_path / "saves", theme=THEME)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ErrorScreen)
            text = screen_text(app)
            assert "Traceback" not in text
            assert reason in " ".join(text.split()).replace("│ ", "") or reason[:50] in text
            assert len(reason.splitlines()) == 1
            await pilot.press("q")
        assert app.return_code == 1

    asyncio.run(run())


def test_bad_scenario_shows_line_precise_problems(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("scenario:\n  id: x\n  title: X\nrules:\n  turns: -3\n", encoding="utf-8")
    try:
        load_scenario(bad)
    except ScenarioError as exc:
        first = str(exc.problems[0])
    else:  # pragma: no cover
        raise AssertionError("the scenario should be refused")

    async def run() -> None:
        app = build_play_app(scenario_path=bad, save_dir=tmp_path / "saves", theme=THEME)
        async with app.run_test(size=(160, 48)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ErrorScreen)
            text = screen_text(app)
            assert "Traceback" not in text
            assert first[:60] in text

    asyncio.run(run())


def test_loading_a_truncated_save_in_game_keeps_the_game(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            before = app.session.history
            good = tmp_path / "good.json"
            app.session.save(good)
            cut = tmp_path / "cut.json"
            cut.write_bytes(good.read_bytes()[:-200])
            assert app.load_game(str(cut)) is False
            await pilot.pause()
            assert isinstance(app.screen, ErrorModal)
            assert "truncated" in screen_text(app)
            await pilot.press("escape")
            assert isinstance(app.screen, GameScreen)
            assert app.session.history == before

    asyncio.run(run())


def test_missing_replay_file_shows_reason(tmp_path: Path) -> None:
    async def run() -> None:
        app = build_replay_app(tmp_path / "nope.json", theme=THEME)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ErrorScreen)
            assert "cannot read" in screen_text(app)

    asyncio.run(run())
