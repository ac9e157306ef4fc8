"""Consent per person and purpose: CoMensha registration, registration with shelter,
sharing with a named partner. Stored as dated events; the latest one counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from casebook.dates import today as local_today
from casebook.errors import NotFoundError
from casebook.models import Consent, Organisation, Person
from casebook.services.common import MAX_TEXT, Check, record, touch_case

# Which consent a CoMensha step or shelter type needs.
NEEDS_CONSENT = {
    "AANMELD_CM_REG": ("COMENSHA_REG", "COMENSHA_SHELTER"),
    "AANMELD_CM_OPV": ("COMENSHA_SHELTER",),
    "COSM": ("COMENSHA_SHELTER",),
    "OMM": ("COMENSHA_SHELTER",),
    "NLA_BED": ("COMENSHA_SHELTER",),
}


@dataclass
class ConsentInput:
    purpose: str = ""
    given: bool = True
    recorded_on: date | str | None = None
    method: str = ""
    organisation_id: int | None = None
    note: str = ""


def record_consent(session: Session, person_id: int, data: ConsentInput) -> Consent:
    check = Check()
    purpose = check.code("purpose", "consent_purposes", data.purpose)
    method = check.code("method", "consent_methods", data.method)
    recorded = check.date("recorded_on", data.recorded_on or local_today())
    note = check.text("note", data.note, max_len=MAX_TEXT, multiline=True)
    if purpose == "SHARE_PARTNER":
        if data.organisation_id is None:
            check.fail("organisation_id", "error.required")
        elif session.get(Organisation, data.organisation_id) is None:
            check.fail("organisation_id", "error.unknown_organisation")
    check.done()
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError("person")
    touch_case(session, person.case_id)
    consent = Consent(
        person_id=person_id,
        purpose=purpose,
        organisation_id=data.organisation_id if purpose == "SHARE_PARTNER" else None,
        given=bool(data.given),
        recorded_on=recorded,
        method=method,
        note=note,
    )
    session.add(consent)
    session.flush()
    record(
        session,
        person.case_id,
        "consent.given" if consent.given else "consent.withdrawn",
        entity="person",
        entity_id=person_id,
        new=purpose,
    )
    return consent


def current(session: Session, person_id: int) -> dict[tuple[str, int | None], Consent]:
    """The latest event per (purpose, partner) for one person."""
    latest: dict[tuple[str, int | None], Consent] = {}
    rows = session.exec(
        select(Consent)
        .where(Consent.person_id == person_id)
        .order_by(Consent.recorded_on, Consent.id)
    )
    for row in rows:
        latest[(row.purpose, row.organisation_id)] = row
    return latest


def has_consent(session: Session, person_id: int, purposes) -> bool:
    state = current(session, person_id)
    return any(c.given for (purpose, _), c in state.items() if purpose in purposes)


def missing_consent(
    session: Session, case_id: int, code: str, person_id: int | None = None
) -> bool:
    """True when a CoMensha step or referral type (`code`) has no consent on record:
    for the given person, or for any possible victim of the case."""
    purposes = NEEDS_CONSENT.get(code)
    if not purposes:
        return False
    if person_id is not None:
        people = [person_id]
    else:
        people = list(
            session.exec(
                select(Person.id).where(Person.case_id == case_id, Person.role == "VICTIM")
            )
        )
    return not any(has_consent(session, pid, purposes) for pid in people)
