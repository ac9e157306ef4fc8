"""Referrals and shelter (opvang): requested, then placed, refused, ended or withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from casebook.dates import today as local_today
from casebook.errors import CasebookError, NotFoundError
from casebook.models import (
    STEP_DONE,
    STEP_OPEN,
    Case,
    FollowUpStep,
    Organisation,
    Person,
    Referral,
)
from casebook.services.common import (
    MAX_TEXT,
    Check,
    change,
    ensure_open,
    guarded,
    record,
    touch_case,
)
from casebook.services.steps import StepInput, add_step

# Shelter types placed through CoMensha: they need the person's consent on record.
VIA_COMENSHA = {"COSM", "OMM", "NLA_BED"}

TRANSITIONS: dict[str, set[str]] = {
    "REQUESTED": {"PLACED", "REFUSED", "WITHDRAWN"},
    "PLACED": {"ENDED", "WITHDRAWN"},
    "REFUSED": set(),
    "ENDED": set(),
    "WITHDRAWN": set(),
}
DATE_FIELD = {
    "PLACED": "placed_on",
    "REFUSED": "refused_on",
    "ENDED": "ended_on",
    "WITHDRAWN": "withdrawn_on",
}


def reply_step_type(shelter_type: str) -> str:
    """The kind of the step that waits for a referral's reply: its shelter type's own
    (`reply_step` in data/reference/shelter_types.toml), so that a youth-care request is
    not typed "Opvang aanvragen"."""
    from casebook import refdata

    item = refdata.ref("shelter_types").get(shelter_type)
    code = item.get("reply_step") if item is not None else None
    if code in refdata.ref("step_types"):
        return code
    return "AANMELD_CM_OPV" if shelter_type in VIA_COMENSHA else "SHELTER_REQ"


def _not_in_future(check: Check, field: str, value: date | None) -> None:
    """A placement is recorded when it happened: never on a day still to come."""
    if value is not None and value > local_today():
        check.fail(field, "error.future_date")


@dataclass
class ReferralInput:
    shelter_type: str = ""
    person_id: int | None = None
    organisation_id: int | None = None
    requested_on: date | str | None = None
    reply_due_on: date | str | None = None
    note: str = ""


def request_referral(
    session: Session, case_id: int, data: ReferralInput, *, today: date | None = None
) -> Referral:
    """Request a referral. The expected reply becomes a follow-up step."""
    today = today or local_today()
    check = Check()
    shelter = check.code("shelter_type", "shelter_types", data.shelter_type)
    requested = check.date("requested_on", data.requested_on or today)
    reply_due = check.date("reply_due_on", data.reply_due_on, required=False)
    note = check.text("note", data.note, max_len=MAX_TEXT, multiline=True)
    if requested and reply_due and reply_due < requested:
        check.fail("reply_due_on", "error.before_start")
    if data.person_id is not None:
        person = session.get(Person, data.person_id)
        if person is None or person.case_id != case_id:
            check.fail("person_id", "error.unknown_person")
    if data.organisation_id is not None and session.get(Organisation, data.organisation_id) is None:
        check.fail("organisation_id", "error.unknown_organisation")
    check.done()
    case = session.get(Case, case_id)
    if case is None:
        raise NotFoundError("case")
    ensure_open(case)
    touch_case(session, case_id)
    referral = Referral(
        case_id=case_id,
        person_id=data.person_id,
        shelter_type=shelter,
        organisation_id=data.organisation_id,
        requested_on=requested,
        reply_due_on=reply_due,
        note=note,
    )
    session.add(referral)
    session.flush()
    record(
        session,
        case_id,
        "referral.requested",
        entity="referral",
        entity_id=referral.id,
        new=shelter,
    )
    step_type = reply_step_type(shelter)
    add_step(
        session,
        case_id,
        StepInput(step_type=step_type, due_on=reply_due, organisation_id=data.organisation_id),
        referral_id=referral.id,
    )
    return referral


def set_referral_status(
    session: Session,
    referral_id: int,
    status: str,
    *,
    on: date | str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Referral:
    check = Check()
    status = check.code("status", "referral_statuses", status)
    when = check.date("on", on or local_today())
    note = check.text("note", note, max_len=MAX_TEXT, multiline=True)
    if status == "PLACED":
        _not_in_future(check, "on", when)
    check.done()
    referral = guarded(session, Referral, referral_id, expected_version)
    if status not in TRANSITIONS[referral.status]:
        raise CasebookError("error.referral_transition", old=referral.status, new=status)
    if when < referral.requested_on:
        from casebook.errors import FieldError, ValidationError

        raise ValidationError([FieldError("on", "error.before_start")])
    case = touch_case(session, referral.case_id)
    old = referral.status
    referral.status = status
    setattr(referral, DATE_FIELD[status], when)
    if note:
        referral.note = f"{referral.note}\n{note}".strip()
    session.add(referral)
    record(
        session,
        referral.case_id,
        f"referral.{status.lower()}",
        entity="referral",
        entity_id=referral.id,
        field="status",
        old=old,
        new=status,
    )
    # The reply came: the step that waited for it is done.
    for step in session.exec(
        select(FollowUpStep).where(
            FollowUpStep.referral_id == referral.id, FollowUpStep.status == STEP_OPEN
        )
    ):
        step.status, step.done_on, step.result = STEP_DONE, when, status
        session.add(step)
        record(
            session,
            referral.case_id,
            "step.done",
            entity="step",
            entity_id=step.id,
            new=step.step_type,
        )
    if status == "PLACED" and case.phase == "REFERRAL":
        change(session, case.id, case, "phase", "FOLLOWUP")
    return referral


def carry_referral(
    session: Session,
    referral_id: int,
    *,
    organisation_id: int | None = None,
    expected_version: int | None = None,
) -> Referral:
    """A placed referral that a partner (`organisation_id`, when named) carries on: it
    no longer blocks closing."""
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        from casebook.errors import FieldError, ValidationError

        raise ValidationError([FieldError("organisation_id", "error.unknown_organisation")])
    referral = guarded(session, Referral, referral_id, expected_version)
    if referral.status != "PLACED":
        raise CasebookError("error.referral_not_placed")
    touch_case(session, referral.case_id)
    if organisation_id is not None:
        change(
            session,
            referral.case_id,
            referral,
            "organisation_id",
            organisation_id,
            entity="referral",
        )
    change(session, referral.case_id, referral, "carried_by_partner", True, entity="referral")
    return referral


def placement_history(session: Session, person_id: int) -> list[Referral]:
    return list(
        session.exec(
            select(Referral)
            .where(Referral.person_id == person_id)
            .order_by(Referral.requested_on, Referral.id)
        )
    )


# For each status, the dates its path needs (the others are cleared on a correction).
PATH_DATES = {
    "REQUESTED": (),
    "PLACED": ("placed_on",),
    "REFUSED": ("refused_on",),
    "ENDED": ("placed_on", "ended_on"),
    "WITHDRAWN": ("withdrawn_on",),
}
OPTIONAL_DATES = {"WITHDRAWN": ("placed_on",)}  # withdrawn before or after a placement


@dataclass
class ReferralCorrection:
    status: str = ""
    requested_on: date | str | None = None
    placed_on: date | str | None = None
    refused_on: date | str | None = None
    ended_on: date | str | None = None
    withdrawn_on: date | str | None = None


def correct_referral(
    session: Session,
    referral_id: int,
    data: ReferralCorrection,
    *,
    expected_version: int | None = None,
) -> Referral:
    """Correct a referral's outcome and dates (a reply picked one row too low:
    "refused" for "placed"). Any status may be set, with the dates its path needs;
    dates off that path are cleared. Every change is in the timeline, and the figures
    follow, since they are counted from the referral itself."""
    check = Check()
    status = check.code("status", "referral_statuses", data.status)
    requested = check.date("requested_on", data.requested_on)
    needed = PATH_DATES.get(status or "", ())
    kept = needed + OPTIONAL_DATES.get(status or "", ())
    dates: dict[str, date | None] = {}
    for name in DATE_FIELD.values():
        value = check.date(name, getattr(data, name), required=name in needed)
        dates[name] = value if name in kept else None
        if value and requested and value < requested:
            check.fail(name, "error.before_start")
    if dates.get("placed_on") and dates.get("ended_on") and dates["ended_on"] < dates["placed_on"]:
        check.fail("ended_on", "error.before_start")
    _not_in_future(check, "placed_on", dates.get("placed_on"))
    check.done()
    referral = guarded(session, Referral, referral_id, expected_version)
    ensure_open(session.get(Case, referral.case_id))
    touch_case(session, referral.case_id)
    record(
        session,
        referral.case_id,
        "referral.corrected",
        entity="referral",
        entity_id=referral.id,
        field="status",
        old=referral.status,
        new=status,
    )
    change(session, referral.case_id, referral, "status", status, entity="referral")
    change(session, referral.case_id, referral, "requested_on", requested, entity="referral")
    for name, value in dates.items():
        change(session, referral.case_id, referral, name, value, entity="referral")
    if status not in ("PLACED",) and referral.carried_by_partner:
        change(session, referral.case_id, referral, "carried_by_partner", False, entity="referral")
    session.add(referral)
    return referral
