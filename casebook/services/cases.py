"""Finding and reading cases: the filtered, searchable list and one case in full."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, column, exists, func, or_, table, text
from sqlmodel import Session, select

from casebook.errors import NotFoundError
from casebook.models import (
    Case,
    CaseExploitation,
    Consent,
    ContactMoment,
    Deadline,
    FollowUpStep,
    HistoryEntry,
    Person,
    Referral,
    Signal,
    SignalIndicator,
)

PAGE_SIZE = 100
# Search terms this long or longer use the trigram index; shorter ones read the rows.
SEARCH_INDEX_MIN = 3
_SEARCH = table("case_search", column("rowid"))
NOT_ASCII = "*[^ -~]*"  # GLOB: holds a character outside printable ASCII


@dataclass(frozen=True)
class CaseFilter:
    phase: str | None = None
    status: str | None = None
    exploitation: str | None = None
    year: int | None = None
    open_only: bool = False
    search: str = ""


@dataclass(frozen=True)
class CaseRow:
    id: int
    reference: str
    title: str
    phase: str
    status: str
    urgency: str | None
    opened_on: date
    minor: bool = False  # a victim under 18 (casebook.services.minors)


def _where(stmt, flt: CaseFilter):
    if flt.phase:
        stmt = stmt.where(Case.phase == flt.phase)
    if flt.status:
        stmt = stmt.where(Case.status == flt.status)
    if flt.open_only:
        stmt = stmt.where(Case.status != "CLOSED")
    if flt.year:
        stmt = stmt.where(Case.ref_year == flt.year)
    if flt.exploitation:
        stmt = stmt.where(
            exists().where(
                CaseExploitation.case_id == Case.id, CaseExploitation.code == flt.exploitation
            )
        )
    term = (flt.search or "").strip().casefold()
    if len(term) >= SEARCH_INDEX_MIN:
        # Three characters or more: the trigram index (migration 0002, case-blind
        # beyond ASCII too) finds the cases whose reference, title, location or a
        # person's name contains the term, without reading every case and person.
        phrase = '"' + term.replace('"', '""') + '"'
        matches = select(_SEARCH.c.rowid).where(
            text("case_search MATCH :case_search_term").bindparams(case_search_term=phrase)
        )
        stmt = stmt.where(Case.id.in_(matches))
    elif term:
        from casebook.db import FOLD_FUNCTION

        # SQLite's LIKE folds ASCII only: fold both sides so "élif" finds "Élif". The
        # fold is a Python function, called only for text that is not plain ASCII
        # (GLOB, in C, tells); for ASCII text LIKE's own folding is the same.
        fold = getattr(func, FOLD_FUNCTION)

        def folded_contains(col):
            return or_(
                col.contains(term, autoescape=True),
                and_(col.op("GLOB")(NOT_ASCII), fold(col).contains(term, autoescape=True)),
            )

        person_match = exists().where(Person.case_id == Case.id, folded_contains(Person.name))
        stmt = stmt.where(
            or_(
                Case.reference.contains(term, autoescape=True),
                folded_contains(Case.title),
                folded_contains(Case.location),
                person_match,
            )
        )
    return stmt


def rebuild_search_index(session: Session) -> None:
    """Rebuild the case search index (migration 0002) from its own rows.

    FTS5 keeps what a replaced or deleted row held in its index segments until they
    merge; after erasing personal data, call this (before VACUUM) so that erased
    names do not linger there."""
    session.connection().exec_driver_sql("INSERT INTO case_search(case_search) VALUES ('rebuild')")


def list_cases(
    session: Session, flt: CaseFilter = CaseFilter(), *, limit: int = PAGE_SIZE, offset: int = 0
) -> list[CaseRow]:
    from casebook.dates import today
    from casebook.services.minors import minor_condition

    stmt = select(
        Case.id,
        Case.reference,
        Case.title,
        Case.phase,
        Case.status,
        Case.urgency,
        Case.opened_on,
        minor_condition(today().year),
    )
    stmt = _where(stmt, flt).order_by(Case.ref_year.desc(), Case.ref_seq.desc())
    rows = session.exec(stmt.limit(limit).offset(offset))
    return [CaseRow(*row[:7], minor=bool(row[7])) for row in rows]


def count_cases(session: Session, flt: CaseFilter = CaseFilter()) -> int:
    return session.exec(_where(select(func.count()).select_from(Case), flt)).one()


def find_by_reference(session: Session, text: str, limit: int = 10) -> list[CaseRow]:
    """For the command palette: cases whose reference or title contains `text`."""
    return list_cases(session, CaseFilter(search=text), limit=limit)


def years(session: Session) -> list[int]:
    return list(session.exec(select(Case.ref_year).distinct().order_by(Case.ref_year.desc())))


@dataclass
class CaseDetail:
    case: Case
    exploitation_types: list[str]
    signals: list[Signal]
    indicators: dict[int, list[str]]
    persons: list[Person]
    steps: list[FollowUpStep]
    referrals: list[Referral]
    contacts: list[ContactMoment]
    consents: list[Consent]
    deadlines: list[Deadline]
    history: list[HistoryEntry] = field(default_factory=list)


def get_case(session: Session, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    return case


def case_detail(session: Session, case_id: int, *, with_history: bool = True) -> CaseDetail:
    case = get_case(session, case_id)
    signals = list(
        session.exec(select(Signal).where(Signal.case_id == case_id).order_by(Signal.received_on))
    )
    indicators: dict[int, list[str]] = {s.id: [] for s in signals}
    if signals:
        for sid, code in session.exec(
            select(SignalIndicator.signal_id, SignalIndicator.code).where(
                SignalIndicator.signal_id.in_(list(indicators))
            )
        ):
            indicators[sid].append(code)
    persons = list(
        session.exec(select(Person).where(Person.case_id == case_id).order_by(Person.id))
    )
    person_ids = [p.id for p in persons]
    return CaseDetail(
        case=case,
        exploitation_types=sorted(
            session.exec(select(CaseExploitation.code).where(CaseExploitation.case_id == case_id))
        ),
        signals=signals,
        indicators=indicators,
        persons=persons,
        steps=list(
            session.exec(
                select(FollowUpStep)
                .where(FollowUpStep.case_id == case_id)
                .order_by(FollowUpStep.due_on.is_(None), FollowUpStep.due_on, FollowUpStep.id)
            )
        ),
        referrals=list(
            session.exec(
                select(Referral)
                .where(Referral.case_id == case_id)
                .order_by(Referral.requested_on, Referral.id)
            )
        ),
        contacts=list(
            session.exec(
                select(ContactMoment)
                .where(ContactMoment.case_id == case_id)
                .order_by(ContactMoment.at.desc())
            )
        ),
        consents=list(
            session.exec(
                select(Consent)
                .where(Consent.person_id.in_(person_ids))
                .order_by(Consent.recorded_on, Consent.id)
            )
        )
        if person_ids
        else [],
        deadlines=list(
            session.exec(
                select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.due_on)
            )
        ),
        history=timeline(session, case_id) if with_history else [],
    )


def timeline(session: Session, case_id: int) -> list[HistoryEntry]:
    return list(
        session.exec(
            select(HistoryEntry)
            .where(HistoryEntry.case_id == case_id)
            .order_by(HistoryEntry.at, HistoryEntry.id)
        )
    )
