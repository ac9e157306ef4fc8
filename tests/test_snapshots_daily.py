"""Snapshots of the daily screens on the fixed-seed demo casebook with 'today' frozen
at 28-11-2026: Today, Intake, Triage and Cases at 100×32 in Dutch and English, and
Today at 80×24. Deterministic: workers awaited, no cursor blink."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from casebook import i18n
from screens.app import CasebookApp
from tests.conftest import DEMO_TODAY

SIZE = (100, 32)


def steady(press: tuple[str, ...] = ()):
    """A run_before for snap_compare: press keys, waiting for workers after each."""

    async def run_before(pilot) -> None:
        app = pilot.app

        async def settle():
            await pilot.pause()
            await app.workers.wait_for_complete()
            await pilot.pause()

        await settle()
        for key in press:
            await pilot.press(key)
            await settle()
        for widget in app.screen.query(Input):
            widget.cursor_blink = False
        for widget in app.screen.query(TextArea):
            widget.cursor_blink = False
        await settle()

    return run_before


def demo_app(demo_cb, language: str) -> CasebookApp:
    i18n.set_language(language)
    return CasebookApp(demo_cb, demo=True, today=DEMO_TODAY)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_today(snap_compare, demo_cb, language):
    app = demo_app(demo_cb, language)
    assert snap_compare(app, terminal_size=SIZE, run_before=steady())


def test_today_80x24(snap_compare, demo_cb):
    app = demo_app(demo_cb, "nl")
    assert snap_compare(app, terminal_size=(80, 24), run_before=steady())


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
