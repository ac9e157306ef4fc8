"""Dates typed in a few keys, in Dutch or English whatever the interface language.

`resolve(text)` turns what the officer typed into a date, relative to the one clock
(`casebook.clock.today()`):

- a full date: `3-12-2026`, `03/12/2026`, `3.12.2026`, ISO `2026-12-03`;
- a short one: `3-12` (this year), `3-12-26` (2026);
- days from today: `+2`, `-1`, and weeks: `+2w`;
- words: `vandaag`/`today`, `morgen`/`tomorrow`, `overmorgen`, `gisteren`/`yesterday`;
- a weekday, in full or short (`ma`/`maandag`/`mon`/`monday`...): the next such day,
  never today itself (on a Thursday, `do` is next week's Thursday).

Anything else is refused with `DateInputError`, whose `key` names the catalogue message
to show beside the field: a typed date never raises anything else. `preview(text)` is
what the field shows before saving: "→ do 03-12-2026", or that message.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from casebook import clock
from casebook.dates import format_date

FIRST_YEAR, LAST_YEAR = 1900, 2999  # as casebook.dates.parse_date
MAX_OFFSET_DAYS = 3660  # `+N`: about ten years either way

_FULL = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$", re.ASCII)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_SHORT_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{2})$", re.ASCII)
_NO_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{1,2})$", re.ASCII)
_OFFSET = re.compile(r"^([+-])\s*(\d{1,5})\s*([dDwW]?)$", re.ASCII)

_WORDS = {
    "vandaag": 0,
    "today": 0,
    "nu": 0,
    "morgen": 1,
    "tomorrow": 1,
    "overmorgen": 2,
    "gisteren": -1,
    "yesterday": -1,
}

# Monday is 0, as date.weekday().
_WEEKDAYS = {
    **{name: n for n, name in enumerate(("ma", "di", "wo", "do", "vr", "za", "zo"))},
    **{
        name: n
        for n, name in enumerate(
            ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
        )
    },
    **{name: n for n, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
    **{
        name: n
        for n, name in enumerate(
            ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
        )
    },
    # the other usual English short forms
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}


class DateInputError(ValueError):
    """What was typed is no date; `key` is the catalogue message that says why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def resolve(text: str, today: date | None = None) -> date:
    """The date `text` stands for (see the module's text); raises `DateInputError`."""
    if not isinstance(text, str):
        raise DateInputError("date_input.not_a_date")
    typed = text.strip().casefold().rstrip(".")
    if not typed:
        raise DateInputError("date_input.empty")
    base = today or clock.today()
    if typed in _WORDS:
        return _shifted(base, _WORDS[typed])
    if typed in _WEEKDAYS:
        ahead = (_WEEKDAYS[typed] - base.weekday()) % 7 or 7
        return _shifted(base, ahead)
    match = _OFFSET.match(typed)
    if match:
        sign, number, unit = match.groups()
        days = int(number) * (7 if unit.lower() == "w" else 1)
        if days > MAX_OFFSET_DAYS:
            raise DateInputError("date_input.too_far")
        return _shifted(base, days if sign == "+" else -days)
    for pattern, order in (
        (_FULL, "dmy"),
        (_ISO, "ymd"),
        (_SHORT_YEAR, "dmy"),
        (_NO_YEAR, "dm"),
    ):
        match = pattern.match(typed)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            year = parts.get("y", base.year)
            if pattern is _SHORT_YEAR:
                year += 2000
            return _day(year, parts["m"], parts["d"])
    raise DateInputError("date_input.not_a_date")


def _shifted(base: date, days: int) -> date:
    try:
        day = base + timedelta(days=days)
    except OverflowError:
        raise DateInputError("date_input.too_far") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise DateInputError("date_input.too_far")
    return day


def _day(year: int, month: int, day: int) -> date:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateInputError("date_input.bad_year")
    try:
        return date(year, month, day)
    except ValueError:
        raise DateInputError("date_input.no_such_day") from None


def is_written_out(text: str) -> bool:
    """Whether `text` is already a full dd-mm-jjjj date (nothing to resolve)."""
    return bool(_FULL.match(text.strip()))


def shown(day: date) -> str:
    """A resolved date as the field shows it: weekday and dd-mm-jjjj ("do 03-12-2026")."""
    from casebook.i18n import t

    return t(
        "date_input.resolved",
        weekday=t(f"date_input.weekday.{day.weekday()}"),
        date=format_date(day),
    )


def preview(text: str, today: date | None = None) -> tuple[date | None, str]:
    """What a date field shows beside itself for `text`: the resolved date (and its
    words), or None and the message saying why it is none. Empty text shows nothing."""
    from casebook.i18n import t

    if not text.strip():
        return None, ""
    try:
        day = resolve(text, today)
    except DateInputError as error:
        return None, t(error.key)
    return day, shown(day)
