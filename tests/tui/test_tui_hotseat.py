"""Hot seat: the hand-off screen never shows the previous player's hand."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tui_helpers import play_app, screen_text, settle

from tui.screens.dialogs import HandoffScreen
from tui.screens.game import GameScreen


def test_handoff_hides_previous_hand(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seats="us=human,russia=human,prc=random,india=random", seed=5)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            # a hot-seat game starts covered: the first player confirms before seeing anything
            assert isinstance(app.screen, HandoffScreen)
            assert app.screen.role == "us"
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen) and app.seat == "us"
            await pilot.press("2")
            us_hand = [app.catalog.card_title(c) for c in app.session.view("us")["hand"]]
            shown = screen_text(app)
            assert any(title[:30] in shown for title in us_hand), "the US sees its own hand"
            await pilot.press("d")  # US done with diplomacy -> Russia's turn at the keyboard
            await settle(pilot, app)
            assert isinstance(app.screen, HandoffScreen)
            assert app.screen.role == "russia"
            text = screen_text(app)
            assert "Russia" in text
            russia_hand = set(app.session.view("russia")["hand"])
            for card in app.session.view("us")["hand"]:
                if card in russia_hand:
                    continue
                title = app.catalog.card_title(card)
                assert title[:20] not in text, f"hand-off screen shows the previous player's card {title!r}"
            # nothing of the US is left in the (covered) game screen either
            game = app.screen_stack[0]
            assert str(game.query_one("#hand-budget").render()) == ""
            await pilot.press("enter")
            await settle(pilot, app)
            assert app.seat == "russia"
            await pilot.press("2")
            text = screen_text(app)
            ru_titles = [app.catalog.card_title(c) for c in app.session.view("russia")["hand"]]
            assert any(t[:30] in text for t in ru_titles)
            assert not any(t[:30] in text for t in us_hand)

    asyncio.run(run())
