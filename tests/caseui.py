"""Helpers for the case-file UI tests: an app that opens one screen directly, and a
way to let workers and messages settle."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import screens.app
from screens.app import CasebookApp
from tests.uikit import workers_done

TODAY = date(2026, 11, 28)


class ScreenApp(CasebookApp):
    """The real App, but starting on the screen under test instead of Today."""

    CSS_PATH = str(Path(screens.app.__file__).with_name("app.tcss"))

    def __init__(self, casebook, make_screen, **kw):
        super().__init__(casebook, **kw)
        self._make_screen = make_screen

    def on_mount(self, event) -> None:
        event.prevent_default()  # not the App's own on_mount, which opens Today
        self._refresh_titles()
        self.push_screen(self._make_screen())


def case_app(casebook, case_id: int, **kw) -> ScreenApp:
    from screens.case_screen import CaseScreen

    return ScreenApp(casebook, lambda: CaseScreen(case_id), **kw)


async def settle(pilot, rounds: int = 3) -> None:
    """Let workers finish and their results reach the screen."""
    for _ in range(rounds):
        await workers_done(pilot.app)
        await pilot.pause()


async def still(pilot, rounds: int = 40) -> None:
    """Settle, then wait until two screenshots in a row are the same: a DataTable works
    out its column widths when the app is idle, which on a loaded machine can come
    after the workers and a pause (a snapshot then caught columns cut to the header's
    width). Public API only: the screen as exported."""
    await settle(pilot)
    before = pilot.app.export_screenshot()
    for _ in range(rounds):
        await pilot.pause(0.02)
        now = pilot.app.export_screenshot()
        if now == before:
            return
        before = now


async def type_text(pilot, text: str) -> None:
    await pilot.press(*("space" if ch == " " else ch for ch in text))


async def choose(pilot, search: str) -> None:
    """Pick an option in the focused Select: open it, type to search, take it."""
    await pilot.press("enter")
    await pilot.pause()
    await type_text(pilot, search)
    await pilot.press("enter")
    await pilot.pause()


def section_text(screen) -> str:
    """The plain text of every row the case screen's table holds, as one string."""
    table = screen.query_one("#case-table")
    return " ".join(
        str(getattr(c, "plain", c)) for i in range(table.row_count) for c in table.get_row_at(i)
    )


def cells(screen, name: str, key: str) -> list[str]:
    """The plain text of one row of the case screen's table, showing section `name`."""
    assert screen.active_tab == name
    table = screen.query_one("#case-table")
    return [str(getattr(c, "plain", c)) for c in table.get_row(key)]
