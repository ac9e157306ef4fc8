"""Dates and times: stored in UTC, shown in local time, typed as dd-mm-jjjj or ISO."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta, timezone

from casebook import clock

_DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


# The clock itself lives in casebook.clock; these names are kept for the many callers.
utcnow = clock.now
today = clock.today
frozen = clock.frozen


def parse_date(text: str) -> date:
    """Parse `dd-mm-jjjj` (also with / or .) or ISO `jjjj-mm-dd`. Raises ValueError."""
    m = _DMY.match(text or "")
    if m:
        day, month, year = (int(g) for g in m.groups())
    else:
        m = _ISO.match(text or "")
        if not m:
            raise ValueError("not a date")
        year, month, day = (int(g) for g in m.groups())
    if not 1900 <= year <= 2999:
        raise ValueError("year out of range")
    return date(year, month, day)


def parse_time(text: str) -> tuple[int, int]:
    m = _TIME.match(text or "")
    if not m:
        raise ValueError("not a time")
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 23 or minute > 59:
        raise ValueError("not a time")
    return hour, minute


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value).date()
    return f"{value.day:02d}-{value.month:02d}-{value.year:04d}"


def to_local(value: datetime) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return _system_local(value)
    except (OSError, OverflowError, ValueError):
        return value.astimezone(_stand_in_zone(value.astimezone(UTC).replace(tzinfo=None)))


# -- the local zone where the C library will not say ------------------------------------
# `datetime.astimezone()` asks the C library (localtime/mktime) for the local offset. On
# Windows that refuses moments before 1970 (OSError: [Errno 22]) and after 3000, for
# dates the officer may rightly type (parse_date takes 1900-2999). There the offset of
# the same moment in a recent year with the same calendar (same weekdays, same leap
# day) stands in: the zone's present rules, which is what Windows applies to every year
# anyway.


def _system_local(value: datetime) -> datetime:
    """`value` (aware) in the system's local zone; raises where the C library refuses."""
    return value.astimezone()


def _system_offset(naive_local: datetime) -> datetime:
    """The naive local wall-clock moment made aware by the system (mktime)."""
    return naive_local.astimezone()


def _stand_in_year(year: int) -> int:
    """A year from 2000 on with the same calendar as `year`: the same weekday on
    1 January and the same leap day (found within 28 years)."""
    weekday, leap = date(year, 1, 1).weekday(), calendar.isleap(year)
    for candidate in range(2000, 2040):
        if date(candidate, 1, 1).weekday() == weekday and calendar.isleap(candidate) == leap:
            return candidate
    return 2001  # not reached: every calendar occurs within 28 years


def _in_stand_in_year(naive: datetime) -> datetime:
    year = _stand_in_year(naive.year)
    try:
        return naive.replace(year=year)
    except ValueError:  # not reached: the stand-in year has the same leap day
        return naive.replace(year=year, day=28)


def _stand_in_zone(naive_utc: datetime) -> timezone:
    """A fixed zone with the offset the system gives the stand-in moment."""
    local = _system_local(_in_stand_in_year(naive_utc).replace(tzinfo=UTC))
    offset = local.utcoffset() or timedelta(0)
    return timezone(offset, local.tzname())


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return f"{format_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def local_to_utc(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A local wall-clock moment as an aware UTC datetime."""
    naive = datetime(day.year, day.month, day.day, hour, minute)
    try:
        return _system_offset(naive).astimezone(UTC)
    except (OSError, OverflowError, ValueError):
        stand_in = _system_offset(_in_stand_in_year(naive))
        offset = stand_in.utcoffset() or timedelta(0)
        return naive.replace(tzinfo=timezone(offset)).astimezone(UTC)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_between(start: date, end: date) -> int:
    return (end - start).days


def week_ahead(day: date, days: int = 7) -> date:
    return day + timedelta(days=days)
