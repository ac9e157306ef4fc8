"""The one clock: every date and time the core, the screens and the commands use.

Nothing else in casebook reads the machine's clock: "today" for a deadline, the moment
a contact is logged, the name of the day's backup and the age of the newest one all come
from here, so a test (or the demo) that sets the clock moves all of them at once.

The clock is the machine's, unless it is fixed:
- in-process with `frozen(at)` (tests, the demo generator);
- for a whole process with the environment variable `CASEBOOK_NOW` (an ISO moment such
  as `2026-11-28T10:00:00+00:00`, or a date `2026-11-28`, taken as 10:00 local time).
  The test suite sets it so that the commands it starts in subprocesses share its day.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time

ENV_NOW = "CASEBOOK_NOW"

_frozen: datetime | None = None


def _from_environment() -> datetime | None:
    value = os.environ.get(ENV_NOW, "").strip()
    if not value:
        return None
    try:
        if len(value) == 10:
            at = datetime.combine(date.fromisoformat(value), time(10, 0)).astimezone()
        else:
            at = datetime.fromisoformat(value)
    except ValueError:
        return None  # a malformed value is ignored: the machine's clock is the safe one
    if at.tzinfo is None:
        at = at.astimezone()
    return at.astimezone(UTC).replace(microsecond=0)


def now() -> datetime:
    """Now, as an aware UTC datetime to the second (what is stored)."""
    if _frozen is not None:
        return _frozen
    fixed = _from_environment()
    if fixed is not None:
        return fixed
    return datetime.now(UTC).replace(microsecond=0)


def today() -> date:
    """The local calendar date of `now()`."""
    return now().astimezone().date()


def timestamp() -> float:
    """`now()` as POSIX seconds (for file times that must agree with the clock)."""
    return now().timestamp()


@contextmanager
def frozen(at: datetime | date) -> Iterator[datetime]:
    """Run with the clock stopped at `at` (an aware moment, or a date: 10:00 local)."""
    global _frozen
    if isinstance(at, datetime):
        moment = at if at.tzinfo is not None else at.astimezone()
    else:
        moment = datetime.combine(at, time(10, 0)).astimezone()
    previous, _frozen = _frozen, moment.astimezone(UTC).replace(microsecond=0)
    try:
        yield _frozen
    finally:
        _frozen = previous
