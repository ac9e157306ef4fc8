"""No typed key is lost when a form opens: the keys typed right after the key that
opens it (delivered in one burst, before the form is built) go to its first field, in
order, and count as input (leaving asks)."""

from __future__ import annotations

from screens.widgets.confirm import ConfirmModal
from tests.caseui import case_app
from tests.servicekit import triaged_case
from tests.uikit import SIZE, burst, make_app, settle, wait_until


def typed(app, selector: str):
    found = app.screen.query(selector)
    return found.first().value if found else None


async def test_keys_typed_right_after_ctrl_n_reach_the_intake_in_order(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # the channel dropdown (the first field) opened, searched and chosen, then the
        # source role, then the reporter's contact typed: all before the form is built
        burst(
            app,
            *("ctrl+n", "enter", *"Telef", "enter"),
            *("tab", "enter", *"Burger", "enter"),
            *("tab", "tab", *"06-1234", "space", *"5678"),
        )
        assert await wait_until(pilot, lambda: typed(app, "#reporter-contact") == "06-1234 5678")
        screen = app.screen
        assert type(screen).__name__ == "IntakeScreen"
        assert screen.query_one("#channel").code == "PHONE"
        assert screen.query_one("#source-role").code == "BURGER"
        # typed ahead is typed: Escape asks before the input is thrown away
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)


async def test_a_date_typed_ahead_lands_in_the_date_field(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        burst(app, "f4", "shift+tab", *"-1")
        assert await wait_until(pilot, lambda: app.screen.query("#received-on"))
        await settle(pilot)
        field = app.screen.query_one("#received-on")
        assert await wait_until(pilot, lambda: field.value == "-1"), field.value
        assert field.border_subtitle == "→ vr 27-11-2026"


async def test_keys_typed_right_after_a_case_key_reach_its_pop_up(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        # `s` opens the step form: past the step type and the organisation, the
        # description, in one burst with the key
        burst(app, "s", "tab", "tab", *"Tolk", "space", *"regelen")
        assert await wait_until(pilot, lambda: typed(app, "#step-description") == "Tolk regelen")
        assert app.focused is app.screen.query_one("#step-description")
