"""The register of signalling trainings and awareness sessions (Basisniveau evidence)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from casebook.models import Training
from casebook.services.common import MAX_TEXT, Check, guarded


@dataclass
class TrainingInput:
    held_on: date | str | None = None
    audience: str = ""
    participants: int | str | None = 0
    provider: str = ""
    notes: str = ""


def _check(data: TrainingInput) -> dict:
    check = Check()
    values = {
        "held_on": check.date("held_on", data.held_on),
        "audience": check.text("audience", data.audience, required=True),
        "participants": check.integer(
            "participants", data.participants, low=0, high=100_000, required=True
        ),
        "provider": check.text("provider", data.provider),
        "notes": check.text("notes", data.notes, max_len=MAX_TEXT, multiline=True),
    }
    check.done()
    return values


def add_training(session: Session, data: TrainingInput) -> Training:
    training = Training(**_check(data))
    session.add(training)
    session.flush()
    return training


def edit_training(
    session: Session, training_id: int, data: TrainingInput, *, expected_version: int | None = None
) -> Training:
    values = _check(data)
    training = guarded(session, Training, training_id, expected_version)
    for key, value in values.items():
        setattr(training, key, value)
    session.add(training)
    return training


def list_trainings(session: Session, year: int | None = None, limit: int = 500) -> list[Training]:
    stmt = select(Training)
    if year:
        stmt = stmt.where(
            Training.held_on >= date(year, 1, 1), Training.held_on <= date(year, 12, 31)
        )
    return list(session.exec(stmt.order_by(Training.held_on.desc()).limit(limit)))
