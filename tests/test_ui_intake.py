"""Intake, pressing keys as the officer does: a person-based and a location-based
signal end up in the database as entered; refusals show beside their fields and keep
the input; a resembling open case is named before saving; Escape asks first."""

from __future__ import annotations

from sqlmodel import select

from casebook.models import Case, Person, Signal, SignalIndicator
from screens.widgets.forms import FormField
from tests import servicekit as kit
from tests.uikit import SIZE, TODAY, choose, make_app, settle, settle_search, type_text


def all_cases(cb) -> list[Case]:
    with cb.read() as s:
        return list(s.exec(select(Case).order_by(Case.id)))


async def open_intake(pilot):
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    assert type(pilot.app.screen).__name__ == "IntakeScreen"
    return pilot.app.screen


async def test_person_based_signal_is_recorded_as_entered(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        # the received date is today by default; the channel has focus
        assert screen.query_one("#received-on").value == "28-11-2026"
        assert app.focused is screen.query_one("#channel")
        await choose(pilot, screen.query_one("#channel"), "Telefoon")
        await choose(pilot, screen.query_one("#source-role"), "Sociaal wijkteam")
        screen.query_one("#reporter-contact").focus()
        await type_text(pilot, "06-12345678")
        screen.query_one("#title").focus()
        await type_text(pilot, "Jonge vrouw bij nagelstudio")
        screen.query_one("#observed").focus()
        await type_text(pilot, "Werkt 12 uur per dag")
        await pilot.press("enter")
        await type_text(pilot, "Geen paspoort")
        # indicators: tick the first two of the general group with space
        general = screen.query_one("#indicators-gen")
        general.focus()
        await pilot.press("space", "down", "space")
        # one person
        await pilot.press("ctrl+o")
        await settle(pilot)
        await choose(pilot, screen.query_one("#p1-gender"), "Vrouw")
        await choose(pilot, screen.query_one("#p1-nationality"), "Roeme")
        screen.query_one("#p1-age").focus()
        await type_text(pilot, "19")
        screen.query_one("#p1-name").focus()
        await type_text(pilot, "Ana")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    [case] = all_cases(cb)
    assert (case.reference, case.subject_type, case.title, case.phase, case.status) == (
        "2026-0001",
        "PERSON",
        "Jonge vrouw bij nagelstudio",
        "INTAKE",
        "NEW",
    )
    with cb.read() as s:
        [signal] = s.exec(select(Signal)).all()
        codes = s.exec(select(SignalIndicator.code)).all()
        [person] = s.exec(select(Person)).all()
    assert (signal.received_on, signal.channel, signal.source_role) == (TODAY, "PHONE", "GEM_WIJK")
    assert signal.reporter_contact == "06-12345678" and not signal.reporter_anonymous
    assert signal.observed == "Werkt 12 uur per dag\nGeen paspoort"
    assert sorted(codes) == ["GEN_DEBT", "GEN_ID"]
    assert (person.role, person.gender, person.nationality, person.age, person.name) == (
        "VICTIM",
        "FEMALE",
        "RO",
        19,
        "Ana",
    )


async def test_location_based_signal_is_recorded_as_entered(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        screen.query_one("#received-on").focus()
        screen.query_one("#received-on").value = ""
        await type_text(pilot, "20-11-2026")
        await choose(pilot, screen.query_one("#channel"), "E-mail")
        await choose(pilot, screen.query_one("#source-role"), "Burger")
        screen.query_one("#anonymous").focus()
        await pilot.press("space")
        await choose(pilot, screen.query_one("#subject-type"), "Locatie")
        screen.query_one("#title").focus()
        await type_text(pilot, "Kas met slaapplekken")
        screen.query_one("#location").focus()
        await type_text(pilot, "Tuinbouwweg 3")
        screen.query_one("#indicators-lab").focus()
        await pilot.press("space")
        await pilot.press("f10")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    [case] = all_cases(cb)
    assert (case.subject_type, case.title, case.location, case.opened_on.isoformat()) == (
        "LOCATION",
        "Kas met slaapplekken",
        "Tuinbouwweg 3",
        "2026-11-20",
    )
    with cb.read() as s:
        [signal] = s.exec(select(Signal)).all()
        assert s.exec(select(Person)).all() == []
        assert len(s.exec(select(SignalIndicator)).all()) == 1
    assert (signal.channel, signal.source_role, signal.reporter_anonymous) == (
        "EMAIL",
        "BURGER",
        True,
    )


async def test_refusal_shows_beside_each_field_and_keeps_the_input(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        screen.query_one("#received-on").value = "31-13-2026"
        screen.query_one("#reporter-contact").focus()
        await type_text(pilot, "melder@example.org")
        screen.query_one("#anonymous").value = True
        await pilot.press("ctrl+o")
        await settle(pilot)
        screen.query_one("#p1-birth_year").focus()
        await type_text(pilot, "1850")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen

        def invalid(name):
            return screen.query_one(f"#field-{name}", FormField).has_class("-invalid")

        for name in ("received-on", "channel", "source-role", "title", "reporter-contact"):
            assert invalid(name), name
        assert invalid("persons-1-birth-year")
        assert not invalid("observed")
        # nothing typed is lost, nothing was written
        assert screen.query_one("#reporter-contact").value == "melder@example.org"
        assert screen.query_one("#p1-birth_year").value == "1850"
        assert all_cases(cb) == []


async def test_date_is_checked_when_leaving_the_field(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        date_input = screen.query_one("#received-on")
        date_input.focus()
        date_input.value = "30-02-2026"
        await pilot.press("tab")
        await pilot.pause()
        assert screen.query_one("#field-received-on").has_class("-invalid")


async def test_removing_a_person_row_keeps_the_others(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        for _ in range(3):
            await pilot.press("ctrl+o")
            await settle(pilot)
        for n, name in ((1, "Een"), (2, "Twee"), (3, "Drie")):
            screen.query_one(f"#p{n}-name").value = name
        screen.query_one("#remove-2").focus()
        await pilot.press("enter")
        await settle(pilot)
        names = [row.value().name for row in screen.person_rows()]
        assert names == ["Een", "Drie"]


async def test_resembling_open_case_is_named_before_saving(cb):
    kit.new_case(cb)  # an open case with "Ana Voorbeeld"
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        screen.query_one("#channel").value = "PHONE"
        screen.query_one("#source-role").value = "POL"
        screen.query_one("#title").value = "Tweede melding"
        await pilot.press("ctrl+o")
        await settle(pilot)
        screen.query_one("#p1-name").value = "ana voorbeeld"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicateModal"
        assert "2026-0001" in str(app.screen.query_one("OptionList").get_option_at_index(0).prompt)
        await pilot.press("escape")  # not now: back to the form, nothing saved
        await settle(pilot)
        assert app.screen is screen
        assert len(all_cases(cb)) == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("down", "enter")  # "new case", the choice after the case
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    assert [c.title for c in all_cases(cb)] == ["Signaal over een woning", "Tweede melding"]


async def test_signal_added_to_an_existing_case_found_by_reference(cb):
    case_id = kit.new_case(cb)
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        screen.query_one("#attach-search").focus()
        await type_text(pilot, "2026-0001")
        await settle_search(pilot)
        await pilot.press("enter")  # to the results
        await pilot.press("enter")  # pick the first
        await settle(pilot)
        assert screen.case_id == case_id
        assert not screen.query_one("#new-case-fields").display
        screen.query_one("#channel").value = "EMAIL"
        screen.query_one("#source-role").value = "NLA"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    assert len(all_cases(cb)) == 1
    with cb.read() as s:
        channels = s.exec(select(Signal.channel).where(Signal.case_id == case_id)).all()
    assert sorted(channels) == ["EMAIL", "PHONE"]


async def test_escape_with_unsaved_input_asks_first(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_intake(pilot)
        screen.query_one("#title").focus()
        await type_text(pilot, "Half ingevuld")
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen
        assert screen.query_one("#title").value == "Half ingevuld"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    assert all_cases(cb) == []


async def test_escape_on_an_untouched_form_just_goes_back(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await open_intake(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
