"""Triage from the Today board: the form saves urgency, types, sector, route and the
first steps in one go, ignores empty step rows, and moves the case on."""

from __future__ import annotations

from casebook.services.triage import exploitation_codes
from tests import servicekit as kit
from tests.uikit import SIZE, choose, make_app, settle, type_text


async def open_triage(pilot):
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "TriageScreen"
    return pilot.app.screen


async def test_triage_saves_everything_and_moves_the_case_on(cb):
    case_id = kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_triage(pilot)
        assert app.focused is screen.query_one("#urgency")
        await choose(pilot, screen.query_one("#urgency"), "Hoog")
        await choose(pilot, screen.query_one("#sector"), "Schoonmaak")
        await choose(pilot, screen.query_one("#route"), "Zorgroute")
        types = screen.query_one("#exploitation")
        types.focus()
        await pilot.press("down", "space")  # Arbeidsuitbuiting
        screen.query_one("#route-note").focus()
        await type_text(pilot, "Eerst zorg")
        # first step row: type and date; second row left empty; third row: type only
        await choose(pilot, screen.query_one("#s0-type"), "Casusoverleg")
        screen.query_one("#s0-due").focus()
        await type_text(pilot, "01-12-2026")
        screen.query_one("#s0-desc").focus()
        await type_text(pilot, "Zorgtafel")
        await choose(pilot, screen.query_one("#s2-type"), "Melding politie")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    case = kit.get_case(cb, case_id)
    assert (case.urgency, case.sector, case.route, case.route_note) == (
        "HIGH",
        "CLEAN",
        "CARE",
        "Eerst zorg",
    )
    assert (case.phase, case.status) == ("REFERRAL", "OPEN")
    assert case.triaged_at is not None
    with cb.read() as s:
        assert exploitation_codes(s, case_id) == ["LAB"]
    steps = [
        (s.step_type, s.due_on and s.due_on.isoformat(), s.description)
        for s in kit.steps_of(cb, case_id)
    ]
    # the third row's date is the usual one of its type (a report to the police: a day)
    assert steps == [
        ("CASE_MEETING", "2026-12-01", "Zorgtafel"),
        ("REPORT_POL", "2026-11-29", ""),
    ]


async def test_triage_refusal_points_at_the_right_step_row(cb):
    case_id = kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_triage(pilot)
        screen.query_one("#route").value = "ADVICE"
        # row 0 empty, row 1 has a bad date and no type; no exploitation type chosen
        screen.query_one("#s1-due").value = "99-99-2026"
        await pilot.press("f10")
        await settle(pilot)
        assert app.screen is screen
        for name in ("exploitation-types", "steps-1-due-on", "steps-1-step-type"):
            assert screen.query_one(f"#field-{name}").has_class("-invalid"), name
        assert not screen.query_one("#field-steps-0-due-on").has_class("-invalid")
        assert screen.query_one("#s1-due").value == "99-99-2026"
    case = kit.get_case(cb, case_id)
    assert (case.phase, case.triaged_at) == ("INTAKE", None)


async def test_a_fourth_step_row_can_be_added(cb):
    case_id = kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_triage(pilot)
        screen.query_one("#route").value = "ADVICE"
        screen.query_one("#exploitation").select("UNK")
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert app.focused is screen.query_one("#s3-type")
        screen.query_one("#s3-type").value = "FEEDBACK"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert [s.step_type for s in kit.steps_of(cb, case_id)] == ["FEEDBACK"]
    assert kit.get_case(cb, case_id).phase == "FOLLOWUP"
