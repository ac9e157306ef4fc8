"""Retention and the rights of the people in the file.

- `purge`: closed cases whose retention term (setting `retention_years`, counted from
  the closing date) has passed are stripped of their identifying data (mode "strip",
  the default: names, contacts, addresses and all free text, also in the timeline),
  or deleted whole (mode "delete").
- `erase_person`: an erasure request for one person: the same stripping, for that
  person's fields and the records about them.
- `access_export`: an access request: everything the casebook holds about one person.

Stripping keeps every code, date and count the statistics use, so past years' figures
stay exactly as they were. Deleting whole cases cannot keep them: those cases vanish
from the figures of the years they touched (the dry run says which years).

After erasing, full-text indexes are rebuilt, the file is vacuumed and the write-ahead
log truncated, so erased text is not left behind in index segments, in free pages of
the database file or in its -wal file.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, func, or_, select, update
from sqlmodel import Session

from casebook import cipher
from casebook.errors import CasebookError, NotFoundError
from casebook.models import (
    IDENTIFYING_FIELDS,
    Case,
    CaseExploitation,
    Consent,
    ContactMoment,
    Deadline,
    FollowUpStep,
    HistoryEntry,
    Person,
    Referral,
    Signal,
    SignalIndicator,
)
from casebook.services import settings
from casebook.services.common import record

MODES = ("strip", "delete")
STRIPPED_EVENT = "retention.stripped"
PERSON_ERASED_EVENT = "person.erased"
# History events whose `new` value is free text typed by the officer.
FREE_TEXT_EVENTS = ("case.reopened",)
# Field names whose old/new values the history must not keep after erasure.
ERASED_FIELD_NAMES = tuple(sorted({f for fields in IDENTIFYING_FIELDS.values() for f in fields}))

_MODEL = {
    "case_file": Case,
    "signal": Signal,
    "person": Person,
    "followup_step": FollowUpStep,
    "referral": Referral,
    "contact_moment": ContactMoment,
    "consent": Consent,
    "deadline": Deadline,
}


def _blank(table: str) -> dict:
    return {name: "" for name in IDENTIFYING_FIELDS[table]}


# -- settings ------------------------------------------------------------------------


def retention_years(session: Session) -> int:
    """The retention term, refused (never stretched or shrunk) when the stored value is
    outside what the Settings screen accepts: a term of 0 or "-5" would make every
    closed case due."""
    low, high = settings.NUMBER_SETTINGS["retention_years"]
    raw = settings.get(session, "retention_years")
    try:
        years = int(raw)
    except ValueError:
        years = None
    if years is None or not low <= years <= high or raw != str(years):
        from casebook.text import one_line

        raise CasebookError("faults.purge.bad_years", value=one_line(raw, 20), low=low, high=high)
    return years


def retention_mode(session: Session) -> str:
    mode = settings.get(session, "retention_mode")
    if mode not in MODES:
        from casebook.text import one_line

        raise CasebookError("safety.purge.bad_mode", mode=one_line(mode, 20))
    return mode


# -- which cases are due -------------------------------------------------------------


@dataclass
class DueCase:
    id: int
    reference: str
    closed_on: date
    years: tuple[int, ...]  # calendar years whose figures include the case


def cutoff(today: date, years: int) -> date:
    """Cases closed on or before this date are past the term."""
    from casebook.dates import add_months

    return add_months(today, -12 * years)


def due_cases(session: Session, *, today: date | None = None) -> list[DueCase]:
    """Closed cases past the retention term that still hold identifying data."""
    from casebook.dates import today as local_today

    today = today or local_today()
    limit = cutoff(today, retention_years(session))
    stripped = select(HistoryEntry.case_id).where(HistoryEntry.event == STRIPPED_EVENT)
    rows = session.execute(
        select(Case.id, Case.reference, Case.opened_on, Case.closed_on)
        .where(Case.status == "CLOSED", Case.closed_on.is_not(None), Case.closed_on <= limit)
        .where(Case.id.not_in(stripped))
        .order_by(Case.closed_on, Case.id)
    ).all()
    out = []
    for cid, ref, opened, closed in rows:
        first = session.execute(
            select(func.min(Signal.received_on)).where(Signal.case_id == cid)
        ).scalar()
        start = min(d for d in (opened, first) if d is not None)
        out.append(DueCase(cid, ref, closed, tuple(range(start.year, closed.year + 1))))
    return out


# -- stripping and deleting ----------------------------------------------------------


def _history_blank(session: Session, *conditions) -> None:
    session.execute(
        update(HistoryEntry)
        .where(*conditions)
        .where(
            or_(
                HistoryEntry.field_name.in_(ERASED_FIELD_NAMES),
                HistoryEntry.event.in_(FREE_TEXT_EVENTS),
            )
        )
        .values(old=None, new=None)
    )


def _secure_delete(session: Session) -> None:
    # Overwrite freed and changed cells with zeros as they are written.
    session.connection().exec_driver_sql("PRAGMA secure_delete=ON")


def strip_case(session: Session, case_id: int) -> None:
    """Erase every identifying field of one case and of everything in it; keep the
    codes, dates and counts. Bumps versions, so an open window cannot write them back."""
    _secure_delete(session)
    person_ids = select(Person.id).where(Person.case_id == case_id)
    session.execute(
        update(Case)
        .where(Case.id == case_id)
        .values(version=Case.version + 1, **_blank("case_file"))
    )
    session.execute(
        update(Person)
        .where(Person.case_id == case_id)
        .values(erased=True, version=Person.version + 1, **_blank("person"))
    )
    for table in ("signal", "followup_step", "referral", "contact_moment", "deadline"):
        model = _MODEL[table]
        values = _blank(table)
        if hasattr(model, "version"):
            values["version"] = model.version + 1
        session.execute(update(model).where(model.case_id == case_id).values(**values))
    session.execute(
        update(Consent).where(Consent.person_id.in_(person_ids)).values(**_blank("consent"))
    )
    _history_blank(session, HistoryEntry.case_id == case_id)
    record(session, case_id, STRIPPED_EVENT)
    session.flush()
    session.expire_all()


def delete_case(session: Session, case_id: int) -> None:
    """Delete one case and everything in it."""
    _secure_delete(session)
    person_ids = select(Person.id).where(Person.case_id == case_id)
    signal_ids = select(Signal.id).where(Signal.case_id == case_id)
    session.execute(delete(HistoryEntry).where(HistoryEntry.case_id == case_id))
    session.execute(delete(Consent).where(Consent.person_id.in_(person_ids)))
    for model in (ContactMoment, Deadline, FollowUpStep, Referral):
        session.execute(delete(model).where(model.case_id == case_id))
    session.execute(delete(SignalIndicator).where(SignalIndicator.signal_id.in_(signal_ids)))
    session.execute(delete(Signal).where(Signal.case_id == case_id))
    session.execute(delete(Person).where(Person.case_id == case_id))
    session.execute(delete(CaseExploitation).where(CaseExploitation.case_id == case_id))
    session.execute(delete(Case).where(Case.id == case_id))
    session.flush()
    session.expire_all()


@dataclass
class PurgeResult:
    mode: str
    term_years: int
    cases: list[DueCase]
    applied: bool = False
    clean: bool = True  # erased text also gone from the file's pages and its -wal

    @property
    def years_changed(self) -> list[int]:
        """Years whose figures change (delete mode only; stripping changes none)."""
        if self.mode != "delete":
            return []
        return sorted({y for c in self.cases for y in c.years})


def plan_purge(cb, *, today: date | None = None) -> PurgeResult:
    with cb.read() as session:
        return PurgeResult(
            retention_mode(session), retention_years(session), due_cases(session, today=today)
        )


def purge(cb, *, today: date | None = None) -> PurgeResult:
    """Apply the retention rule in one transaction, then vacuum the file."""
    with cb.write() as session:
        result = PurgeResult(
            retention_mode(session), retention_years(session), due_cases(session, today=today)
        )
        for case in result.cases:
            if result.mode == "strip":
                strip_case(session, case.id)
            else:
                delete_case(session, case.id)
        if result.cases:
            mark_vacuum_pending(session)
    result.applied = True
    result.clean = _vacuum_after_commit(cb.path)
    return result


def _vacuum_after_commit(db_path: Path) -> bool:
    """Vacuum after the erasure was committed: a failure here (another window busy)
    must not read as "nothing was saved"; it is reported as an incomplete clean-up."""
    from casebook.errors import StorageError

    try:
        return vacuum(db_path)
    except StorageError:
        return False


# A row of the settings table, written in the erasure's own transaction and removed
# once the vacuum has finished: a kill between the two leaves it, and the next
# read-write open (or `casebook check`) knows erased text may still be in free pages.
VACUUM_PENDING_KEY = "_vacuum_pending"


def mark_vacuum_pending(session: Session) -> None:
    session.connection().exec_driver_sql(
        "INSERT OR REPLACE INTO setting (key, value) VALUES (?, '1')", (VACUUM_PENDING_KEY,)
    )


def vacuum_pending(conn: sqlite3.Connection) -> bool:
    try:
        row = conn.execute("SELECT 1 FROM setting WHERE key = ?", (VACUUM_PENDING_KEY,)).fetchone()
    except cipher.DB_ERRORS:
        return False
    return row is not None


def finish_pending_vacuum(db_path: Path) -> bool:
    """At a read-write open: redo the vacuum an erasure did not finish (killed between
    its commit and the vacuum). True when nothing was pending or it is now done."""
    try:
        conn = cipher.connect(db_path, timeout=1, isolation_level=None)
        try:
            pending = vacuum_pending(conn)
        finally:
            conn.close()
    except cipher.DB_ERRORS:
        return False
    return True if not pending else _vacuum_after_commit(db_path)


def vacuum(db_path: Path) -> bool:
    """Rebuild the file so that no erased text is left in free pages, and truncate the
    write-ahead log. Returns False when another window kept the log from being
    truncated (run again once it is closed)."""
    from casebook import filemark
    from casebook.db import BUSY_TIMEOUT_MS, storage_error

    try:
        conn = cipher.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute("PRAGMA temp_store=MEMORY")
            conn.execute("PRAGMA secure_delete=ON")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            # Full-text indexes (the case search, migration 0002) keep the tokens of
            # replaced rows in their segments until those merge: rebuild them from
            # their current rows first.
            # (each write here raises the file's generation, as every casebook
            # transaction does: casebook.filemark)
            conn.execute("BEGIN IMMEDIATE")
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND lower(sql) LIKE 'create virtual table%using fts5%'"
            ).fetchall():
                conn.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'rebuild\')')
            filemark.bump(conn)
            conn.execute("COMMIT")
            conn.execute("VACUUM")
            busy, log, done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if busy == 0:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("DELETE FROM setting WHERE key = ?", (VACUUM_PENDING_KEY,))
                filemark.bump(conn)
                conn.execute("COMMIT")
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    except cipher.DB_ERRORS as exc:
        raise storage_error(db_path, exc) from None
    wal = Path(f"{db_path}-wal")
    return busy == 0 and (not wal.exists() or wal.stat().st_size == 0)


# -- one person ----------------------------------------------------------------------


def find_case(session: Session, reference: str) -> Case:
    case = session.execute(select(Case).where(Case.reference == reference.strip())).scalar()
    if case is None:
        raise NotFoundError("case")
    return case


def person_at(session: Session, reference: str, position: int) -> tuple[Case, Person]:
    """The person at `position` (1-based, in the order the case screen shows them)."""
    case = find_case(session, reference)
    persons = list(
        session.execute(select(Person).where(Person.case_id == case.id).order_by(Person.id))
        .scalars()
        .all()
    )
    if not 1 <= position <= len(persons):
        raise CasebookError("safety.rights.no_person", reference=case.reference, position=position)
    return case, persons[position - 1]


def contacts_about(person_id: int):
    """The ids of the contact moments about a person: those linked to them now, and
    those that were and have been moved to someone else (or no one) since."""
    moved = select(HistoryEntry.entity_id).where(
        HistoryEntry.entity == "contact",
        HistoryEntry.field_name == "person_id",
        or_(HistoryEntry.old == str(person_id), HistoryEntry.new == str(person_id)),
    )
    return select(ContactMoment.id).where(
        or_(ContactMoment.person_id == person_id, ContactMoment.id.in_(moved))
    )


def erase_person(session: Session, person_id: int) -> None:
    """An erasure request: blank the person's identifying fields and the free text of
    the records about them (consents, referrals, contacts with them, their deadlines),
    also in the timeline; record the erasure without the erased values. Their role,
    gender, birth year and nationality stay, so the figures do not change."""
    from casebook.services.common import touch_case

    person = session.get(Person, person_id)
    if person is None:
        raise NotFoundError("person")
    case_id = person.case_id
    _secure_delete(session)
    session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(erased=True, version=Person.version + 1, **_blank("person"))
    )
    session.execute(
        update(Consent).where(Consent.person_id == person_id).values(**_blank("consent"))
    )
    for table in ("referral", "contact_moment"):
        model = _MODEL[table]
        session.execute(
            update(model)
            .where(model.person_id == person_id)
            .values(version=model.version + 1, **_blank(table))
        )
    session.execute(
        update(Deadline).where(Deadline.person_id == person_id).values(**_blank("deadline"))
    )
    entity_ids = {
        "person": [person_id],
        "referral": select(Referral.id).where(Referral.person_id == person_id),
        "contact": contacts_about(person_id),
        "deadline": select(Deadline.id).where(Deadline.person_id == person_id),
    }
    for entity, ids in entity_ids.items():
        _history_blank(
            session,
            HistoryEntry.case_id == case_id,
            HistoryEntry.entity == entity,
            HistoryEntry.entity_id.in_(ids),
        )
    touch_case(session, case_id)
    record(session, case_id, PERSON_ERASED_EVENT, entity="person", entity_id=person_id)
    session.flush()
    session.expire_all()


def erase(cb, reference: str, position: int) -> bool:
    """Erase one person (one transaction), then vacuum. Returns `vacuum`'s result."""
    with cb.write() as session:
        _, person = person_at(session, reference, position)
        erase_person(session, person.id)
        mark_vacuum_pending(session)
    return _vacuum_after_commit(cb.path)


# -- access request ------------------------------------------------------------------


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _row(obj, *, skip: tuple[str, ...] = ()) -> dict:
    return {
        col.name: _plain(getattr(obj, col.name))
        for col in obj.__table__.columns
        if col.name not in skip
    }


@dataclass
class AccessExport:
    data: dict = field(default_factory=dict)

    def to_json(self) -> str:
        from casebook.text import json_visible

        return json_visible(json.dumps(self.data, ensure_ascii=False, indent=2))

    def to_markdown(self) -> str:
        from casebook.text import printable

        # Meant to be read (in a terminal, too): control characters shown visibly.
        return printable(_markdown(self.data), multiline=True)


def access_export(session: Session, reference: str, position: int) -> AccessExport:
    """Everything about one person: their fields, consents, referrals, contacts with
    them, deadlines, the signals of their case and the timeline entries about them.
    A reporter's contact details in a signal belong to someone else and are left out."""
    from casebook import __version__
    from casebook.dates import utcnow
    from casebook.services.triage import exploitation_codes

    case, person = person_at(session, reference, position)

    def rows(stmt, **kw):
        return [_row(o, **kw) for o in session.execute(stmt).scalars().all()]

    signals = rows(
        select(Signal).where(Signal.case_id == case.id).order_by(Signal.received_on, Signal.id),
        skip=("reporter_contact",),
    )
    for sig in signals:
        sig["indicators"] = sorted(
            session.execute(
                select(SignalIndicator.code).where(SignalIndicator.signal_id == sig["id"])
            )
            .scalars()
            .all()
        )
    data = {
        "export": {
            "kind": "access_request",
            "made_at": utcnow().isoformat(timespec="seconds"),
            "casebook_version": __version__,
            "case_reference": case.reference,
            "person_position": position,
        },
        "person": _row(person, skip=("version",)),
        "case": {
            "reference": case.reference,
            "subject_type": case.subject_type,
            "phase": case.phase,
            "status": case.status,
            "opened_on": _plain(case.opened_on),
            "closed_on": _plain(case.closed_on),
            "closure_outcome": case.closure_outcome,
            "exploitation_types": exploitation_codes(session, case.id),
        },
        "consents": rows(
            select(Consent)
            .where(Consent.person_id == person.id)
            .order_by(Consent.recorded_on, Consent.id)
        ),
        "referrals": rows(
            select(Referral)
            .where(Referral.person_id == person.id)
            .order_by(Referral.requested_on, Referral.id),
            skip=("version",),
        ),
        "contacts": rows(
            select(ContactMoment)
            .where(ContactMoment.id.in_(contacts_about(person.id)))
            .order_by(ContactMoment.at, ContactMoment.id),
            skip=("version",),
        ),
        "deadlines": rows(
            select(Deadline)
            .where(Deadline.person_id == person.id)
            .order_by(Deadline.due_on, Deadline.id)
        ),
        "signals_of_the_case": signals,
        "timeline": rows(
            select(HistoryEntry)
            .where(
                HistoryEntry.case_id == case.id,
                HistoryEntry.entity == "person",
                HistoryEntry.entity_id == person.id,
            )
            .order_by(HistoryEntry.at, HistoryEntry.id)
        ),
    }
    return AccessExport(data)


_LABEL_LISTS = {
    "role": "person_roles",
    "gender": "genders",
    "nationality": "countries",
    "b8_status": "b8_statuses",
    "subject_type": "subject_types",
    "phase": "phases",
    "status": None,  # depends on the section
    "closure_outcome": "closure_outcomes",
    "purpose": "consent_purposes",
    "method": "consent_methods",
    "shelter_type": "shelter_types",
    "channel": None,
    "counterpart_role": "counterpart_roles",
    "source_role": "source_roles",
}
_SECTION_LISTS = {
    ("case", "status"): "statuses",
    ("referrals", "status"): "referral_statuses",
    ("contacts", "channel"): "contact_channels",
    ("signals_of_the_case", "channel"): "signal_channels",
}


# the entity of a section's rows, for the timeline's field names (case.field.<entity>.*)
_SECTION_ENTITY = {
    "person": "person",
    "case": "case",
    "consents": "consent",
    "referrals": "referral",
    "contacts": "contact",
    "deadlines": "deadline",
    "signals_of_the_case": "signal",
}
# what a timeline entry's old/new value is a code of, by the event that wrote it
_EVENT_LISTS = {
    "person.added": "person_roles",
    "consent.given": "consent_purposes",
    "consent.withdrawn": "consent_purposes",
}


def _field_name(section: str, key: str) -> str:
    """A field's name in the interface language (the export is read by the person it is
    about): `role` -> "Rol"."""
    from casebook.i18n import lookup

    entity = _SECTION_ENTITY.get(section, "")
    for candidate in (
        f"safety.access.field.{key}",
        f"case.field.{entity}.{key}",
        f"case.field.{key}",
    ):
        text = lookup(candidate)
        if text:
            return text
    return key


def _timeline_value(item: dict, key: str, value) -> str:
    """A timeline entry's event, and its old and new values, by label."""
    from casebook.i18n import lookup

    if key == "event":
        return lookup(f"case.event.{value}") or str(value)
    if key == "entity":
        return lookup(f"safety.access.entity.{value}") or str(value)
    if key == "field_name" and value:
        return _field_name(_ENTITY_SECTION.get(item.get("entity"), ""), str(value))
    list_name = _EVENT_LISTS.get(item.get("event")) or _LABEL_LISTS.get(item.get("field_name"))
    if key in ("old", "new") and list_name and value:
        return _shown("", "", value, list_name=list_name)
    return _shown("timeline", key, value)


_ENTITY_SECTION = {entity: section for section, entity in _SECTION_ENTITY.items()}


def _shown(section: str, key: str, value, *, list_name: str | None = None) -> str:
    from casebook import refdata

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        from casebook.i18n import t

        return t("safety.yes") if value else t("safety.no")
    if isinstance(value, list):
        if key in ("indicators", "exploitation_types"):
            value = [f"{refdata.label(key, str(v))} ({v})" for v in value]
        return ", ".join(str(v) for v in value) or "—"
    if section == "deadlines" and key == "kind":
        from casebook.i18n import lookup

        label = lookup(f"case.deadline.kinds.{value}")
        return f"{label} ({value})" if label else str(value)
    list_name = list_name or _SECTION_LISTS.get((section, key)) or _LABEL_LISTS.get(key)
    if list_name:
        label = refdata.ref(list_name).label(str(value))
        if label and label != value:
            return f"{label} ({value})"
    return str(value).replace("\n", " ")


def _markdown(data: dict) -> str:
    from casebook.i18n import t

    meta = data["export"]
    out = [
        f"# {t('safety.access.title', reference=meta['case_reference'])}",
        "",
        t("safety.access.intro", made_at=meta["made_at"], position=meta["person_position"]),
        "",
    ]
    for section in (
        "person",
        "case",
        "consents",
        "referrals",
        "contacts",
        "deadlines",
        "signals_of_the_case",
        "timeline",
    ):
        out.append(f"## {t('safety.access.section.' + section)}")
        out.append("")
        value = data[section]
        items = [value] if isinstance(value, dict) else value
        if not items:
            out.append(t("safety.access.none"))
            out.append("")
            continue
        for i, item in enumerate(items, 1):
            if len(items) > 1 or isinstance(value, list):
                out.append(f"### {i}")
                out.append("")
            for key, v in item.items():
                shown = (
                    _timeline_value(item, key, v)
                    if section == "timeline"
                    else _shown(section, key, v)
                )
                out.append(f"- **{_field_name(section, key)}**: {shown}")
            out.append("")
    return "\n".join(out)


def write_private(path: Path, text: str) -> Path:
    """Write a new file readable by the owner only; refuse to overwrite."""
    from casebook.errors import StorageError

    if path.exists():
        raise CasebookError("cli.exists", path=str(path))
    if not path.parent.is_dir():
        raise StorageError("storage.missing_folder", path=str(path.parent))
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as exc:
        raise StorageError(
            "safety.write_failed", path=str(path), reason=exc.strerror or type(exc).__name__
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    except OSError as exc:
        path.unlink(missing_ok=True)
        raise StorageError(
            "safety.write_failed", path=str(path), reason=exc.strerror or type(exc).__name__
        ) from None
    return path
