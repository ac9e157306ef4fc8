"""The case screen by keyboard: steps, referrals, contacts, consent, deadlines,
closure and the timeline, each checked in the database."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select

from casebook.models import Case, ContactMoment, Deadline, FollowUpStep, Referral
from casebook.services import consent as consent_service
from casebook.services import referrals as referral_service
from casebook.services import steps as step_service
from screens.case_closure_modal import ClosureModal
from screens.case_next_step_modal import NextStepModal
from screens.case_screen import CaseScreen
from screens.widgets.confirm import ConfirmModal
from screens.widgets.notice import NoticeModal
from tests.caseui import case_app, cells, choose, section_text, settle, type_text
from tests.servicekit import TODAY, get_case, persons_of, step, steps_of, triaged_case
from tests.uikit import record_notices


def by_type(cb, case_id: int) -> dict[str, FollowUpStep]:
    return {s.step_type: s for s in steps_of(cb, case_id)}


async def test_step_added_by_keyboard(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, "Tolk")
        await pilot.press("tab")
        await choose(pilot, "CoMensha")
        await pilot.press("tab")
        await type_text(pilot, "Tolk Roemeens [red]regelen")
        await pilot.press("tab")
        await type_text(pilot, "05-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        # the summary names the new step as the next one
        assert "Tolk regelen" in str(app.screen.query_one("#case-summary").render())
    steps = steps_of(cb, case_id)
    assert [(s.step_type, s.description, s.due_on) for s in steps] == [
        ("INTERPRETER", "Tolk Roemeens [red]regelen", date(2026, 12, 5))
    ]
    assert steps[0].organisation_id is not None


async def test_step_form_keeps_what_was_typed_on_error(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await pilot.press("tab", "tab")
        await type_text(pilot, "Bellen met de wijkagent")
        await pilot.press("tab")
        await type_text(pilot, "31-02-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "StepModal"
        assert modal.query_one("#field-step-type").has_class("-invalid")
        assert modal.query_one("#field-due-on").has_class("-invalid")
        assert modal.query_one("#step-description").value == "Bellen met de wijkagent"
        assert modal.query_one("#step-due").value == "31-02-2026"
    assert steps_of(cb, case_id) == []


async def test_step_completed_cancelled_rescheduled_and_next_step_asked(cb):
    case_id = triaged_case(
        cb,
        steps=[
            step("ENRICH", due_on=TODAY),
            step("CONSULT_ZC", due_on=TODAY + timedelta(days=1)),
            step("FEEDBACK", due_on=TODAY + timedelta(days=2)),
        ],
    )
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        # the first open step (ENRICH) is selected: done, with a result
        await pilot.press("ctrl+home", "d")
        await settle(pilot)
        await type_text(pilot, "BRP nagekeken")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert by_type(cb, case_id)["ENRICH"].status == "DONE"
        assert by_type(cb, case_id)["ENRICH"].result == "BRP nagekeken"
        # CONSULT_ZC is now first: reschedule it by a week
        await pilot.press("ctrl+home", "r")
        await settle(pilot)
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "07-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert by_type(cb, case_id)["CONSULT_ZC"].due_on == date(2026, 12, 7)
        # FEEDBACK now comes first (due 30-11): cancel it with a reason
        await pilot.press("ctrl+home", "x")
        await settle(pilot)
        await type_text(pilot, "Melder anoniem")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert by_type(cb, case_id)["FEEDBACK"].status == "CANCELLED"
        assert not isinstance(app.screen, NextStepModal)
        # completing the last open step asks for the next one, or why there is none
        await pilot.press("ctrl+home", "d")
        await settle(pilot)
        await type_text(pilot, "Besproken")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NextStepModal)
        await pilot.press("ctrl+s")  # neither a step nor a reason: refused
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, NextStepModal)
        for _ in range(4):
            await pilot.press("tab")
        await type_text(pilot, "Overgedragen aan zorgcoördinator")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        summary = str(app.screen.query_one("#case-summary").render())
        assert "Overgedragen aan zorgcoördinator" in summary
    found = by_type(cb, case_id)
    assert found["CONSULT_ZC"].status == "DONE"
    assert found["EVAL"].status == "DONE"
    assert found["EVAL"].result == "Overgedragen aan zorgcoördinator"


async def test_next_step_modal_adds_the_next_step(cb):
    case_id = triaged_case(cb, steps=[step("ENRICH", due_on=TODAY)])
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await type_text(pilot, "Verrijkt")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NextStepModal)
        await choose(pilot, "Casusoverleg")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "10-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
    open_steps = [s for s in steps_of(cb, case_id) if s.status == "OPEN"]
    assert [(s.step_type, s.due_on) for s in open_steps] == [("CASE_MEETING", date(2026, 12, 10))]


async def test_referral_requested_placed_ended(cb):
    case_id = triaged_case(cb)
    victim = persons_of(cb, case_id)[0]
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("v")
        await settle(pilot)
        # the person is preselected (the victim); the shelter type comes next
        await pilot.press("tab")
        await choose(pilot, "Vrouwenopvang")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "02-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("4")  # referrals tab
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await choose(pilot, "Geplaatst")
        await pilot.press("tab", "end", "ctrl+u")
        await type_text(pilot, "28-11-2026")  # today: a placement is never in the future
        await pilot.press("ctrl+s")
        await settle(pilot)
        with cb.read() as s:
            referral = s.exec(select(Referral)).one()
        assert (referral.status, referral.placed_on) == ("PLACED", date(2026, 11, 28))
        await pilot.press("u")
        await settle(pilot)
        await choose(pilot, "Beëindigd")
        await pilot.press("tab", "end", "ctrl+u")
        await type_text(pilot, "20-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # the placement history shows on the person
        await pilot.press("2")
        await settle(pilot)
        row = cells(app.screen, "persons", str(victim.id))
        assert "Vrouwenopvang (cent… beëindigd 20-12-2026" in row
    with cb.read() as s:
        referral = s.exec(select(Referral)).one()
        waiting = s.exec(select(FollowUpStep).where(FollowUpStep.referral_id == referral.id)).one()
    assert (referral.person_id, referral.shelter_type, referral.reply_due_on) == (
        victim.id,
        "VO",
        date(2026, 12, 2),
    )
    assert (referral.status, referral.ended_on) == ("ENDED", date(2026, 12, 20))
    # the expected reply became a step, done when the reply came
    assert (waiting.step_type, waiting.due_on, waiting.status) == (
        "SHELTER_REQ",
        date(2026, 12, 2),
        "DONE",
    )


async def test_contact_moments_logged_in_a_few_keystrokes_from_anywhere(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "Gebeld, gaat goed")
        await pilot.press("tab")
        await choose(pilot, "Huisbezoek")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("8")  # from the timeline tab: c, a word, then save
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await type_text(pilot, "Kort")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert app.screen.query_one("#case-table").row_count == 2
    with cb.read() as s:
        contacts = s.exec(select(ContactMoment).order_by(ContactMoment.id)).all()
    victim = persons_of(cb, case_id)[0]
    assert [(c.channel, c.counterpart_role, c.person_id, c.summary) for c in contacts] == [
        ("HOME", "SUBJECT", victim.id, "Gebeld, gaat goed"),
        # the quick log repeats the channel, counterpart and person of the last one
        ("HOME", "SUBJECT", victim.id, "Kort"),
    ]


async def test_a_contact_moment_is_corrected_with_e_and_read_in_full_with_enter(cb):
    from casebook.services import contacts

    case_id = triaged_case(cb)
    with cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(
                channel="PHONE",
                counterpart_role="SUBJECT",
                summary="Gebeld met [red]cliënt[/red]",
                on="26-11-2026",
                time="09:30",
            ),
        )
    with cb.read() as s:
        before = s.exec(select(ContactMoment)).one()
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        # Enter reads it in full, as typed
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "TextModal"
        await pilot.press("escape")
        await settle(pilot)
        # e corrects it: the form holds the contact as logged
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "ContactModal"
        assert modal.query_one("#contact-summary").text == "Gebeld met [red]cliënt[/red]"
        assert modal.query_one("#contact-on").value == "26-11-2026"
        assert modal.query_one("#contact-time").value == "09:30"
        await pilot.press("end")
        await type_text(pilot, " (tolk)")
        modal.query_one("#contact-interpreter").value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert "(tolk)" in " ".join(cells(app.screen, "contacts", str(before.id)))
        # the timeline says what changed
        await pilot.press("8")
        await settle(pilot)
        timeline = section_text(app.screen)
        assert "Samenvatting" in timeline and "Via tolk" in timeline
    with cb.read() as s:
        after = s.exec(select(ContactMoment)).one()
    assert after.summary == "Gebeld met [red]cliënt[/red] (tolk)"
    assert after.via_interpreter is True
    assert after.at == before.at  # the moment was not re-typed: it stays to the second
    assert after.version == before.version + 1


async def test_a_signal_is_corrected_with_e(cb):
    from casebook.models import Signal, SignalIndicator

    case_id = triaged_case(cb)
    with cb.read() as s:
        before = s.exec(select(Signal).where(Signal.case_id == case_id)).one()
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")  # read in full
        await settle(pilot)
        assert type(app.screen).__name__ == "TextModal"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "SignalModal"
        assert modal.query_one("#signal-observed").text == before.observed
        assert modal.query_one("#signal-channel").code == before.channel
        modal.query_one("#signal-observed").text = "Corrigeerd: [b]drie[/b] personen"
        modal.query_one("#signal-received-on").value = "27-11-2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        await pilot.press("8")
        await settle(pilot)
        timeline = section_text(app.screen)
        assert "Wat is waargenomen" in timeline and "Ontvangen op" in timeline
    with cb.read() as s:
        after = s.exec(select(Signal).where(Signal.case_id == case_id)).one()
        codes = s.exec(select(SignalIndicator.code).where(SignalIndicator.signal_id == after.id))
        codes = sorted(codes)
    assert after.observed == "Corrigeerd: [b]drie[/b] personen"
    assert after.received_on == date(2026, 11, 27)
    assert (after.channel, after.source_role) == (before.channel, before.source_role)
    assert codes  # the indicators stay as recorded


async def test_consent_given_then_withdrawn_and_comensha_warning(cb):
    case_id = triaged_case(cb)
    victim = persons_of(cb, case_id)[0]
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        # a CoMensha shelter referral without consent warns first; "no" saves nothing
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("tab")
        await choose(pilot, "Categorale")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert type(app.screen).__name__ == "ReferralModal"
        await pilot.press("escape")  # something was chosen: asked first, "y" discards
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        # consent given
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("tab")
        await choose(pilot, "opvang")
        await pilot.press("tab", "tab", "tab")
        await choose(pilot, "Schriftelijk")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with cb.read() as s:
            assert consent_service.has_consent(s, victim.id, ("COMENSHA_SHELTER",))
        # now the CoMensha referral saves without a question
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("tab")
        await choose(pilot, "Categorale")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        # withdrawn: Enter on the consent row opens it reversed
        await pilot.press("6")
        await settle(pilot)
        await pilot.press("ctrl+home", "enter")
        await settle(pilot)
        # the reversed consent is a proposal: a word in the note makes it a decision
        app.screen.query_one("#consent-note").focus()
        await pilot.pause()
        await type_text(pilot, "Ingetrokken")
        await pilot.press("ctrl+s")
        await settle(pilot)
        with cb.read() as s:
            state = consent_service.current(s, victim.id)
            assert not consent_service.has_consent(s, victim.id, ("COMENSHA_SHELTER",))
        assert [c.given for c in state.values()] == [False]
        # without consent again, "yes" saves anyway
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("tab")
        await choose(pilot, "Multiproblematiek")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("j")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    with cb.read() as s:
        types = [r.shelter_type for r in s.exec(select(Referral).order_by(Referral.id))]
    assert types == ["COSM", "OMM"]


async def test_bedenktijd_sets_end_and_reminder_step(cb):
    case_id = triaged_case(cb)
    victim = persons_of(cb, case_id)[0]
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        # kind (bedenktijd) and person are preset; the start date
        await pilot.press("tab", "tab", "end", "ctrl+u")
        await type_text(pilot, "01-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("7")
        await settle(pilot)
        assert app.screen.query_one("#case-table").row_count == 1
    with cb.read() as s:
        deadline = s.exec(select(Deadline)).one()
    assert (deadline.kind, deadline.starts_on, deadline.due_on, deadline.person_id) == (
        "BEDENKTIJD",
        date(2026, 12, 1),
        date(2027, 3, 1),
        victim.id,
    )
    reminder = by_type(cb, case_id)["DEADLINE"]
    assert reminder.due_on == date(2027, 3, 1) - timedelta(days=14)
    assert persons_of(cb, case_id)[0].b8_status == "BEDENKTIJD"


async def test_aangifte_date_and_b8_status(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await choose(pilot, "Aangifte")
        await pilot.press("tab", "tab", "end", "ctrl+u")
        await type_text(pilot, "15-12-2026")
        # an aangifte has no end field (that is the bedenktijd's): note, then B8 status
        await pilot.press("tab", "tab")
        await choose(pilot, "aangevraagd")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with cb.read() as s:
        deadline = s.exec(select(Deadline)).one()
    assert (deadline.kind, deadline.due_on) == ("AANGIFTE", date(2026, 12, 15))
    assert persons_of(cb, case_id)[0].b8_status == "APPLIED"


async def test_closing_refused_until_settled_then_closed_and_reopened(cb):
    case_id = triaged_case(cb, steps=[step("ENRICH", due_on=TODAY)])
    victim = persons_of(cb, case_id)[0]
    with cb.write() as s:
        referral = referral_service.request_referral(
            s,
            case_id,
            referral_service.ReferralInput(shelter_type="VO", person_id=victim.id),
            today=TODAY,
        )
        s.flush()
        referral_service.set_referral_status(s, referral.id, "PLACED", on=TODAY)
    app = case_app(cb, case_id)
    shown = record_notices(app)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("f10")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ClosureModal)
        assert modal.query_one("#closure-items").row_count == 2
        # try to close with both still open: refused, nothing changes
        await pilot.press("tab")
        await choose(pilot, "zorgco")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert shown[-1][0] == (
            "Eerst afhandelen — open stappen: 1, lopende verwijzingen: 1, open termijnen: 0"
        )
        assert get_case(cb, case_id).status != "CLOSED"
        # settle them from the list: the step done, the placement carried by a partner
        await pilot.press("shift+tab")
        await pilot.press("ctrl+home", "d")
        await settle(pilot)
        assert modal.query_one("#closure-items").row_count == 1
        await pilot.press("a")  # which partner takes over is asked
        await settle(pilot)
        assert type(app.screen).__name__ == "CarryModal"
        await choose(pilot, "Opvanginstelling")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is modal
        assert modal.query_one("#closure-items").row_count == 0
        # the list is gone; focus moved on to the outcome (already chosen)
        assert app.focused.id == "closure-outcome"
        await pilot.press("tab", "tab")
        await type_text(pilot, "Zorg loopt via partner")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        case = get_case(cb, case_id)
        assert (case.status, case.phase, case.closure_outcome, case.closed_on) == (
            "CLOSED",
            "CLOSURE",
            "HANDOVER_ZC",
            TODAY,
        )
        assert case.closure_note == "Zorg loopt via partner"
        # closed: adding is not offered; f10 now reopens, with a reason
        assert app.screen.check_action("add_step", ()) is None
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("ctrl+s")  # untouched: not saved, said in a notice
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await pilot.press("escape")
        await settle(pilot)
        await type_text(pilot, "Nieuwe melding van de wijkagent")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # reopened without an open step: asked for the next one (escape: later)
        assert isinstance(app.screen, NextStepModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        # the timeline lists it all, in order
        await pilot.press("8")
        await settle(pilot)
        what = [cells(app.screen, "timeline", key)[1] for key in row_keys(app.screen, "timeline")]
        table = app.screen.query_one("#case-table")
        assert table.cursor_row == table.row_count - 1  # opens on the latest entry
    case = get_case(cb, case_id)
    assert (case.status, case.closed_on) == ("REOPENED", None)
    with cb.read() as s:
        referral = s.get(Referral, referral.id)
    assert referral.carried_by_partner
    assert by_type(cb, case_id)["ENRICH"].status == "DONE"
    expected_tail = [
        "Stap gedaan",  # ENRICH, from the closure list
        "Organisatie gewijzigd",  # the partner that takes the placement over
        "Overgenomen door partner gewijzigd",
        "Uitkomst gewijzigd",
        "Notitie bij sluiten gewijzigd",
        "Sluitdatum gewijzigd",
        "Fase gewijzigd",
        "Status gewijzigd",
        "Casus gesloten",
        "Sluitdatum gewijzigd",
        "Uitkomst gewijzigd",
        "Fase gewijzigd",
        "Status gewijzigd",
        "Casus heropend",
    ]
    assert what[-len(expected_tail) :] == expected_tail
    assert what[:2] == ["Casus geopend", "Signaal ontvangen"]
    assert "Geplaatst" in what and "Verwijzing aangevraagd" in what


def row_keys(screen, name: str) -> list[str]:
    assert screen.active_tab == name
    table = screen.query_one("#case-table")
    return [row.key.value for row in table.ordered_rows]


async def test_stale_edit_is_refused_and_the_case_reloads(cb):
    case_id = triaged_case(cb, steps=[step("ENRICH", due_on=TODAY)])
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        # meanwhile, in another window, the step is rescheduled
        step_id = steps_of(cb, case_id)[0].id
        with cb.write() as s:
            step_service.reschedule_step(s, step_id, date(2026, 12, 24))
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "01-12-2026")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # refused, and what was typed is still there
        assert app.screen.query_one("#step-new-due").value == "01-12-2026"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")  # discard it; the case shows the other window's date
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
        assert "24-12-2026" in cells(app.screen, "steps", str(step_id))
    assert steps_of(cb, case_id)[0].due_on == date(2026, 12, 24)


async def test_person_added_and_edited(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("p")
        await settle(pilot)
        await choose(pilot, "dader")
        await pilot.press("tab")
        await type_text(pilot, "[bold]Mr. X")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("ctrl+end", "enter")
        await settle(pilot)
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "1990")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "[bold]Mr. X" in cells(app.screen, "persons", str(persons_of(cb, case_id)[-1].id))
    person = persons_of(cb, case_id)[-1]
    assert (person.role, person.name, person.birth_year) == ("PERPETRATOR", "[bold]Mr. X", 1990)


async def test_closed_case_shows_outcome_and_no_add_keys(cb):
    case_id = triaged_case(cb)
    from casebook.services import closure

    with cb.write() as s:
        closure.close_case(s, case_id, outcome="NO_TH", closed_on=TODAY)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        summary = str(app.screen.query_one("#case-summary").render())
        assert "Geen aanwijzingen mensenhandel" in summary
        await pilot.press("s")  # not here: a notice takes the keys typed next
        await settle(pilot)
        assert isinstance(app.screen, NoticeModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert get_case(cb, case_id).status == "CLOSED"
    with cb.read() as s:
        assert s.exec(select(Case)).one().closure_outcome == "NO_TH"


async def test_comensha_step_without_consent_warns(cb):
    case_id = triaged_case(cb)
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        await choose(pilot, "registratie")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("j")  # save anyway
        await settle(pilot)
        assert isinstance(app.screen, CaseScreen)
    assert [s.step_type for s in steps_of(cb, case_id)] == ["AANMELD_CM_REG"]


async def test_long_case_shows_latest_contacts_with_more_on_m(cb):
    from casebook.services import contacts

    case_id = triaged_case(cb)
    with cb.write() as s:
        for i in range(130):
            contacts.log_contact(
                s,
                case_id,
                contacts.ContactInput(
                    channel="PHONE",
                    counterpart_role="SUBJECT",
                    summary=f"Gesprek {i:03d}",
                    on=f"{1 + i % 28:02d}-{9 + i // 28 % 3:02d}-2026",
                    time=f"{8 + i % 10:02d}:00",
                ),
            )
    app = case_app(cb, case_id)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        table = app.screen.query_one("#case-table")
        assert table.row_count == 100
        count = str(app.screen.query_one("#case-count").render())
        assert count == "De laatste 100 van 130 getoond; m toont meer"
        assert app.screen.check_action("more", ()) is True
        await pilot.press("m")
        await settle(pilot)
        assert table.row_count == 130
        assert app.screen.check_action("more", ()) is False
        # j and k move through the rows, like the arrows
        await pilot.press("ctrl+home", "j", "j", "k")
        assert table.cursor_row == 1
