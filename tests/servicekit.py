"""Small builders shared by the service tests: open a case, triage it, read its history.

They go through the real services on a real casebook file, each call in its own
write transaction, exactly as the UI and the CLI do.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from casebook.models import Case, FollowUpStep, HistoryEntry, Organisation, Person
from casebook.services import intake, triage
from casebook.services.steps import StepInput

TODAY = date(2026, 11, 28)


def signal(**overrides) -> intake.SignalInput:
    values = dict(
        received_on=TODAY,
        channel="PHONE",
        source_role="POL",
        title="Signaal over een woning",
        observed="Veel mensen in één woning",
        indicators=["GEN_HOUSING"],
    )
    values.update(overrides)
    return intake.SignalInput(**values)


def new_case(cb, *, persons=None, today: date = TODAY, **overrides) -> int:
    """Open a new case (one possible victim unless `persons` says otherwise)."""
    if persons is None:
        persons = [intake.PersonInput(role="VICTIM", name="Ana Voorbeeld", nationality="RO")]
    with cb.write() as s:
        case, _ = intake.record_signal(s, signal(persons=persons, **overrides), today=today)
        return case.id


def triaged_case(cb, *, route: str = "CARE", steps=(), today: date = TODAY, **overrides) -> int:
    case_id = new_case(cb, today=today, **overrides)
    with cb.write() as s:
        triage.triage_case(
            s,
            case_id,
            triage.TriageInput(
                urgency="HIGH",
                exploitation_types=["LAB"],
                sector="AGRI",
                route=route,
                steps=list(steps),
            ),
        )
    return case_id


def step(step_type: str = "ENRICH", due_on=None, **kw) -> StepInput:
    return StepInput(step_type=step_type, due_on=due_on, **kw)


def get_case(cb, case_id: int) -> Case:
    with cb.read() as s:
        return s.get(Case, case_id)


def persons_of(cb, case_id: int) -> list[Person]:
    with cb.read() as s:
        return list(s.exec(select(Person).where(Person.case_id == case_id).order_by(Person.id)))


def steps_of(cb, case_id: int) -> list[FollowUpStep]:
    with cb.read() as s:
        return list(
            s.exec(
                select(FollowUpStep)
                .where(FollowUpStep.case_id == case_id)
                .order_by(FollowUpStep.id)
            )
        )


def history(cb, case_id: int) -> list[HistoryEntry]:
    with cb.read() as s:
        return list(
            s.exec(
                select(HistoryEntry)
                .where(HistoryEntry.case_id == case_id)
                .order_by(HistoryEntry.id)
            )
        )


def events(cb, case_id: int) -> list[str]:
    return [h.event for h in history(cb, case_id)]


def organisation_id(cb, code: str) -> int:
    with cb.read() as s:
        return s.exec(select(Organisation.id).where(Organisation.code == code)).one()


def row_counts(cb) -> dict[str, int]:
    """How many rows every table holds: to show that a refusal wrote nothing."""
    from sqlmodel import SQLModel, func

    out = {}
    with cb.read() as s:
        for name, table in SQLModel.metadata.tables.items():
            out[name] = s.exec(select(func.count()).select_from(table)).one()
    return out
