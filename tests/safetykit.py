"""Builders for the safety tests: a case with a canary string in every identifying field
(and in its timeline), made through the real services, one transaction per save.

A canary is a string that occurs nowhere else, so its presence in the raw bytes of
a file, a report or a traceback proves a leak."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

from casebook.services import (
    case_details,
    closure,
    consent,
    contacts,
    deadlines,
    intake,
    persons,
    referrals,
    triage,
)
from casebook.services import steps as steps_service

PREFIX = "QZXCANARY"


def canary(tag: str) -> str:
    return f"{PREFIX}{tag}Q"


def canary_case(
    cb,
    tag: str = "",
    *,
    received: date = date(2018, 3, 1),
    closed: date | None = date(2019, 6, 1),
    keep: str | None = None,
) -> dict:
    """Open, fill, close, reopen and close a case. Every identifying field holds
    `canary(tag + field)`. A second person holds `keep` (to show erasure of one person
    leaves the other alone). Returns ids and the canaries used."""
    c = {
        name: canary(f"{tag}{name}")
        for name in (
            "title",
            "location",
            "observed",
            "reporter",
            "name",
            "oldname",
            "contact",
            "address",
            "notes",
            "guardianname",
            "routenote",
            "stepdesc",
            "stepresult",
            "refnote",
            "refnote2",
            "summary",
            "consentnote",
            "deadlinenote",
            "closurenote",
            "reopen",
        )
    }
    victim = intake.PersonInput(
        role="VICTIM",
        gender="FEMALE",
        birth_year=2001,
        nationality="RO",
        name=c["oldname"],
        contact=c["contact"],
        address=c["address"],
        notes=c["notes"],
    )
    people = [victim]
    if keep is not None:
        people.append(intake.PersonInput(role="OTHER", name=keep, notes=keep))
    with cb.write() as s:
        case, signal = intake.record_signal(
            s,
            intake.SignalInput(
                received_on=received,
                channel="PHONE",
                source_role="POL",
                reporter_contact=c["reporter"],
                observed=c["observed"],
                indicators=["GEN_HOUSING"],
                subject_type="PERSON",
                title=c["title"],
                location=c["location"],
                persons=people,
            ),
            today=received,
        )
        case_id, signal_id = case.id, signal.id
    with cb.read() as s:
        from sqlmodel import select

        from casebook.models import Person

        pids = list(s.exec(select(Person.id).where(Person.case_id == case_id).order_by(Person.id)))
    pid = pids[0]
    with cb.write() as s:
        persons.edit_person(
            s,
            pid,
            intake.PersonInput(
                role="VICTIM",
                gender="FEMALE",
                birth_year=2001,
                nationality="RO",
                name=c["name"],
                contact=c["contact"],
                address=c["address"],
                notes=c["notes"],
                guardian_relation="GUARDIAN",
                guardian_name=c["guardianname"],
            ),
        )
    with cb.write() as s:
        triage.triage_case(
            s,
            case_id,
            triage.TriageInput(
                urgency="HIGH",
                exploitation_types=["LAB"],
                sector="AGRI",
                route="CARE",
                route_note=c["routenote"],
            ),
        )
    with cb.write() as s:  # a sector beside the primary one (case_sector)
        case_details.set_other_sectors(s, case_id, ["LOG"], primary="AGRI")
    with cb.write() as s:
        step = steps_service.add_step(
            s,
            case_id,
            steps_service.StepInput(
                step_type="ENRICH", due_on=date(2018, 4, 1), description=c["stepdesc"]
            ),
        )
        step_id = step.id
    with cb.write() as s:
        steps_service.complete_step(s, step_id, result=c["stepresult"], done_on=date(2018, 4, 2))
    with cb.write() as s:
        ref = referrals.request_referral(
            s,
            case_id,
            referrals.ReferralInput(
                shelter_type="MO",
                person_id=pid,
                requested_on=date(2018, 4, 1),
                note=c["refnote"],
            ),
            today=date(2018, 4, 1),
        )
        ref_id = ref.id
    with cb.write() as s:
        referrals.set_referral_status(
            s, ref_id, "WITHDRAWN", on=date(2018, 4, 5), note=c["refnote2"]
        )
    for open_step in _open_steps(cb, case_id):
        with cb.write() as s:
            steps_service.cancel_step(s, open_step)
    with cb.write() as s:
        contacts.log_contact(
            s,
            case_id,
            contacts.ContactInput(
                channel="PHONE",
                counterpart_role="SUBJECT",
                summary=c["summary"],
                person_id=pid,
                at=datetime(2018, 4, 3, 10, 0, tzinfo=UTC),
            ),
        )
    with cb.write() as s:
        consent.record_consent(
            s,
            pid,
            consent.ConsentInput(
                purpose="COMENSHA_REG",
                recorded_on=date(2018, 4, 1),
                method="WRITTEN",
                note=c["consentnote"],
            ),
        )
    with cb.write() as s:
        promise = deadlines.add_deadline(
            s, case_id, "CALLBACK", date(2018, 5, 1), person_id=pid, note=c["deadlinenote"]
        ).id
    if closed is not None:  # an open deadline holds a case open, as a step does
        with cb.write() as s:
            deadlines.mark_done(s, promise)
    for open_step in _open_steps(cb, case_id):
        with cb.write() as s:
            steps_service.cancel_step(s, open_step)
    if closed is not None:
        with cb.write() as s:
            closure.close_case(
                s, case_id, outcome="HANDOVER_ZC", closed_on=closed, note=c["closurenote"]
            )
        with cb.write() as s:
            closure.reopen_case(s, case_id, reason=c["reopen"])
        with cb.write() as s:
            closure.close_case(s, case_id, outcome="HANDOVER_ZC", closed_on=closed, note="")
    with cb.read() as s:
        from casebook.models import Case

        reference = s.get(Case, case_id).reference
    return {
        "case_id": case_id,
        "reference": reference,
        "signal_id": signal_id,
        "person_ids": pids,
        "canaries": c,
    }


def _open_steps(cb, case_id: int) -> list[int]:
    from sqlmodel import select

    from casebook.models import FollowUpStep

    with cb.read() as s:
        return list(
            s.exec(
                select(FollowUpStep.id).where(
                    FollowUpStep.case_id == case_id, FollowUpStep.status == "OPEN"
                )
            )
        )


def raw_bytes(db_path: Path) -> bytes:
    """The database file and its -wal and -shm files, as bytes."""
    out = b""
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{db_path}{suffix}")
        if p.exists():
            out += p.read_bytes()
    return out


def sqlite_rows(db_path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def integrity_ok(db_path: Path) -> bool:
    return sqlite_rows(db_path, "PRAGMA integrity_check") == [("ok",)]
