"""The casebook's tables (SQLModel). Codes from `data/reference` are stored, never labels.

Identifying fields (names, contacts, addresses, free text) are kept in named columns
so that retention and erasure can strip them without touching the statistical ones;
`IDENTIFYING_FIELDS` lists them per table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from casebook.dates import utcnow


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes, stored as ISO text (SQLite has no timezone type)."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC).isoformat(timespec="seconds")

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        parsed = datetime.fromisoformat(value)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _ts(nullable: bool = False, index: bool = False):
    return Field(
        default_factory=utcnow if not nullable else None,
        sa_type=UTCDateTime,
        nullable=nullable,
        index=index,
    )


class Case(SQLModel, table=True):
    __tablename__ = "case_file"
    # The Cases list's order (migration 0002).
    __table_args__ = (sa.Index("ix_case_file_ref_order", "ref_year", "ref_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(max_length=16, unique=True)
    ref_year: int = Field(index=True)
    ref_seq: int
    subject_type: str = Field(max_length=16)
    title: str = Field(default="", max_length=200)
    location: str = Field(default="", max_length=500)  # identifying (location-based cases)
    phase: str = Field(max_length=16, index=True)
    status: str = Field(max_length=16, index=True)
    urgency: str | None = Field(default=None, max_length=16)
    sector: str | None = Field(default=None, max_length=16)
    route: str | None = Field(default=None, max_length=16)
    route_note: str = Field(default="")
    opened_on: date = Field(index=True)
    triaged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_on: date | None = Field(default=None, index=True)
    closure_outcome: str | None = Field(default=None, max_length=24)
    closure_note: str = Field(default="")
    # the reference of the case this one was merged into (casebook.services.merge): a
    # merged case is closed, holds nothing of its own and is left out of the statistics
    merged_into: str | None = Field(default=None, max_length=16)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    version: int = Field(default=1)


class CaseSector(SQLModel, table=True):
    """The sectors a case has beside its primary one (`Case.sector`, which the
    statistics use)."""

    __tablename__ = "case_sector"

    case_id: int = Field(foreign_key="case_file.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(max_length=16, primary_key=True)


class CaseExploitation(SQLModel, table=True):
    __tablename__ = "case_exploitation"

    case_id: int = Field(foreign_key="case_file.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(max_length=16, primary_key=True)


class Signal(SQLModel, table=True):
    __tablename__ = "signal"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    received_on: date = Field(index=True)
    channel: str = Field(max_length=16)
    source_role: str = Field(max_length=16)
    reporter_anonymous: bool = Field(default=False)
    reporter_contact: str = Field(default="", max_length=500)  # identifying
    observed: str = Field(default="")  # free text
    triaged_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    created_at: datetime = _ts()


class SignalIndicator(SQLModel, table=True):
    __tablename__ = "signal_indicator"

    signal_id: int = Field(foreign_key="signal.id", primary_key=True, ondelete="CASCADE")
    code: str = Field(max_length=16, primary_key=True)


class Person(SQLModel, table=True):
    __tablename__ = "person"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    role: str = Field(max_length=16)
    gender: str = Field(default="UNKNOWN", max_length=16)
    birth_year: int | None = Field(default=None)
    age: int | None = Field(default=None)  # age at the signal, when the birth year is unknown
    nationality: str = Field(default="XX", max_length=2)
    b8_status: str | None = Field(default=None, max_length=16)
    # who signs for the person (a parent, a guardian, a legal representative): its
    # relation is a `consent_givers` code, its name identifying
    guardian_relation: str | None = Field(default=None, max_length=16)
    # identifying fields, kept apart from the statistical ones above
    name: str = Field(default="", max_length=200)
    contact: str = Field(default="", max_length=500)
    address: str = Field(default="", max_length=500)
    guardian_name: str = Field(
        default="", max_length=200, sa_column_kwargs={"server_default": sa.text("''")}
    )
    notes: str = Field(default="")
    erased: bool = Field(default=False)
    created_at: datetime = _ts()
    version: int = Field(default=1)


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"

    id: int | None = Field(default=None, primary_key=True)
    code: str | None = Field(default=None, max_length=24, unique=True)
    name: str = Field(max_length=200, index=True)
    kind: str = Field(default="other", max_length=24)
    region: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=200)
    notes: str = Field(default="")
    active: bool = Field(default=True)
    version: int = Field(default=1)


class FollowUpStep(SQLModel, table=True):
    __tablename__ = "followup_step"
    __table_args__ = (sa.Index("ix_step_status_due", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    step_type: str = Field(max_length=24)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    referral_id: int | None = Field(default=None, foreign_key="referral.id")
    description: str = Field(default="")
    due_on: date | None = Field(default=None)
    status: str = Field(default="OPEN", max_length=16)  # OPEN, DONE, CANCELLED, CARRIED
    done_on: date | None = Field(default=None)
    result: str = Field(default="")
    created_at: datetime = _ts()
    version: int = Field(default=1)


class Referral(SQLModel, table=True):
    __tablename__ = "referral"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    shelter_type: str = Field(max_length=16)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    status: str = Field(default="REQUESTED", max_length=16, index=True)
    requested_on: date
    reply_due_on: date | None = Field(default=None)
    placed_on: date | None = Field(default=None)
    refused_on: date | None = Field(default=None)
    ended_on: date | None = Field(default=None)
    withdrawn_on: date | None = Field(default=None)
    carried_by_partner: bool = Field(default=False)
    note: str = Field(default="")
    created_at: datetime = _ts()
    version: int = Field(default=1)


class ContactMoment(SQLModel, table=True):
    __tablename__ = "contact_moment"
    __table_args__ = (sa.Index("ix_contact_case_at", "case_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    at: datetime = Field(sa_type=UTCDateTime)
    channel: str = Field(max_length=16)
    via_interpreter: bool = Field(default=False)
    counterpart_role: str = Field(max_length=16)
    summary: str = Field(default="")
    created_at: datetime = _ts()
    version: int = Field(default=1)


class Consent(SQLModel, table=True):
    """One event: consent given or withdrawn. The latest event per person, purpose and
    partner is the current state."""

    __tablename__ = "consent"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True, ondelete="CASCADE")
    purpose: str = Field(max_length=24)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    given: bool
    recorded_on: date
    method: str = Field(max_length=16)
    # who gave it: the person, a parent, a guardian, a legal representative
    # (a server default: migration 0005 added it to the consent already on record)
    given_by: str = Field(
        default="PERSON", max_length=16, sa_column_kwargs={"server_default": "PERSON"}
    )
    note: str = Field(default="")
    created_at: datetime = _ts()


class Deadline(SQLModel, table=True):
    """A date that must surface in triage: bedenktijd, aangifte, a promised call-back."""

    __tablename__ = "deadline"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", index=True, ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    kind: str = Field(max_length=16)  # BEDENKTIJD, AANGIFTE, CALLBACK, OTHER
    starts_on: date | None = Field(default=None)
    due_on: date = Field(index=True)
    done: bool = Field(default=False)
    note: str = Field(default="")
    created_at: datetime = _ts()


class Training(SQLModel, table=True):
    __tablename__ = "training"

    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    audience: str = Field(max_length=200)
    participants: int = Field(default=0)
    provider: str = Field(default="", max_length=200)
    notes: str = Field(default="")
    version: int = Field(default=1)


class Publication(SQLModel, table=True):
    """A year's anonymised figures as published (casebook.publications): fixed once
    written. `figures` is the published view (JSON, rounded counts only); a correction
    points at the publication it corrects."""

    __tablename__ = "publication"
    __table_args__ = (sa.UniqueConstraint("year", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(index=True)
    version: int = Field(default=1)
    k: int
    method: str = Field(max_length=64)
    language: str = Field(max_length=8)
    figures: str
    corrects_id: int | None = Field(default=None, foreign_key="publication.id")
    published_at: datetime = Field(sa_type=UTCDateTime)


class HistoryEntry(SQLModel, table=True):
    """Append-only record of every change to a case: its timeline."""

    __tablename__ = "history"
    __table_args__ = (sa.Index("ix_history_case_at", "case_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="case_file.id", ondelete="CASCADE")
    at: datetime = Field(sa_type=UTCDateTime)
    event: str = Field(max_length=40)  # e.g. case.opened, step.done, field.changed
    entity: str = Field(default="case", max_length=24)
    entity_id: int | None = Field(default=None)
    field_name: str | None = Field(default=None, max_length=40)
    old: str | None = Field(default=None)
    new: str | None = Field(default=None)


class Setting(SQLModel, table=True):
    """Settings that belong to the casebook itself (municipality, k, retention…)."""

    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(default="")


# Columns holding personal or free text, per table: what retention and erasure strip.
IDENTIFYING_FIELDS: dict[str, tuple[str, ...]] = {
    "case_file": ("title", "location", "route_note", "closure_note"),
    "signal": ("reporter_contact", "observed"),
    "person": ("name", "contact", "address", "guardian_name", "notes"),
    "followup_step": ("description", "result"),
    "referral": ("note",),
    "contact_moment": ("summary",),
    "consent": ("note",),
    "deadline": ("note",),
}

STEP_OPEN = "OPEN"
STEP_DONE = "DONE"
STEP_CANCELLED = "CANCELLED"
STEP_CARRIED = "CARRIED"
STEP_STATUSES = (STEP_OPEN, STEP_DONE, STEP_CANCELLED, STEP_CARRIED)

DEADLINE_KINDS = ("BEDENKTIJD", "AANGIFTE", "CALLBACK", "OTHER")

__all__ = [
    "UTC",
    "Case",
    "CaseExploitation",
    "CaseSector",
    "Signal",
    "SignalIndicator",
    "Person",
    "Organisation",
    "FollowUpStep",
    "Referral",
    "ContactMoment",
    "Consent",
    "Deadline",
    "Training",
    "HistoryEntry",
    "Setting",
]
