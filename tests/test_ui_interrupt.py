"""Issue 17: Ctrl+C in the running UI ends casebook with exit status 130, as shell
tools do, and like Ctrl+Q it first asks when a form holds unsaved input. (Textual's
own Ctrl+C only showed an English hint and kept running.)"""

from __future__ import annotations

from textual.widgets import Button

from screens.form_base import FormBase
from screens.widgets.confirm import ConfirmModal
from tests.caseui import settle, type_text
from tests.uikit import SIZE, make_app, wait_until


async def test_ctrl_c_on_today_ends_with_130(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await wait_until(pilot, lambda: app.screen.loaded)
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running)
        assert not app.is_running
    assert app.return_code == 130


async def test_ctrl_c_asks_before_unsaved_input_is_lost(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormBase)
        title = form.query_one("#title")
        title.focus()
        await pilot.pause()
        await type_text(pilot, "Half ingevuld")
        # off the text field, where Ctrl+C would copy instead
        form.query(Button).first().focus()
        await pilot.pause()
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("enter")  # the default answer keeps the input
        await settle(pilot)
        assert app.is_running and app.screen is form and title.value == "Half ingevuld"
        await pilot.press("ctrl+c")
        await settle(pilot)
        await pilot.press("y")  # leave on purpose
        await wait_until(pilot, lambda: not app.is_running)
    assert app.return_code == 130
