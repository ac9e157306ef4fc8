"""Minors: whether a case concerns a (possible) victim under 18, from the recorded age
or birth year, and whether that agrees with the minor indicator of its signals.

The age is reckoned on the one clock's today: from the birth year (this year minus
it), or else from the age recorded at the signal plus the years since the case was
opened. Only persons in the role of (possible) victim count, and never an erased one.
The same rule is written once more as SQL (`minor_sql`), for Today and the case list,
which read many cases in one statement; a test holds the two to the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from casebook.dates import today as local_today

MINOR_AGE = 18
MINOR_INDICATOR = "MIN_U18"
VICTIM = "VICTIM"


def age_on(person, opened_on: date | None, today: date) -> int | None:
    """The person's age in years on `today` (by calendar year), or None if unknown."""
    if person.birth_year:
        return today.year - person.birth_year
    if person.age is not None:
        return person.age + (today.year - opened_on.year if opened_on else 0)
    return None


def age_at_signal(person, opened_on: date | None) -> int | None:
    """The age when the case was opened (what the minor indicator speaks of)."""
    if person.birth_year and opened_on:
        return opened_on.year - person.birth_year
    return person.age


def is_minor(person, opened_on: date | None, today: date | None = None) -> bool:
    if person.role != VICTIM or getattr(person, "erased", False):
        return False
    age = age_on(person, opened_on, today or local_today())
    return age is not None and 0 <= age < MINOR_AGE


def case_is_minor(persons, opened_on: date | None, today: date | None = None) -> bool:
    today = today or local_today()
    return any(is_minor(p, opened_on, today) for p in persons)


@dataclass(frozen=True)
class MinorCheck:
    """What the case file and triage say about minority."""

    minor: bool  # a victim under 18 today
    mismatch: str | None  # None, "not_ticked" or "not_minor"


def check_case(
    persons, indicators: dict[int, list[str]] | list[str], opened_on: date | None, today=None
) -> MinorCheck:
    """Whether a victim is a minor, and whether the minor indicator says otherwise:
    `not_ticked` when a victim was under 18 at the signal but no signal has the
    indicator; `not_minor` when the indicator is ticked but every victim whose age is
    known was 18 or older at the signal."""
    today = today or local_today()
    if isinstance(indicators, dict):
        codes = {c for codes in indicators.values() for c in codes}
    else:
        codes = set(indicators)
    ticked = MINOR_INDICATOR in codes
    victims = [p for p in persons if p.role == VICTIM and not getattr(p, "erased", False)]
    ages = [a for a in (age_at_signal(p, opened_on) for p in victims) if a is not None]
    mismatch = None
    if any(a < MINOR_AGE for a in ages) and not ticked:
        mismatch = "not_ticked"
    elif ticked and ages and all(a >= MINOR_AGE for a in ages):
        mismatch = "not_minor"
    return MinorCheck(case_is_minor(victims, opened_on, today), mismatch)


def minor_sql(year: int, case_table: str = "case_file") -> str:
    """An SQL condition, true when the case in `case_table` has a victim under 18 in
    `year` (the rule of `is_minor`). The year is an integer written into the text."""
    year = int(year)
    return (
        "EXISTS (SELECT 1 FROM person mp WHERE mp.case_id = "
        f"{case_table}.id AND mp.role = '{VICTIM}' AND mp.erased = 0 AND"
        f" (CASE WHEN mp.birth_year IS NOT NULL THEN {year} - mp.birth_year"
        f" WHEN mp.age IS NOT NULL THEN mp.age + {year}"
        f" - CAST(substr({case_table}.opened_on, 1, 4) AS INTEGER) END)"
        f" BETWEEN 0 AND {MINOR_AGE - 1})"
    )


def minor_condition(year: int):
    """`minor_sql` as a SQLAlchemy expression on `Case`, for the case list."""
    from sqlalchemy import Integer, and_, case, cast, exists, func

    from casebook.models import Case, Person

    age = case(
        (Person.birth_year.is_not(None), year - Person.birth_year),
        (
            Person.age.is_not(None),
            Person.age + year - cast(func.substr(Case.opened_on, 1, 4), Integer),
        ),
        else_=None,
    )
    return exists().where(
        and_(
            Person.case_id == Case.id,
            Person.role == VICTIM,
            Person.erased.is_(False),
            age.between(0, MINOR_AGE - 1),
        )
    )
