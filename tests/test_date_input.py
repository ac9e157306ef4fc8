"""Dates in a few keys: the core's parser (`casebook.date_input`) against open input,
and the date field that shows what was typed stands for before it is saved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from casebook import i18n
from casebook.date_input import DateInputError, is_written_out, preview, resolve
from casebook.models import Signal
from tests.uikit import SIZE, TODAY, choose, make_app, screen_text, settle, type_text

SATURDAY = TODAY  # 28-11-2026
assert SATURDAY.weekday() == 5


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("+2", date(2026, 11, 30)),
        ("-1", date(2026, 11, 27)),
        ("+2w", date(2026, 12, 12)),
        ("vandaag", TODAY),
        ("Today", TODAY),
        ("morgen", date(2026, 11, 29)),
        ("tomorrow", date(2026, 11, 29)),
        ("gisteren", date(2026, 11, 27)),
        ("yesterday", date(2026, 11, 27)),
        ("overmorgen", date(2026, 11, 30)),
        ("ma", date(2026, 11, 30)),
        ("mon", date(2026, 11, 30)),
        ("Donderdag", date(2026, 12, 3)),
        ("thu", date(2026, 12, 3)),
        ("vr.", date(2026, 12, 4)),
        ("za", date(2026, 12, 5)),  # today is a Saturday: the next one
        ("3-12", date(2026, 12, 3)),
        ("3/12", date(2026, 12, 3)),
        ("3-12-26", date(2026, 12, 3)),
        ("3-12-2026", date(2026, 12, 3)),
        ("03.12.2026", date(2026, 12, 3)),
        ("2026-12-03", date(2026, 12, 3)),
        ("  +2  ", date(2026, 11, 30)),
    ],
)
def test_typed_forms_resolve_from_the_one_clock(typed, expected):
    assert resolve(typed) == expected


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("", "date_input.empty"),
        ("xx", "date_input.not_a_date"),
        ("31-2", "date_input.no_such_day"),
        ("1-13-2026", "date_input.no_such_day"),
        ("1-1-1800", "date_input.bad_year"),
        ("+99999", "date_input.too_far"),
        ("++2", "date_input.not_a_date"),
        ("٣-١٢", "date_input.not_a_date"),  # digits of another script: not guessed at
    ],
)
def test_nonsense_is_refused_with_its_message(typed, key):
    with pytest.raises(DateInputError) as refused:
        resolve(typed)
    assert refused.value.key == key
    assert i18n.has(key)


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=24))
def test_any_text_is_a_shown_date_or_a_message_never_an_exception(typed):
    for language in i18n.LANGUAGES:
        i18n.set_language(language)
        try:
            day, words = preview(typed)
        finally:
            i18n.set_language("nl")
        if not typed.strip():
            assert (day, words) == (None, "")
        elif day is None:
            # refused: a message from the catalogue, never the key itself
            assert words and not words.startswith("date_input.")
        else:
            assert date(1900, 1, 1) <= day <= date(2999, 12, 31)
            assert words.startswith("→ ") and f"{day.day:02d}-{day.month:02d}-{day.year}" in words


@settings(max_examples=200, deadline=None)
@given(st.integers(-3660, 3660), st.sampled_from(["", "d", "D"]))
def test_days_from_today(days, unit):
    typed = f"{days:+d}{unit}"
    assert resolve(typed) == TODAY + timedelta(days=days)


@settings(max_examples=200, deadline=None)
@given(st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.sampled_from("-/."))
def test_written_dates_short_and_long_mean_the_same_day(day, sep):
    assert resolve(f"{day.day}{sep}{day.month}{sep}{day.year}") == day
    assert resolve(f"{day.day}{sep}{day.month}{sep}{day.year % 100:02d}") == day
    if day.year == TODAY.year:
        assert resolve(f"{day.day}{sep}{day.month}") == day


@given(st.sampled_from(["ma", "di", "wo", "do", "vr", "za", "zo", "mon", "sun", "friday"]))
def test_a_weekday_is_the_next_such_day(name):
    day = resolve(name)
    assert 1 <= (day - TODAY).days <= 7


async def test_the_field_shows_the_date_before_saving_and_saves_it(cb):
    app = make_app(cb)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        screen = app.screen
        field = screen.query_one("#received-on")
        field.focus()
        field.value = ""
        await type_text(pilot, "gisteren")
        await settle(pilot)
        assert field.border_subtitle == "→ vr 27-11-2026"
        assert "→ vr 27-11-2026" in screen_text(app)
        # nonsense: said beside the field as the focus leaves it
        field.value = ""
        await type_text(pilot, "morgn")
        await pilot.press("tab")
        await settle(pilot)
        assert "Geen datum: typ bijv." in screen_text(app)
        field.focus()
        field.value = ""
        await type_text(pilot, "-1")
        await settle(pilot)
        assert "Geen datum" not in screen_text(app)
        await choose(pilot, screen.query_one("#channel"), "Telefoon")
        await choose(pilot, screen.query_one("#source-role"), "Burger")
        screen.query_one("#title").focus()
        await type_text(pilot, "Loods")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "TodayScreen"
    with cb.read() as s:
        [signal] = s.exec(select(Signal)).all()
    assert signal.received_on == date(2026, 11, 27)


async def test_english_words_in_the_dutch_interface_and_back(cb):
    i18n.set_language("en")
    try:
        app = make_app(cb)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
            field = app.screen.query_one("#received-on")
            field.focus()
            field.value = ""
            await type_text(pilot, "ma")  # Dutch typed in the English interface
            await settle(pilot)
            assert field.border_subtitle == "→ Mon 30-11-2026"
    finally:
        i18n.set_language("nl")


TYPED = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["+2", "-1", "morgen", "vr", "fri", "3-12", "3-12-26", "31-2", "+2w", "zz"]),
    st.builds(lambda d, m: f"{d}-{m}", st.integers(0, 40), st.integers(0, 14)),
)


@settings(max_examples=300, deadline=None)
@given(TYPED)
def test_what_is_shown_is_what_the_core_saves(typed):
    """The date a field writes in before saving (dd-mm-jjjj) is the one it showed, and
    the core's strict parser reads it back as that day."""
    from casebook.dates import format_date, parse_date

    day, _ = preview(typed)
    if day is not None:
        assert parse_date(format_date(day)) == day


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(TYPED.filter(lambda s: s.strip() and "\x00" not in s))
def test_the_field_shows_a_date_or_a_message_before_saving(cb, typed):
    """Typed into a real form: a date shows what it resolves to before saving, anything
    else is said beside the field when the focus leaves; saving never raises."""
    import asyncio

    async def run() -> None:
        app = make_app(cb)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await pilot.press("ctrl+n")
            await settle(pilot)
            field = app.screen.query_one("#received-on")
            field.focus()
            field.value = typed
            await settle(pilot)
            day, words = preview(typed)
            if day is not None and not is_written_out(typed):
                assert field.border_subtitle == words
            await pilot.press("tab")
            await settle(pilot)
            box = app.screen.query_one("#field-received-on")
            assert box.has_class("-invalid") == (day is None)
            await pilot.press("ctrl+s")
            await settle(pilot)
            if day is None:  # refused beside the field, the text kept as typed
                assert app.screen.query_one("#received-on").value == typed
                assert box.has_class("-invalid")

    asyncio.run(run())
