"""Triage: urgency, exploitation types, sector, route and the first steps, in one go."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from casebook.dates import utcnow
from casebook.errors import NotFoundError
from casebook.models import Case, CaseExploitation, Signal
from casebook.services.common import MAX_TEXT, Check, change, ensure_open, record, touch_case
from casebook.services.steps import StepInput, add_step, check_step

# Routes after which nothing needs to be referred: the case goes straight to follow-up.
ROUTES_WITHOUT_REFERRAL = {"ADVICE", "NONE"}


@dataclass
class TriageInput:
    urgency: str = "NORMAL"
    exploitation_types: list[str] = field(default_factory=list)
    sector: str | None = None
    route: str = ""
    route_note: str = ""
    steps: list[StepInput] = field(default_factory=list)


def exploitation_codes(session: Session, case_id: int) -> list[str]:
    rows = session.exec(select(CaseExploitation.code).where(CaseExploitation.case_id == case_id))
    return sorted(rows)


def set_exploitation_types(session: Session, case_id: int, codes: list[str]) -> None:
    current = exploitation_codes(session, case_id)
    if sorted(codes) == current:
        return
    for row in session.exec(select(CaseExploitation).where(CaseExploitation.case_id == case_id)):
        session.delete(row)
    session.flush()
    for code in codes:
        session.add(CaseExploitation(case_id=case_id, code=code))
    record(
        session,
        case_id,
        "field.changed",
        field="exploitation_types",
        old=current,
        new=sorted(codes),
    )


def needs_triage(session: Session, case_id: int) -> bool:
    """Whether the case waits for triage: never triaged, or a signal came in since."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    if case.triaged_at is None:
        return True
    waiting = session.exec(
        select(Signal.id).where(Signal.case_id == case_id, Signal.triaged_at.is_(None)).limit(1)
    ).first()
    return waiting is not None


def triage_case(
    session: Session,
    case_id: int,
    data: TriageInput,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    now = now or utcnow()
    check = Check()
    urgency = check.code("urgency", "urgencies", data.urgency)
    types = check.codes("exploitation_types", "exploitation_types", data.exploitation_types)
    if not types:
        check.fail("exploitation_types", "error.required")
    sector = check.code("sector", "sectors", data.sector, required=False)
    route = check.code("route", "routes", data.route)
    route_note = check.text("route_note", data.route_note, max_len=MAX_TEXT, multiline=True)
    for i, step in enumerate(data.steps):
        sub = Check(prefix=f"steps.{i}.")
        check_step(session, step, sub)
        check.errors.extend(sub.errors)
    check.done()

    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    ensure_open(case)
    case = touch_case(session, case_id, expected_version)
    for name, value in (
        ("urgency", urgency),
        ("sector", sector),
        ("route", route),
        ("route_note", route_note),
    ):
        change(session, case_id, case, name, value)
    from casebook.services.case_details import other_sectors, set_other_sectors

    # the primary sector is never also one of the others beside it
    set_other_sectors(session, case_id, other_sectors(session, case_id), primary=sector)
    set_exploitation_types(session, case_id, types)
    if case.triaged_at is None:
        case.triaged_at = now
    for signal in session.exec(
        select(Signal).where(Signal.case_id == case_id, Signal.triaged_at.is_(None))
    ):
        signal.triaged_at = now
        session.add(signal)
    if case.phase in ("INTAKE", "TRIAGE"):
        target = "FOLLOWUP" if route in ROUTES_WITHOUT_REFERRAL else "REFERRAL"
        change(session, case_id, case, "phase", target)
    if case.status in ("NEW", "REOPENED") or case.status is None:
        change(session, case_id, case, "status", "OPEN")
    session.add(case)
    record(session, case_id, "case.triaged", new=route)
    session.flush()
    for step in data.steps:
        add_step(session, case_id, step)
    return case


def set_phase(session: Session, case_id: int, phase: str, *, expected_version=None) -> Case:
    check = Check()
    phase = check.code("phase", "phases", phase)
    check.done()
    case = touch_case(session, case_id, expected_version)
    ensure_open(case)
    if phase == "CLOSURE":
        from casebook.errors import CasebookError

        raise CasebookError("error.use_close")
    change(session, case_id, case, "phase", phase)
    return case


def set_status(session: Session, case_id: int, status: str, *, expected_version=None) -> Case:
    check = Check()
    status = check.code("status", "statuses", status)
    check.done()
    case = touch_case(session, case_id, expected_version)
    ensure_open(case)
    if status in ("CLOSED", "REOPENED"):
        from casebook.errors import CasebookError

        raise CasebookError("error.use_close")
    change(session, case_id, case, "status", status)
    return case


@dataclass
class CaseEdit:
    title: str = ""
    location: str = ""
    subject_type: str = "PERSON"


def edit_case(session: Session, case_id: int, data: CaseEdit, *, expected_version=None) -> Case:
    check = Check()
    title = check.text("title", data.title, required=True)
    location = check.text("location", data.location, max_len=500)
    subject = check.code("subject_type", "subject_types", data.subject_type)
    check.done()
    case = touch_case(session, case_id, expected_version)
    ensure_open(case)
    for name, value in (("title", title), ("location", location), ("subject_type", subject)):
        change(session, case_id, case, name, value)
    return case
