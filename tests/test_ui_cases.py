"""Cases: a bounded page of the demo casebook, filters and search-as-you-type in SQL,
paging, and Enter opening the case."""

from __future__ import annotations

from sqlmodel import func, select
from textual import events

from casebook.models import Case, CaseExploitation
from tests.uikit import (
    SIZE,
    burst,
    make_app,
    screen_text,
    settle,
    settle_search,
    table_rows,
    type_text,
    wait_until,
)


def count(cb, *where) -> int:
    with cb.read() as s:
        return s.exec(select(func.count()).select_from(Case).where(*where)).one()


async def open_cases(pilot):
    await settle(pilot)
    await pilot.press("f3")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "CasesScreen"
    return pilot.app.screen


async def test_first_page_is_bounded_and_counted(demo_cb):
    total = count(demo_cb)
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cases(pilot)
        table = screen.query_one("#cases")
        # a page is what the table shows: no scrolling within a page
        page = screen.page_size
        assert page == table.size.height - 1  # the rows under the column header
        assert total > 3 * page
        assert table.row_count == page
        assert f"1–{page} van {total}" in screen_text(app)
        # newest first
        assert table_rows(table)[0][0] == "2026-0055"
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert table.row_count == page
        assert f"{page + 1}–{2 * page} van {total}" in screen_text(app)
        assert table_rows(table)[0][0] != "2026-0055"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert table.row_count == page
        assert table_rows(table)[0][0] == "2026-0055"
        # PageDown on the last row of a page turns the page as well
        await pilot.press("ctrl+end", "pagedown")
        await settle(pilot)
        assert f"{page + 1}–{2 * page} van {total}" in screen_text(app)
        # and PageUp on the first row turns it back
        await pilot.press("ctrl+home", "pageup")
        await settle(pilot)
        assert table_rows(table)[0][0] == "2026-0055"
        # the last page holds the rest; `]` goes no further
        last = (total - 1) // page * page
        for _ in range(total // page + 1):
            await pilot.press("right_square_bracket")
            await settle(pilot)
        assert table.row_count == total - last
        assert f"{last + 1}–{total} van {total}" in screen_text(app)


async def test_filters_narrow_the_list_in_sql(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cases(pilot)
        table = screen.query_one("#cases")
        screen.query_one("#f-status").value = "CLOSED"
        await settle(pilot)
        closed = count(demo_cb, Case.status == "CLOSED")
        assert table.row_count == min(closed, screen.page_size)
        assert f"van {closed}" in screen_text(app)
        assert all(row[3] == "Afgesloten" for row in table_rows(table))
        screen.query_one("#f-year").value = 2025
        await settle(pilot)
        expected = count(demo_cb, Case.status == "CLOSED", Case.ref_year == 2025)
        assert table.row_count == min(expected, screen.page_size)
        assert f"van {expected}" in screen_text(app)
        assert all(row[0].startswith("2025-") for row in table_rows(table))
        screen.query_one("#f-type").value = "SEX"
        await settle(pilot)
        with demo_cb.read() as s:
            sex = s.exec(
                select(func.count())
                .select_from(Case)
                .join(CaseExploitation, CaseExploitation.case_id == Case.id)
                .where(
                    Case.status == "CLOSED", Case.ref_year == 2025, CaseExploitation.code == "SEX"
                )
            ).one()
        assert table.row_count == min(sex, screen.page_size)
        assert f"van {sex}" in screen_text(app)
        screen.query_one("#f-status").clear()
        screen.query_one("#f-year").clear()
        screen.query_one("#f-type").clear()
        screen.query_one("#f-phase").value = "INTAKE"
        await settle(pilot)
        intake = count(demo_cb, Case.phase == "INTAKE")
        assert table.row_count == min(intake, screen.page_size)
        assert f"van {intake}" in screen_text(app)


async def test_slash_searches_as_you_type(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cases(pilot)
        table = screen.query_one("#cases")
        await pilot.press("slash")
        assert app.focused is screen.query_one("#search")
        await type_text(pilot, "nagelstudio")
        await settle_search(pilot)
        expected = count(demo_cb, Case.title.contains("nagelstudio"))
        assert 0 < table.row_count == min(expected, screen.page_size)
        assert f"van {expected}" in screen_text(app)
        assert all("nagelstudio" in row[1] for row in table_rows(table))
        screen.query_one("#search").value = ""
        await type_text(pilot, "2026-0012")
        await settle_search(pilot)
        assert [row[0] for row in table_rows(table)] == ["2026-0012"]
        await type_text(pilot, "zzz")
        await settle_search(pilot)
        assert table.row_count == 0
        assert "geen casussen" in screen_text(app)
        assert "Geen casussen bij deze zoekterm en filters." in screen_text(app)


async def test_enter_opens_the_case(demo_cb):
    app = make_app(demo_cb)
    opened = []
    app.open_case = opened.append
    async with app.run_test(size=SIZE) as pilot:
        await open_cases(pilot)
        await pilot.press("down", "enter")
        with demo_cb.read() as s:
            second = s.exec(select(Case.id).where(Case.reference == "2026-0054")).one()
        assert opened == [second]


async def test_keys_typed_in_one_burst_all_land(demo_cb):
    """`/`, a search term, Enter, `j`, Enter typed faster than the screen moves its
    focus: the term goes into the search, the rest to the list."""
    app = make_app(demo_cb)
    opened = []
    app.open_case = opened.append
    async with app.run_test(size=SIZE) as pilot:
        await open_cases(pilot)
        burst(app, "slash", *"nagelstudio")
        await settle_search(pilot)
        screen = app.screen
        assert screen.query_one("#search").value == "nagelstudio"
        table = screen.query_one("#cases")
        titles = [row[1] for row in table_rows(table)]
        assert len(titles) >= 2 and all("nagelstudio" in title for title in titles)
        burst(app, "enter", "j", "enter")
        assert await wait_until(pilot, lambda: opened)
        assert screen.query_one("#search").value == "nagelstudio"
        with demo_cb.read() as s:
            second = s.exec(select(Case.id).where(Case.reference == table_rows(table)[1][0])).one()
        assert opened == [second]


async def test_slash_on_today_searches_the_cases(demo_cb):
    """`/` on Today opens the case list in its search field; what is typed at once
    after it, while the list is still being built, is not lost."""
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
        burst(app, "slash", *"nagelstudio")
        await settle_search(pilot)
        screen = app.screen
        assert type(screen).__name__ == "CasesScreen"
        assert app.focused is screen.query_one("#search")
        assert screen.query_one("#search").value == "nagelstudio"
        expected = count(demo_cb, Case.title.contains("nagelstudio"))
        assert f"van {expected}" in screen_text(app)
        # the list keeps its keys: j moves the cursor once the focus is there
        await pilot.press("enter", "j")
        assert screen.query_one("#cases").cursor_row == 1


async def test_keys_typed_before_the_result_act_on_the_result(demo_cb):
    """Enter, `j`, Enter typed before the search's result is on screen wait for it:
    they open the second case found, never a case of the list that was there."""
    app = make_app(demo_cb)
    opened = []
    app.open_case = opened.append
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "slash", *"nagelstudio", "enter", "j", "enter")
        assert await wait_until(pilot, lambda: opened)
        table = app.screen.query_one("#cases")
        titles = [row[1] for row in table_rows(table)]
        assert len(titles) >= 2 and all("nagelstudio" in title for title in titles)
        with demo_cb.read() as s:
            second = s.exec(select(Case.id).where(Case.reference == table_rows(table)[1][0])).one()
        assert opened == [second]
        # a search that finds nothing: Down, j, Enter open nothing
        burst(app, "slash", *"zzzz", "down", "j", "enter")
        await settle_search(pilot)
        assert table.row_count == 0
        assert opened == [second]
        assert "Geen casussen bij deze zoekterm en filters." in screen_text(app)


async def test_slash_in_an_open_dropdown_stays_there(demo_cb):
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_cases(pilot)
        phase = screen.query_one("#f-phase")
        phase.focus()
        await pilot.press("enter")  # open the list
        await pilot.pause()
        assert phase.expanded
        await pilot.press("slash")
        await pilot.pause()
        assert phase.expanded
        assert app.focused is not screen.query_one("#search")


async def test_an_empty_casebook_says_how_to_begin(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await open_cases(pilot)
        assert "Nog geen casussen" in screen_text(app)


async def test_a_key_after_waiting_keys_waits_its_turn(demo_cb):
    """`c` typed after Enter (which waits for the search's result) comes after it: the
    case opens, then its contact form."""
    app = make_app(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        await open_cases(pilot)
        burst(app, "slash", *"nagelstudio", "enter", "enter", "c")
        assert await wait_until(pilot, lambda: type(app.screen).__name__ == "ContactModal")
        assert [type(s).__name__ for s in app.screen_stack][-3:] == [
            "CasesScreen",
            "CaseScreen",
            "ContactModal",
        ]


async def test_keys_typed_while_casebook_starts_are_kept(demo_cb):
    """`/nagelstudio` typed before Today is up (the terminal hands them over as soon
    as casebook reads keys) still searches the cases once it is."""

    from screens.app import CasebookApp

    class SlowStart(CasebookApp):
        def on_mount(self, event) -> None:
            event.prevent_default()
            self.set_timer(0.3, lambda: CasebookApp.on_mount(self))

    app = SlowStart(demo_cb)
    async with app.run_test(size=SIZE) as pilot:
        assert type(app.screen).__name__ == "StartScreen"
        burst(app, "slash", *"nagelstudio")
        # Enter typed before casebook took the terminal arrives as a line feed (ctrl+j)
        app.post_message(events.Key("ctrl+j", "\n"))

        def searched_and_back_on_the_list() -> bool:
            screen = app.screen
            if type(screen).__name__ != "CasesScreen" or not screen.query("#search"):
                return False  # not there yet, or not built yet
            search, cases = screen.query_one("#search"), screen.query_one("#cases")
            return search.value == "nagelstudio" and app.focused is cases

        assert await wait_until(pilot, searched_and_back_on_the_list)
