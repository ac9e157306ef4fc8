"""Closing a case (outcome required, open items settled first) and reopening it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.dates import today as local_today
from casebook.errors import CasebookError, NotFoundError
from casebook.models import STEP_OPEN, Case, FollowUpStep, Referral
from casebook.services.common import MAX_TEXT, Check, change, record, touch_case


@dataclass
class OpenItems:
    steps: int
    referrals: int

    @property
    def any(self) -> bool:
        return bool(self.steps or self.referrals)


def open_items(session: Session, case_id: int) -> OpenItems:
    steps = session.exec(
        select(func.count())
        .select_from(FollowUpStep)
        .where(FollowUpStep.case_id == case_id, FollowUpStep.status == STEP_OPEN)
    ).one()
    referrals = session.exec(
        select(func.count())
        .select_from(Referral)
        .where(
            Referral.case_id == case_id,
            (Referral.status == "REQUESTED")
            | ((Referral.status == "PLACED") & (Referral.carried_by_partner.is_(False))),
        )
    ).one()
    return OpenItems(steps, referrals)


def close_case(
    session: Session,
    case_id: int,
    *,
    outcome: str,
    closed_on: date | str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    check = Check()
    outcome = check.code("outcome", "closure_outcomes", outcome)
    closed = check.date("closed_on", closed_on or local_today())
    note = check.text("note", note, max_len=MAX_TEXT, multiline=True)
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    if closed and closed < case.opened_on:
        check.fail("closed_on", "error.before_start")
    check.done()
    if case.status == "CLOSED":
        raise CasebookError("error.case_closed", reference=case.reference)
    items = open_items(session, case_id)
    if items.any:
        raise CasebookError("error.close_open_items", steps=items.steps, referrals=items.referrals)
    case = touch_case(session, case_id, expected_version)
    change(session, case_id, case, "closure_outcome", outcome)
    change(session, case_id, case, "closure_note", note)
    change(session, case_id, case, "closed_on", closed)
    change(session, case_id, case, "phase", "CLOSURE")
    change(session, case_id, case, "status", "CLOSED")
    record(session, case_id, "case.closed", new=outcome)
    return case


def reopen_case(
    session: Session, case_id: int, *, reason: str, expected_version: int | None = None
) -> Case:
    check = Check()
    reason = check.text("reason", reason, max_len=MAX_TEXT, multiline=True, required=True)
    check.done()
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    if case.status != "CLOSED":
        raise CasebookError("error.case_not_closed", reference=case.reference)
    case = touch_case(session, case_id, expected_version)
    change(session, case_id, case, "closed_on", None)
    change(session, case_id, case, "closure_outcome", None)
    change(session, case_id, case, "phase", "FOLLOWUP")
    change(session, case_id, case, "status", "REOPENED")
    record(session, case_id, "case.reopened", new=reason)
    return case
