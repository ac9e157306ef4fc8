"""Snapshots of the daily screens on the fixed-seed demo casebook with 'today' frozen
at 28-11-2026: Today, Intake, Triage and Cases at 100×32 in Dutch and English, and
Today at 80×24. Deterministic: workers awaited, no cursor blink."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from casebook import i18n
from screens.app import CasebookApp
from tests.caseui import still

SIZE = (100, 32)


def steady(press: tuple[str, ...] = (), *, today_loaded: bool = False):
    """A run_before for snap_compare: press keys, waiting for workers after each;
    with `today_loaded`, first wait until Today has shown the board it read."""

    async def run_before(pilot) -> None:
        app = pilot.app

        async def settle():
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

        await settle()
        if today_loaded:
            for _ in range(500):
                if getattr(app.screen, "loaded", False):
                    break
                await pilot.pause(0.01)
            assert type(app.screen).__name__ == "TodayScreen" and app.screen.loaded
            await settle()
        for key in press:
            await pilot.press(key)
            await settle()
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        for widget in app.screen.query(TextArea):
            widget.cursor_blink = False
        await still(pilot)

    return run_before


def demo_app(demo_cb, language: str) -> CasebookApp:
    i18n.set_language(language)
    return CasebookApp(demo_cb, demo=True)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_today(snap_compare, demo_cb, language):
    app = demo_app(demo_cb, language)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(today_loaded=True))


def test_today_80x24(snap_compare, demo_cb):
    app = demo_app(demo_cb, "nl")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steady(today_loaded=True))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_intake(snap_compare, demo_cb, language):
    app = demo_app(demo_cb, language)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(("ctrl+n",)))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_triage(snap_compare, demo_cb, language):
    app = demo_app(demo_cb, language)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(("t",)))


@pytest.mark.parametrize("language", ["nl", "en"])
def test_cases(snap_compare, demo_cb, language):
    app = demo_app(demo_cb, language)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady(("f3",)))
