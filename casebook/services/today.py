"""The Today board: what came in, what is overdue, what waits. Each section is a
bounded query over open work only, so its cost follows the open work, not history.

This is read at every start, before the first paint, so it costs no SQLAlchemy
statement compilation and no import of `casebook.models`: each section is one plain SQL
statement (its rows and, through a window count, how many there are in all) on the
stdlib connection behind the Session (`casebook.db.driver_reads`), as the statistics
are. The table and column names are those of `casebook.models`; the tests hold the
results to the rows the services wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from casebook.dates import to_local
from casebook.dates import today as local_today

if TYPE_CHECKING:
    import sqlite3

    from sqlmodel import Session

SECTION_LIMIT = 50
# Deadlines that stay on the board as missed (gemist) once their date has passed, until
# they are marked done or cancelled: every kind (casebook.services.deadlines.REMINDERS).
PROMISES = ("CALLBACK", "BEDENKTIJD", "AANGIFTE", "OTHER")
SECTIONS = ("untriaged", "overdue", "due_week", "referrals", "deadlines", "no_next_step")

# Stored codes, as in casebook.models (a test keeps them the same).
STEP_OPEN = "OPEN"  # models.STEP_OPEN
REFERRAL_REQUESTED = "REQUESTED"  # models.Referral.status default


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
    minor: bool = False  # a victim under 18 (casebook.services.minors)
    missed: bool = False  # a deadline whose date has passed, still open


@dataclass
class Section:
    name: str
    count: int
    rows: list[TodayRow]


def _day(value: str | None) -> date | None:
    """A stored date (ISO text, as SQLAlchemy's Date stores it in SQLite)."""
    return None if value is None else date.fromisoformat(value)


def _local_day(value: str) -> date:
    """The local date of a stored moment (models.UTCDateTime: ISO text in UTC)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_local(moment).date()


def _in(values) -> str:
    return "(" + ", ".join("?" * len(values)) + ")"


def _section(source, name: str, sql: str, params: list, make) -> Section:
    """The first SECTION_LIMIT rows of `sql` and, through a window count, how many
    there are in all: one statement per section, not two. `sql` selects the row's
    columns; the count and the limit are added here."""
    from casebook.db import driver_reads

    select, rest = sql.split("\nFROM ", 1)
    stmt = f"{select}, count(*) OVER ()\nFROM {rest}\nLIMIT ?"
    with driver_reads(source) as conn:
        raw = conn.execute(stmt, [*params, SECTION_LIMIT]).fetchall()
    return Section(name, raw[0][-1] if raw else 0, [make(r) for r in raw])


def _minor(today: date | None) -> str:
    """The minor flag as a selected column (casebook.services.minors.minor_sql)."""
    from casebook.services.minors import minor_sql

    return minor_sql((today or local_today()).year)


def untriaged(session: Session | sqlite3.Connection, today: date | None = None) -> Section:
    statuses = _open_statuses()
    sql = (
        "SELECT signal.id, signal.received_on, signal.channel, case_file.id,"
        " case_file.reference, case_file.title, case_file.urgency,"
        f" {_minor(today)}"
        "\nFROM signal JOIN case_file ON case_file.id = signal.case_id"
        f" WHERE signal.triaged_at IS NULL AND case_file.status IN {_in(statuses)}"
        " ORDER BY signal.received_on, signal.id"
    )
    return _section(
        session,
        "untriaged",
        sql,
        statuses,
        lambda r: TodayRow("untriaged", r[3], r[4], r[5], r[2], _day(r[1]), r[0], r[6], bool(r[7])),
    )


def _steps(session, name: str, cond: str, params: list, today: date) -> Section:
    # Closed cases stay off the board even if a step was left open (an imported file).
    # A step that waits for a referral's reply is not listed: the referral is, in
    # "referrals waiting" (one obligation, shown once).
    statuses = _open_statuses()
    sql = (
        "SELECT followup_step.id, followup_step.step_type, followup_step.due_on,"
        " case_file.id, case_file.reference, case_file.title, case_file.urgency,"
        f" {_minor(today)}"
        "\nFROM followup_step JOIN case_file ON case_file.id = followup_step.case_id"
        f" WHERE followup_step.status = ? AND case_file.status IN {_in(statuses)}"
        f" AND {cond}"
        " AND NOT (followup_step.referral_id IS NOT NULL AND EXISTS (SELECT 1 FROM referral"
        " WHERE referral.id = followup_step.referral_id AND referral.status = ?))"
        " ORDER BY followup_step.due_on, followup_step.id"
    )
    return _section(
        session,
        name,
        sql,
        [STEP_OPEN, *statuses, *params, REFERRAL_REQUESTED],
        lambda r: TodayRow(name, r[3], r[4], r[5], r[1], _day(r[2]), r[0], r[6], bool(r[7])),
    )


def overdue(session: Session | sqlite3.Connection, today: date) -> Section:
    return _steps(session, "overdue", "followup_step.due_on < ?", [today.isoformat()], today)


def due_this_week(session: Session | sqlite3.Connection, today: date) -> Section:
    return _steps(
        session,
        "due_week",
        "followup_step.due_on >= ? AND followup_step.due_on <= ?",
        [today.isoformat(), (today + timedelta(days=7)).isoformat()],
        today,
    )


def referrals_waiting(session: Session | sqlite3.Connection, today: date | None = None) -> Section:
    statuses = _open_statuses()
    sql = (
        "SELECT referral.id, referral.shelter_type, referral.reply_due_on,"
        " referral.requested_on, case_file.id, case_file.reference, case_file.title,"
        f" case_file.urgency, {_minor(today)}"
        "\nFROM referral JOIN case_file ON case_file.id = referral.case_id"
        f" WHERE referral.status = ? AND case_file.status IN {_in(statuses)}"
        " ORDER BY referral.reply_due_on IS NULL, referral.reply_due_on,"
        " referral.requested_on"
    )
    return _section(
        session,
        "referrals",
        sql,
        [REFERRAL_REQUESTED, *statuses],
        lambda r: TodayRow(
            "referrals", r[4], r[5], r[6], r[1], _day(r[2] or r[3]), r[0], r[7], bool(r[8])
        ),
    )


def deadlines_near(session: Session | sqlite3.Connection, today: date, days: int = 14) -> Section:
    # A deadline that passed unmarked (a call-back, a bedenktijd, an aangifte date)
    # stays on the board as missed until it is marked done or cancelled in the case file.
    statuses = _open_statuses()
    sql = (
        "SELECT deadline.id, deadline.kind, deadline.due_on, case_file.id,"
        " case_file.reference, case_file.title, case_file.urgency,"
        f" {_minor(today)}"
        "\nFROM deadline JOIN case_file ON case_file.id = deadline.case_id"
        " WHERE deadline.done IS 0"
        " AND (deadline.due_on >= ? AND deadline.due_on <= ?"
        f" OR deadline.due_on < ? AND deadline.kind IN {_in(PROMISES)})"
        f" AND case_file.status IN {_in(statuses)}"
        " ORDER BY deadline.due_on"
    )
    start = today.isoformat()
    params = [start, (today + timedelta(days=days)).isoformat(), start, *PROMISES, *statuses]
    return _section(
        session,
        "deadlines",
        sql,
        params,
        lambda r: TodayRow(
            "deadlines",
            r[3],
            r[4],
            r[5],
            r[1],
            _day(r[2]),
            r[0],
            r[6],
            bool(r[7]),
            _day(r[2]) < today,
        ),
    )


def without_next_step(session: Session | sqlite3.Connection, today: date | None = None) -> Section:
    statuses = _open_statuses()
    sql = (
        "SELECT case_file.id, case_file.reference, case_file.title, case_file.phase,"
        f" case_file.updated_at, case_file.urgency, {_minor(today)}"
        "\nFROM case_file"
        f" WHERE case_file.status IN {_in(statuses)} AND case_file.triaged_at IS NOT NULL"
        " AND NOT (EXISTS (SELECT * FROM followup_step"
        " WHERE followup_step.case_id = case_file.id AND followup_step.status = ?))"
        " ORDER BY case_file.updated_at"
    )
    return _section(
        session,
        "no_next_step",
        sql,
        [*statuses, STEP_OPEN],
        lambda r: TodayRow(
            "no_next_step", r[0], r[1], r[2], r[3], _local_day(r[4]), r[0], r[5], bool(r[6])
        ),
    )


def board(session: Session | sqlite3.Connection, today: date | None = None) -> list[Section]:
    """The six sections, read in one snapshot. `session` is a SQLModel Session (its
    pending changes are flushed first) or a stdlib sqlite3 connection."""
    from casebook.db import driver_reads

    today = today or local_today()
    with driver_reads(session) as conn:
        return [
            untriaged(conn, today),
            overdue(conn, today),
            due_this_week(conn, today),
            referrals_waiting(conn, today),
            deadlines_near(conn, today),
            without_next_step(conn, today),
        ]
