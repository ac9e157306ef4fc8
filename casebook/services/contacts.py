"""Contact moments: a quick log of every call, visit and meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from casebook.dates import local_to_utc, parse_time, to_local, today, utcnow
from casebook.errors import NotFoundError
from casebook.models import Case, ContactMoment, Person
from casebook.services.common import (
    MAX_TEXT,
    Check,
    change,
    ensure_open,
    guarded,
    record,
    touch_case,
)


@dataclass
class ContactInput:
    channel: str = ""
    counterpart_role: str = ""
    summary: str = ""
    person_id: int | None = None
    via_interpreter: bool = False
    at: datetime | None = None  # aware; now by default
    on: str = ""  # or typed: a date and a time (local)
    time: str = ""


def _check(session: Session, case_id: int, data: ContactInput) -> dict:
    """The contact's fields, checked; `at` is None when no moment was given."""
    check = Check()
    channel = check.code("channel", "contact_channels", data.channel)
    role = check.code("counterpart_role", "counterpart_roles", data.counterpart_role)
    summary = check.text("summary", data.summary, max_len=MAX_TEXT, multiline=True)
    at = data.at
    if at is None and (data.on or data.time):
        day = check.date("on", data.on or today())
        hour = minute = 0
        if data.time:
            try:
                hour, minute = parse_time(data.time)
            except ValueError:
                check.fail("time", "error.time")
        if day:
            at = local_to_utc(day, hour, minute)
    # A contact is logged once it happened: a later day is a typing error. (Later today
    # is allowed, so a call can be logged with the time it was planned to end.)
    if at is not None and to_local(at).date() > today():
        check.fail("on", "error.future_date")
    if data.person_id is not None:
        person = session.get(Person, data.person_id)
        if person is None or person.case_id != case_id:
            check.fail("person_id", "error.unknown_person")
    check.done()
    return {
        "channel": channel,
        "counterpart_role": role,
        "summary": summary,
        "person_id": data.person_id,
        "via_interpreter": bool(data.via_interpreter),
        "at": at,
    }


def log_contact(session: Session, case_id: int, data: ContactInput) -> ContactMoment:
    values = _check(session, case_id, data)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    ensure_open(case)
    touch_case(session, case_id)
    contact = ContactMoment(case_id=case_id, **{**values, "at": values["at"] or utcnow()})
    session.add(contact)
    session.flush()
    record(
        session,
        case_id,
        "contact.logged",
        entity="contact",
        entity_id=contact.id,
        new=values["channel"],
    )
    return contact


def edit_contact(
    session: Session, contact_id: int, data: ContactInput, *, expected_version: int | None = None
) -> ContactMoment:
    """Correct a logged contact moment; each changed field goes into the timeline (old →
    new). Without a date and time typed, the moment stays when it was."""
    contact = session.get(ContactMoment, contact_id)
    if contact is None:
        raise NotFoundError("contact_moment")
    values = _check(session, contact.case_id, data)
    if values["at"] is None:
        del values["at"]
    if all(getattr(contact, name) == value for name, value in values.items()):
        return contact  # saved unchanged: nothing to write, no new version
    contact = guarded(session, ContactMoment, contact_id, expected_version)
    ensure_open(session.get(Case, contact.case_id))
    touch_case(session, contact.case_id)
    for field, value in values.items():
        change(session, contact.case_id, contact, field, value, entity="contact")
    session.add(contact)
    return contact
