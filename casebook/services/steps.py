"""Follow-up steps: add, complete with a result, cancel, carry over, reschedule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from casebook.dates import today as local_today
from casebook.errors import CasebookError, NotFoundError
from casebook.models import (
    STEP_CANCELLED,
    STEP_CARRIED,
    STEP_DONE,
    STEP_OPEN,
    Case,
    FollowUpStep,
    Organisation,
)
from casebook.services.common import MAX_TEXT, Check, ensure_open, guarded, record, touch_case


def result_text(step) -> str:
    """A step's result as the officer reads it. A step settled by a referral's reply
    keeps the reply as its status code (`PLACED`), the same in every language; it is
    shown as that status's label ("Geplaatst"). Any other result is the officer's text."""
    from casebook import refdata

    result = step.result or ""
    if getattr(step, "referral_id", None) is not None and result in refdata.ref(
        "referral_statuses"
    ):
        return refdata.label("referral_statuses", result)
    return result


@dataclass
class StepInput:
    step_type: str = ""
    due_on: date | str | None = None
    organisation_id: int | None = None
    description: str = ""


def check_step(session: Session, data: StepInput, check: Check) -> dict:
    values = {
        "step_type": check.code("step_type", "step_types", data.step_type),
        "due_on": check.date("due_on", data.due_on, required=False),
        "organisation_id": data.organisation_id,
        "description": check.text(
            "description", data.description, max_len=MAX_TEXT, multiline=True
        ),
    }
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        check.fail("organisation_id", "error.unknown_organisation")
    return values


def add_step(
    session: Session,
    case_id: int,
    data: StepInput,
    *,
    referral_id: int | None = None,
    expected_version: int | None = None,
) -> FollowUpStep:
    check = Check()
    values = check_step(session, data, check)
    check.done()
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    ensure_open(case)
    touch_case(session, case_id, expected_version)
    step = FollowUpStep(case_id=case_id, referral_id=referral_id, **values)
    session.add(step)
    session.flush()
    record(session, case_id, "step.added", entity="step", entity_id=step.id, new=step.step_type)
    return step


def _open_step(session: Session, step_id: int, expected_version: int | None) -> FollowUpStep:
    step = guarded(session, FollowUpStep, step_id, expected_version)
    if step.status != STEP_OPEN:
        raise CasebookError("error.step_not_open")
    touch_case(session, step.case_id)
    return step


def complete_step(
    session: Session,
    step_id: int,
    *,
    result: str = "",
    done_on: date | str | None = None,
    expected_version: int | None = None,
) -> FollowUpStep:
    check = Check()
    result = check.text("result", result, max_len=MAX_TEXT, multiline=True)
    done = check.date("done_on", done_on or local_today())
    check.done()
    step = _open_step(session, step_id, expected_version)
    step.status, step.done_on, step.result = STEP_DONE, done, result
    session.add(step)
    record(session, step.case_id, "step.done", entity="step", entity_id=step.id, new=step.step_type)
    return step


def cancel_step(
    session: Session, step_id: int, *, reason: str = "", expected_version: int | None = None
) -> FollowUpStep:
    check = Check()
    reason = check.text("result", reason, max_len=MAX_TEXT, multiline=True)
    check.done()
    step = _open_step(session, step_id, expected_version)
    step.status, step.done_on, step.result = STEP_CANCELLED, local_today(), reason
    session.add(step)
    record(
        session,
        step.case_id,
        "step.cancelled",
        entity="step",
        entity_id=step.id,
        new=step.step_type,
    )
    return step


def carry_step(
    session: Session,
    step_id: int,
    *,
    note: str = "",
    organisation_id: int | None = None,
    expected_version: int | None = None,
) -> FollowUpStep:
    """Mark a step as carried on by a partner (`organisation_id`, when named): it no
    longer holds the case open."""
    check = Check()
    note = check.text("result", note, max_len=MAX_TEXT, multiline=True)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        check.fail("organisation_id", "error.unknown_organisation")
    check.done()
    step = _open_step(session, step_id, expected_version)
    if organisation_id is not None:
        from casebook.services.common import change

        change(session, step.case_id, step, "organisation_id", organisation_id, entity="step")
    step.status, step.done_on, step.result = STEP_CARRIED, local_today(), note
    session.add(step)
    record(
        session, step.case_id, "step.carried", entity="step", entity_id=step.id, new=step.step_type
    )
    return step


def reschedule_step(
    session: Session, step_id: int, due_on: date | str, *, expected_version: int | None = None
) -> FollowUpStep:
    check = Check()
    new_due = check.date("due_on", due_on)
    check.done()
    step = _open_step(session, step_id, expected_version)
    old = step.due_on
    step.due_on = new_due
    session.add(step)
    record(
        session,
        step.case_id,
        "step.rescheduled",
        entity="step",
        entity_id=step.id,
        field="due_on",
        old=old,
        new=new_due,
    )
    return step


def edit_step(
    session: Session, step_id: int, data: StepInput, *, expected_version: int | None = None
) -> FollowUpStep:
    check = Check()
    values = check_step(session, data, check)
    check.done()
    step = guarded(session, FollowUpStep, step_id, expected_version)
    case = session.get(Case, step.case_id)
    ensure_open(case)
    touch_case(session, step.case_id)
    from casebook.services.common import change

    for key, value in values.items():
        change(session, step.case_id, step, key, value, entity="step")
    session.add(step)
    return step


def open_step_count(session: Session, case_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(FollowUpStep)
        .where(FollowUpStep.case_id == case_id, FollowUpStep.status == STEP_OPEN)
    ).one()


def next_step(session: Session, case_id: int) -> FollowUpStep | None:
    """The open step due first (undated steps last)."""
    return session.exec(
        select(FollowUpStep)
        .where(FollowUpStep.case_id == case_id, FollowUpStep.status == STEP_OPEN)
        .order_by(FollowUpStep.due_on.is_(None), FollowUpStep.due_on, FollowUpStep.id)
        .limit(1)
    ).first()


SETTLED = (STEP_DONE, STEP_CANCELLED, STEP_CARRIED)


def _settled_step(session: Session, step_id: int, expected_version: int | None) -> FollowUpStep:
    step = guarded(session, FollowUpStep, step_id, expected_version)
    if step.status not in SETTLED:
        raise CasebookError("error.step_still_open")
    ensure_open(session.get(Case, step.case_id))
    touch_case(session, step.case_id)
    return step


def reopen_step(
    session: Session, step_id: int, *, expected_version: int | None = None
) -> FollowUpStep:
    """Take back a done, cancelled or carried step (a `d` on the wrong row): it is open
    again, as it was before; its result and date stay in the timeline."""
    from casebook.services.common import change

    step = _settled_step(session, step_id, expected_version)
    record(
        session, step.case_id, "step.reopened", entity="step", entity_id=step.id, old=step.status
    )
    change(session, step.case_id, step, "status", STEP_OPEN, entity="step")
    change(session, step.case_id, step, "done_on", None, entity="step")
    change(session, step.case_id, step, "result", "", entity="step")
    session.add(step)
    return step


def correct_step(
    session: Session,
    step_id: int,
    *,
    status: str,
    result: str = "",
    done_on: date | str | None = None,
    expected_version: int | None = None,
) -> FollowUpStep:
    """Correct a settled step: how it was settled (done, cancelled, carried on by a
    partner), its result and its date. Every change is in the timeline. `status` open
    reopens it (`reopen_step`)."""
    from casebook.services.common import change

    if status == STEP_OPEN:
        return reopen_step(session, step_id, expected_version=expected_version)
    check = Check()
    if status not in SETTLED:
        check.fail("status", "error.unknown_code", code=str(status)[:20])
    result = check.text("result", result, max_len=MAX_TEXT, multiline=True)
    done = check.date("done_on", done_on, required=True)
    check.done()
    step = _settled_step(session, step_id, expected_version)
    for name, value in (("status", status), ("result", result), ("done_on", done)):
        change(session, step.case_id, step, name, value, entity="step")
    session.add(step)
    return step
