"""The partner directory (F7) and the trainings register (F8), by keyboard."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from casebook.models import Organisation, Training
from screens.directory_screen import DirectoryScreen
from screens.trainings_screen import TrainingsScreen
from tests.caseui import ScreenApp, choose, settle, type_text
from tests.uikit import burst, table_rows, wait_until


def directory_app(cb) -> ScreenApp:
    return ScreenApp(cb, DirectoryScreen)


async def test_directory_search_and_edit(cb):
    app = directory_app(cb)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#directory-table")
        everything = table.row_count
        assert everything > 10  # seeded from data/
        await pilot.press("slash")
        await type_text(pilot, "CoMensha")
        await settle(pilot)
        assert 0 < table.row_count < everything
        await pilot.press("enter")  # from the search to the list
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("tab", "tab", "tab")  # name, kind, region → phone
        await type_text(pilot, "088-0000000")
        await pilot.press("tab")
        await type_text(pilot, "geen-adres")  # not an e-mail address: refused inline
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.query_one("#field-email").has_class("-invalid")
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "helpdesk@example.org")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DirectoryScreen)
    with cb.read() as s:
        org = s.exec(select(Organisation).where(Organisation.code == "COMENSHA")).one()
    assert (org.phone, org.email) == ("088-0000000", "helpdesk@example.org")
    assert org.version == 2


async def test_directory_search_typed_in_one_burst(cb):
    """`/nederland` typed at once: every letter lands in the search (its `n` and `e`
    open neither "new" nor "edit"); Enter and `e` then act on the list."""
    app = directory_app(cb)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#directory-table")
        burst(app, "slash", *"nederland")
        await settle(pilot)
        assert isinstance(app.screen, DirectoryScreen)
        assert app.screen.query_one("#directory-search").value == "nederland"
        names = [row[0] for row in table_rows(table)]
        assert names and all("nederland" in name.casefold() for name in names)
        await pilot.press("escape")  # empties the search, which keeps the focus
        await settle(pilot)
        assert app.screen.query_one("#directory-search").value == ""
        # Enter and `e` typed before the list shows the result wait for it: `e` edits
        # the first organisation found, not the first of the whole list
        burst(app, *"nederland", "enter", "e")
        assert await wait_until(pilot, lambda: type(app.screen).__name__ == "OrganisationModal")
        assert "nederland" in app.screen.query_one("#field-name Input").value.casefold()
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.query_one("#directory-search").value == "nederland"


async def test_directory_add_then_pick_it_for_a_step(cb):
    app = directory_app(cb)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await type_text(pilot, "Stichting [Voorbeeld]")
        await pilot.press("tab")
        await choose(pilot, "Opvang")
        await pilot.press("tab")
        await type_text(pilot, "Regio Zuid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "Voorbeeld")
        await settle(pilot)
        table = app.screen.query_one("#directory-table")
        assert table.row_count == 1
        assert str(table.get_row_at(0)[0]) == "Stichting [Voorbeeld]"
    with cb.read() as s:
        org = s.exec(select(Organisation).where(Organisation.name == "Stichting [Voorbeeld]")).one()
    assert (org.kind, org.region, org.active) == ("shelter", "Regio Zuid", True)


async def test_training_entered_and_edited(cb):
    app = ScreenApp(cb, TrainingsScreen)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "12-11-2026")
        await pilot.press("tab")
        await type_text(pilot, "Team Handhaving")
        await pilot.press("tab")
        await type_text(pilot, "veel")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # a number is needed: refused beside the field, the rest kept
        modal = app.screen
        assert modal.query_one("#field-participants").has_class("-invalid")
        assert modal.query_one("#training-audience").value == "Team Handhaving"
        await pilot.press("end", "ctrl+u")
        await type_text(pilot, "14")
        await pilot.press("tab")
        await type_text(pilot, "CCV")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, TrainingsScreen)
        assert app.screen.query_one("#trainings-table").row_count == 1
        # edit: one more participant
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("tab", "tab", "end", "ctrl+u")
        await type_text(pilot, "15")
        await pilot.press("ctrl+s")
        await settle(pilot)
    with cb.read() as s:
        training = s.exec(select(Training)).one()
    assert (training.held_on, training.audience, training.participants, training.provider) == (
        date(2026, 11, 12),
        "Team Handhaving",
        15,
        "CCV",
    )
