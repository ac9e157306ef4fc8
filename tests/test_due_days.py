"""A usual due date per step type (data/reference/step_types.toml, or the officer's own
days under [due_days] in the preferences), filled in when a type is chosen and never
over a date the officer typed; triage's date fields show a whole dd-mm-jjjj."""

from __future__ import annotations

from datetime import timedelta

from casebook import paths, preferences, refdata
from casebook.due_days import read_preference, usual_due
from tests import servicekit as kit
from tests.caseui import case_app
from tests.uikit import SIZE, TODAY, choose, make_app, screen_text, settle, type_text


def test_every_step_type_has_a_usual_number_of_days():
    for item in refdata.ref("step_types"):
        days = item.get("due_days")
        assert isinstance(days, int) and 0 <= days <= 365, item.code


def test_usual_due_from_the_one_clock_and_the_officers_own_days():
    assert usual_due("REPORT_POL") == TODAY + timedelta(days=1)
    assert usual_due("INTERPRETER", {"INTERPRETER": 5}) == TODAY + timedelta(days=5)
    assert usual_due(None) is None and usual_due("NOPE") is None


def test_the_preference_table_is_checked():
    days, problems = read_preference({"INTERPRETER": 3, "NOPE": 2, "LEGAL": "x", "EVAL": 999})
    assert days == {"INTERPRETER": 3}
    assert [key for key, _ in problems] == [
        "due_days.unknown_type",
        "due_days.bad_days",
        "due_days.bad_days",
    ]
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[due_days]\nINTERPRETER = 4\nNOPE = 1\n", encoding="utf-8")
    prefs = preferences.load()
    assert prefs.due_days == {"INTERPRETER": 4}
    assert any('"NOPE"' in p for p in prefs.problems)
    # saving the preferences keeps the officer's table
    preferences.save(prefs)
    assert "INTERPRETER = 4" in path.read_text(encoding="utf-8")


async def test_triage_rows_take_the_usual_date_but_not_over_a_typed_one(cb):
    kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        due = screen.query_one("#s0-due")
        await choose(pilot, screen.query_one("#s0-type"), "Melding politie")
        assert due.value == "29-11-2026"
        await choose(pilot, screen.query_one("#s0-type"), "Casusoverleg")
        assert due.value == "05-12-2026"  # still the suggestion: follows the type
        due.focus()
        due.value = ""
        await type_text(pilot, "25-11-2026")
        await choose(pilot, screen.query_one("#s0-type"), "Tolk")
        assert due.value == "25-11-2026"  # the officer's date stays
        await settle(pilot)
        # the whole date is visible in the row, not "5-11-2026"
        assert "25-11-2026" in screen_text(app)


async def test_the_step_form_uses_the_officers_own_days(cb):
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("[due_days]\nINTERPRETER = 4\n", encoding="utf-8")
    case_id = kit.triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, app.screen.query_one("#step-type"), "Tolk")
        assert app.screen.query_one("#step-due").value == "02-12-2026"
