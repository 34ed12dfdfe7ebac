"""The light widgets behind fast tab switches: RowTable, the lazily built diplomacy forms,
and the app keeping the garbage collector off the keys."""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import Input, Select
from tui_helpers import play_app, screen_text, settle

from tui.names import Names, fit_names, fit_text
from tui.widgets.common import Col, Column, Row, RowTable
from tui.widgets.diplomacy import DiplomacyPanel

COLUMNS: tuple[Column, ...] = (("Name", "name", None), ("Note", "note", None), ("St", "st", 5))


def rows(n: int, note: str = "x") -> list[Row]:
    return [(f"k{i}", (f"row {i}", Text(note, style="bold"), "ok")) for i in range(n)]


class TableApp(App[None]):
    def __init__(self, cursor: bool = True) -> None:
        super().__init__()
        self.cursor = cursor
        self.events: list[tuple[str, int, str | None]] = []

    def compose(self) -> ComposeResult:
        yield RowTable(id="t", cursor=self.cursor)

    def on_row_table_row_highlighted(self, event: RowTable.RowHighlighted) -> None:
        self.events.append(("highlighted", event.cursor_row, event.key))

    def on_row_table_row_selected(self, event: RowTable.RowSelected) -> None:
        self.events.append(("selected", event.cursor_row, event.key))


def lines(app: App[Any]) -> list[str]:
    return screen_text(app).splitlines()


def test_row_table_keys_click_and_refill() -> None:
    async def run() -> None:
        app = TableApp()
        async with app.run_test(size=(40, 8)) as pilot:
            table = app.query_one(RowTable)
            table.fill(COLUMNS, rows(20))
            table.focus()
            await pilot.pause()
            shown = lines(app)
            assert shown[0].split() == ["Name", "Note", "St"]
            assert shown[1].split() == ["row", "0", "x", "ok"]
            await pilot.press("down", "down")
            assert (table.cursor_row, table.highlighted_key) == (2, "k2")
            await pilot.press("end")
            await pilot.pause()
            # the cursor's row is scrolled into view under the (fixed) header
            assert lines(app)[0].split()[0] == "Name"
            assert any(line.split()[:2] == ["row", "19"] for line in lines(app))
            await pilot.press("home", "enter")
            assert app.events[-1] == ("selected", 0, "k0")
            assert ("highlighted", 19, "k19") in app.events
            # a refill keeps the cursor on the same key, wherever that row is now
            await pilot.press("down", "down", "down")
            table.fill(COLUMNS, rows(20)[::-1])
            assert table.highlighted_key == "k3" and table.cursor_row == 16
            # a click highlights the row under the pointer (line 0 is the header) without
            # selecting it; a second click on it selects it
            table.fill(COLUMNS, rows(5))
            await pilot.pause()
            await pilot.click(RowTable, offset=(2, 3))
            await pilot.pause()
            assert app.events[-1] == ("highlighted", 2, "k2")
            assert ("selected", 2, "k2") not in app.events
            await pilot.click(RowTable, offset=(2, 3))
            await pilot.pause()
            assert app.events[-1] == ("selected", 2, "k2")
            assert table.cell(2, 0) == "row 2" and table.cell(2, 1) == "x"

    asyncio.run(run())


def test_row_table_widths_follow_the_rows_shown_now() -> None:
    """A long value shown once does not keep its column wide (no history in the screen)."""

    async def run() -> None:
        app = TableApp(cursor=False)
        async with app.run_test(size=(60, 6)) as pilot:
            table = app.query_one(RowTable)
            assert not table.can_focus
            table.fill(COLUMNS, rows(2, note="a much longer note"))
            await pilot.pause()
            assert "a much longer note ok" in lines(app)[1].replace("  ", " ")
            assert table.fill(COLUMNS, rows(2, note="short")) is True
            assert table.fill(COLUMNS, rows(2, note="short")) is False  # unchanged: nothing done
            await pilot.pause()
            assert lines(app)[1].split() == ["row", "0", "short", "ok"]
            assert lines(app)[0].index("St") < 20  # the Note column shrank back
            assert table.highlighted_key is None  # no cursor on a read-only table

    asyncio.run(run())


def test_diplomacy_forms_are_built_when_opened_and_work(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot, app)
            await pilot.press("3")
            panel = app.screen.query_one(DiplomacyPanel)
            assert not app.screen.query("#dip-to") and not app.screen.query("#dip-say-text")
            # o: the offer form, with the cursor in its first field
            await pilot.press("o")
            await pilot.pause()
            to = app.screen.query_one("#dip-to", Select)
            assert app.screen.focused is to and panel.form_open("offer")
            to.value = "russia"
            await pilot.pause()
            ask = app.screen.query_one("#dip-ask", Select)
            catalog = app.catalog
            assert catalog is not None
            ask_options = [str(v) for _, v in ask._options if v != Select.NULL]
            assert ask_options and all(catalog.cards[c].role == "russia" for c in ask_options)
            ask.value = ask_options[0]
            give = app.screen.query_one("#dip-give", Select)
            give.value = app.session.view("us")["hand"][0]
            await pilot.click("#dip-offer")
            await settle(pilot, app)
            offers = app.session.view("us")["offers"]
            assert [(o["from"], o["to"], o["ask"]) for o in offers] == [("us", "russia", ask_options[0])]
            assert "Russia" in screen_text(app) or "RU" in screen_text(app)
            # escape folds the form and gives the focus back to the offers list
            app.screen.query_one("#dip-to", Select).focus()
            await pilot.press("escape")
            await pilot.pause()
            assert not panel.form_open("offer") and app.screen.focused is app.screen.query_one("#dip-offers")
            # m: the message form
            await pilot.press("m")
            await pilot.pause()
            app.screen.query_one("#dip-say-to", Select).value = "india"
            text = app.screen.query_one("#dip-say-text", Input)
            text.focus()
            await pilot.press(*"hello India", "enter")
            await settle(pilot, app)
            assert [m["text"] for m in app.session.view("us")["messages"]] == ["hello India"]
            assert text.value == ""
            assert "hello India" in screen_text(app)

    asyncio.run(run())


def test_heap_frozen_while_running_and_released_at_exit(tmp_path: Path) -> None:
    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            assert app.heap.frozen and gc.get_freeze_count() > 0
        assert gc.get_freeze_count() == 0

    asyncio.run(run())


def test_a_click_on_a_card_shows_it_and_a_second_click_plays_it(tmp_path: Path) -> None:
    """Reading a card with the mouse never adds it to the order: the first click
    highlights it (its details show), a click on the highlighted row adds it."""

    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot, app)
            await pilot.press("d")  # done with diplomacy; the AI seats finish theirs
            await settle(pilot, app)
            assert app.session.view("us")["phase"] == "orders"
            await pilot.press("2")
            await pilot.pause()
            table = app.screen.query_one("#hand-table", RowTable)
            catalog = app.catalog
            assert catalog is not None
            legal = {c.text for c in app.session.legal("us")}
            keys = [table._rows[i][0] for i in range(table.row_count)]
            playable = [
                i
                for i, card in enumerate(keys)
                if i > 0 and len(catalog.cards[card].targets) <= 1
                and any(t == f"us:play:{card}" or t.startswith(f"us:play:{card}:") for t in legal)
            ]
            assert playable, "seed 7 deals the US a playable card below the first row"
            row = playable[0]
            card = keys[row]
            await pilot.click("#hand-table", offset=(3, row + 1))
            await pilot.pause()
            assert table.highlighted_key == card
            assert catalog.cards[card].title in screen_text(app)  # the details show
            assert app.session.view("us")["my_order"] == []
            await pilot.click("#hand-table", offset=(3, row + 1))
            await settle(pilot, app)
            assert [o["card"] for o in app.session.view("us")["my_order"]] == [card]

    asyncio.run(run())


def test_offer_answer_and_outcome_say_each_word_once(standard_sc: Any) -> None:
    """The ledger's reveal and the offers table read "declined", never "declined, declined"."""
    from tui.catalog import Catalog

    c = Catalog(standard_sc.model)
    assert c.offer_result("declined", "declined") == "declined"
    assert c.offer_result("declined", "") == "declined"  # declined before adjudication
    assert c.offer_result("pending", "") == "pending"
    assert c.offer_result("accepted", "") == "accepted"
    assert c.offer_result("accepted", "kept") == "accepted, kept"
    assert c.offer_result("accepted", "broken:prc,us") == "accepted, broken by PRC, US"
    assert c.offer_outcome("declined", "declined") == "—"
    assert c.offer_outcome("pending", "") == ""


def test_row_table_redraws_a_changed_cell_of_the_same_width() -> None:
    """A refill that changes a cell but no column's width still shows the new cell (a card
    added to the order reads "in order" at once, not at the next resize)."""

    async def run() -> None:
        app = TableApp(cursor=False)
        async with app.run_test(size=(60, 6)) as pilot:
            table = app.query_one(RowTable)
            table.fill(COLUMNS, rows(2, note="aaaa"))
            await pilot.pause()
            assert "aaaa" in lines(app)[1]
            table.fill(COLUMNS, rows(2, note="bbbb"))
            await pilot.pause()
            assert "bbbb" in lines(app)[1] and "aaaa" not in screen_text(app)
            table.fill(COLUMNS, rows(4, note="bbbb"))  # more rows, same widths: all of them shown
            await pilot.pause()
            assert any(line.split()[:2] == ["row", "3"] for line in lines(app))

    asyncio.run(run())


FIT_COLUMNS = (
    Col("Name", "name", min=8, grow=True),
    Col("Track", "track", min=10),
    Col("Turn", "turn", drop=1),
    Col("Answer, outcome", "status", min=9, short="Outcome"),
)
LONG = Names("Russia's dependence on the PRC", "RU dependence")
FIT_ROWS: list[Row] = [
    ("a", ("Tariff carrot for verified export cuts", LONG, "1", "accepted, kept")),
    ("b", ("Raise tariffs", Names("US–India ties", "US–India"), "2", "pending")),
]
#: every word the cells may show whole
WORDS = set(" ".join(["Tariff carrot for verified export cuts", LONG.full, LONG.short, "US–India ties"]).split())
WORDS |= {"Raise", "tariffs", "US–India", "1", "2", "accepted,", "kept", "pending"}


@pytest.mark.parametrize("width", [100, 60, 36])
def test_row_table_fits_its_width(width: int) -> None:
    """Wide: the grow column takes the room left; narrow: the shrinkable columns give way (names
    by their short form, text at a word with "…"), then the droppable ones go."""

    async def run() -> None:
        app = TableApp(cursor=False)
        async with app.run_test(size=(width, 6)) as pilot:
            table = app.query_one(RowTable)
            table.fill(FIT_COLUMNS, FIT_ROWS)
            await pilot.pause()
            shown = lines(app)
            assert table.virtual_size.width <= width  # nothing scrolls off to the right
            if width == 100:
                assert table.virtual_size.width == width  # the grow column takes the rest
                assert LONG.full in shown[1] and "Answer, outcome" in shown[0]
            else:
                assert LONG.full not in shown[1]  # the short name, or less
            if width == 36:
                assert table.shown_columns == ["name", "track", "status"]  # the turn column went first
            for line in shown[1:3]:
                for word in line.split():
                    assert word in WORDS or word.endswith("…"), f"{word!r} is cut without an ellipsis"

    asyncio.run(run())


def test_fit_text_cuts_at_a_word_with_an_ellipsis() -> None:
    assert fit_text("Tariff carrot for verified export cuts", 40) == "Tariff carrot for verified export cuts"
    assert fit_text("Tariff carrot for verified export cuts", 20) == "Tariff carrot for…"
    assert fit_text("Accept strategic-stability talks", 12) == "Accept…"
    assert fit_text("Supercalifragilistic", 8) == "Superca…"  # one word longer than the room
    threat = Names("Russian threat perception of the US and NATO", "NATO threat (RU)")
    assert fit_names(threat, 20) == "NATO threat (RU)"
    assert fit_names(Names("US–India ties", "US–India"), 20) == "US–India ties"


def test_the_key_bar_keeps_quit_and_the_main_keys_at_80x24(tmp_path: Path) -> None:
    """Textual's footer let the keys that did not fit fall off the right edge, quit first; the
    key bar keeps the keys that matter most on each screen, in a compact form."""
    from textual.widgets._footer import FooterKey

    from tui.app import build_play_app

    def keys(app: Any) -> set[str]:
        return {k.key for k in app.screen.query(FooterKey)}

    async def run() -> None:
        app = play_app(tmp_path, seed=7)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot, app)
            shown = keys(app)
            assert {"ctrl+q", "1", "2", "3", "4", "a", "s", "d"} <= shown, shown
            assert "1 Board" in lines(app)[-1] and "^q Quit" in lines(app)[-1]
            await pilot.press("p")
            await settle(pilot, app)
            assert {"ctrl+q", "escape", "l"} <= keys(app)
        gm = build_play_app(as_role="gm", seats_spec="us=random", seed=7, save_dir=tmp_path / "gm")
        async with gm.run_test(size=(80, 24)) as pilot:
            await settle(pilot, gm)
            assert {"ctrl+q", "space", "n", "f", "t"} <= keys(gm), keys(gm)
            assert "escape" not in keys(gm)  # the console is the root screen here: nothing to go back to
        wide = play_app(tmp_path, seed=7)
        async with wide.run_test(size=(200, 60)) as pilot:
            await settle(pilot, wide)
            assert "p Projector" in lines(wide)[-1] and "^p palette" in lines(wide)[-1]  # room for every key

    asyncio.run(run())
