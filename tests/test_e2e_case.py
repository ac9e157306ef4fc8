"""One fictional case from intake to closure, through the real App: opened from the
Cases screen (F3, Enter), then referral, consent, follow-up and closure by keyboard on
the case screen, with the database checked after each phase.

Intake and triage go through their services (their screens have their own tests);
everything after triage is done with the keyboard."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from casebook.models import ContactMoment, Deadline, Referral
from casebook.services import consent, intake, triage
from screens.app import CasebookApp
from screens.case_screen import CaseScreen
from tests.caseui import choose, settle, type_text
from tests.servicekit import TODAY, get_case, persons_of, signal, steps_of


async def test_one_case_from_intake_to_closure(cb):
    # -- intake ------------------------------------------------------------------------
    with cb.write() as s:
        case, _ = intake.record_signal(
            s,
            signal(
                title="Uitzendkrachten in loods",
                persons=[intake.PersonInput(role="VICTIM", name="Mila Fictief", nationality="PL")],
            ),
            today=TODAY,
        )
        case_id = case.id
    case = get_case(cb, case_id)
    assert (case.phase, case.status) == ("INTAKE", "NEW")
    victim = persons_of(cb, case_id)[0]

    # -- triage ------------------------------------------------------------------------
    with cb.write() as s:
        triage.triage_case(
            s,
            case_id,
            triage.TriageInput(
                urgency="HIGH", exploitation_types=["LAB"], sector="LOG", route="CARE"
            ),
        )
    case = get_case(cb, case_id)
    assert (case.phase, case.status, case.urgency) == ("REFERRAL", "OPEN", "HIGH")

    app = CasebookApp(cb)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseScreen) and screen.case_id == case_id
        # an open case without a step says so
        assert "Geen open vervolgstap" in str(screen.query_one("#case-summary").render())

        # -- referral: consent first, then a CoMensha shelter request ----------------------
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("tab")
        await choose(pilot, "opvang")
        await pilot.press("tab", "tab", "tab")
        await choose(pilot, "Mondeling")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with cb.read() as s:
            assert consent.has_consent(s, victim.id, ("COMENSHA_SHELTER",))
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("tab")
        await choose(pilot, "arbeidsuitbuiting")
        await pilot.press("tab")
        await choose(pilot, "CoMensha")
        await pilot.press("tab", "tab")
        await type_text(pilot, "01-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)  # consent on record: no warning
        with cb.read() as s:
            referral = s.exec(select(Referral)).one()
        assert (referral.shelter_type, referral.status, referral.person_id) == (
            "NLA_BED",
            "REQUESTED",
            victim.id,
        )
        assert [(st.step_type, st.due_on) for st in steps_of(cb, case_id)] == [
            ("AANMELD_CM_OPV", date(2026, 12, 1))
        ]
        # the reply: placed
        await pilot.press("4", "u")
        await settle(pilot)
        await choose(pilot, "Geplaatst")
        await pilot.press("ctrl+s")
        await settle(pilot)
        case = get_case(cb, case_id)
        assert case.phase == "FOLLOWUP"
        with cb.read() as s:
            assert s.get(Referral, referral.id).placed_on == TODAY
        assert [st.status for st in steps_of(cb, case_id)] == ["DONE"]

        # -- follow-up: a contact, the bedenktijd, a step done ------------------------------
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "Intake opvang verlopen zonder problemen")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        # bedenktijd for the victim, from today: not saved untouched, a note says why
        app.screen.query_one("#deadline-note").focus()
        await pilot.pause()
        await type_text(pilot, "Bedenktijd uitgelegd")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with cb.read() as s:
            assert s.exec(select(ContactMoment)).one().person_id == victim.id
            deadline = s.exec(select(Deadline)).one()
        assert (deadline.starts_on, deadline.due_on) == (TODAY, date(2027, 2, 28))
        reminder = [st for st in steps_of(cb, case_id) if st.step_type == "DEADLINE"]
        assert [st.due_on for st in reminder] == [date(2027, 2, 14)]

        # -- closure: refused while the reminder and the placement are open ------------------
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("d")  # the reminder step: done
        await settle(pilot)
        await pilot.press("a")  # the placement: carried on by the shelter (which one?)
        await settle(pilot)
        await choose(pilot, "Opvanginstelling")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # the bedenktijd is an open obligation too: listed, and settled (done) here
        assert "Termijn" in str(app.screen.query_one("#closure-items").get_row_at(0)[0])
        await pilot.press("d")
        await settle(pilot)
        await choose(pilot, "Geplaatst")
        await pilot.press("tab", "tab")
        await type_text(pilot, "Verblijft in opvang; zorgcoördinator volgt")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        summary = str(app.screen.query_one("#case-summary").render())
        assert "Geplaatst in opvang" in summary

    case = get_case(cb, case_id)
    assert (case.phase, case.status, case.closure_outcome, case.closed_on) == (
        "CLOSURE",
        "CLOSED",
        "PLACED",
        TODAY,
    )
    with cb.read() as s:
        assert s.get(Referral, referral.id).carried_by_partner
