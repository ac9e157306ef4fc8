"""Dates and times: stored in UTC, shown in local time, typed as dd-mm-jjjj or ISO."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, date, datetime, timedelta

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
    return value.astimezone()


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = to_local(value)
    return f"{format_date(local.date())} {local.hour:02d}:{local.minute:02d}"


def local_to_utc(day: date, hour: int = 0, minute: int = 0) -> datetime:
    """A local wall-clock moment as an aware UTC datetime."""
    naive = datetime(day.year, day.month, day.day, hour, minute)
    return naive.astimezone().astimezone(UTC)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def days_between(start: date, end: date) -> int:
    return (end - start).days


def week_ahead(day: date, days: int = 7) -> date:
    return day + timedelta(days=days)
