"""Consent per person and purpose: CoMensha registration, registration with shelter,
sharing with a named partner. Stored as dated events; the latest one counts.

The one consent rule (`consent_gaps`) is asked wherever a CoMensha registration or a
shelter request is planned (triage's first steps, a step or referral added in the case
file), recorded or completed (a step done, a referral placed). Who gave consent matters
(domain.md §4.1): from 16 the person signs; under 16 a parent or guardian (or another
legal representative) does. It is a warning, never a refusal: the officer may go on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from casebook.dates import today as local_today
from casebook.errors import NotFoundError
from casebook.models import Case, Consent, Organisation, Person
from casebook.services import minors
from casebook.services.common import MAX_TEXT, Check, record, touch_case

# Which consent a CoMensha step or shelter type needs.
NEEDS_CONSENT = {
    "AANMELD_CM_REG": ("COMENSHA_REG", "COMENSHA_SHELTER"),
    "AANMELD_CM_OPV": ("COMENSHA_SHELTER",),
    "COSM": ("COMENSHA_SHELTER",),
    "OMM": ("COMENSHA_SHELTER",),
    "NLA_BED": ("COMENSHA_SHELTER",),
}

#: from this age the person signs the consent themself (CoMensha, domain.md §4.1)
SIGNS_OWN_CONSENT_AGE = 16
#: who may sign for a person (a `consent_givers` code other than PERSON)
REPRESENTATIVES = ("PARENT", "GUARDIAN", "LEGAL_REP")


@dataclass
class ConsentInput:
    purpose: str = ""
    given: bool = True
    recorded_on: date | str | None = None
    method: str = ""
    organisation_id: int | None = None
    note: str = ""
    given_by: str = "PERSON"


def record_consent(session: Session, person_id: int, data: ConsentInput) -> Consent:
    check = Check()
    purpose = check.code("purpose", "consent_purposes", data.purpose)
    method = check.code("method", "consent_methods", data.method)
    given_by = check.code("given_by", "consent_givers", data.given_by or "PERSON")
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
        given_by=given_by,
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


def age_on(session: Session, person: Person, on: date) -> int | None:
    """The person's age in the year of `on`, by the one rule the minor flag uses
    (`minors.age_on`): from the birth year, else the age recorded at the signal plus
    the years since the case was opened; None when neither is known."""
    case = session.get(Case, person.case_id)
    return minors.age_on(person, case.opened_on if case else None, on)


def expected_signers(age: int | None) -> tuple[str, ...]:
    """Whose consent counts for a person of `age` (domain.md §4.1): under 16 a parent,
    a guardian or a legal representative; from 16 the person (or, for an adult who has
    one, a legal representative); anyone when the age is not known."""
    if age is None:
        return ("PERSON", *REPRESENTATIVES)
    if age < SIGNS_OWN_CONSENT_AGE:
        return REPRESENTATIVES
    if age < 18:
        return ("PERSON",)
    return ("PERSON", "LEGAL_REP")


@dataclass(frozen=True)
class ConsentGap:
    """Why the consent on record does not cover a step or referral.

    `kind`: `missing` (no consent given), `guardian_expected` (under 16: given by the
    person, not by a parent or guardian) or `person_signs` (from 16: given by someone
    else, not by the person). `person_id` is None when the case has no possible victim."""

    kind: str
    person_id: int | None = None
    age: int | None = None
    guardian_relation: str | None = None


def person_gap(session: Session, person: Person, purposes, *, today: date) -> ConsentGap | None:
    """The gap in one person's consent for `purposes`, or None when it is covered."""
    given = [c for (purpose, _), c in current(session, person.id).items() if purpose in purposes]
    given = [c for c in given if c.given]
    if not given:
        return ConsentGap(
            "missing", person.id, age_on(session, person, today), person.guardian_relation
        )
    age = age_on(session, person, today)
    signers = expected_signers(age)
    if any(c.given_by in signers for c in given):
        return None
    kind = (
        "guardian_expected" if age is not None and age < SIGNS_OWN_CONSENT_AGE else ("person_signs")
    )
    return ConsentGap(kind, person.id, age, person.guardian_relation)


def consent_gaps(
    session: Session,
    case_id: int,
    code: str | None,
    person_id: int | None = None,
    *,
    today: date | None = None,
) -> list[ConsentGap]:
    """The one consent rule: what is missing before a CoMensha step or referral type
    (`code`) is planned, recorded or completed. For the given person, else for the
    case's possible victims (covered when one of them is). Empty when nothing is
    missing, or `code` needs no consent."""
    purposes = NEEDS_CONSENT.get(code or "")
    if not purposes:
        return []
    today = today or local_today()
    if person_id is not None:
        person = session.get(Person, person_id)
        people = [person] if person is not None else []
    else:
        people = list(
            session.exec(
                select(Person)
                .where(Person.case_id == case_id, Person.role == "VICTIM")
                .order_by(Person.id)
            )
        )
    if not people:
        return [ConsentGap("missing")]
    gaps = [person_gap(session, p, purposes, today=today) for p in people]
    if any(gap is None for gap in gaps):
        return []
    return gaps


def missing_consent(
    session: Session, case_id: int, code: str, person_id: int | None = None
) -> bool:
    """True when a CoMensha step or referral type (`code`) is not covered by the consent
    on record (`consent_gaps`)."""
    return bool(consent_gaps(session, case_id, code, person_id))
