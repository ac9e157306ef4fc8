"""A case's details changed from the case file: title, urgency, sectors and forms of
exploitation, without a new signal or a second triage.

A case has one primary sector (`Case.sector`: the one the statistics count) and may
have others beside it (`CaseSector`, e.g. logistics beside a temp agency). Every change
is one entry in the timeline, old → new.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, select

from casebook.errors import NotFoundError
from casebook.models import Case, CaseSector
from casebook.services.common import Check, change, ensure_open, record, touch_case


def other_sectors(session: Session, case_id: int) -> list[str]:
    """The sectors beside the primary one, in reference-list order."""
    from casebook import refdata

    codes = set(session.exec(select(CaseSector.code).where(CaseSector.case_id == case_id)))
    order = {code: i for i, code in enumerate(refdata.ref("sectors").codes())}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


def set_other_sectors(
    session: Session, case_id: int, codes: list[str], *, primary: str | None
) -> None:
    """Store the sectors beside `primary` (which is never among them), recording the
    change in the timeline."""
    current = other_sectors(session, case_id)
    wanted = [c for c in dict.fromkeys(codes) if c and c != primary]
    if sorted(wanted) == sorted(current):
        return
    for row in session.exec(select(CaseSector).where(CaseSector.case_id == case_id)):
        session.delete(row)
    session.flush()
    for code in wanted:
        session.add(CaseSector(case_id=case_id, code=code))
    session.flush()
    record(
        session,
        case_id,
        "field.changed",
        field="other_sectors",
        old=current,
        new=other_sectors(session, case_id),
    )


@dataclass
class CaseDetailsInput:
    title: str = ""
    urgency: str | None = None
    sector: str | None = None  # the primary sector
    other_sectors: list[str] = field(default_factory=list)
    exploitation_types: list[str] = field(default_factory=list)


def check_details(data: CaseDetailsInput) -> dict:
    check = Check()
    values = {
        "title": check.text("title", data.title, required=True),
        "urgency": check.code("urgency", "urgencies", data.urgency, required=False),
        "sector": check.code("sector", "sectors", data.sector, required=False),
        "other_sectors": check.codes("other_sectors", "sectors", data.other_sectors),
        "exploitation_types": check.codes(
            "exploitation_types", "exploitation_types", data.exploitation_types
        ),
    }
    if values["other_sectors"] and values["sector"] is None:
        # the statistics count the primary one: there must be one to count
        check.fail("sector", "case_details.primary_needed")
    check.done()
    return values


def details_of(session: Session, case_id: int) -> tuple[int, CaseDetailsInput]:
    """The case's version and its details as the form shows them."""
    from casebook.services.triage import exploitation_codes

    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    return case.version, CaseDetailsInput(
        title=case.title,
        urgency=case.urgency,
        sector=case.sector,
        other_sectors=other_sectors(session, case_id),
        exploitation_types=exploitation_codes(session, case_id),
    )


def edit_details(
    session: Session,
    case_id: int,
    data: CaseDetailsInput,
    *,
    expected_version: int | None = None,
) -> Case:
    """Change the case's title, urgency, sectors and exploitation types; each change in
    the timeline. Saved unchanged, nothing is written."""
    from casebook.services.triage import exploitation_codes, set_exploitation_types

    values = check_details(data)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    ensure_open(case)
    if case.triaged_at is not None and not values["exploitation_types"]:
        # triage decided at least one; the case file does not undo that silently
        from casebook.errors import FieldError, ValidationError

        raise ValidationError([FieldError("exploitation_types", "error.required")])
    unchanged = (
        case.title == values["title"]
        and case.urgency == values["urgency"]
        and case.sector == values["sector"]
        and sorted(other_sectors(session, case_id))
        == sorted(c for c in values["other_sectors"] if c != values["sector"])
        and exploitation_codes(session, case_id) == sorted(values["exploitation_types"])
    )
    if unchanged:
        return case
    case = touch_case(session, case_id, expected_version)
    for name in ("title", "urgency", "sector"):
        change(session, case_id, case, name, values[name])
    session.add(case)
    set_other_sectors(session, case_id, values["other_sectors"], primary=values["sector"])
    set_exploitation_types(session, case_id, values["exploitation_types"])
    session.flush()
    return case
