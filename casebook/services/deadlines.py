"""Deadlines: the bedenktijd (three months at most), the aangifte date, B8 status and
promised call-backs, kept so that they surface in triage.

Every kind has a reminder rule (`REMINDERS`, written out in docs/deadlines.md): each
open deadline is on Today from 14 days before its date, and stays there as missed
(*gemist*) once the date has passed, until it is marked done or cancelled; a bedenktijd
and an aangifte date also get a reminder step ("Termijn bewaken") some days before.
A deadline is an open obligation of its case: closing lists it beside the open steps
and referrals, and it is settled the same way (done, or cancelled with a reason)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from casebook.dates import add_months
from casebook.dates import today as local_today
from casebook.errors import NotFoundError
from casebook.models import DEADLINE_KINDS, Case, Deadline, Person
from casebook.services.common import MAX_TEXT, Check, change, ensure_open, record, touch_case
from casebook.services.steps import StepInput, add_step

BEDENKTIJD_MONTHS = 3
REMINDER_BEFORE = timedelta(days=14)
# kind -> how long before its date a reminder step falls due (None: no step; the
# deadline is on Today from TODAY_AHEAD days before and, once passed, as missed)
REMINDERS: dict[str, timedelta | None] = {
    "BEDENKTIJD": REMINDER_BEFORE,
    "AANGIFTE": timedelta(days=7),
    "CALLBACK": None,
    "OTHER": None,
}
TODAY_AHEAD = 14
REMINDER_STEP = "DEADLINE"
# B8 and the bedenktijd are for foreign nationals: for these nationalities they do not
# apply (a warning, not a refusal: a nationality may be recorded wrongly)
NOT_B8 = {"NL"}


def _case_person(session: Session, case_id: int, person_id: int | None, check: Check):
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    if person_id is not None:
        person = session.get(Person, person_id)
        if person is None or person.case_id != case_id:
            check.fail("person_id", "error.unknown_person")
            return case, None
        return case, person
    return case, None


def set_bedenktijd(
    session: Session,
    case_id: int,
    start: date | str,
    *,
    end: date | str | None = None,
    person_id: int | None = None,
) -> Deadline:
    """Start the bedenktijd: its end is start + three months (earlier if given), and a
    reminder step falls due two weeks before the end."""
    check = Check()
    start_on = check.date("starts_on", start)
    end_on = check.date("due_on", end, required=False)
    if start_on:
        latest = add_months(start_on, BEDENKTIJD_MONTHS)
        if end_on is None:
            end_on = latest
        elif end_on > latest:
            check.fail("due_on", "error.bedenktijd_too_long")
        elif end_on < start_on:
            check.fail("due_on", "error.before_start")
    case, person = _case_person(session, case_id, person_id, check)
    check.done()
    ensure_open(case)
    touch_case(session, case_id)
    deadline = Deadline(
        case_id=case_id, person_id=person_id, kind="BEDENKTIJD", starts_on=start_on, due_on=end_on
    )
    session.add(deadline)
    session.flush()
    record(
        session,
        case_id,
        "deadline.bedenktijd",
        entity="deadline",
        entity_id=deadline.id,
        old=start_on,
        new=end_on,
    )
    if person is not None:
        change(session, case_id, person, "b8_status", "BEDENKTIJD", entity="person")
        session.add(person)
    add_step(session, case_id, StepInput(step_type="DEADLINE", due_on=end_on - REMINDER_BEFORE))
    return deadline


def add_deadline(
    session: Session,
    case_id: int,
    kind: str,
    due_on: date | str,
    *,
    person_id: int | None = None,
    note: str = "",
) -> Deadline:
    """An aangifte date, a promised call-back or another date to watch."""
    check = Check()
    if kind not in DEADLINE_KINDS or kind == "BEDENKTIJD":
        check.fail("kind", "error.unknown_code", code=str(kind)[:40])
    due = check.date("due_on", due_on)
    note = check.text("note", note, max_len=MAX_TEXT, multiline=True)
    case, _ = _case_person(session, case_id, person_id, check)
    check.done()
    ensure_open(case)
    touch_case(session, case_id)
    deadline = Deadline(case_id=case_id, person_id=person_id, kind=kind, due_on=due, note=note)
    session.add(deadline)
    session.flush()
    record(
        session,
        case_id,
        f"deadline.{kind.lower()}",
        entity="deadline",
        entity_id=deadline.id,
        new=due,
    )
    before = REMINDERS.get(kind)
    today = local_today()
    if before is not None and due >= today:
        # never a reminder in the past for a date still to come: at the latest today
        remind = max(due - before, today)
        add_step(session, case_id, StepInput(step_type=REMINDER_STEP, due_on=remind))
    return deadline


def b8_warning(session: Session, person_id: int | None, *, bedenktijd: bool, b8: str | None):
    """The question to ask before a bedenktijd or a B8 status is recorded for a person
    to whom they do not apply (a Dutch national), or None."""
    if person_id is None or not (bedenktijd or b8 not in (None, "NONE", "UNKNOWN")):
        return None
    person = session.get(Person, person_id)
    if person is None or person.nationality not in NOT_B8:
        return None
    from casebook import refdata
    from casebook.i18n import t

    return t(
        "casefile.deadline.b8_not_applicable",
        nationality=refdata.label("countries", person.nationality),
    )


def set_b8_status(session: Session, person_id: int, status: str) -> Person:
    check = Check()
    status = check.code("b8_status", "b8_statuses", status)
    check.done()
    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError("person")
    touch_case(session, person.case_id)
    change(session, person.case_id, person, "b8_status", status, entity="person")
    session.add(person)
    return person


def mark_done(session: Session, deadline_id: int) -> Deadline:
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFoundError("deadline")
    touch_case(session, deadline.case_id)
    change(session, deadline.case_id, deadline, "done", True, entity="deadline")
    session.add(deadline)
    return deadline


def cancel_deadline(session: Session, deadline_id: int, *, reason: str = "") -> Deadline:
    """Settle an open deadline that no longer applies (closing the case, a plan that
    changed): it leaves Today like a done one; the timeline says it was cancelled."""
    check = Check()
    reason = check.text("note", reason, max_len=MAX_TEXT, multiline=True)
    check.done()
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFoundError("deadline")
    if deadline.done:
        from casebook.errors import CasebookError

        raise CasebookError("error.deadline_done")
    ensure_open(session.get(Case, deadline.case_id))
    touch_case(session, deadline.case_id)
    deadline.done = True
    session.add(deadline)
    record(
        session,
        deadline.case_id,
        "deadline.cancelled",
        entity="deadline",
        entity_id=deadline.id,
        new=reason or None,
    )
    return deadline


def reopen_deadline(session: Session, deadline_id: int) -> Deadline:
    """Take back `mark_done` (a `d` on the wrong row): the deadline is open again and
    surfaces in triage; both changes are in the timeline."""
    deadline = session.get(Deadline, deadline_id)
    if deadline is None:
        raise NotFoundError("deadline")
    from casebook.errors import CasebookError
    from casebook.models import Case
    from casebook.services.common import ensure_open

    if not deadline.done:
        raise CasebookError("error.deadline_not_done")
    ensure_open(session.get(Case, deadline.case_id))
    touch_case(session, deadline.case_id)
    change(session, deadline.case_id, deadline, "done", False, entity="deadline")
    session.add(deadline)
    return deadline


__all__ = [
    "set_bedenktijd",
    "add_deadline",
    "set_b8_status",
    "mark_done",
    "cancel_deadline",
    "b8_warning",
    "reopen_deadline",
    "MAX_TEXT",
]
