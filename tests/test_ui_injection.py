"""Whatever the officer typed is shown exactly as typed: markup, a terminal escape,
emoji and right-to-left text go into every text field of intake, are stored as
entered, and show literally on Today, in Cases and in the case screen — no markup
applied, no escape executed, no error."""

from __future__ import annotations

from sqlmodel import select

from casebook.models import Case, Person, Signal
from casebook.text import printable
from tests.uikit import (
    SIZE,
    make_app,
    palette_answered,
    paste,
    screen_text,
    settle,
    table_rows,
)

NASTY = "[bold]vet[/] [link=x]klik\x1b[31mrood 🚨 مرحبا بالعالم"
SHOWN = printable(NASTY)  # the escape shows as ␛, never reaches the terminal

TEXT_FIELDS = (
    "#reporter-contact",
    "#title",
    "#location",
    "#observed",
    "#p1-name",
    "#p1-contact",
)


async def record_nasty_signal(pilot) -> None:
    app = pilot.app
    await settle(pilot)
    await pilot.press("ctrl+n")
    await settle(pilot)
    screen = app.screen
    await pilot.press("ctrl+o")
    await settle(pilot)
    screen.query_one("#channel").value = "FORM"
    screen.query_one("#source-role").value = "BURGER"
    for selector in TEXT_FIELDS:
        await paste(pilot, screen.query_one(selector), NASTY)
    await paste(pilot, screen.query_one("#attach-search"), NASTY)
    await settle(pilot)
    screen.query_one("#attach-search").value = ""
    await pilot.press("ctrl+s")
    await settle(pilot)
    assert type(app.screen).__name__ == "TodayScreen"


async def test_typed_markup_is_stored_and_shown_literally(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await record_nasty_signal(pilot)
        # Today
        rows = table_rows(app.screen.query_one("#table-untriaged"))
        assert len(rows) == 1
        assert SHOWN.startswith(rows[0][2].rstrip("…"))
        text = screen_text(app)
        assert "[bold]vet[/] [link=x]" in text
        assert "\x1b" not in text
        # Cases
        await pilot.press("f3")
        await settle(pilot)
        cases = table_rows(app.screen.query_one("#cases"))
        assert SHOWN.startswith(cases[0][1].rstrip("…"))
        assert "[bold]vet[/]" in screen_text(app)
    with cb.read() as s:
        case = s.exec(select(Case)).one()
        signal = s.exec(select(Signal)).one()
        person = s.exec(select(Person)).one()
    assert case.title == case.location == NASTY
    assert signal.observed == signal.reporter_contact == NASTY
    assert person.name == person.contact == NASTY


async def test_markup_in_the_palette_and_the_similar_warning_is_literal(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await record_nasty_signal(pilot)
        # a second signal naming the same person: the warning quotes the title literally
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        await pilot.press("ctrl+o")
        await settle(pilot)
        screen.query_one("#channel").value = "FORM"
        screen.query_one("#source-role").value = "BURGER"
        screen.query_one("#title").value = "Nog een"
        await paste(pilot, screen.query_one("#p1-name"), NASTY)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "DuplicateModal"
        assert "[bold]vet[/]" in screen_text(app)
        await pilot.press("escape", "escape", "y")  # not now; leave the form; discard
        await settle(pilot)
        # the palette lists the case with its title as typed
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"vet")
        await palette_answered(pilot)
        await settle(pilot)
        assert "[bold]vet[/]" in screen_text(app)


async def test_the_case_screen_shows_it_literally(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await record_nasty_signal(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "CaseScreen"
        text = screen_text(app)
        assert "[bold]vet[/]" in text
        assert "\x1b" not in text
