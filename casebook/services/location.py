"""A case's location: the address of a location-based case (what it is about), or where
the signal of a person case was seen. Corrected from the signal correction form."""

from __future__ import annotations

from sqlmodel import Session

from casebook.errors import NotFoundError
from casebook.models import Case
from casebook.services.common import Check, change, ensure_open, touch_case


def set_location(
    session: Session, case_id: int, location: str, *, expected_version: int | None = None
) -> Case:
    """Change the case's location (in the timeline). A location-based case keeps one:
    emptying it is refused, as at intake."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    check = Check()
    value = check.text("location", location, max_len=500)
    if case.subject_type == "LOCATION" and not value:
        check.fail("location", "error.required")
    check.done()
    ensure_open(case)
    case = touch_case(session, case_id, expected_version)
    change(session, case_id, case, "location", value)
    session.add(case)
    session.flush()
    return case
