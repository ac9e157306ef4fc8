"""Intake: record a signal, as a new case or onto an existing one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from casebook.dates import today as local_today
from casebook.errors import NotFoundError
from casebook.models import Case, Person, Signal, SignalIndicator
from casebook.services.common import (
    MAX_TEXT,
    Check,
    change,
    ensure_open,
    record,
    touch_case,
)


@dataclass
class PersonInput:
    role: str = "VICTIM"
    gender: str = "UNKNOWN"
    birth_year: int | str | None = None
    age: int | str | None = None
    nationality: str = "XX"
    name: str = ""
    contact: str = ""
    address: str = ""
    notes: str = ""
    # who signs for the person: a `consent_givers` code other than PERSON, and a name
    guardian_relation: str | None = None
    guardian_name: str = ""


@dataclass
class SignalInput:
    received_on: date | str | None = None
    channel: str = ""
    source_role: str = ""
    reporter_anonymous: bool = False
    reporter_contact: str = ""
    observed: str = ""
    indicators: list[str] = field(default_factory=list)
    # for a new case
    subject_type: str = "PERSON"
    title: str = ""
    location: str = ""
    persons: list[PersonInput] = field(default_factory=list)


def check_person(check: Check, p: PersonInput, *, today: date) -> dict:
    """Validate one person; returns the cleaned column values."""
    values = {
        "role": check.code("role", "person_roles", p.role),
        "gender": check.code("gender", "genders", p.gender or "UNKNOWN"),
        "birth_year": check.integer("birth_year", p.birth_year, low=1900, high=today.year),
        "age": check.integer("age", p.age, low=0, high=120),
        "nationality": check.code("nationality", "countries", p.nationality or "XX"),
        "name": check.text("name", p.name),
        "contact": check.text("contact", p.contact, max_len=500),
        "address": check.text("address", p.address, max_len=500),
        "notes": check.text("notes", p.notes, max_len=MAX_TEXT, multiline=True),
        "guardian_relation": check.code(
            "guardian_relation", "consent_givers", p.guardian_relation, required=False
        ),
        "guardian_name": check.text("guardian_name", p.guardian_name),
    }
    if values["guardian_relation"] == "PERSON":
        check.fail("guardian_relation", "error.unknown_code", code="PERSON")
        values["guardian_relation"] = None
    return values


def check_signal(
    data: SignalInput, *, new_case: bool, today: date
) -> tuple[dict, dict, list[dict], list[str]]:
    check = Check()
    received = check.date("received_on", data.received_on or today)
    if received and received > today:
        check.fail("received_on", "error.future_date")
    signal = {
        "received_on": received,
        "channel": check.code("channel", "signal_channels", data.channel),
        "source_role": check.code("source_role", "source_roles", data.source_role),
        "reporter_anonymous": bool(data.reporter_anonymous),
        "reporter_contact": check.text("reporter_contact", data.reporter_contact, max_len=500),
        "observed": check.text("observed", data.observed, max_len=MAX_TEXT, multiline=True),
    }
    if signal["reporter_anonymous"] and signal["reporter_contact"]:
        check.fail("reporter_contact", "error.anonymous_contact")
    indicators = check.codes("indicators", "indicators", data.indicators)
    case = {}
    if new_case:
        case = {
            "subject_type": check.code("subject_type", "subject_types", data.subject_type),
            "title": check.text("title", data.title, required=True),
            "location": check.text("location", data.location, max_len=500),
        }
        if case["subject_type"] == "LOCATION" and not case["location"]:
            check.fail("location", "error.required")
    persons = []
    for i, p in enumerate(data.persons):
        sub = Check(prefix=f"persons.{i}.")
        persons.append(check_person(sub, p, today=today))
        check.errors.extend(sub.errors)
    check.done()
    return signal, case, persons, indicators


def next_reference(session: Session, year: int) -> tuple[str, int]:
    current = session.exec(select(func.max(Case.ref_seq)).where(Case.ref_year == year)).one()
    seq = (current or 0) + 1
    return f"{year}-{seq:04d}", seq


def record_signal(
    session: Session,
    data: SignalInput,
    *,
    case_id: int | None = None,
    today: date | None = None,
) -> tuple[Case, Signal]:
    """Record a signal. Without `case_id` a new case is opened (phase intake, status new)."""
    today = today or local_today()
    signal_values, case_values, persons, indicators = check_signal(
        data, new_case=case_id is None, today=today
    )
    if case_id is None:
        year = signal_values["received_on"].year
        reference, seq = next_reference(session, year)
        case = Case(
            reference=reference,
            ref_year=year,
            ref_seq=seq,
            phase="INTAKE",
            status="NEW",
            opened_on=signal_values["received_on"],
            **case_values,
        )
        session.add(case)
        session.flush()
        record(session, case.id, "case.opened", new=case.reference)
    else:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFoundError("case")
        ensure_open(case)
        case = touch_case(session, case_id)
    signal = Signal(case_id=case.id, **signal_values)
    session.add(signal)
    session.flush()
    for code in indicators:
        session.add(SignalIndicator(signal_id=signal.id, code=code))
    record(session, case.id, "signal.added", entity="signal", entity_id=signal.id)
    for values in persons:
        person = Person(case_id=case.id, **values)
        session.add(person)
        session.flush()
        record(
            session, case.id, "person.added", entity="person", entity_id=person.id, new=person.role
        )
    session.flush()
    return case, signal


def edit_signal(
    session: Session,
    signal_id: int,
    data: SignalInput,
    *,
    expected_case_version: int | None = None,
    today: date | None = None,
) -> Signal:
    """Correct a recorded signal: its date, channel, source, reporter, what was observed
    and its indicators (its case and persons are changed elsewhere). Each changed field
    goes into the timeline. Signals have no version of their own: `expected_case_version`
    refuses the correction when the case changed in another window since it was read."""
    today = today or local_today()
    signal = session.get(Signal, signal_id)
    if signal is None:
        raise NotFoundError("signal")
    fields = SignalInput(
        received_on=data.received_on,
        channel=data.channel,
        source_role=data.source_role,
        reporter_anonymous=data.reporter_anonymous,
        reporter_contact=data.reporter_contact,
        observed=data.observed,
        indicators=data.indicators,
    )
    values, _, _, indicators = check_signal(fields, new_case=False, today=today)
    old = sorted(
        session.exec(select(SignalIndicator.code).where(SignalIndicator.signal_id == signal_id))
    )
    new = sorted(set(indicators))
    if old == new and all(getattr(signal, name) == value for name, value in values.items()):
        return signal  # saved unchanged: nothing to write
    case_id = signal.case_id
    ensure_open(session.get(Case, case_id))
    touch_case(session, case_id, expected_case_version)
    for name, value in values.items():
        change(session, case_id, signal, name, value, entity="signal")
    session.add(signal)
    if old != new:
        for code in set(old) - set(new):
            session.delete(session.get(SignalIndicator, (signal_id, code)))
        for code in set(new) - set(old):
            session.add(SignalIndicator(signal_id=signal_id, code=code))
        record(
            session,
            case_id,
            "field.changed",
            entity="signal",
            entity_id=signal_id,
            field="indicators",
            old=old,
            new=new,
        )
    session.flush()
    return signal


@dataclass
class SimilarCase:
    case_id: int
    reference: str
    title: str
    reason: str  # "person" or "location"
    closed: bool = False  # a closed case: the signal goes in after reopening it
    version: int | None = None


def find_similar(
    session: Session, *, names: list[str] = (), location: str = "", limit: int = 5
) -> list[SimilarCase]:
    """Cases whose persons or location resemble what is being entered: open cases
    first, then closed ones (a person seen again after her case was closed). A case
    merged into another is left out: what it held is in the other case now."""
    from casebook.db import FOLD_FUNCTION

    fold = getattr(func, FOLD_FUNCTION)  # case-blind beyond ASCII, unlike SQL lower()
    found: dict[int, SimilarCase] = {}
    columns = (Case.id, Case.reference, Case.title, Case.status == "CLOSED", Case.version)
    closed_last = (Case.status == "CLOSED", Case.closed_on.desc(), Case.id.desc())
    wanted = [n.strip().casefold() for n in names if n and len(n.strip()) >= 3]
    if wanted:
        stmt = (
            select(*columns)
            .join(Person, Person.case_id == Case.id)
            .where(Case.merged_into.is_(None))
            .where(or_(*[fold(Person.name) == n for n in wanted]))
            .order_by(*closed_last)
            .limit(limit * 2)
        )
        for cid, ref, title, closed, version in session.exec(stmt):
            found.setdefault(cid, SimilarCase(cid, ref, title, "person", bool(closed), version))
    loc = location.strip().casefold()
    if len(loc) >= 4:
        stmt = (
            select(*columns)
            .where(Case.merged_into.is_(None))
            .where(fold(Case.location).contains(loc, autoescape=True))
            .order_by(*closed_last)
            .limit(limit * 2)
        )
        for cid, ref, title, closed, version in session.exec(stmt):
            found.setdefault(cid, SimilarCase(cid, ref, title, "location", bool(closed), version))
    ordered = sorted(found.values(), key=lambda c: c.closed)  # stable: open ones first
    return ordered[:limit]


def attach_signal(
    session: Session,
    data: SignalInput,
    case_id: int,
    *,
    reopen_reason: str | None = None,
    expected_version: int | None = None,
    today: date | None = None,
) -> tuple[Case, Signal, int]:
    """Record the signal onto a case the duplicate question named (instead of a new
    case). A closed case is reopened first, with `reopen_reason`, in the same
    transaction (`closure.reopen_case`); without a reason a closed case is refused.
    Persons whose name is already in that case are not added a second time. Returns
    the case, the signal and how many persons were left out as already there."""
    from casebook.db import FOLD_FUNCTION
    from casebook.services.closure import reopen_case

    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    if case.status == "CLOSED" and reopen_reason is not None:
        reopen_case(session, case_id, reason=reopen_reason, expected_version=expected_version)
    elif expected_version is not None:
        touch_case(session, case_id, expected_version)
    fold = getattr(func, FOLD_FUNCTION)
    known = set(
        session.exec(select(fold(Person.name)).where(Person.case_id == case_id, Person.name != ""))
    )
    persons = [
        p for p in data.persons if not (p.name.strip() and p.name.strip().casefold() in known)
    ]
    skipped = len(data.persons) - len(persons)
    fields = SignalInput(**{**data.__dict__, "persons": persons})
    case, signal = record_signal(session, fields, case_id=case_id, today=today)
    return case, signal, skipped
