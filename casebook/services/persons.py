"""Persons involved in a case: add and edit."""

from __future__ import annotations

from sqlmodel import Session

from casebook.dates import today as local_today
from casebook.errors import NotFoundError
from casebook.models import Case, Person
from casebook.services.common import Check, change, ensure_open, guarded, record, touch_case
from casebook.services.intake import PersonInput, check_person


def add_person(session: Session, case_id: int, data: PersonInput) -> Person:
    check = Check()
    values = check_person(check, data, today=local_today())
    check.done()
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    ensure_open(case)
    touch_case(session, case_id)
    person = Person(case_id=case_id, **values)
    session.add(person)
    session.flush()
    record(session, case_id, "person.added", entity="person", entity_id=person.id, new=person.role)
    return person


def edit_person(
    session: Session, person_id: int, data: PersonInput, *, expected_version: int | None = None
) -> Person:
    check = Check()
    values = check_person(check, data, today=local_today())
    check.done()
    person = guarded(session, Person, person_id, expected_version)
    ensure_open(session.get(Case, person.case_id))
    touch_case(session, person.case_id)
    for key, value in values.items():
        change(session, person.case_id, person, key, value, entity="person")
    session.add(person)
    return person
