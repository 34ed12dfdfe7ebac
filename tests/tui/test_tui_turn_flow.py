"""What players tripped on, played through the UI: the reveal after each adjudication,
unread badges, taking a card back, the seal dialog's warnings, offers that cannot be
accepted, the objective tracker, custom shocks' titles and the in-app rules.

The game is the standard scenario, seed 7, the US at the keyboard and the other roles
random. Where a test needs offers to the US, it loads a save in which Russia, the PRC and
India have each just made one (:func:`_offers_save`):

1. Russia asks for the tariff carrot (in the US hand): accepted, then not played — a broken
   bargain;
2. the PRC asks for the arms waiver (in the hand): never answered;
3. India asks for the trade deal, which is *not* in the US hand: accepting it is refused
   (rule 6.6).
"""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.widgets import Button, Static
from tui_helpers import OTHERS_RANDOM, THEME, play_app, screen_text, settle

from game.compiled import compile_scenario
from game.record import GameRecord
from game.scenario.loader import load_scenario
from tui.app import WedgeApp, build_play_app
from tui.screens.dialogs import ConfirmScreen
from tui.screens.game import GameScreen
from tui.screens.reveal import GameOverScreen, RevealScreen, reveal_text
from tui.screens.rules import RulesScreen
from tui.seats import GM
from tui.widgets.common import RowTable

STANDARD = Path(__file__).resolve().parents[2] / "scenarios" / "standard.yaml"
SIZE = (100, 30)  # what a player's terminal often is
OFFERS = (
    "russia:offer:us:us-tariff-carrot:russia-strategic-dialogue",  # offer 1
    "prc:offer:us:us-arms-waiver-india:prc-curb-dual-use-exports",  # offer 2
    "india:offer:us:us-trade-deal-india:india-cut-russian-oil",  # offer 3: card not in the US hand
)
#: a custom shock whose roll can never hit (1d6 is never 7..12): it changes nothing
MISS_SHOCK = {
    "id": "summit-rumour",
    "title": "Rumour of a [bold]secret[/bold] summit",
    "weight": 1,
    "text": "t",
    "source": "test",
    "effects": [
        {
            "op": "roll",
            "dice": "1d6",
            "outcomes": [{"min": 7, "max": 12, "effects": [{"op": "shift", "track": "stability", "amount": -1}]}],
        }
    ],
}


def _offers_save(tmp_path: Path) -> Path:
    sc = compile_scenario(load_scenario(STANDARD))
    rec, s = GameRecord.start(sc, 7)
    for command in OFFERS:
        s = rec.accept(s, command)
    path = tmp_path / "offers.json"
    rec.save(path)
    return path


def _plain(renderable: Any, width: int = 400) -> str:
    """A Rich renderable as plain text, wide enough that no phrase is wrapped."""
    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


def _game(app: WedgeApp) -> GameScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, GameScreen)
    return screen


async def _to_orders(pilot: Any, app: WedgeApp) -> None:
    await pilot.press("d")
    await settle(pilot, app)
    assert app.session.view("us")["phase"] == "orders"


async def _highlight(pilot: Any, app: WedgeApp, table_id: str, key: str) -> None:
    table = app.screen.query_one(table_id, RowTable)
    table.focus()
    for _ in range(table.row_count):
        if table.highlighted_key == key:
            return
        await pilot.press("down")
    assert table.highlighted_key == key


def test_reveal_after_adjudication_shows_orders_offers_and_a_missed_roll(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await _to_orders(pilot, app)
            app.session.submit("gm", "gm:inject-custom:" + json.dumps(MISS_SHOCK))
            await settle(pilot, app)
            await pilot.press("s", "enter")
            await settle(pilot, app)
            view = app.session.view("us")
            assert view["turn"] == 2 and view["history"]
            assert isinstance(app.screen, RevealScreen)
            body = _plain(reveal_text(app.catalog, view, 1))
            text = screen_text(app)
            assert "Revealed: turn 1" in text
            assert "Orders revealed" in body and "Offers" in body and "Tracks over turn 1" in body
            for role in ("US", "Russia", "PRC", "India"):
                assert f"  {role}" in body
            # the injected shock's roll missed: the ledger's zero-change "roll" entry is shown
            miss = [e for e in view["ledger"] if e["subject"] == "roll" and e["cause"] == "inject:summit-rumour"]
            assert len(miss) == 1
            assert f"{MISS_SHOCK['title']} (injected by the facilitator): rolled {miss[0]['roll']}: no change" in body
            # every revealed card is listed, with its dice when it rolled
            for order in view["history"][0]["orders"].values():
                for o in order:
                    assert app.catalog.card_title(o["card"]) in body
            for e in view["ledger"]:
                if e["turn"] == 1 and e["roll"] and e["cause"].startswith("card:"):
                    assert e["roll"] in body
            # dismissed with Enter; v shows it again
            await pilot.press("enter")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)
            await pilot.press("v")
            await settle(pilot, app)
            assert isinstance(app.screen, RevealScreen)
            await pilot.press("escape")
            await settle(pilot, app)
            assert isinstance(app.screen, GameScreen)

    asyncio.run(run())


def test_unread_badge_for_new_offers_and_messages(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7, load_path=_offers_save(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            game = _game(app)
            assert game.badge == "3 new"
            assert "Diplomacy (3 new)" in screen_text(app)
            await pilot.press("3")
            await settle(pilot, app)
            assert game.badge == ""
            assert "Diplomacy (" not in screen_text(app)
            await pilot.press("1")
            app.session.submit("russia", "russia:say:us:a word, [bold]privately[/bold]")
            await settle(pilot, app)
            assert game.badge == "1 new"
            await pilot.press("3")
            await settle(pilot, app)
            assert game.badge == ""
            assert "a word, [bold]privately[/bold]" in screen_text(app)

    asyncio.run(run())


def test_offers_table_has_turns_and_the_cursor_on_the_newest_pending_offer(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7, load_path=_offers_save(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("3")
            await settle(pilot, app)
            table = app.screen.query_one("#dip-offers", RowTable)
            assert table.highlighted_key == "3"
            assert [table.cell(r, 0) for r in range(table.row_count)] == ["3", "2", "1"]
            assert all(table.cell(r, 1) == "1" for r in range(table.row_count))  # the Turn column
            await _highlight(pilot, app, "#dip-offers", "1")
            app.session.submit("us", "us:decline:2")
            await settle(pilot, app)
            # answered offers go below the unanswered ones; the cursor stays where the player put it
            assert [table.cell(r, 0) for r in range(table.row_count)] == ["3", "1", "2"]
            assert table.highlighted_key == "1"

    asyncio.run(run())


def test_accepting_an_offer_for_a_card_not_in_hand_is_refused_with_the_rule(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7, load_path=_offers_save(tmp_path))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("3")
            await settle(pilot, app)
            dip = app.screen.query_one("#diplomacy-panel")
            assert dip.highlighted_offer == 3
            # no Accept button for it: the engine's reason instead
            assert app.screen.query_one("#dip-accept", Button).disabled
            assert not app.screen.query_one("#dip-decline", Button).disabled
            answer = str(app.screen.query_one("#dip-answer", Static).render())
            assert "✗ Refused (rule 6.6)" in answer and "not in your hand" in answer
            assert "✗ Refused (rule 6.6)" in screen_text(app)
            await pilot.press("y")  # the key is refused the same way, nothing changes
            await settle(pilot, app)
            assert "✗ Refused (rule 6.6)" in str(app.screen.query_one("#dip-error", Static).render())
            assert next(o for o in app.session.view("us")["offers"] if o["id"] == 3)["status"] == "pending"
            # an offer whose card is in the hand can be accepted
            await _highlight(pilot, app, "#dip-offers", "1")
            assert not app.screen.query_one("#dip-accept", Button).disabled
            await pilot.press("y")
            await settle(pilot, app)
            assert next(o for o in app.session.view("us")["offers"] if o["id"] == 1)["status"] == "accepted"

    asyncio.run(run())


def test_seal_dialog_lists_broken_bargain_unanswered_offers_and_unspent_capital(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7, load_path=_offers_save(tmp_path))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            app.session.submit("us", "us:accept:1")  # promises the tariff carrot...
            await settle(pilot, app)
            await _to_orders(pilot, app)
            await pilot.press("s")  # ...but seals an empty order
            await settle(pilot, app)
            assert isinstance(app.screen, ConfirmScreen)
            text = _plain(app.screen.query_one(".dialog-body", Static).render())
            capital = app.session.view("us")["roles"]["us"]["capital"]
            assert "Accepted offers this order breaks (−1 capital each, rule 7.3):" in text
            assert "Offer 1 with Russia: you promised Tariff carrot for verified export cuts" in text
            assert "Offers you have not answered (sealing declines them, rule 6.6):" in text
            assert "Offer 2 from PRC" in text and "Offer 3 from India" in text
            assert f"{capital} capital left unspent" in text
            await pilot.press("escape")
            await settle(pilot, app)
            assert not app.session.view("us")["roles"]["us"]["ready"]  # cancelled: nothing sealed

    asyncio.run(run())


def test_unplay_takes_a_card_back_out_of_the_order(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await _to_orders(pilot, app)
            await pilot.press("2")
            await settle(pilot, app)
            legal = {c.args[0] for c in app.session.legal("us") if c.verb == "play" and len(c.args) == 1}
            card = next(c for c in app.session.view("us")["hand"] if c in legal)
            await _highlight(pilot, app, "#hand-table", card)
            await pilot.press("a")
            await settle(pilot, app)
            assert [o["card"] for o in app.session.view("us")["my_order"]] == [card]
            assert "in order (u: take back)" in screen_text(app)
            await pilot.press("u")
            await settle(pilot, app)
            assert app.session.view("us")["my_order"] == []
            assert app.session.history[-1] == f"us:unplay:{card}"
            assert "in order (u: take back)" not in screen_text(app)
            # the button does the same
            await pilot.press("a")
            await settle(pilot, app)
            assert app.session.view("us")["my_order"]
            await pilot.click("#hand-unplay")
            await settle(pilot, app)
            assert app.session.view("us")["my_order"] == []
            # nothing in the order to take back: said inline, nothing sent
            before = len(app.session.history)
            await pilot.press("u")
            await settle(pilot, app)
            assert len(app.session.history) == before
            assert "nothing to take back" in screen_text(app)

    asyncio.run(run())


def test_objective_tracker_shows_each_term_met_or_not(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            view = app.session.view("us")
            status = app.catalog.objective_status(view)["us"]
            tracker = str(app.screen.query_one("#board-objective", Static).render())
            assert f"Your objective (if the game ended now): {status['score']}/{status['max_score']} points" in tracker
            met = [t for t in status["terms"] if t["met"]]
            unmet = [t for t in status["terms"] if not t["met"]]
            assert met and unmet
            for t in met:
                assert f"✓ {t['label']}" in tracker
            for t in unmet:
                assert f"✗ {t['label']}" in tracker
            terms = app.catalog.objectives["us"].terms
            for term in terms:
                assert f"{term.points} pt" in tracker
            assert f"now {view['tracks']['alignment']}" in tracker  # what a track term looks at now

    asyncio.run(run())


def test_custom_shock_title_in_board_ledger_and_facilitator_console(tmp_path: Path) -> None:
    async def run() -> None:
        app = build_play_app(
            as_role="gm", seats_spec="us=human," + OTHERS_RANDOM, seed=7, save_dir=tmp_path / "saves", theme=THEME
        )
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot, app)
            app.session.submit("gm", "gm:inject-custom:" + json.dumps(MISS_SHOCK))
            await settle(pilot, app)
            text = _plain(app.screen.query_one("#board-events", Static).render())
            assert MISS_SHOCK["title"] in text and "summit-rumour" not in text
            assert app.catalog.cause("inject:summit-rumour") == f"injected shock: {MISS_SHOCK['title']}"

    asyncio.run(run())


def test_rules_open_with_the_rules_for_players(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            await pilot.press("f1")
            await settle(pilot, app)
            await pilot.pause(0.2)
            assert isinstance(app.screen, RulesScreen)
            text = screen_text(app)
            assert "How to play" in text
            assert "conformance" not in text and "test" not in text.lower()

    asyncio.run(run())


def test_game_over_dialog_holds_the_report_hint_and_no_toast_covers_it(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await settle(pilot, app)
            # the crisis ends the game at once (§11.4)
            app.session.submit("gm", "gm:set:stability:1:test")
            await settle(pilot, app)
            assert isinstance(app.screen, GameOverScreen)
            text = screen_text(app)
            assert "Game over — crisis" in text
            assert "r: after-action report" in text
            assert "press r (or ctrl+p)" not in text  # the old toast
            assert len(app._notifications) == 0
            await pilot.press("r")  # the hint's key opens the report
            await settle(pilot, app)
            await pilot.pause(0.3)
            assert type(app.screen).__name__ == "ReportScreen"

    asyncio.run(run())


def test_after_game_over_the_diplomacy_tab_offers_nothing_to_press(tmp_path: Path) -> None:
    """The game is over: the tab is a record of offers and messages, without the answer,
    done, offer and message buttons (each would only be refused)."""

    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot, app)
            assert app.screen.query_one("#dip-openers").display
            app.session.submit("gm", "gm:set:stability:1:test")  # a crisis ends the game at once (§11.4)
            await settle(pilot, app)
            await pilot.press("enter", "3")
            await settle(pilot, app)
            assert app.session.view("us")["phase"] == "over"
            for row in ("#dip-actions", "#dip-openers"):
                assert not app.screen.query_one(row).display, row
            assert "Done with diplomacy" not in screen_text(app)

    asyncio.run(run())


async def _turn_1_reveal(pilot: Any, app: WedgeApp, view: dict[str, Any]) -> str:
    """Open turn 1's reveal of `view` and read the screen."""
    app.push_screen(RevealScreen(app.catalog, view, 1))
    await settle(pilot, app)
    return screen_text(app)


def test_the_reveal_shows_a_computer_seats_reasons_after_the_fact_only(tmp_path: Path) -> None:
    """A played card's stated reason ("why: ...", from the save's meta rationales) is shown
    in a replay's reveal, and never to a player while the game runs (a seat's reasons are
    its private thinking)."""
    from game.agents.registry import build_agents, parse_agents
    from game.simulate import play
    from tui.app import build_replay_app

    sc = compile_scenario(load_scenario(Path(__file__).resolve().parents[2] / "scenarios" / "classroom.yaml"))
    played = play(sc, 3, build_agents(sc, parse_agents("heuristic", sc), 3))
    rec, s = GameRecord.start(sc, 3)
    for command in played.commands:
        s = rec.accept(s, command)
    first = next(i for i, c in enumerate(played.commands) if c.startswith("prc:play:"))
    card = played.commands[first].split(":")[2]
    rec.meta["rationales"] = [
        {"index": first, "role": "prc", "turn": 1, "text": "Keep [bold]Moscow[/] close", "source": "model"}
    ]
    path = tmp_path / "game.json"
    rec.save(path)

    async def run() -> None:
        app = build_replay_app(path, theme=THEME)
        async with app.run_test(size=(160, 150)) as pilot:
            await settle(pilot, app)
            app.session.seek(app.session.length)
            body = await _turn_1_reveal(pilot, app, app.session.view("public"))
            assert "why: Keep [bold]Moscow[/] close" in body  # shown, and as text, not markup
            assert app.catalog.card_title(card)[:20] in body

    asyncio.run(run())

    # A game still running (saved after turn 1's reveal): the same note is not shown to
    # a player, and is to the facilitator, who sees every hand and order anyway.
    partial, s = GameRecord.start(sc, 3)
    for command in played.commands:
        s = partial.accept(s, command)
        if s.turn > 1:
            break
    partial.meta["rationales"] = rec.meta["rationales"]
    running_save = tmp_path / "running.json"
    partial.save(running_save)

    async def running() -> None:
        app = play_app(tmp_path, load_path=running_save)
        async with app.run_test(size=(160, 150)) as pilot:
            await settle(pilot, app)
            view = app.session.view("us")
            assert not view["end_reason"] and len(app.session.history) > first
            assert "why:" not in await _turn_1_reveal(pilot, app, view)
            await app.pop_screen()
            app.seat = GM
            assert "why: Keep [bold]Moscow[/] close" in await _turn_1_reveal(pilot, app, view)

    asyncio.run(running())
