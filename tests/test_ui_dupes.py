"""The duplicate question and the consent warning, by keys as the officer uses them:
Enter adds the signal to the case it resembles; the woman seen again at a hotel is
offered her closed case, reopened; Ctrl+E reaches the attach search from the
observation text; triage warns for a CoMensha step without consent, and for a
15-year-old without a guardian's consent."""

from __future__ import annotations

from sqlmodel import select

from casebook.models import Case, Person, Signal
from casebook.services import closure, consent, intake
from tests import servicekit as kit
from tests.uikit import SIZE, make_app, settle, type_text


def all_cases(cb) -> list[Case]:
    with cb.read() as s:
        return list(s.exec(select(Case).order_by(Case.id)))


def signals_of(cb, case_id: int) -> list[Signal]:
    with cb.read() as s:
        return list(s.exec(select(Signal).where(Signal.case_id == case_id)))


async def open_intake(pilot):
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "IntakeScreen"
    return pilot.app.screen


async def fill_signal(pilot, screen, *, title: str, name: str, observed: str = "") -> None:
    screen.query_one("#channel").value = "PHONE"
    screen.query_one("#source-role").value = "POL"
    screen.query_one("#title").value = title
    if observed:
        screen.query_one("#observed").text = observed
    await pilot.press("ctrl+o")
    await settle(pilot)
    screen.query_one("#p1-name").value = name


async def test_enter_on_the_duplicate_question_adds_the_signal_to_that_case(cb):
    case_id = kit.new_case(cb)  # open, with "Ana Voorbeeld"
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await fill_signal(pilot, screen, title="Tweede melding", name="ana voorbeeld")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicateModal"
        choices = app.screen.query_one("OptionList")
        assert choices.highlighted == 0
        first = str(choices.get_option_at_index(0).prompt)
        assert first.startswith("Toevoegen aan 2026-0001")
        prompts = [str(choices.get_option_at_index(i).prompt) for i in range(3)]
        assert prompts[1:] == ["Nieuwe casus", "Annuleren"]
        await pilot.press("enter")  # the default: add to 2026-0001
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    assert [c.id for c in all_cases(cb)] == [case_id]  # no second case
    assert len(signals_of(cb, case_id)) == 2
    with cb.read() as s:  # she is in the case already: not added twice
        assert len(s.exec(select(Person).where(Person.case_id == case_id)).all()) == 1


async def test_the_woman_seen_again_at_a_hotel_is_offered_her_closed_case_reopened(cb):
    nigerian = [intake.PersonInput(role="VICTIM", name="Blessing O.", nationality="NG")]
    case_id = kit.new_case(cb, persons=nigerian, title="Vrouw via politie, opvang nodig")
    with cb.write() as s:
        closure.close_case(s, case_id, outcome="PLACED")
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        await fill_signal(
            pilot,
            screen,
            title="Vrouw in hotel",
            name="Blessing O.",
            observed="Weer gezien bij een hotel",
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicateModal"
        first = str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        assert first.startswith("Heropenen en toevoegen aan 2026-0001")
        assert "gesloten" in first
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    [case] = all_cases(cb)
    assert (case.status, case.closed_on) == ("REOPENED", None)
    observed = sorted(s.observed for s in signals_of(cb, case_id))
    assert observed == ["Veel mensen in één woning", "Weer gezien bij een hotel"]
    events = kit.events(cb, case_id)
    # reopened first, then the signal went in (one transaction)
    assert "signal.added" in events[events.index("case.reopened") :]


async def test_ctrl_e_reaches_the_attach_search_from_the_observation_text(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        screen.query_one("#observed").focus()
        await type_text(pilot, "Werkt lang")
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert app.focused is screen.query_one("#attach-search")
        assert screen.query_one("#observed").text == "Werkt lang"


# -- triage ----------------------------------------------------------------------------


async def open_triage(pilot):
    await settle(pilot)
    await pilot.press("t")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "TriageScreen"
    return pilot.app.screen


async def plan_comensha_in_triage(pilot, screen) -> None:
    screen.query_one("#route").value = "CARE"
    screen.query_one("#exploitation").select("SEX")
    screen.query_one("#s0-type").value = "AANMELD_CM_REG"
    await settle(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_triage_warns_for_a_comensha_step_without_consent(cb):
    case_id = kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_triage(pilot)
        await plan_comensha_in_triage(pilot, screen)
        assert type(app.screen).__name__ == "ConfirmModal"
        question = app.screen.question
        assert "Aanmelding CoMensha – registratie: toestemming ontbreekt." in question
        assert "Geen toestemming vastgelegd voor Ana Voorbeeld." in question
        await pilot.press("enter")  # the default is "no": back to the form, nothing saved
        await settle(pilot)
        assert app.screen is screen
        assert kit.get_case(cb, case_id).triaged_at is None
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")  # saved anyway, on purpose
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    assert [s.step_type for s in kit.steps_of(cb, case_id)] == ["AANMELD_CM_REG"]


async def test_triage_warns_for_a_15_year_old_without_a_guardians_consent(cb):
    child = [intake.PersonInput(role="VICTIM", name="Noor", birth_year=2011, nationality="NL")]
    case_id = kit.new_case(cb, persons=child, title="Meisje met drugs")
    [person] = kit.persons_of(cb, case_id)
    with cb.write() as s:  # she signed herself: not enough under 16
        consent.record_consent(
            s, person.id, consent.ConsentInput(purpose="COMENSHA_REG", method="WRITTEN")
        )
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_triage(pilot)
        await plan_comensha_in_triage(pilot, screen)
        assert type(app.screen).__name__ == "ConfirmModal"
        question = app.screen.question
        assert "Noor is 15: onder de 16 tekent een ouder of voogd" in question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen
    with cb.write() as s:  # the guardian's consent recorded: no question any more
        consent.record_consent(
            s,
            person.id,
            consent.ConsentInput(purpose="COMENSHA_REG", method="WRITTEN", given_by="GUARDIAN"),
        )
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_triage(pilot)
        await plan_comensha_in_triage(pilot, screen)
        assert type(app.screen).__name__ == "TodayScreen"
    assert [s.step_type for s in kit.steps_of(cb, case_id)] == ["AANMELD_CM_REG"]


# -- the case file: details, move a signal, merge ----------------------------------------


async def test_details_form_changes_urgency_and_sectors_into_the_timeline(cb):
    from casebook.services.case_details import other_sectors
    from tests.caseui import case_app, section_text
    from tests.caseui import settle as case_settle

    case_id = kit.triaged_case(cb)  # HIGH, LAB, AGRI
    app = case_app(cb, case_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_settle(pilot)
        await pilot.press("g")
        await case_settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "CaseDetailsModal"
        assert modal.query_one("#details-title").value == "Signaal over een woning"
        modal.query_one("#details-urgency").value = "ACUTE"
        modal.query_one("#details-sector").value = "LOG"
        modal.query_one("#details-other-sectors").select("UITZEND")
        await pilot.press("ctrl+s")
        await case_settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        summary = str(app.screen.query_one("#case-summary").render())
        assert "Sector: Vervoer" in summary and "+ Uitzendbureau" in summary
        await pilot.press("8")  # the timeline
        await case_settle(pilot)
        text = section_text(app.screen)
        assert "Urgentie gewijzigd Hoog → Acuut – direct handelen" in text
        assert "Andere sectoren gewijzigd – → Uitzendbureau" in text
    case = kit.get_case(cb, case_id)
    assert (case.urgency, case.sector) == ("ACUTE", "LOG")
    with cb.read() as s:
        assert other_sectors(s, case_id) == ["UITZEND"]


async def pick_case(pilot, text: str) -> None:
    await type_text(pilot, text)
    await settle(pilot)
    await pilot.press("enter")  # to the results
    await pilot.press("enter")  # take the first
    await settle(pilot)


async def test_a_signal_is_moved_from_the_case_file(cb):
    from tests.caseui import case_app
    from tests.caseui import settle as case_settle

    source = kit.new_case(cb, title="Woning")
    target = kit.new_case(cb, title="Uitzendbureau Noord")
    with cb.write() as s:
        intake.record_signal(s, kit.signal(observed="hoort bij Noord"), case_id=source)
    app = case_app(cb, source)
    async with app.run_test(size=SIZE) as pilot:
        await case_settle(pilot)
        await pilot.press("1")  # signals
        await case_settle(pilot)
        await pilot.press("j")  # the second signal
        await pilot.press("z")
        await case_settle(pilot)
        assert type(app.screen).__name__ == "MoveSignalModal"
        await pick_case(pilot, "Noord")
        await pilot.press("ctrl+s")
        await case_settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
    moved = [s.observed for s in signals_of(cb, target)]
    assert "hoort bij Noord" in moved and len(moved) == 2
    assert "signal.moved_out" in kit.events(cb, source)
    assert "signal.moved_in" in kit.events(cb, target)


async def test_a_duplicate_case_is_merged_from_the_case_file(cb):
    from tests.caseui import case_app
    from tests.caseui import settle as case_settle

    right = kit.new_case(cb, title="Nagelstudio Centrum")
    dup = kit.new_case(cb, title="Nagelstudio (dubbel)")
    app = case_app(cb, dup)
    async with app.run_test(size=SIZE) as pilot:
        await case_settle(pilot)
        await pilot.press("M")
        await case_settle(pilot)
        assert type(app.screen).__name__ == "MergeModal"
        await pick_case(pilot, "Centrum")
        await pilot.press("ctrl+s")
        await case_settle(pilot)
        # the case it went into is shown
        assert type(app.screen).__name__ == "CaseScreen"
        assert app.screen.case_id == right
    merged = kit.get_case(cb, dup)
    assert (merged.status, merged.merged_into) == ("CLOSED", "2026-0001")
    app = case_app(cb, dup)  # the duplicate says where it went
    async with app.run_test(size=SIZE) as pilot:
        await case_settle(pilot)
        summary = str(app.screen.query_one("#case-summary").render())
        assert "Samengevoegd met 2026-0001" in summary
    assert len(signals_of(cb, right)) == 2 and signals_of(cb, dup) == []


async def test_a_guardian_and_who_consented_are_recorded_from_the_case_file(cb):
    from tests.caseui import case_app
    from tests.caseui import settle as case_settle

    child = [intake.PersonInput(role="VICTIM", name="Noor", birth_year=2011)]
    case_id = kit.new_case(cb, persons=child)
    app = case_app(cb, case_id)
    async with app.run_test(size=(80, 24)) as pilot:
        await case_settle(pilot)
        await pilot.press("2", "e")  # edit the person
        await case_settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "PersonModal"
        modal.query_one("#person-guardian-relation").value = "GUARDIAN"
        modal.query_one("#person-guardian-name").value = "J. de Voogd"
        await pilot.press("ctrl+s")
        await case_settle(pilot)
        await pilot.press("o")  # consent for the selected person
        await case_settle(pilot)
        modal = app.screen
        assert type(modal).__name__ == "ConsentModal"
        modal.query_one("#consent-purpose").value = "COMENSHA_REG"
        modal.query_one("#consent-method").value = "WRITTEN"
        modal.query_one("#consent-given-by").value = "GUARDIAN"
        await pilot.press("ctrl+s")
        await case_settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        await pilot.press("6")
        await case_settle(pilot)
        from tests.caseui import section_text

        assert "✓ gegeven (voogd)" in section_text(app.screen)
    [person] = kit.persons_of(cb, case_id)
    assert (person.guardian_relation, person.guardian_name) == ("GUARDIAN", "J. de Voogd")
    with cb.read() as s:
        assert s.exec(select(consent.Consent.given_by)).one() == "GUARDIAN"
        assert consent.consent_gaps(s, case_id, "AANMELD_CM_REG", today=kit.TODAY) == []


async def test_a_merge_is_refused_when_the_other_case_changed_after_it_was_picked(cb):
    from casebook.services import contacts
    from tests.caseui import case_app
    from tests.caseui import settle as case_settle
    from tests.uikit import record_notices

    right = kit.new_case(cb, title="Nagelstudio Centrum")
    dup = kit.new_case(cb, title="Nagelstudio (dubbel)")
    app = case_app(cb, dup)
    async with app.run_test(size=SIZE) as pilot:
        notices = record_notices(app)
        await case_settle(pilot)
        await pilot.press("M")
        await case_settle(pilot)
        await pick_case(pilot, "Centrum")
        with cb.write() as s:  # another window logs a contact on the right case
            contacts.log_contact(
                s, right, contacts.ContactInput(channel="PHONE", counterpart_role="POLICE")
            )
        await pilot.press("ctrl+s")
        await case_settle(pilot)
        assert type(app.screen).__name__ == "MergeModal"  # kept, nothing written
        assert any("ander venster" in m and sev == "error" for m, sev in notices)
    assert kit.get_case(cb, dup).merged_into is None
    assert len(signals_of(cb, right)) == 1
