"""Closing a case (outcome required, open items settled first) and reopening it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.dates import today as local_today
from casebook.errors import CasebookError, NotFoundError
from casebook.models import STEP_OPEN, Case, Deadline, FollowUpStep, Referral
from casebook.services.common import MAX_TEXT, Check, change, record, touch_case


@dataclass
class OpenItems:
    steps: int
    referrals: int
    deadlines: int = 0

    @property
    def any(self) -> bool:
        return bool(self.steps or self.referrals or self.deadlines)


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
    deadlines = session.exec(
        select(func.count())
        .select_from(Deadline)
        .where(Deadline.case_id == case_id, Deadline.done.is_(False))
    ).one()
    return OpenItems(steps, referrals, deadlines)


def open_deadlines(session: Session, case_id: int) -> list[Deadline]:
    """The case's deadlines not yet done or cancelled: open obligations, like its open
    steps, that closing lists and that must be settled first."""
    return list(
        session.exec(
            select(Deadline)
            .where(Deadline.case_id == case_id, Deadline.done.is_(False))
            .order_by(Deadline.due_on, Deadline.id)
        )
    )


def open_records(session: Session, case_id: int) -> tuple[int, list[FollowUpStep], list[Referral]]:
    """The case's version and the records that hold it open (those `open_items`
    counts), for the closure dialog to list."""
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    steps = list(
        session.exec(
            select(FollowUpStep)
            .where(FollowUpStep.case_id == case_id, FollowUpStep.status == STEP_OPEN)
            .order_by(FollowUpStep.due_on.is_(None), FollowUpStep.due_on, FollowUpStep.id)
        )
    )
    referrals = list(
        session.exec(
            select(Referral)
            .where(
                Referral.case_id == case_id,
                (Referral.status == "REQUESTED")
                | ((Referral.status == "PLACED") & (Referral.carried_by_partner.is_(False))),
            )
            .order_by(Referral.requested_on, Referral.id)
        )
    )
    return case.version, steps, referrals


# How settling an open referral from the closure dialog moves it: finished, cancelled.
REFERRAL_SETTLED = {
    ("done", "PLACED"): "ENDED",
    ("done", "REQUESTED"): "REFUSED",
    ("cancel", "PLACED"): "WITHDRAWN",
    ("cancel", "REQUESTED"): "WITHDRAWN",
}


def settle_item(
    session: Session,
    item,
    how: str,
    *,
    on: date | None = None,
    organisation_id: int | None = None,
    note: str = "",
) -> None:
    """Settle one open step, referral or deadline listed by `open_records` and
    `open_deadlines`: `done`, `cancel`, or `carry` (a partner takes over:
    `organisation_id` names which; not for a deadline, which is done or cancelled)."""
    from casebook.services import deadlines, referrals, steps

    if isinstance(item, Deadline):
        if how == "done":
            deadlines.mark_done(session, item.id)
        elif how == "cancel":
            deadlines.cancel_deadline(session, item.id, reason=note)
        else:
            raise CasebookError("error.deadline_carry")
        return
    version = item.version
    if isinstance(item, FollowUpStep):
        if how == "done":
            steps.complete_step(session, item.id, done_on=on, result=note, expected_version=version)
        elif how == "cancel":
            steps.cancel_step(session, item.id, reason=note, expected_version=version)
        else:
            steps.carry_step(
                session,
                item.id,
                note=note,
                organisation_id=organisation_id,
                expected_version=version,
            )
        return
    if how == "carry":
        referrals.carry_referral(
            session, item.id, organisation_id=organisation_id, expected_version=version
        )
        return
    status = REFERRAL_SETTLED.get((how, item.status))
    if status is None:
        raise CasebookError("error.referral_transition", old=item.status, new=how)
    referrals.set_referral_status(session, item.id, status, on=on, expected_version=version)


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
        raise CasebookError(
            "error.close_open_items",
            steps=items.steps,
            referrals=items.referrals,
            deadlines=items.deadlines,
        )
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
