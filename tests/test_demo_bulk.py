"""The bulk demo generator (casebook.demo_bulk): the rows it writes keep the services'
rules, cover every value list the screens show, and are the same for a seed and a day."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from casebook import refdata
from casebook.db import open_casebook
from casebook.demo_bulk import BIG_CASE_CONTACTS, BIG_CASE_STEPS, VIA_COMENSHA, generate_bulk
from tests.conftest import DEMO_TODAY

CASES = 400


def _make(path: Path, *, seed: int = 1, cases: int = CASES):
    book = open_casebook(path)
    with book.write() as session:
        result = generate_bulk(session, cases=cases, years=3, seed=seed, today=DEMO_TODAY)
    book.close()
    return result


@pytest.fixture(scope="module")
def bulk(tmp_path_factory):
    path = tmp_path_factory.mktemp("bulk") / "bulk.sqlite3"
    result = _make(path)
    conn = sqlite3.connect(path)
    yield conn, result, path
    conn.close()


def q(conn, sql: str, *args):
    return conn.execute(sql, args).fetchall()


def one(conn, sql: str, *args):
    return conn.execute(sql, args).fetchone()[0]


def test_sizes(bulk):
    conn, result, _ = bulk
    assert one(conn, "SELECT count(*) FROM case_file") == CASES
    assert result.cases == CASES
    # about the decade's proportions per case (see the issue)
    per_case = {
        "signal": (1.2, 1.8),
        "person": (1.6, 2.4),
        "followup_step": (5.0, 8.5),
        "contact_moment": (7.0, 13.0),
        "referral": (0.5, 1.2),
    }
    for table, (low, high) in per_case.items():
        ratio = one(conn, f"SELECT count(*) FROM {table}") / CASES
        assert low <= ratio <= high, (table, ratio)
    assert result.rows["history"] == one(conn, "SELECT count(*) FROM history")


def test_covers_every_value_list(bulk):
    conn, _, _ = bulk
    for column, table, ref in (
        ("phase", "case_file", "phases"),
        ("status", "case_file", "statuses"),
        ("closure_outcome", "case_file", "closure_outcomes"),
        ("shelter_type", "referral", "shelter_types"),
        ("step_type", "followup_step", "step_types"),
        ("status", "referral", "referral_statuses"),
        ("subject_type", "case_file", "subject_types"),
    ):
        found = {row[0] for row in q(conn, f"SELECT DISTINCT {column} FROM {table}")}
        assert set(refdata.ref(ref).codes()) <= found, (table, column)
    steps = {row[0] for row in q(conn, "SELECT DISTINCT status FROM followup_step")}
    assert steps == {"OPEN", "DONE", "CANCELLED", "CARRIED"}


def test_closed_cases_hold_nothing_open(bulk):
    conn, _, _ = bulk
    assert (
        one(
            conn,
            "SELECT count(*) FROM followup_step s JOIN case_file c ON c.id = s.case_id "
            "WHERE c.status = 'CLOSED' AND s.status = 'OPEN'",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM referral r JOIN case_file c ON c.id = r.case_id "
            "WHERE c.status = 'CLOSED' AND (r.status = 'REQUESTED' "
            "OR (r.status = 'PLACED' AND r.carried_by_partner = 0))",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM case_file WHERE status = 'CLOSED' AND (phase != 'CLOSURE' "
            "OR closure_outcome IS NULL OR closed_on IS NULL OR closed_on < opened_on)",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM case_file WHERE status != 'CLOSED' "
            "AND (closure_outcome IS NOT NULL OR closed_on IS NOT NULL OR phase = 'CLOSURE')",
        )
        == 0
    )


def test_triage_rules(bulk):
    conn, _, _ = bulk
    # untriaged: intake, new, no steps, no exploitation types, signals untriaged
    untriaged = [r[0] for r in q(conn, "SELECT id FROM case_file WHERE triaged_at IS NULL")]
    assert untriaged
    for cid in untriaged:
        assert q(conn, "SELECT phase, status FROM case_file WHERE id = ?", cid) == [
            ("INTAKE", "NEW")
        ]
        assert one(conn, "SELECT count(*) FROM followup_step WHERE case_id = ?", cid) == 0
        assert one(conn, "SELECT count(*) FROM case_exploitation WHERE case_id = ?", cid) == 0
    # triaged: urgency, route, exploitation types, every signal triaged
    assert (
        one(
            conn,
            "SELECT count(*) FROM case_file c WHERE triaged_at IS NOT NULL AND (urgency IS NULL "
            "OR route IS NULL OR NOT EXISTS (SELECT 1 FROM case_exploitation e "
            "WHERE e.case_id = c.id))",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM signal s JOIN case_file c ON c.id = s.case_id "
            "WHERE c.triaged_at IS NOT NULL AND s.triaged_at IS NULL",
        )
        == 0
    )
    assert (
        one(conn, "SELECT count(*) FROM case_file WHERE status = 'NEW' AND phase != 'INTAKE'") == 0
    )


def test_referrals_have_their_reply_step_and_consent(bulk):
    conn, _, _ = bulk
    rows = q(
        conn,
        "SELECT r.id, r.shelter_type, r.status, r.person_id, r.requested_on, r.case_id "
        "FROM referral r",
    )
    assert rows
    for rid, shelter, status, person_id, requested, case_id in rows:
        steps = q(conn, "SELECT step_type, status FROM followup_step WHERE referral_id = ?", rid)
        assert len(steps) == 1
        step_type, step_status = steps[0]
        assert step_type == ("AANMELD_CM_OPV" if shelter in VIA_COMENSHA else "SHELTER_REQ")
        assert (step_status == "OPEN") == (status == "REQUESTED")
        assert one(conn, "SELECT case_id FROM person WHERE id = ?", person_id) == case_id
        if shelter in VIA_COMENSHA:
            assert one(
                conn,
                "SELECT count(*) FROM consent WHERE person_id = ? AND given = 1 "
                "AND purpose = 'COMENSHA_SHELTER' AND recorded_on <= ?",
                person_id,
                requested,
            )


def test_same_shelter_types_as_the_services():
    from casebook.services.referrals import VIA_COMENSHA as SERVICES

    assert VIA_COMENSHA == SERVICES


def test_history_follows_the_events(bulk):
    conn, _, _ = bulk
    assert one(conn, "SELECT count(*) FROM history WHERE event = 'case.opened'") == CASES
    assert one(conn, "SELECT count(*) FROM history WHERE event = 'step.added'") == one(
        conn, "SELECT count(*) FROM followup_step"
    )
    assert one(conn, "SELECT count(*) FROM history WHERE event = 'contact.logged'") == one(
        conn, "SELECT count(*) FROM contact_moment"
    )
    # every closed case's last closing is in its history, and reopenings are recorded
    assert (
        one(
            conn,
            "SELECT count(*) FROM case_file c WHERE status = 'CLOSED' AND NOT EXISTS "
            "(SELECT 1 FROM history h WHERE h.case_id = c.id AND h.event = 'case.closed')",
        )
        == 0
    )
    assert (
        one(
            conn,
            "SELECT count(*) FROM case_file c WHERE status = 'REOPENED' AND NOT EXISTS "
            "(SELECT 1 FROM history h WHERE h.case_id = c.id AND h.event = 'case.reopened')",
        )
        == 0
    )
    # contact moments name only the case's own persons
    assert (
        one(
            conn,
            "SELECT count(*) FROM contact_moment m JOIN person p ON p.id = m.person_id "
            "WHERE p.case_id != m.case_id",
        )
        == 0
    )


def test_the_big_case(bulk):
    conn, result, _ = bulk
    ref = result.big_case_reference
    assert ref == f"{DEMO_TODAY.year - 1}-0001"
    cid = one(conn, "SELECT id FROM case_file WHERE reference = ?", ref)
    assert one(conn, "SELECT count(*) FROM contact_moment WHERE case_id = ?", cid) == (
        BIG_CASE_CONTACTS
    )
    assert one(conn, "SELECT count(*) FROM followup_step WHERE case_id = ?", cid) == BIG_CASE_STEPS
    assert one(conn, "SELECT status FROM case_file WHERE id = ?", cid) != "CLOSED"


def test_the_file_passes_the_integrity_check(bulk):
    from casebook.integrity import check_file

    _, _, path = bulk
    report = check_file(path)
    assert report.ok, [p.message() for p in report.problems]


def test_the_services_work_on_it(bulk, tmp_path):
    """Close an open case the way the officer does: settle its items, then close."""
    import shutil

    from sqlmodel import select

    from casebook.models import Case, FollowUpStep, Referral
    from casebook.services import closure, referrals, steps, today

    _, _, path = bulk
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(path, copy)
    book = open_casebook(copy)
    try:
        with book.write() as session:
            assert any(section.count for section in today.board(session, DEMO_TODAY))
            case = session.exec(
                select(Case).where(Case.status != "CLOSED", Case.triaged_at.is_not(None))
            ).first()
            for ref in session.exec(select(Referral).where(Referral.case_id == case.id)):
                if ref.status == "REQUESTED":
                    referrals.set_referral_status(session, ref.id, "WITHDRAWN", on=DEMO_TODAY)
                elif ref.status == "PLACED" and not ref.carried_by_partner:
                    referrals.carry_referral(session, ref.id)
            for step in session.exec(
                select(FollowUpStep).where(
                    FollowUpStep.case_id == case.id, FollowUpStep.status == "OPEN"
                )
            ):
                steps.complete_step(session, step.id, done_on=DEMO_TODAY)
            closure.close_case(session, case.id, outcome="NO_TH", closed_on=DEMO_TODAY)
            assert case.status == "CLOSED"
    finally:
        book.close()


def _digest(path: Path) -> str:
    conn = sqlite3.connect(path)
    digest = hashlib.sha256()
    for table in ("case_file", "signal", "person", "followup_step", "referral", "history"):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY rowid"):
            digest.update(repr(row).encode())
    conn.close()
    return digest.hexdigest()


def test_deterministic_for_a_seed_and_a_day(tmp_path, bulk):
    _, _, path = bulk
    again = tmp_path / "again.sqlite3"
    _make(again)
    other = tmp_path / "other.sqlite3"
    _make(other, seed=2)
    assert _digest(again) == _digest(path)
    assert _digest(other) != _digest(path)


def test_refuses_a_casebook_with_cases(tmp_path):
    from casebook.errors import CasebookError

    path = tmp_path / "twice.sqlite3"
    _make(path, cases=20)
    book = open_casebook(path)
    try:
        with pytest.raises(CasebookError), book.write() as session:
            generate_bulk(session, cases=5, years=1, today=DEMO_TODAY)
    finally:
        book.close()


@pytest.mark.slow
def test_demo_data_command_uses_bulk_and_names_the_big_case(tmp_path):
    out = tmp_path / "cli.sqlite3"
    result = subprocess.run(
        [
            sys.executable, "-m", "casebook", "--lang", "en", "demo-data", "--out", str(out),
            "--cases", "600", "--years", "2", "--today", "2026-11-28",
        ],
        capture_output=True, text=True, timeout=300,
        env={"CASEBOOK_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "600 cases" in result.stdout
    assert "2025-0001" in result.stdout
    conn = sqlite3.connect(out)
    assert one(conn, "SELECT count(*) FROM case_file") == 600
    conn.close()
