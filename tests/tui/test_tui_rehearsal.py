"""A whole class, rehearsed through the UI: the classroom scenario's four turns, four teams at one
keyboard (hot seat) and the facilitator with a passphrase, every act a key or a click.

Each team, each turn: sits down at the hand-off and reads the reveal of the turn before;
makes an offer or answers one (the US offers to the PRC, Russia to India; the PRC and India
accept); adds a card to its order, takes it back (``u``) and adds it again; seals through
the seal dialog. The facilitator opens the console with ``g`` and the passphrase: pauses and
resumes in turn 1, injects a shock in turn 2, overrides a track (with a reason, through the
confirmation) in turn 3. The game ends with the results and the after-action report (``r``),
which names the override and the offers kept or broken.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select
from tui_helpers import THEME, screen_text, settle

from game.report import render_markdown
from tui.app import WedgeApp, build_play_app
from tui.screens.dialogs import ConfirmScreen, DangerConfirmScreen, HandoffScreen, PassphraseScreen, TargetScreen
from tui.screens.facilitator import FacilitatorScreen
from tui.screens.game import GameScreen
from tui.screens.report import ReportScreen
from tui.screens.reveal import GameOverScreen, RevealScreen
from tui.widgets.common import RowTable

ROOT = Path(__file__).resolve().parents[2]
CLASSROOM = ROOT / "scenarios" / "classroom.yaml"
SECRET = "wc"
TEAMS = ("us", "russia", "prc", "india")
REASON = "white cell ruling: the summit leaked"


class Rehearsal:
    """The class at the keyboard: what each team did, for the checks at the end."""

    def __init__(self, pilot: Any, app: WedgeApp) -> None:
        self.pilot, self.app = pilot, app
        self.reveals: dict[str, list[int]] = {t: [] for t in TEAMS}
        self.offered: dict[str, int] = {}
        self.answered: dict[str, int] = {}
        self.took_back: dict[str, int] = {t: 0 for t in TEAMS}
        self.sealed: dict[str, int] = {t: 0 for t in TEAMS}
        self.offers_made: list[str] = []

    # -- helpers -------------------------------------------------------------------------
    async def settle(self) -> None:
        await settle(self.pilot, self.app)

    async def press(self, *keys: str) -> None:
        """Keys that act on the game: then wait until the screen has caught up with it."""
        await self.pilot.press(*keys)
        await self.settle()

    async def keys(self, *keys: str) -> None:
        """Keys that only move around (a tab, a form): nothing to wait for."""
        await self.pilot.press(*keys)

    async def click(self, selector: str) -> None:
        widget = self.app.screen.query_one(selector)
        widget.scroll_visible(animate=False, immediate=True)
        await self.pilot.pause()
        await self.pilot.click(selector)
        await self.settle()

    def view(self, seat: str) -> dict[str, Any]:
        return self.app.game.view(seat)

    def phase(self) -> tuple[int, str]:
        v = self.view("public")
        return v["turn"], v["phase"]

    async def highlight(self, table_id: str, key: str) -> None:
        """Move the table's cursor to the row of `key` with the arrow keys."""
        table = self.app.screen.query_one(table_id, RowTable)
        table.focus()
        assert key in table.keys, f"{key} is not in {table_id}"
        steps = table.keys.index(key) - table.cursor_row
        if steps:
            await self.pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))
        assert table.highlighted_key == key

    # -- a team sits down --------------------------------------------------------------
    async def sit_down(self) -> str:
        """Confirm the hand-off (the team that acted last and can act again keeps the keyboard:
        no hand-off then); read the reveal of the turn before if it is shown."""
        screen = self.app.screen
        if isinstance(screen, HandoffScreen):
            team = screen.role
            await self.press("enter")
        else:
            team = self.app.seat or ""
            assert team in TEAMS and self.app.game.legal(team), f"expected the hand-off, got {screen}"
        assert self.app.seat == team
        if isinstance(self.app.screen, RevealScreen):
            turn = self.app.screen.turn
            assert f"Revealed: turn {turn}" in screen_text(self.app)
            assert "Orders revealed" in screen_text(self.app) or "Shocks drawn" in screen_text(self.app)
            self.reveals[team].append(turn)
            await self.press("enter")
        assert isinstance(self.app.screen, GameScreen)
        return team

    # -- diplomacy --------------------------------------------------------------------
    async def make_offer(self, team: str, to: str) -> None:
        gm = self.view("gm")
        theirs, mine = gm["hands"][to], gm["hands"][team]
        legal = [c for c in self.app.game.legal(team) if c.verb == "offer" and c.args[0] == to]
        offer = next(c for c in legal if c.args[1] in theirs and c.args[2] in mine)
        self.offers_made.append(offer.text)
        await self.keys("3", "o")
        screen = self.app.screen
        screen.query_one("#dip-to", Select).value = to
        await self.settle()
        screen.query_one("#dip-ask", Select).value = offer.args[1]
        screen.query_one("#dip-give", Select).value = offer.args[2]
        await self.settle()
        await self.click("#dip-offer")
        assert self.app.game.history[-1] == offer.text, screen_text(self.app)
        self.offered[team] = self.offered.get(team, 0) + 1

    def offer_target(self, team: str) -> str | None:
        """A team to make an offer to: one that holds a card `team` may ask it for, the teams still
        to sit down in this diplomacy phase first (they answer it there; the others in the orders)."""
        gm = self.view("gm")
        ready = {r for r, v in gm["roles"].items() if v["ready"]}
        others = [t for t in TEAMS if t != team]
        for to in sorted(others, key=lambda t: (t in ready, TEAMS.index(t))):
            if any(c.args[0] == to and c.args[1] in gm["hands"][to] for c in self._offers(team)):
                return to
        return None

    def _offers(self, team: str) -> list[Any]:
        return [c for c in self.app.game.legal(team) if c.verb == "offer"]

    async def answer_offers(self, team: str) -> None:
        """Accept every offer made to `team` that it can accept (decline the others), on the
        Diplomacy tab: highlight it, then y (or n)."""
        pending = [o for o in self.view(team)["offers"] if o["to"] == team and o["status"] == "pending"]
        if not pending:
            return
        await self.keys("3")
        for o in pending:
            await self.highlight("#dip-offers", str(o["id"]))
            accept = self.app.game.explain(team, f"{team}:accept:{o['id']}") is None
            await self.press("y" if accept else "n")
            assert self.app.game.history[-1] == f"{team}:{'accept' if accept else 'decline'}:{o['id']}"
            self.answered[team] = self.answered.get(team, 0) + 1

    async def diplomacy(self, team: str) -> None:
        await self.answer_offers(team)
        to = self.offer_target(team)
        if to is not None:
            await self.make_offer(team, to)
        await self.press("d")

    # -- orders -----------------------------------------------------------------------
    def _card_to_play(self, team: str) -> str | None:
        playable = [c.args[0] for c in self.app.game.legal(team) if c.verb == "play"]
        promised = [
            o["ask"] if o["to"] == team else o["give"]
            for o in self.view(team)["offers"]
            if o["status"] == "accepted" and team in (o["from"], o["to"])
        ]
        for card in promised + playable:
            if card in playable:
                return card
        return None

    async def add(self, card: str) -> None:
        """a on the highlighted card (the cursor is moved to it first), and its target if asked."""
        if self.app.screen.query_one("#hand-table", RowTable).highlighted_key != card:
            await self.highlight("#hand-table", card)
        await self.press("a")
        if isinstance(self.app.screen, TargetScreen):
            await self.press("enter")

    async def orders(self, team: str) -> None:
        await self.answer_offers(team)  # offers made after this team's diplomacy
        await self.keys("2")
        card = self._card_to_play(team)
        if card is not None:
            await self.add(card)
            assert [o["card"] for o in self.view(team)["my_order"]] == [card], screen_text(self.app)
            await self.press("u")  # the highlighted card is the one in the order: take it back
            assert self.view(team)["my_order"] == []
            assert self.app.game.history[-1] == f"{team}:unplay:{card}"
            self.took_back[team] += 1
            await self.add(card)
            assert [o["card"] for o in self.view(team)["my_order"]] == [card]
        await self.press("s")
        dialog = self.app.screen
        assert isinstance(dialog, ConfirmScreen), dialog
        text = screen_text(self.app)
        assert "Seal the order of" in text and "Once sealed, nothing can be added or taken back" in text
        await self.press("enter")
        assert self.app.game.history[-1] == f"{team}:seal"
        self.sealed[team] += 1

    # -- the facilitator ----------------------------------------------------------------
    async def console(self) -> FacilitatorScreen:
        await self.pilot.press("g")
        await self.pilot.pause()
        assert isinstance(self.app.screen, PassphraseScreen)
        await self.pilot.press(*SECRET, "enter")
        await self.settle()
        screen = self.app.screen
        assert isinstance(screen, FacilitatorScreen) and not screen.full_view
        return screen

    async def leave_console(self) -> None:
        await self.press("escape")
        assert isinstance(self.app.screen, GameScreen)

    async def pause_and_resume(self) -> None:
        await self.console()
        await self.press("space")
        assert self.view("public")["paused"] and "PAUSED" in screen_text(self.app)
        await self.press("space")
        assert not self.view("public")["paused"]
        await self.leave_console()

    async def inject_shock(self) -> str:
        screen = await self.console()
        game = self.app.game
        shock = next(
            x.id for x in self.app.catalog.scenario.shocks if game.explain("gm", f"gm:inject:{x.id}") is None
        )
        screen.query_one("#gm-shock", Select).value = shock
        await self.click("#gm-inject")
        assert game.history[-1] == f"gm:inject:{shock}"
        await self.leave_console()
        return shock

    async def override(self) -> str:
        screen = await self.console()
        value = max(0, self.view("public")["tracks"]["alignment"] - 7)
        screen.query_one("#gm-subject", Select).value = "alignment"
        screen.query_one("#gm-value", Input).value = str(value)
        screen.query_one("#gm-reason", Input).value = REASON
        await self.click("#gm-override")
        assert isinstance(self.app.screen, DangerConfirmScreen)
        assert f"→ {value}" in screen_text(self.app)
        await self.press("tab", "enter")  # the act's button is chosen on purpose, then pressed
        command = f"gm:set:alignment:{value}:{REASON}"
        assert self.app.game.history[-1] == command
        assert self.view("public")["tracks"]["alignment"] == value
        await self.leave_console()
        return command


def test_a_whole_class_rehearsed_at_one_keyboard(tmp_path: Path) -> None:
    started = time.monotonic()

    async def run() -> None:
        app = build_play_app(
            CLASSROOM,
            seats_spec=",".join(f"{t}=human" for t in TEAMS),
            seed=11,
            save_dir=tmp_path / "saves",
            theme=THEME,
            gm_passphrase=SECRET,
        )
        async with app.run_test(size=(120, 40)) as pilot:
            r = Rehearsal(pilot, app)
            await r.settle()
            turns = app.game.view("public")["turns"]
            assert turns == 4
            injected = override = ""
            for turn in range(1, turns + 1):
                assert r.phase() == (turn, "diplomacy")
                for _ in TEAMS:
                    team = await r.sit_down()
                    if team == "us" and turn == 1:
                        await r.pause_and_resume()
                    if team == "russia" and turn == 2:
                        injected = await r.inject_shock()
                    if team == "prc" and turn == 3:
                        override = await r.override()
                    await r.diplomacy(team)
                assert r.phase() == (turn, "orders")
                for _ in TEAMS:
                    team = await r.sit_down()
                    await r.orders(team)
            # the last seal ended the game: India reads the last reveal, then the results
            assert app.game.view("public")["phase"] == "over"
            assert isinstance(app.screen, RevealScreen) and app.screen.turn == turns
            r.reveals[app.seat or ""].append(turns)
            await r.press("enter")
            assert isinstance(app.screen, GameOverScreen)
            assert "Game over" in screen_text(app)
            await r.press("r")
            report_screen = app.screen
            assert isinstance(report_screen, ReportScreen)
            assert "After-action report" in screen_text(app)
            report = render_markdown(report_screen.report)

            # every team read a reveal, made or answered an offer, took a card back, sealed each turn
            assert len(r.offers_made) >= turns and sum(r.answered.values()) >= turns
            for team in TEAMS:
                assert r.reveals[team], f"{team} never read a reveal"
                assert r.offered.get(team, 0) + r.answered.get(team, 0) >= 1, f"{team} made or answered no offer"
                assert r.took_back[team] >= 1, f"{team} never took a card back"
                assert r.sealed[team] == turns
            # the facilitator's acts are in the game, and the report names them
            history = app.game.history
            assert "gm:pause" in history and "gm:resume" in history
            assert f"gm:inject:{injected}" in history and override in history
            assert REASON in report, "the report does not name the override"
            deals = [o for o in report_screen.report.offers if o.kept or o.breakers]
            assert deals, "no offer was kept or broken"
            # the report's offers table gives the deal with its verdict ("kept", "broken by …")
            assert any(
                o.verdict in line and o.give_title in line for o in deals for line in report.splitlines()
            ), "the report does not name a kept or broken offer"

    asyncio.run(run())
    assert time.monotonic() - started < 120, "the rehearsal takes about 50 s; far more means something waits"
