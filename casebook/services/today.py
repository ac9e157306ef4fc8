"""The Today board: what came in, what is overdue, what waits. Each section is a
bounded query over open work only, so its cost follows the open work, not history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, select

from casebook.dates import to_local
from casebook.dates import today as local_today
from casebook.models import STEP_OPEN, Case, Deadline, FollowUpStep, Referral, Signal

SECTION_LIMIT = 50
PROMISES = ("CALLBACK",)
SECTIONS = ("untriaged", "overdue", "due_week", "referrals", "deadlines", "no_next_step")


def _open_statuses() -> list[str]:
    """Every status but CLOSED. Sections filter on `status IN (these)` rather than on
    `!= CLOSED`, so that SQLite can start from the open cases (the status index)
    instead of from every dated row in history: the cost follows open work."""
    from casebook import refdata

    return [code for code in refdata.ref("statuses").codes() if code != "CLOSED"]


@dataclass(frozen=True)
class TodayRow:
    section: str
    case_id: int
    reference: str
    title: str
    code: str | None  # step type, shelter type, deadline kind, channel…
    on: date | None  # the date that matters for the row
    entity_id: int  # signal, step, referral, deadline or case id
    urgency: str | None = None


@dataclass
class Section:
    name: str
    count: int
    rows: list[TodayRow]


def _section(session, name, rows_stmt, make) -> Section:
    """The first SECTION_LIMIT rows and, through a window count, how many there are in
    all: one statement per section, not two."""
    stmt = rows_stmt.add_columns(func.count().over()).limit(SECTION_LIMIT)
    raw = list(session.exec(stmt))
    return Section(name, raw[0][-1] if raw else 0, [make(r) for r in raw])


def untriaged(session: Session) -> Section:
    cond = and_(Signal.triaged_at.is_(None), Case.status.in_(_open_statuses()))
    base = (
        select(
            Signal.id,
            Signal.received_on,
            Signal.channel,
            Case.id,
            Case.reference,
            Case.title,
            Case.urgency,
        )
        .join(Case, Case.id == Signal.case_id)
        .where(cond)
    )
    return _section(
        session,
        "untriaged",
        base.order_by(Signal.received_on, Signal.id),
        lambda r: TodayRow("untriaged", r[3], r[4], r[5], r[2], r[1], r[0], r[6]),
    )


def _steps(session: Session, name: str, cond) -> Section:
    # Closed cases stay off the board even if a step was left open (an imported file).
    where = and_(FollowUpStep.status == STEP_OPEN, Case.status.in_(_open_statuses()), cond)
    base = (
        select(
            FollowUpStep.id,
            FollowUpStep.step_type,
            FollowUpStep.due_on,
            Case.id,
            Case.reference,
            Case.title,
            Case.urgency,
        )
        .join(Case, Case.id == FollowUpStep.case_id)
        .where(where)
        .order_by(FollowUpStep.due_on, FollowUpStep.id)
    )
    return _section(
        session,
        name,
        base,
        lambda r: TodayRow(name, r[3], r[4], r[5], r[1], r[2], r[0], r[6]),
    )


def overdue(session: Session, today: date) -> Section:
    return _steps(session, "overdue", FollowUpStep.due_on < today)


def due_this_week(session: Session, today: date) -> Section:
    return _steps(
        session,
        "due_week",
        and_(FollowUpStep.due_on >= today, FollowUpStep.due_on <= today + timedelta(days=7)),
    )


def referrals_waiting(session: Session) -> Section:
    cond = and_(Referral.status == "REQUESTED", Case.status.in_(_open_statuses()))
    base = (
        select(
            Referral.id,
            Referral.shelter_type,
            Referral.reply_due_on,
            Referral.requested_on,
            Case.id,
            Case.reference,
            Case.title,
            Case.urgency,
        )
        .join(Case, Case.id == Referral.case_id)
        .where(cond)
        .order_by(Referral.reply_due_on.is_(None), Referral.reply_due_on, Referral.requested_on)
    )
    return _section(
        session,
        "referrals",
        base,
        lambda r: TodayRow("referrals", r[4], r[5], r[6], r[1], r[2] or r[3], r[0], r[7]),
    )


def deadlines_near(session: Session, today: date, days: int = 14) -> Section:
    # A promised call-back that passed unmarked stays on the board until it is marked
    # done (in the case file); a bedenktijd or aangifte date that passed is history.
    missed = and_(Deadline.due_on < today, Deadline.kind.in_(PROMISES))
    cond = and_(
        Deadline.done.is_(False),
        or_(
            and_(Deadline.due_on >= today, Deadline.due_on <= today + timedelta(days=days)),
            missed,
        ),
        Case.status.in_(_open_statuses()),
    )
    base = (
        select(
            Deadline.id,
            Deadline.kind,
            Deadline.due_on,
            Case.id,
            Case.reference,
            Case.title,
            Case.urgency,
        )
        .join(Case, Case.id == Deadline.case_id)
        .where(cond)
        .order_by(Deadline.due_on)
    )
    return _section(
        session,
        "deadlines",
        base,
        lambda r: TodayRow("deadlines", r[3], r[4], r[5], r[1], r[2], r[0], r[6]),
    )


def without_next_step(session: Session) -> Section:
    has_open = exists().where(FollowUpStep.case_id == Case.id, FollowUpStep.status == STEP_OPEN)
    cond = and_(Case.status.in_(_open_statuses()), Case.triaged_at.is_not(None), ~has_open)
    base = (
        select(Case.id, Case.reference, Case.title, Case.phase, Case.updated_at, Case.urgency)
        .where(cond)
        .order_by(Case.updated_at)
    )
    return _section(
        session,
        "no_next_step",
        base,
        lambda r: TodayRow(
            "no_next_step", r[0], r[1], r[2], r[3], to_local(r[4]).date(), r[0], r[5]
        ),
    )


def board(session: Session, today: date | None = None) -> list[Section]:
    today = today or local_today()
    return [
        untriaged(session),
        overdue(session, today),
        due_this_week(session, today),
        referrals_waiting(session),
        deadlines_near(session, today),
        without_next_step(session),
    ]
